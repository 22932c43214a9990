"""Issue 13: a query word that the index's ``morph`` field holds as a term (Kiwi read exactly this
word as a noun in an archived document) is planned as that noun without loading Kiwi; any other
word that needs Kiwi still gets Kiwi's stem and nouns."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from girok.search import analysis, plan
from girok.search.index import IndexDoc, SearchIndex

ENGINES = ["whoosh", "tantivy"]


def _docs() -> list[IndexDoc]:
    # morphs given as the catalog keeps them: building the index needs no Kiwi either
    return [
        IndexDoc(reg_no="GR-2024-000001", title="위임장", doc_type="위임장", source="a.png",
                 captured=datetime(2024, 3, 1, 9, 0), pages=1,
                 text="위임장 대리인 서초구 민원실에서 전입신고서를 발급 Seoul",
                 morphs="위임장 대리인 서초구 민원실 전입 신고서 발급 seoul"),
        IndexDoc(reg_no="GR-2024-000002", title="신고서", doc_type="신고", source="b.png",
                 captured=datetime(2024, 3, 2, 9, 0), pages=1,
                 text="민원실 안내 대리인 없음", morphs="민원실 안내 대리인"),
    ]


@pytest.fixture(params=ENGINES)
def built(request, tmp_path):
    root = tmp_path / "index"
    ix = SearchIndex(root, engine=request.param)
    ix.ensure()
    ix.add(_docs())
    return root


def _fresh(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_engines_tell_which_words_are_morph_terms(built):
    engine = SearchIndex(built)._engine()
    assert engine.morph_terms_known({"위임장", "대리인", "seoul", "민원실에서", "신분증", "전입신고서"}) == \
        {"위임장", "대리인", "seoul"}
    assert engine.morph_terms_known(set()) == set()


def test_a_search_of_known_nouns_does_not_load_kiwi_and_an_unknown_word_does(built):
    got = _fresh(
        "import json; from pathlib import Path; from girok.search import analysis; "
        "from girok.search.index import SearchIndex; "
        f"ix = SearchIndex(Path({str(built)!r})); "
        "a = [h.reg_no for h in ix.search('위임장 대리인')]; before = analysis._kiwi is not None; "
        "b = [h.reg_no for h in ix.search('민원실에서')]; "
        "print(json.dumps([a, before, b, analysis._kiwi is not None]))")
    assert got == [["GR-2024-000001"], False, ["GR-2024-000001", "GR-2024-000002"], True]


def test_a_known_word_is_planned_as_one_noun():
    with analysis.known_nouns({"위임장", "전입신고서"}):
        assert plan.word_plan("위임장") == plan.TextPlan(required=("위임", "임장"), exact=None, nouns=("위임장",))
        assert plan.word_plan("전입신고서").nouns == ("전입신고서",)
        assert analysis.query_morphs("위임장") == ["위임장"]
    assert analysis.plain_word("위임장") is None  # only within the search that asked the index


def test_a_word_the_index_does_not_know_still_gets_kiwis_stem():
    with analysis.known_nouns({"위임장", "민원실"}):
        p = plan.word_plan("민원실에서")
    assert p.required == ("민원", "원실") and p.exact == ("민원", "원실", "실에", "에서")
    assert p.nouns == ("민원실",)


def test_one_character_words_are_left_to_kiwi():
    with analysis.known_nouns({"수"}):
        assert analysis.plain_word("수") is None


def test_known_words_are_matched_as_the_morph_field_spells_them():
    with analysis.known_nouns({"서울특별시", "abc-1"}):
        assert analysis.plain_word(" 서울특별시 ") == "서울특별시"
        assert analysis.plain_word("ABC-1") == "ABC-1"
        assert analysis.query_morphs("ABC-1") == ["abc-1"]


def test_a_word_that_can_match_nothing_does_not_load_kiwi(built):
    # 신분증 is in no document (its first bigram 신분 is in no text): no reading of it can match
    got = _fresh(
        "import json; from pathlib import Path; from girok.search import analysis; "
        "from girok.search.index import SearchIndex; "
        f"ix = SearchIndex(Path({str(built)!r})); "
        "a = [h.reg_no for h in ix.search('위임장 신분증을')]; b = sorted(h.reg_no for h in ix.search('대리인 -신분증')); "
        "print(json.dumps([a, b, analysis._kiwi is not None]))")
    assert got == [[], ["GR-2024-000001", "GR-2024-000002"], False]


@pytest.mark.parametrize("query", ["신분증", "위임장 신분증을", "신분증에서 OR 대리인", "대리인 -여권에서", "전입신고서를 OR 없음",
                                   "민원실에서 발급"])
def test_skipping_kiwi_finds_and_shows_the_same(built, monkeypatch, query):
    from girok.search import index as index_mod

    ix = SearchIndex(built)

    def run():
        r = ix.find(query, limit=10)
        return r.total, [(h.reg_no, round(h.score, 6), h.snippet) for h in r.hits]

    fast = run()
    monkeypatch.setattr(index_mod, "_known_words", lambda engine, node: set())  # every such word through Kiwi
    assert run() == fast
