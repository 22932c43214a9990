"""girok.search.analysis and a real Whoosh index: Korean bigrams, same analyzer on both sides, no clear RRNs."""

from __future__ import annotations

import unicodedata
import zlib
from datetime import datetime

import pytest

from girok.search.analysis import KoreanBigramTokenizer, index_text, korean_analyzer, normalize, tokens
from girok.search.index import IndexDoc, SearchIndex

RRN = "870501-1196406"
RRN_SERIAL = "1196406"


def terms(text: str) -> list[str]:
    return [t for t, _, _ in tokens(text)]


def analyzed(text: str, **kw) -> list[str]:
    return [t.text for t in korean_analyzer()(text, **kw)]


def is_contiguous_subsequence(small: list[str], big: list[str]) -> bool:
    return any(big[i:i + len(small)] == small for i in range(len(big) - len(small) + 1))


# --- tokens() -----------------------------------------------------------------


def test_hangul_bigrams():
    assert terms("민원실") == ["민원", "원실"]
    assert terms("민원실에서") == ["민원", "원실", "실에", "에서"]
    assert terms("서초구는") == ["서초", "초구", "구는"]


def test_word_bigrams_are_contiguous_inside_the_word_with_particle():
    assert is_contiguous_subsequence(terms("민원실"), terms("민원실에서"))
    assert is_contiguous_subsequence(terms("서초구"), terms("서초구는 민원실에서"))
    assert not is_contiguous_subsequence(terms("민원실"), terms("민원 접수실"))


def test_bigrams_cross_a_single_space():
    toks = tokens("민원 실에서")
    assert [t for t, _, _ in toks] == ["민원", "원실", "실에", "에서"]
    assert toks[1] == ("원실", 1, 4)  # spans "원 실": highlight covers the space
    assert is_contiguous_subsequence(terms("민원실"), terms("민원 실에서"))


def test_bigrams_cross_any_whitespace_but_not_punctuation():
    # OCR breaks lines and doubles spaces inside words; a records officer's word must still be found
    assert "원실" in terms("민원  실에서")
    assert "원실" in terms("민원\n실에서")
    assert "원실" not in terms("민원, 실에서")
    assert "원실" not in terms("민원.실")


def test_single_hangul_character_is_kept():
    assert terms("구") == ["구"]
    assert terms("동 ABC") == ["동", "abc"]


def test_char_offsets_point_into_the_text():
    text = "GR-2024 서초구는 Seoul"
    for term, s, e in tokens(text):
        if term.isascii():
            assert text[s:e].lower() == term
        else:
            assert text[s:e].replace(" ", "") == term


def test_latin_and_digits_are_lower_cased_words():
    assert terms("Seoul City ABC-123 GR2024 e_mail") == ["seoul", "city", "abc", "123", "gr2024", "e", "mail"]


def test_digits_glued_to_hangul_are_separate_from_the_hangul():
    # OCR text is full of "2024년", "3층민원실", "제1조": the year must be findable as 2024,
    # and 민원실 must still yield its bigrams when a digit precedes it.
    assert "2024" in terms("2024년 3월")
    assert is_contiguous_subsequence(["민원", "원실"], terms("3층민원실"))


def test_hanja_is_bigrammed_too():
    assert terms("住民登錄") == ["住民", "民登", "登錄"]


def test_tokenizer_applies_nfkc():
    assert analyzed("ＡＢＣ１２３") == ["abc123"]  # full-width Latin and digits
    nfd = unicodedata.normalize("NFD", "민원실")
    assert nfd != "민원실" and len(nfd) > 3
    assert analyzed(nfd) == ["민원", "원실"]  # decomposed jamo (e.g. from macOS file names) compose
    assert normalize("㈜서초") == "(주)서초"


def test_tokenizer_positions_and_chars():
    toks = [(t.text, t.pos, t.startchar, t.endchar)
            for t in korean_analyzer()("서초구 ABC", positions=True, chars=True)]
    assert toks == [("서초", 0, 0, 2), ("초구", 1, 1, 3), ("abc", 2, 4, 7)]


