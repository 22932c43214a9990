"""Issue 13: a one-shot search loads nothing it does not need (Kiwi, numpy, Whoosh, a code-point table)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from girok.search import analysis
from girok.search.plan import stem, word_plan


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter (this one has loaded everything already); it prints JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_importing_the_search_facade_loads_no_engine_numpy_or_kiwi():
    got = _fresh("import json, sys, girok.search.index, girok.archive.layout; "
                 "print(json.dumps({m: m in sys.modules for m in ('whoosh', 'tantivy', 'numpy', 'kiwipiepy')}))")
    assert got == {"whoosh": False, "tantivy": False, "numpy": False, "kiwipiepy": False}


def test_a_query_of_plain_nouns_does_not_load_kiwi_and_one_with_a_particle_does():
    got = _fresh("import json, sys; from girok.search import analysis, plan, snippet; "
                 "p = [plan.word_plan(w) for w in ('가족', '사진', 'Seoul', '2024')]; "
                 "s = snippet.make_snippet('가족 사진 이야기', ['가족', '사진']); "
                 "before = analysis._kiwi is not None; plan.word_plan('서초구는'); "
                 "print(json.dumps([before, analysis._kiwi is not None, analysis._classes is not None]))")
    assert got == [False, True, False]


@pytest.mark.parametrize("word", ["가족", "사진", "민원", "위임장", "신분증", "김서연", "Seoul", "zebra", "2024", "GR",
                                  "서초구는", "민원실에서", "설명했다", "신청함", "서류임", "구청에겐", "문서만"])
def test_plain_words_get_what_kiwi_gives(word):
    kiwi_stem = _kiwi_stem(word)
    assert stem(word) == kiwi_stem
    assert list(word_plan(word).nouns) == analysis.morphs(word)


def _kiwi_stem(word: str) -> str:
    from girok.search import plan

    real = analysis.plain_word
    try:
        plan.plain_word = lambda w: None  # force the Kiwi path
        return plan.stem(word)
    finally:
        plan.plain_word = real


def test_words_with_a_particle_are_not_plain():
    for word in ("서초구는", "민원실에서", "설명했다", "신청함", "문서만", "가", "전입신고", "위임장", "A1", "10:30", "토지 대장"):
        assert analysis.plain_word(word) is None, word
    assert analysis.plain_word("ＡＢＣ") == "ABC"  # NFKC first, as Kiwi's input


def test_code_point_table_is_built_once_per_process():
    first = analysis._code_point_classes()
    assert analysis._code_point_classes() is first
    assert first[ord("가")] == analysis._C_CJK and first[ord(" ")] == analysis._C_SPACE
    assert first[ord("A")] == analysis._C_WORD and first[ord("_")] == analysis._C_OTHER
