"""Issue 13: the search lexicon. Indexing keeps Kiwi's reading of every word of the archive (and of each
word's stem) in the catalog, so that a query word such as 전입신고서 (Kiwi: 전입 + 신고서) needs no Kiwi
in `girok search`; the lexicon changes speed, never results; a disposed document's words leave it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from girok.archive.lexicon import CatalogLexicon, fill_lexicon
from girok.retention.disposal import dispose
from girok.search import analysis, plan
from girok.search.analysis import MORPH_VERSION, Reading, read_word
from girok.search.index import SearchIndex
from helpers_retention import BACKENDS, approve, env, sql  # noqa: F401 (env is a fixture)

TEXT = "김서연 님의 전입신고서를 서초구청에 제출함. 대리인 위임장 첨부"


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    """``env`` on SQLite and on PostgreSQL."""
    return request.param


def lexicon(env, *words):
    return env.arch.catalog.word_readings(words, MORPH_VERSION)


def test_indexing_keeps_the_reading_of_each_word_and_of_its_stem(env):
    env.add(text=TEXT)
    got = lexicon(env, "김서연", "전입신고서를", "전입신고서", "서초구청에", "서초구청", "위임장", "제출함", "님의")
    assert got["전입신고서를"] == ("전입신고서", "전입 신고서")
    assert got["전입신고서"] == ("전입신고서", "전입 신고서")  # the stem too: what people type
    assert got["서초구청에"][0] == "서초구청" and "서초구청" in got
    assert "김서연" in got and "위임장" in got
    for w, (stem, nouns) in got.items():  # exactly what Kiwi reads, word by word
        r = read_word(w)
        assert (stem, nouns) == (r.stem, " ".join(r.nouns)), w
    assert "제출" not in lexicon(env, "제출")  # two syllables, plain: never needs Kiwi, never kept


def test_filling_adds_only_what_is_missing(env):
    env.add(text=TEXT)
    n = env.arch.catalog.lexicon_size()
    assert n > 0
    assert fill_lexicon(env.arch.catalog, [TEXT]) == 0
    assert fill_lexicon(env.arch.catalog, ["새로운단어들이"]) >= 1
    assert env.arch.catalog.lexicon_size() > n


def test_a_search_finds_its_words_in_the_lexicon_without_loading_kiwi_and_finds_the_same(env):
    env.add(text=TEXT)
    env.add(text="서초구청 민원실 전입신고서 접수 안내")
    env.arch.close()
    code = (
        "import json; from pathlib import Path; from girok.archive.layout import Archive; "
        "from girok.search import analysis; from girok.search.index import SearchIndex; "
        f"a = Archive.open(Path({str(env.root)!r})); "
        "r = a.index.find('전입신고서 서초구청에', limit=10); k = analysis._kiwi is not None; "
        "p = SearchIndex(a.index.root).find('전입신고서 서초구청에', limit=10); "
        "key = lambda res: [res.total] + [[h.reg_no, h.score, h.snippet] for h in res.hits]; "
        "print(json.dumps([key(r), k, key(p), analysis._kiwi is not None]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    with_lexicon, kiwi_loaded, without, kiwi_after = json.loads(out.strip().splitlines()[-1])
    assert kiwi_loaded is False  # every query word was in the lexicon
    assert kiwi_after is True  # without the lexicon the same query needs Kiwi...
    assert with_lexicon == without and with_lexicon[0] == 2  # ...and finds exactly the same, scored the same


def test_the_lexicon_is_what_the_planner_uses():
    # a made-up reading proves the plan comes from the lexicon, not from Kiwi
    with analysis.known_readings({"전입신고서를": Reading("전입", ("가나",))}):
        p = plan.word_plan("전입신고서를")
    assert p.required == ("전입",) and p.nouns == ("가나",)
    assert plan.word_plan("전입신고서를").nouns == ("전입", "신고서")  # outside the search: Kiwi's


def test_an_archive_without_a_lexicon_still_searches_with_kiwi(env):
    env.add(text=TEXT)
    ix = SearchIndex(env.arch.index.root, lexicon=CatalogLexicon(env.arch.catalog))
    before = [h.reg_no for h in ix.search("전입신고서를")]
    sql(env.root, "delete from word_readings")  # as an archive indexed before the lexicon
    assert [h.reg_no for h in ix.search("전입신고서를")] == before


def test_disposal_forgets_a_destroyed_documents_words_and_keeps_words_others_still_use(env):
    gone = env.add(text="홍길순 님의 전입신고서를 제출함", captured=datetime(2019, 5, 2, 3))
    env.add("주민등록표", text="서초구청 전입신고서를 보관함", captured=datetime(2019, 6, 2, 3))
    assert set(lexicon(env, "홍길순", "전입신고서를")) == {"홍길순", "전입신고서를"}
    env.clock.set(2026, 3, 2)
    approve(env, gone)
    rep = dispose(env.arch)
    assert rep.disposed == gone
    left = lexicon(env, "홍길순", "전입신고서를", "전입신고서", "보관함")
    assert "홍길순" not in left  # the destroyed record's own word is gone
    assert {"전입신고서를", "전입신고서", "보관함"} <= set(left)  # words the other document has came back
    if env.backend == "sqlite":  # (PostgreSQL: the server's job, see dialect.PostgreSQLDialect.secure_delete)
        raw = b"".join(p.read_bytes() for p in env.root.glob("catalog.sqlite*"))
        assert "홍길순".encode() not in raw  # not even in free pages or the write-ahead log
