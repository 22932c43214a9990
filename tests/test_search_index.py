"""The search index facade on a real Whoosh index: Korean matching, filters, sorting, paging,
snippets with RRNs masked, the schema-version check, and reindexing that never leaves searches without an index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime

import pytest

from girok.errors import IndexOutdated, UsageError
from girok.search.index import SCHEMA_VERSION, IndexDoc, SearchIndex

RRN = "870501-1196406"


def doc(n: int, text: str, **kw) -> IndexDoc:
    base = dict(reg_no=f"GR-2024-{n:06d}", title=kw.pop("title", ""), doc_type="", source=f"scan{n}.pdf",
                captured=datetime(2024, 6, n, 9, 0), pages=1, text=text)
    base.update(kw)
    return IndexDoc(**base)


DOCS = [
    doc(1, "서초구 민원실에서 토지대장을 발급하였다.", doc_type="주민등록표 등본 교부 신청서",
        office="서초구청장", doc_date=date(2023, 3, 5), receipt_no="2023-0001", retention="5년"),
    doc(2, "토지 대장 열람 신청. 서초구는 민원 처리 기간을 줄였다.", doc_type="위임장", office="강남구청장",
        doc_date=date(2023, 11, 20), receipt_no="2023-0777", retention="10년"),
    doc(3, f"위임장\n위임인 주민등록번호 {RRN}\n대리인 홍길동 서초구 민원\n실 방문", doc_type="위임장",
        office="서초구청장", doc_date=date(2024, 1, 15), receipt_no="2024 - 0003", retention="10년"),
    doc(4, "빅데이터 기반 AI 민원 분석 보고서", doc_type="", doc_date=None, retention="영구"),
    doc(5, "전입신고서 전입 일자 2024년 2월 1일 서초구", doc_type="전입신고서", office="서초구청장",
        doc_date=date(2024, 2, 1), receipt_no="2024-0100", retention="5년"),
]


@pytest.fixture(scope="module")
def ix(tmp_path_factory) -> SearchIndex:
    index = SearchIndex(tmp_path_factory.mktemp("search") / "index")
    index.ensure()
    index.add(DOCS)
    return index


def ids(result) -> list[str]:
    return [h.reg_no[-1] for h in result.hits]


def found(ix, query, **kw) -> set[str]:
    return set(ids(ix.find(query, limit=50, **kw)))


# --- Korean matching -------------------------------------------------------------------


def test_particles_and_lost_spaces(ix):
    assert found(ix, "민원실") == {"1", "3"}  # 민원실에서; "민원\n실" split over a line
    assert found(ix, "토지대장") == {"1", "2"}  # 토지대장을 and "토지 대장"
    assert found(ix, "서초구는") >= {"1", "2", "5"}  # the query's own particle is not required


def test_phrase_and_word_semantics(ix):
    assert found(ix, '"토지 대장 열람"') == {"2"}
    assert found(ix, '"대장 토지"') == set()


def test_boolean(ix):
    assert found(ix, "서초구 토지대장") == {"1", "2"}
    assert found(ix, "빅데이터 OR 전입") == {"4", "5"}
    assert found(ix, "민원 NOT 위임장") == {"1", "2", "4"}
    assert found(ix, "민원 -위임장") == {"1", "2", "4"}
    assert found(ix, "NOT 민원") == {"5"}
    assert found(ix, "(빅데이터 OR 전입) 서초구") == {"5"}


def test_latin_words_are_case_blind(ix):
    assert found(ix, "ai") == {"4"}


def test_exact_and_noun_matches_rank_first(ix):
    # doc 1 holds 민원실 as a word (Kiwi noun); doc 3 only has 민원 and 실 on two lines
    assert ids(ix.find("민원실"))[0] == "1"


# --- filters, sorting, paging -----------------------------------------------------------


def test_filters(ix):
    assert found(ix, "type:위임장") == {"2", "3"}
    assert found(ix, "민원 type:위임장") == {"2", "3"}
    assert found(ix, "office:서초구") == {"1", "3", "5"}
    assert found(ix, "receipt:2024-0003") == {"3"}  # stored as "2024 - 0003": spaces do not matter
    assert found(ix, "retention:10y") == {"2", "3"}
    assert found(ix, "retention:영구") == {"4"}
    assert found(ix, "date:2023") == {"1", "2"}
    assert found(ix, "date:2023-11-20..2024-01-15") == {"2", "3"}
    assert found(ix, "date:..2023-03-05") == {"1"}
    assert found(ix, "date:2024-06") == {"4"}  # no filing date: the capture day counts


def test_filters_as_options(ix):
    from girok.search.query import All, Filter, parse_date_range

    assert found(ix, All(), filters=[Filter("type", "위임장"), parse_date_range("2024")]) == {"3"}


def test_unknown_retention_class_is_a_usage_error(ix):
    with pytest.raises(UsageError, match="not a retention class"):
        ix.find("retention:7년")


def test_sorting_by_date(ix):
    assert ids(ix.find("서초구", sort="newest")) == ["5", "3", "2", "1"]
    assert ids(ix.find("서초구", sort="oldest")) == ["1", "2", "3", "5"]
    with pytest.raises(UsageError):
        ix.find("서초구", sort="sideways")


def test_paging(ix):
    first, second = ix.find("서초구", sort="oldest", limit=3), ix.find("서초구", sort="oldest", limit=3, offset=3)
    assert first.total == second.total == 4
    assert ids(first) == ["1", "2", "3"] and ids(second) == ["5"]


# --- snippets -----------------------------------------------------------------------------


def test_snippet_highlights_and_masks(ix):
    [hit] = ix.find("홍길동").hits
    assert "[[홍길동]]" in hit.snippet
    assert RRN not in hit.snippet and "1196406" not in hit.snippet
    assert "870501-1******" in hit.snippet
    [hit] = ix.find('"토지 대장 열람"').hits
    assert "[[토지 대장 열람]]" in hit.snippet


# --- schema version and reindexing ------------------------------------------------------------


def test_an_index_of_another_schema_version_asks_for_reindex(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.ensure()
    meta = index.current_dir() / "girok-index.json"
    meta.write_text(json.dumps({"engine": "whoosh", "schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(IndexOutdated) as exc:
        index.find("민원")
    assert "girok reindex" in str(exc.value) and exc.value.exit_code == 8


def test_interrupted_rebuild_keeps_the_old_index(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.ensure()
    index.add(DOCS[:2])
    before = index.current_dir()

    def docs_then_crash():
        yield DOCS[2]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.rebuild(docs_then_crash())
    assert index.current_dir() == before
    assert {h.reg_no[-1] for h in index.find("토지대장").hits} == {"1", "2"}
    assert [p.name for p in index.root.iterdir() if p.is_dir()] == [before.name]


def test_killed_rebuild_keeps_the_old_index_and_the_next_one_cleans_up(tmp_path):
    index = SearchIndex(tmp_path / "index")
    index.ensure()
    index.add(DOCS)
    before = index.current_dir()
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(os.getcwd())!r})
        from datetime import datetime
        from pathlib import Path
        from girok.search.index import IndexDoc, SearchIndex
        def docs():
            for i in range(100000):
                yield IndexDoc(reg_no=f"X{{i}}", title="", doc_type="", source="s", captured=datetime(2024, 1, 1),
                               pages=1, text="새 색인 문서 " * 20, morphs="")
                if i == 50:
                    print("building", flush=True)
                time.sleep(0.001)
        SearchIndex(Path({str(index.root)!r})).rebuild(docs())
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "building"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert index.current_dir() == before
    assert len([p for p in index.root.iterdir() if p.is_dir()]) == 2  # the half-built one is left behind
    assert found(index, "토지대장") == {"1", "2"}
    assert index.rebuild(DOCS[:1]) == 1
    assert [p.name for p in index.root.iterdir() if p.is_dir()] == [index.current_dir().name]
    assert found(index, "토지대장") == {"1"}


def test_a_second_rebuild_at_the_same_time_is_refused(tmp_path):
    import fcntl

    from girok.errors import ArchiveLocked

    index = SearchIndex(tmp_path / "index")
    index.ensure()
    with open(index.root / "REBUILD.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(ArchiveLocked, match="rebuilding"):
            index.rebuild(DOCS)


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_a_resident_index_reuses_results_only_while_the_index_is_unchanged(tmp_path, engine):
    """girok serve keeps recent results; a document added or deleted (a disposal) shows at the next search, by a
    writer in this process or another, and what a caller changes in a result never changes the next one."""
    root = tmp_path / "index"
    index = SearchIndex(root, engine=engine)
    index.ensure()
    index.add(DOCS)
    first = index.find("서초구")
    assert index.find("서초구") == first and index._results  # kept
    first.hits[0].title = "changed by the caller"
    assert index.find("서초구").hits[0].title != "changed by the caller"
    other = SearchIndex(root, engine=engine)  # another process's writer: the indexer, a disposal
    other.add([doc(9, "서초구 민원실 새 문서")])
    assert "9" in ids(index.find("서초구"))  # ids(): the registration numbers' last digits
    other.delete(["GR-2024-000009", "GR-2024-000001"])
    after = ids(index.find("서초구"))
    assert "9" not in after and "1" not in after and after
    assert not any("새 문서" in h.snippet for r in index._results.values() for h in r.hits)