def test_analyzer_equality_survives_pickling():
    import pickle

    assert pickle.loads(pickle.dumps(korean_analyzer())) == KoreanBigramTokenizer()


def test_index_text_masks_rrns_after_nfkc():
    assert index_text(f"주민등록번호 {RRN}") == "주민등록번호 870501-1******"
    # full-width digits and hyphen only become an RRN after NFKC: masking must come after it
    assert index_text("８７０５０１－１１９６４０６") == "870501-1******"
    assert index_text("전화 010-1007-5420") == "전화 010-1007-5420"


# --- a real Whoosh index --------------------------------------------------------

DOCS = [
    IndexDoc(reg_no="GR-2024-000001", title="전입신고서", doc_type="전입", source="scan_0001.pdf",
             captured=datetime(2024, 5, 1, 9, 30), pages=1,
             text=f"서울특별시 서초구 민원실에서 접수함.\n신고인 주민등록번호 {RRN} 전화 010-1007-5420"),
    IndexDoc(reg_no="GR-2024-000002", title="건축허가", doc_type="허가", source="scan_0002.pdf",
             captured=datetime(2024, 5, 2, 10, 0), pages=2,
             text="서초구는 건축 허가 신청을 처리하였다. zebracrossing"),
    IndexDoc(reg_no="GR-2024-000003", title=f"신분증 사본 {RRN}", doc_type="", source=f"홍길동 {RRN}.jpg",
             captured=datetime(2024, 5, 3, 11, 0), pages=1, text="강남구 주민센터 신분증 사본"),
    IndexDoc(reg_no="GR-2024-000004", title="", doc_type="", source="scan_0004.pdf",
             captured=datetime(2024, 5, 4, 11, 0), pages=1, text="3층민원실 2024년 접수"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    ix = SearchIndex(tmp_path_factory.mktemp("search") / "index")
    ix.ensure()
    assert ix.add(DOCS) == len(DOCS)
    return ix


def reg_nos(ix: SearchIndex, q: str) -> set[str]:
    return {h.reg_no for h in ix.search(q)}


def test_index_holds_every_doc(index):
    assert index.doc_count() == len(DOCS)
    assert (index.current_dir() / "girok-index.json").exists()


def test_word_finds_word_with_particle(index):
    assert "GR-2024-000001" in reg_nos(index, "민원실")
    hit = next(h for h in index.search("민원실") if h.reg_no == "GR-2024-000001")
    assert "[[민원실]]에서" in hit.snippet


def test_seochogu_finds_seochogu_neun(index):
    assert reg_nos(index, "서초구") == {"GR-2024-000001", "GR-2024-000002"}


def test_phrase_needs_adjacent_bigrams(index):
    assert reg_nos(index, "서초구 민원실") == {"GR-2024-000001"}  # both words (AND)
    assert reg_nos(index, "서초구 건축") == {"GR-2024-000002"}
    assert reg_nos(index, "민원실서초") == set()  # bigrams present, but not in this order


@pytest.mark.parametrize("q", ["부산광역시", "민원국", "zebra", "xylophone"])
def test_word_in_no_doc_finds_nothing(index, q):
    assert index.search(q) == []


def test_latin_word_and_title_are_searchable(index):
    assert reg_nos(index, "ZebraCrossing") == {"GR-2024-000002"}
    assert reg_nos(index, "전입신고서") == {"GR-2024-000001"}


def test_digits_glued_to_hangul_are_found(index):
    # Same bug as test_digits_glued_to_hangul_are_separate_from_the_hangul, seen from the search box.
    assert "GR-2024-000004" in reg_nos(index, "민원실")
    assert "GR-2024-000004" in reg_nos(index, "2024")


def test_query_side_uses_the_index_analysis(index, monkeypatch):
    """The query is cut by the same code as the index: bigrams from analysis.tokens, nouns from Kiwi."""
    from whoosh import index as windex

    import girok.search.plan as plan_mod

    seen = []
    real_tokens, real_morphs = plan_mod.tokens, plan_mod.morphs

    def spy_tokens(text):
        seen.append(("tokens", text))
        return real_tokens(text)

    def spy_morphs(text):
        seen.append(("morphs", text))
        return real_morphs(text)

    monkeypatch.setattr(plan_mod, "tokens", spy_tokens)
    monkeypatch.setattr(plan_mod, "morphs", spy_morphs)
    index._results.clear()  # an earlier test's search of 민원실 is kept: this one must plan the query again
    assert index.search("민원실")
    assert ("tokens", "민원실") in seen and ("morphs", "민원실") in seen
    from girok.search.whoosh_engine import compile_node
    from girok.search.query import parse

    words = {(f, t.decode() if isinstance(t, bytes) else t) for f, t in compile_node(parse("민원실")).iter_all_terms()}
    assert {("content", "민원"), ("content", "원실"), ("title", "민원"), ("morph", "민원실")} <= words
    assert ("content", "민원실") not in words
    # the schema on disk (unpickled by Whoosh) carries the same analyzer
    schema = windex.open_dir(str(index.current_dir())).schema
    for name in ("content", "title", "doc_type", "office"):
        assert schema[name].analyzer == korean_analyzer()


def test_particles_on_the_query_word_are_not_required(index):
    # 서초구는 is read by Kiwi as 서초구 + 는: documents with 서초구 and any particle are found
    assert reg_nos(index, "서초구는") == {"GR-2024-000001", "GR-2024-000002"}
    assert reg_nos(index, "민원실에서") >= {"GR-2024-000001", "GR-2024-000004"}


def test_rrn_never_in_clear_in_hits(index):
    hits = index.search("주민등록번호") + index.search("신분증") + index.search("870501")
    assert {h.reg_no for h in hits} >= {"GR-2024-000001", "GR-2024-000003"}
    for h in hits:
        blob = " ".join(str(v) for v in h.as_dict().values())
        assert RRN_SERIAL not in blob, h
    first = next(h for h in hits if h.reg_no == "GR-2024-000001")
    assert "870501-1******" in first.snippet
    third = next(h for h in hits if h.reg_no == "GR-2024-000003")
    assert third.title == "신분증 사본 870501-1******"
    assert third.source == "홍길동 870501-1******.jpg"


def test_rrn_cannot_be_searched_for(index):
    assert index.search(RRN) == []
    assert index.search(RRN_SERIAL) == []


def _with_inflated_zlib_blocks(data: bytes) -> bytes:
    """``data`` plus the inflated content of every zlib stream inside it.

    Whoosh compresses stored fields and large posting blocks with zlib, so a
    plain grep of the files would miss text that is really there.
    """
    out = [data]
    for i in range(len(data) - 1):
        if data[i] == 0x78 and data[i + 1] in (0x01, 0x5E, 0x9C, 0xDA):
            try:
                out.append(zlib.decompressobj().decompress(data[i:]))
            except zlib.error:
                pass
    return b"".join(out)


def test_rrn_not_in_index_files_on_disk(index):
    files = [p for p in index.root.rglob("*") if p.is_file()]
    assert len(files) >= 3
    raw = b"".join(p.read_bytes() for p in files)
    blob = _with_inflated_zlib_blocks(raw)
    # controls: what is in the index can be found this way (terms raw, stored text once inflated)
    assert b"zebracrossing" in raw
    assert "870501-1******".encode() in blob
    assert "홍길동 870501-1******.jpg".encode() in blob
    assert "서울특별시 서초구 민원실에서".encode() in blob
    for haystack in (raw, blob):
        assert RRN_SERIAL.encode() not in haystack
        assert RRN_SERIAL.encode("utf-16-le") not in haystack
        assert RRN_SERIAL.encode("utf-16-be") not in haystack


def test_empty_query_is_a_usage_error(index):
    from girok.errors import UsageError

    with pytest.raises(UsageError):
        index.search("   ")


# --- token_string: the token stream of a full build, made without Token objects ----------------

def _fuzz_texts(n: int, seed: int) -> list[str]:
    import random

    rnd = random.Random(seed)
    pieces = list("가나다라 민원실에서\n\t  .,_-:ABCabcİΣσςß123１２３漢字ㄱㄴ😀é\u00a0\u3000\u3164") + [
        "서초구는 ", "토지 대장", "900101-1234567", "Café ", "\r\n", "(주)", "2024년 "]
    pieces += [chr(rnd.randrange(0x20, 0x110000)) for _ in range(100)]
    pieces = [p for p in pieces if not any(0xD800 <= ord(c) < 0xE000 for c in p)]
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randrange(0, 400))) for _ in range(n)]


