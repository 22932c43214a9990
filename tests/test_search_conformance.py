"""Both search engines give the same documents for the same archive and query.

One suite, parametrized over the engine: a real Whoosh index and a real
Tantivy index of the same small Korean archive (particles, lost and extra
word spaces, line breaks, Latin words, digits, RRNs, types, offices,
dates, receipt numbers, retention classes). Each query's expected
registration numbers were worked out by hand from the texts below; both
engines must give exactly them, and the same as each other.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from girok.search.base import IndexDoc
from girok.search.index import SearchIndex

ENGINES = ("whoosh", "tantivy")

# reg_no, filing date, type, office, receipt, retention, title, text
DOCS = [
    ("D01", "2023-01-10", "신청서", "서울특별시 서초구 민원여권과", "2023-0001", "10년", "토지대장 발급 신청",
     "서초구 민원실에서 토지대장을 발급받았습니다."),
    ("D02", "2023-02-14", "안내문", "강남구 민원봉사과", "", "5년", "열람 안내",
     "민원 실에서 토지 대 장을 열람했습니다."),
    ("D03", "2023-03-03", "안내문", "서초구 민원여권과", "", "3년", "대기 안내",
     "민원실\n에서 오래 기다렸다.\n번호표를 뽑으세요."),
    ("D04", "2023-04-20", "신고서", "관악구 민원봉사과", "2023-0044", "5년", "전입신고서",
     "신청인 주민등록번호 900101-1234567 의 전입신고를 접수함."),
    ("D05", "2023-05-05", "신고서", "서초구 가족관계팀", "", "10년", "혼인신고서",
     "혼인신고 접수 완료. 처리 기간은 3일입니다."),
    ("D06", "2023-06-30", "신고서", "강남구 가족관계팀", "", "5년", "출생신고서",
     "출생신고 및 전입 신고를 함께 처리함."),
    ("D07", "2023-07-07", "위임장", "관악구 민원봉사과", "2023-0777", "영구", "위임장",
     "본인은 아래 사람에게 인감증명서 발급을 위임합니다."),
    ("D08", "2023-08-08", "보고서", "서울특별시 재무과", "", "30년", "Seoul budget report",
     "Seoul City Hall budget report 2023, item ABC-123 approved."),
    ("D09", "2023-12-31", "신청서", "서초구 건축과", "2023-0999", "10년", "건축허가 신청",
     "건축허가 신청서 제출 서류 목록: 설계도, 토지 이용 계획."),
    ("D10", "2024-01-01", "신청서", "강남구 건축과", "2024-0001", "10년", "건축물대장 등본",
     "건축물대장 등본을 발급함."),
    ("D11", "2024-02-29", "통지서", "관악구 총무과", "", "3년", "정보공개 결정 통지",
     "정보공개청구 처리 결과를 통지합니다."),
    ("D12", "2024-03-15", "통지서", "서초구 건설관리과", "2024-0315", "5년", "도로점용 허가",
     "도로점용 허가 민원 처리 결과 통지."),
    ("D13", "2024-04-01", "이의신청서", "강남구 주차관리과", "", "1년", "과태료 이의신청",
     "주차 위반 과태료 부과에 대한 이의신청. 연락처 010-1234-5678."),
    ("D14", "2024-05-20", "안내문", "서초구 민원여권과", "", "준영구", "민원 서류 보관",
     "민원서류의 보관 기간을 연장합니다."),
    ("D15", "2024-06-01", "보고서", "관악구 총무과", "", "1년", "작업 일지",
     "대장 정리 작업을 마쳤다. 토지 관련 없음."),
    ("D16", "2024-07-01", "확인원", "강남구 토지정보과", "", "3년", "토지이용계획 확인원",
     "토지 이용 계획 확인원 발급 완료."),
    ("D17", "2024-08-15", "증명서", "서초구 가족관계팀", "", "5년", "가족관계증명서",
     "가족관계증명서 발급. 대상자 주민등록번호 850505-2345678."),
    ("D18", "2024-09-09", "기타", "관악구 총무과", "", "1년", "회의록",
     "민원 접수 창구 운영 회의."),
]
ALL = {d[0] for d in DOCS}


def _docs() -> list[IndexDoc]:
    return [IndexDoc(reg_no=r, title=title, doc_type=t, source=f"/scans/{r}.png",
                     captured=datetime(2025, 1, 2, 9, 0), pages=1, text=text, doc_date=date.fromisoformat(d),
                     office=o, receipt_no=rc, retention=ret)
            for r, d, t, o, rc, ret, title, text in DOCS]


def _s(*regs: str) -> set[str]:
    return set(regs)


# query -> the registration numbers it must find (any order)
SETS = {
    "민원실": _s("D01", "D02", "D03"),  # spaces and a line break inside the word do not matter
    "민원실에서": _s("D01", "D02", "D03"),  # particle on the query word
    "토지대장을": _s("D01", "D02"),
    '"토지 대장"': _s("D01", "D02"),
    "토지": _s("D01", "D02", "D09", "D15", "D16"),
    "대장": _s("D01", "D02", "D10", "D15"),
    "토지 -대장": _s("D09", "D16"),
    "토지 NOT 대장": _s("D09", "D16"),
    "혼인신고 OR 출생신고": _s("D05", "D06"),
    "(혼인 OR 출생) 신고": _s("D05", "D06"),
    "전입 신고": _s("D04", "D06"),
    "민원 AND 처리": _s("D12"),
    "민원 OR 정보공개": _s("D01", "D02", "D03", "D11", "D12", "D14", "D18"),
    "NOT 민원": ALL - _s("D01", "D02", "D03", "D12", "D14", "D18"),
    "-민원 -토지 type:신고서": _s("D04", "D05", "D06"),
    "혼인신고를": _s("D05"),
    "인감증명서를": _s("D07"),
    "발급받았습니다": _s("D01"),
    "발급": _s("D01", "D07", "D10", "D16", "D17"),
    "회의록": _s("D18"),  # in the title only
    "민": _s("D01", "D02", "D03", "D04", "D12", "D14", "D17", "D18"),  # one Hangul character
    "seoul": _s("D08"),
    "SEOUL": _s("D08"),
    "budget report": _s("D08"),
    '"budget report"': _s("D08"),
    '"report budget"': set(),  # a phrase keeps its order
    "abc": _s("D08"),
    "123": _s("D08"),
    "1234567": set(),  # the RRN's clear digits are not in the index
    "2345678": set(),
    "type:신고서": _s("D04", "D05", "D06"),
    "type:신청서": _s("D01", "D09", "D10", "D13"),  # 이의신청서 contains 신청서
    "발급 type:신청서": _s("D01", "D10"),
    "office:서초구": _s("D01", "D03", "D05", "D09", "D12", "D14", "D17"),
    "office:민원여권과": _s("D01", "D03", "D14"),
    "office:강남구 발급": _s("D10", "D16"),
    "receipt:2023-0044": _s("D04"),
    "receipt:2024-0001": _s("D10"),
    "retention:10년": _s("D01", "D05", "D09", "D10"),
    "retention:10y": _s("D01", "D05", "D09", "D10"),
    "retention:영구": _s("D07"),  # not 준영구
    "date:2023": _s("D01", "D02", "D03", "D04", "D05", "D06", "D07", "D08", "D09"),
    "date:2024-01-01..2024-03-15": _s("D10", "D11", "D12"),  # both ends included
    "date:..2023-02-14": _s("D01", "D02"),
    "date:2024-08-15..": _s("D17", "D18"),
    "date:2024-02": _s("D11"),
    "건축 date:2024": _s("D10"),
}

# (query, sort, offset, limit) -> (total, the registration numbers of that page, in order)
PAGES = {
    ("type:신고서", "newest", 0, 10): (3, ["D06", "D05", "D04"]),
    ("type:신고서", "oldest", 0, 10): (3, ["D04", "D05", "D06"]),
    ("office:서초구", "oldest", 3, 3): (7, ["D09", "D12", "D14"]),
    ("date:2023", "newest", 0, 4): (9, ["D09", "D08", "D07", "D06"]),
    ("date:2023", "newest", 8, 4): (9, ["D01"]),
    ("발급 OR 민원", "newest", 2, 3): (10, ["D16", "D14", "D12"]),
}

# Queries whose meaning is only that both engines read them alike (a word of punctuation only).
AGREE_ONLY = ["서초구 !!", "-!!", "민원 OR !!", "(발급) (서초구)", "토지대장 NOT (민원 OR 열람)"]


@pytest.fixture(scope="module")
def indexes(tmp_path_factory) -> dict[str, SearchIndex]:
    out = {}
    docs = _docs()
    for engine in ENGINES:
        ix = SearchIndex(tmp_path_factory.mktemp(engine) / "index", engine=engine)
        ix.ensure()
        assert ix.add(docs) == len(docs)
        assert ix.engine_name == engine
        out[engine] = ix
    return out


def _regs(ix: SearchIndex, query: str, **kw) -> list[str]:
    return [h.reg_no for h in ix.find(query, limit=100, **kw).hits]


@pytest.mark.parametrize("engine", ENGINES)
def test_index_holds_every_document(indexes, engine):
    assert indexes[engine].doc_count() == len(DOCS)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("query", list(SETS))
def test_query_finds_the_expected_documents(indexes, engine, query):
    res = indexes[engine].find(query, limit=100)
    assert {h.reg_no for h in res.hits} == SETS[query]
    assert res.total == len(SETS[query])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("key", list(PAGES), ids=lambda k: f"{k[0]}-{k[1]}-{k[2]}")
def test_sorted_pages(indexes, engine, key):
    query, sort, offset, limit = key
    res = indexes[engine].find(query, sort=sort, offset=offset, limit=limit)
    assert (res.total, [h.reg_no for h in res.hits]) == PAGES[key]


@pytest.mark.parametrize("engine", ENGINES)
def test_relevance_pages_split_the_hits(indexes, engine):
    ix = indexes[engine]
    pages = [ix.find("민", offset=o, limit=3) for o in (0, 3, 6)]
    regs = [h.reg_no for p in pages for h in p.hits]
    assert {p.total for p in pages} == {len(SETS["민"])}
    assert len(regs) == len(set(regs)) == len(SETS["민"])  # no hit twice, none missing
    assert set(regs) == SETS["민"]
    scores = [h.score for p in pages for h in p.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@pytest.mark.parametrize("query", list(SETS) + AGREE_ONLY)
def test_engines_agree(indexes, query):
    found = {e: _regs(ix, query, sort="oldest") for e, ix in indexes.items()}
    assert found["whoosh"] == found["tantivy"]


@pytest.mark.parametrize("engine", ENGINES)
def test_rrns_come_back_masked(indexes, engine):
    res = indexes[engine].find("주민등록번호", limit=10, sort="oldest")
    assert [h.reg_no for h in res.hits] == ["D04", "D17"]
    for hit, clear, masked in zip(res.hits, ("900101-1234567", "850505-2345678"), ("900101-1******", "850505-2******")):
        assert clear not in hit.snippet and masked in hit.snippet
        assert "[[주민등록번호]]" in hit.snippet


@pytest.mark.parametrize("engine", ENGINES)
def test_hits_carry_the_stored_fields(indexes, engine):
    [hit] = indexes[engine].find("receipt:2023-0044").hits
    assert (hit.reg_no, hit.doc_type, hit.date, hit.office, hit.receipt_no, hit.retention, hit.title) == \
        ("D04", "신고서", "2023-04-20", "관악구 민원봉사과", "2023-0044", "5년", "전입신고서")
    assert (hit.source, hit.pages, hit.captured) == ("/scans/D04.png", 1, "2025-01-02T09:00:00")


@pytest.mark.parametrize("engine", ENGINES)
def test_add_replaces_by_reg_no_and_delete_removes(tmp_path, engine):
    ix = SearchIndex(tmp_path / "index", engine=engine)
    ix.ensure()
    docs = _docs()[:3]
    ix.add(docs)
    changed = docs[0]
    changed.text = "내용이 바뀐 문서: 등기부등본."
    changed.title = "바뀐 제목"
    ix.add([changed])
    assert ix.doc_count() == 3
    assert _regs(ix, "등기부등본") == ["D01"]
    assert _regs(ix, "민원실", sort="oldest") == ["D02", "D03"]  # D01's old text is gone
    ix.delete(["D02"])
    assert ix.doc_count() == 2
    assert _regs(ix, "민원실") == ["D03"]


@pytest.mark.parametrize("engine", ENGINES)
def test_failed_bulk_build_keeps_the_old_index(tmp_path, engine):
    ix = SearchIndex(tmp_path / "index", engine=engine)
    ix.ensure()
    ix.add(_docs()[:2])

    def broken():
        yield from _docs()
        raise RuntimeError("catalog read failed")

    with pytest.raises(RuntimeError):
        ix.rebuild(broken())
    assert ix.doc_count() == 2 and ix.engine_name == engine
    assert sorted(p.name for p in ix.root.iterdir() if p.is_dir()) == [ix.current_dir().name]


@pytest.mark.parametrize("engine", ENGINES)
def test_same_day_documents_sort_by_registration_number(tmp_path, engine):
    ix = SearchIndex(tmp_path / "index", engine=engine)
    ix.ensure()
    docs = _docs()[:6]
    for d in docs:
        d.doc_date = date(2024, 5, 1) if d.reg_no != "D06" else date(2024, 5, 2)
    ix.add(reversed(docs[:3]))  # insertion order is not the order asked for
    ix.add(docs[3:])
    pages = [ix.find("type:신고서 OR type:안내문 OR type:신청서", sort="oldest", offset=o, limit=2) for o in (0, 2, 4)]
    assert [h.reg_no for p in pages for h in p.hits] == ["D01", "D02", "D03", "D04", "D05", "D06"]
    newest = ix.find("type:신고서 OR type:안내문 OR type:신청서", sort="newest", offset=1, limit=3)
    assert (newest.total, [h.reg_no for h in newest.hits]) == (6, ["D05", "D04", "D03"])


def test_tantivy_token_string_is_the_analysis_token_stream():
    from girok.search.analysis import normalize, tokens
    from girok.search.tantivy_engine import token_string

    texts = [t for d in DOCS for t in d[3:]] + [
        "ABC가나 다", "가 나", "가", "_가_", "漢字 한자", "ＡＢＣ１２３", "3일입니다", "a_b", "민원\n실에서",
        "가😀나", "x가y나z", "ㄱㄴ ㄷ", "Straße Café", "  ", "가.나", "ID:가나", "900101-1234567", ""]
    for text in texts:
        assert token_string(text) == " ".join(t for t, _, _ in tokens(normalize(text))), text
    assert token_string("민원 실에서 ABC") == "민원 원실 실에 에서 abc"


@pytest.fixture
def pooled(monkeypatch):
    """Full builds analyse documents in worker processes from the first document (normally: large builds)."""
    import girok.search.bulk as bulk

    monkeypatch.setattr(bulk, "START_AFTER", 0)
    started = []
    real = bulk.Prepared._submit

    def spy(self):
        real(self)
        started.append(self.parallel)

    monkeypatch.setattr(bulk.Prepared, "_submit", spy)
    return started


@pytest.mark.parametrize("engine", ENGINES)
def test_a_build_with_analysis_workers_gives_the_same_results(indexes, tmp_path, engine, pooled):
    ix = SearchIndex(tmp_path / "index", engine=engine)
    ix.ensure()
    assert ix.rebuild(list(reversed(_docs()))) == len(DOCS)
    assert any(pooled), "the worker pool was not used"
    assert ix.doc_count() == len(DOCS)
    for query in list(SETS) + AGREE_ONLY:
        got = ix.find(query, limit=100)
        want = indexes[engine].find(query, limit=100)
        assert got.total == want.total, query
        assert sorted((h.reg_no, h.score, h.snippet) for h in got.hits) == \
            sorted((h.reg_no, h.score, h.snippet) for h in want.hits), query
    assert _regs(ix, "민원실", sort="oldest") == ["D01", "D02", "D03"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failed_build_with_analysis_workers_keeps_the_old_index_and_stops_them(tmp_path, engine, pooled):
    import multiprocessing

    ix = SearchIndex(tmp_path / "index", engine=engine)
    ix.ensure()
    ix.add(_docs()[:2])

    def broken():
        for i in range(5):  # more than one chunk, so some went to the workers
            for d in _docs():
                yield IndexDoc(**{**d.__dict__, "reg_no": f"{d.reg_no}-{i}"})
        raise RuntimeError("catalog read failed")

    with pytest.raises(RuntimeError):
        ix.rebuild(broken())
    assert any(pooled)
    assert ix.doc_count() == 2 and ix.engine_name == engine
    assert sorted(p.name for p in ix.root.iterdir() if p.is_dir()) == [ix.current_dir().name]
    assert multiprocessing.active_children() == []


def test_whoosh_segments_are_separate_files(tmp_path):
    """Whoosh copies a compound segment's parts into memory each time a searcher opens it (seconds per
    query at 100k documents); the engine writes segments as separate files, read in place."""
    ix = SearchIndex(tmp_path / "index", engine="whoosh")
    ix.ensure()
    ix.rebuild(_docs()[:10])
    ix.add(_docs()[10:])
    ix.delete(["D01"])
    files = [p.name for p in ix.current_dir().iterdir()]
    assert any(n.endswith(".trm") for n in files), files
    assert not any(n.endswith(".seg") for n in files), files
    assert ix.doc_count() == len(DOCS) - 1


@pytest.mark.parametrize("engine", ENGINES)
def test_total_counts_every_match_in_a_larger_index(tmp_path, engine):
    """The total is every matching document, also when the engine prunes its scoring for the first page
    (Whoosh replaces matchers by score bounds after the first hits: a count taken in that pass fell short)."""
    import random

    rnd = random.Random(3)
    words = ["디자인", "민원실", "토지대장", "전입신고", "건축허가", "정보공개"]
    docs, expected = [], {w: 0 for w in words}
    for i in range(600):
        picked = rnd.sample(words, 3)
        for w in picked:
            expected[w] += 1
        text = " ".join(f"{w}{rnd.choice(['을', '에서', '는', ''])} 관련 서류 {rnd.randint(1, 9)}건" for w in picked)
        docs.append(IndexDoc(reg_no=f"N{i:04d}", title=picked[0] if i % 7 == 0 else "문서", doc_type="보고서",
                             source="s.pdf", captured=datetime(2024, 1, 1 + i % 28), pages=1, text=text))
    ix = SearchIndex(tmp_path / "index", engine=engine)
    ix.ensure()
    ix.rebuild(docs)
    for w in words:
        res = ix.find(w, limit=10)
        assert res.total == expected[w], (w, res.total, expected[w])
        assert len(res.hits) == 10