@pytest.mark.parametrize("path", ["_token_string_short", "_token_string_long", "token_string"])
def test_token_string_is_the_tokens_terms_for_short_and_long_texts(path):
    import girok.search.analysis as analysis

    make = getattr(analysis, path)
    texts = _fuzz_texts(1500, seed=5) + ["민원 실에서 ABC " * 40, "가", "", "  \n", "가 " * 200]
    for text in texts:
        norm = normalize(text)
        assert make(norm) == " ".join(terms(norm)), text
    # both paths are really taken by token_string
    assert analysis._VECTOR_MIN < max(len(t) for t in texts)
    assert any(0 < len(t) < analysis._VECTOR_MIN for t in texts)


def test_whoosh_indexes_the_analysis_terms_of_a_long_text(tmp_path):
    """Whoosh gets the token list (not the analyzer) in bulk and incremental adds: same terms, same order."""
    from whoosh import index as windex
    from whoosh import query as wq

    text = "서초구 민원여권과에서 토지 대장을 열람했다. ABC 주식회사, 2024년 3월.\n" * 6 + "민원\n실 끝"
    ix = SearchIndex(tmp_path / "index", engine="whoosh")
    ix.ensure()
    ix.add([IndexDoc(reg_no="T1", title="제목 Title", doc_type="민원회신", source="s.pdf",
                     captured=datetime(2024, 1, 2), pages=1, text=text)])
    with windex.open_dir(str(ix.current_dir())).searcher() as s:
        lexicon = {t.decode() for t in s.reader().lexicon("content")}
        assert lexicon == set(terms(normalize(text)))
        seq = terms("토지 대장을 열람") + terms("민원 실 끝")
        assert s.search(wq.Phrase("content", terms("민원 실 끝"))).scored_length() == 1
        assert s.search(wq.Phrase("content", seq)).scored_length() == 0  # not adjacent in the text
        assert s.document(reg_no="T1")["content"] == index_text(text)  # stored: the text, not tokens


def test_snippet_squeeze_is_the_character_loop():
    """The snippet's fast squeeze (runs of non-space characters) gives exactly what the per-character loop gives."""
    from girok.search import snippet

    texts = _fuzz_texts(1500, seed=11) + ["ΣΟΦΙΑ Σ", "민원 실에서\n토지 대장", "", " ", "İstanbul", "  a  b\u3000c "]
    for text in texts:
        flat, where = snippet._squeeze_runs(text)
        want_flat, want_where = snippet._squeeze_chars(text)
        assert flat == want_flat, text
        assert [where[i] for i in range(len(want_where))] == want_where, text
    assert any("\u03a3" in t for t in texts) and any(len("".join(t.split())) < len(t) for t in texts)


def test_snippet_finds_a_match_far_into_a_long_page_and_one_split_by_a_word_space():
    from girok.search.snippet import make_snippet

    filler = "가나다라마바사 " * 700  # ~5,600 characters before the match
    s = make_snippet(filler + "서초구 민원실에서 전입신고서를 접수합니다 " + filler, ["전입신고서"])
    assert "[[전입신고서]]" in s and s.startswith("… ") and s.endswith(" …") and len(s) < 200
    s = make_snippet(filler + "서초구 민원 실에서 접수합니다", ["민원실"])  # only with a word space inside
    assert "[[민원 실]]" in s
    s = make_snippet("민원 실 앞에서 " + filler + " 민원실 뒤에서", ["민원실"])
    assert "[[" in s and "…" in s  # a match is shown, the page's text around it, RRN-free
    assert make_snippet(filler, ["없는말"]).startswith("가나다라마바사")
