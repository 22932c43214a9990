"""Korean text analysis for the index and for queries (the same code on both sides).

Korean words carry particles (민원실에서, 서초구는) and OCR loses or invents
word spaces, so Hangul is indexed as overlapping character bigrams, taken
across word spaces and line breaks: 민원실 (민원 원실) is found inside 민원실에서
and inside 민원 실에서. Latin letters and digits are kept as lower-cased words.

For precise matches, Kiwi (kiwipiepy, offline model) finds the nouns of a
text (민원실에서 -> 민원실); they go into a second field and rank first.
Kiwi costs ~20 ms per page and ~1 s to load, so documents are analysed
once, when they are archived, and the nouns are kept in the catalog:
a reindex reuses them (see ``morphs``).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from operator import add
from typing import Mapping

from ..text.hangul import LETTERS, SYLLABLES
from ..text.pii import mask_rrn
from ..text.words import words

# numpy (index writes only) and whoosh (the Whoosh engine only) are imported where they are used:
# a search, `girok show` or `girok status` should not pay for them.

_HANGUL = LETTERS  # syllables, conjoining and compatibility jamo
_CJK = r"\u4e00-\u9fff"  # Hanja in older records
_RUN = re.compile(rf"[{_HANGUL}{_CJK}]+(?:\s+[{_HANGUL}{_CJK}]+)*|(?:(?![{_HANGUL}{_CJK}])[^\W_])+", re.UNICODE)
_CJK_RUN = re.compile(rf"[{_HANGUL}{_CJK}]")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(term, startchar, endchar) for ``text``; positions are list order."""
    out: list[tuple[str, int, int]] = []
    for m in _RUN.finditer(text):
        run, start = m.group(0), m.start()
        if _CJK_RUN.match(run):
            chars = [(c, start + i) for i, c in enumerate(run) if not c.isspace()]
            if len(chars) == 1:
                out.append((chars[0][0], chars[0][1], chars[0][1] + 1))
            for (a, ia), (b, ib) in zip(chars, chars[1:]):
                out.append((a + b, ia, ib + 1))
        else:
            out.append((run.lower(), start, m.end()))
    return out


# --- the token stream as one string, for bulk indexing -------------------------------------
# ``tokens`` makes a (term, start, end) tuple per token: fine for a query, the main cost of a full
# build (~1,500 tokens per 2 KB page). An index needs only the terms in order, so ``token_string``
# makes exactly the terms of ``tokens`` joined by spaces: short texts with C-level string ops, long
# ones with array ops on the code points (no Python object per token). Pinned equal to ``tokens``.

_SPACE = re.compile(r"\s+")
_VECTOR_MIN = 160  # characters: below this the array set-up costs more than it saves
_C_OTHER, _C_CJK, _C_WORD, _C_SPACE = 0, 1, 2, 3
_classes = None
_classes_lock = threading.Lock()


def _code_point_classes():
    """For every code point: Hangul/Hanja (a bigram run), other word character (``[^\\W_]``, as in
    ``_RUN``), whitespace (``\\s``) or other. Built once per process, by the regular expressions
    themselves over a string of every code point (~0.08 s; a Python loop over the 1.1M code points
    took ~0.6 s)."""
    global _classes
    with _classes_lock:
        if _classes is None:
            import numpy as np

            every = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
            table = np.zeros(0x110000, dtype=np.uint8)
            for pattern, cls in ((r"[^\W_]+", _C_WORD), (r"\s+", _C_SPACE), (rf"[{_HANGUL}{_CJK}]+", _C_CJK)):
                for m in re.finditer(pattern, every):  # later classes win, as before: CJK over word
                    table[m.start():m.end()] = cls
            _classes = table
        return _classes


def _token_string_short(text: str) -> str:
    out = []
    for m in _RUN.finditer(text):
        run = m.group(0)
        if _CJK_RUN.match(run):  # a Hangul/Hanja run, across word spaces: its overlapping bigrams
            s = _SPACE.sub("", run)
            out.append(s if len(s) == 1 else " ".join(map(add, s[:-1], s[1:])))
        else:
            out.append(run.lower())
    return " ".join(out)


def _token_string_long(text: str) -> str:
    import numpy as np

    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _code_point_classes()[cp]
    space = cls == _C_SPACE
    if space.any():  # drop whitespace between two Hangul/Hanja characters (a run goes across it)
        n = len(cp)
        at = np.arange(n)
        solid = ~space
        prev = np.maximum.accumulate(np.where(solid, at, -1))
        nxt = np.minimum.accumulate(np.where(solid, at, n)[::-1])[::-1]
        cjk_ext = np.append(cls == _C_CJK, False)  # index -1 and n: no character
        keep = solid | ~(cjk_ext[prev] & cjk_ext[nxt])
        cp, cls = cp[keep], cls[keep]
    cjk = cls == _C_CJK
    word = cls == _C_WORD
    cjk_next = np.append(cjk[1:], False)
    cjk_prev = np.insert(cjk[:-1], 0, False)
    word_next = np.append(word[1:], False)
    pair = cjk & cjk_next  # a bigram starts here
    single = cjk & ~cjk_prev & ~cjk_next  # a run of one character: the character itself
    slots = np.empty((len(cp), 3), dtype=np.uint32)
    slots[:, 0] = cp
    slots[:-1, 1] = cp[1:]
    slots[:, 2] = 0x20
    emit = np.empty((len(cp), 3), dtype=bool)
    emit[:, 0] = pair | single | word
    emit[:, 1] = pair
    emit[:, 2] = pair | single | (word & ~word_next)  # a space after each term
    out = slots[emit].tobytes().decode("utf-32-le", "surrogatepass")
    return out[:-1].lower()  # lower() per character: the same as lower-casing each word


def token_string(text: str) -> str:
    """The terms of ``tokens(normalize(text))`` joined by spaces, made without their offsets."""
    text = normalize(text)
    return _token_string_long(text) if len(text) >= _VECTOR_MIN else _token_string_short(text)


def __getattr__(name: str):
    # KoreanBigramTokenizer is a Whoosh class: made on first use, so that importing this module does
    # not import Whoosh. Whoosh indexes pickle it by this module's name, which keeps working.
    if name == "KoreanBigramTokenizer":
        return _tokenizer_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_tokenizer_cls = None
_tokenizer_lock = threading.Lock()


def _tokenizer_class():
    global _tokenizer_cls
    with _tokenizer_lock:
        return _tokenizer_cls or _make_tokenizer_class()


def _make_tokenizer_class():
    global _tokenizer_cls
    from whoosh.analysis import Token, Tokenizer

    class KoreanBigramTokenizer(Tokenizer):
        """Whoosh tokenizer: Hangul/Hanja bigrams, other words whole, lower-cased."""

        def __eq__(self, other):
            return type(self) is type(other)

        def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                     start_pos=0, start_char=0, mode="", **kwargs):
            text = normalize(value)
            t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
            for pos, (term, s, e) in enumerate(tokens(text)):
                t.text = term
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = term
                if positions:
                    t.pos = start_pos + pos
                if chars:
                    t.startchar, t.endchar = start_char + s, start_char + e
                yield t

    KoreanBigramTokenizer.__module__ = __name__
    KoreanBigramTokenizer.__qualname__ = "KoreanBigramTokenizer"
    _tokenizer_cls = KoreanBigramTokenizer
    return _tokenizer_cls


def korean_analyzer():
    """A ``KoreanBigramTokenizer`` (Whoosh is imported here)."""
    return _tokenizer_class()()


def index_text(text: str) -> str:
    """What may enter the index: NFKC text with every RRN masked."""
    return mask_rrn(normalize(text))


# --- Kiwi nouns ------------------------------------------------------------------

MORPH_VERSION = 1  # bump when the choice of morphemes changes: stored nouns are then recomputed
_MORPH_TAGS = {"NNG", "NNP", "NR", "XR", "SL", "SH", "SN"}
_kiwi = None
_kiwi_lock = threading.Lock()


def kiwi():
    """The shared Kiwi analyser, loaded on first use (about 1 s; no network)."""
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi(num_workers=1, load_typo_dict=False, load_multi_dict=False)
        return _kiwi


def _nouns(toks) -> list[str]:
    return [t.form.lower() for t in toks if t.tag in _MORPH_TAGS and (len(t.form) >= 2 or not t.form.isascii())]


def morphs(text: str) -> list[str]:
    """Nouns (and Latin words, numbers, Hanja) of ``text`` as Kiwi reads them, lower-cased, in order."""
    text = normalize(text)
    if not text.strip():
        return []
    return _nouns(kiwi().tokenize(text))


# --- a word's reading: its stem and its nouns ---------------------------------------------

_NOUNISH = ("NN", "NR", "NP", "XR", "SL", "SN", "SH", "XSN", "XPN")
_FUNCTIONAL = ("J", "E", "XSV", "XSA", "VCP", "VCN")


@dataclass(frozen=True)
class Reading:
    """What Kiwi makes of one word alone: what a query for it requires and what it scores."""

    stem: str  # the word without trailing particles/endings when Kiwi reads it as nouns + those; else the word
    nouns: tuple[str, ...]  # ``morphs(word)``


def _stem(word: str, toks) -> str:
    toks = sorted(toks, key=lambda t: t.start)
    i = 0
    while i < len(toks) and toks[i].tag.startswith(_NOUNISH):
        i += 1
    if i == 0 or i == len(toks):
        return word
    if not all(t.tag.startswith(_FUNCTIONAL) for t in toks[i:]):
        return word
    end = toks[i - 1].start + toks[i - 1].len
    head = word[:end]
    return head if len(head.replace(" ", "")) >= 2 else word


def read_word(word: str) -> Reading:
    """Kiwi's reading of ``word`` alone (one tokenization, ~40 µs once Kiwi is loaded)."""
    word = normalize(word).strip()
    if not word:
        return Reading("", ())
    toks = kiwi().tokenize(word)
    return Reading(word if word.isascii() else _stem(word, toks), tuple(_nouns(toks)))


# --- query words that need no Kiwi --------------------------------------------------
# Loading Kiwi's model costs ~1-3 s, more than the rest of a `girok search`. A query word needs it to
# find a particle or ending after a noun (서초구는, 민원실에서, 설명했다: only the noun is required)
# and its nouns (the ``morph`` field, a score boost). A word of 2 Hangul syllables whose last
# syllable cannot end a particle or an ending is taken as one noun without asking Kiwi; so is a
# word of ASCII letters only, or digits only (Kiwi: one SL or SN token). Of the 1,279 distinct
# words of the dev corpus' texts, 152 go without Kiwi: Kiwi strips nothing from any of them (same
# required tokens, so the same hits), but for 23 (adverbs such as 다시, 한편) its nouns differ from
# the word, which changes the morph score boost; searched alone on the dev archive, 4 of the 1,279
# words (귀하, 그간, 뚜봇, 한편) rank their hits differently. With 3 syllables (names, 위임장) the
# figures were 16 and 7.

QUERY_NOUN_MAX = 2  # syllables: longer words are often names or compounds that Kiwi splits (김서연, 전입신고)
# Syllables that can end a particle or an ending (이/가, 에서, 까지, 했다, 하는, 함, 됨, 임, 엔,
# 에겐...), or a light verb or the copula with a contracted ending (한 할 함 합 했, 된 될 됨 됩 됐,
# 인 일 임 입 였, 신 실 심 십 셨).
PARTICLE_FINALS = frozenset(
    "이가은는을를의에서게께도만로와과랑나야여아요지터다라든며면니고자해돼봐워져쳐려러테써저차럼큼뿐"
    "데던록기음듯끔까죠네냐래란엔겐텐턴케"
    "한할함합했된될됨됩됐인일임입였신실심십셨"
)
_PLAIN_HANGUL = re.compile(f"[{SYLLABLES}]{{2,{QUERY_NOUN_MAX}}}")
_PLAIN_ASCII = re.compile(r"[A-Za-z]+|[0-9]+")


# Words the index already knows as nouns. A word that is itself a term of the index's ``morph``
# field (Kiwi read exactly this word as a noun in some archived document) is taken as that noun:
# required = the word, nouns = [the word], no Kiwi. The search facade asks its engine which query
# words are such terms (``SearchIndex.find``: ``Engine.morph_terms_known``, a term look-up on the
# reader it opens anyway, well under a millisecond per word) and sets them here for the planning of
# that one query; this module knows no engine. A context variable, so that concurrent searches in
# threads do not see each other's words. Outside a search (tests, tools) the set is empty.
# Not for a single character: the one-syllable terms of the field are mostly OCR fragments or
# syllables Kiwi read as a noun only in context (수, 전, 에, 하); alone, Kiwi reads most of them as no
# noun at all, and taking them as nouns reordered 16 of the 92 such one-word searches of the dev
# archive. They are rare as queries; Kiwi decides them as before.
KNOWN_NOUN_MIN = 2  # characters
_known_nouns: ContextVar[frozenset[str]] = ContextVar("girok_known_nouns", default=frozenset())


@contextmanager
def known_nouns(words):
    """Within the block, ``plain_word`` takes each of ``words`` (normalized, lower-cased: as the
    ``morph`` field stores them) as a plain noun."""
    token = _known_nouns.set(frozenset(words))
    try:
        yield
    finally:
        _known_nouns.reset(token)


def morph_key(word: str) -> str:
    """``word`` as a term of the ``morph`` field would spell it (NFKC, stripped, lower-cased)."""
    return normalize(word).strip().lower()


def plain_word(word: str) -> str | None:
    """The normalized ``word`` when Kiwi would read it as one noun (or Latin word, or number) and
    nothing else, or when the index knows it as a noun (``known_nouns``), so that Kiwi need not be
    loaded; None when Kiwi must decide."""
    word = normalize(word).strip()
    if _PLAIN_ASCII.fullmatch(word):
        return word
    if _PLAIN_HANGUL.fullmatch(word) and word[-1] not in PARTICLE_FINALS:
        return word
    known = _known_nouns.get()
    if known and len(word) >= KNOWN_NOUN_MIN and word.lower() in known:
        return word
    return None


# --- the word lexicon: Kiwi's reading of every word of the archive ------------------------
# A query word that is neither plain nor a known noun (전입신고서: Kiwi reads 전입 + 신고서; 민원실에서)
# would load Kiwi (~0.6 s of a ~1.2 s `girok search`). When documents are indexed, Kiwi is loaded
# anyway: the reading (``read_word``) of each of their words (``lexicon_words``) is kept in the
# catalog, and so is the reading of each word's stem (전입신고서를 -> 전입신고서 too: what people
# type). The search facade looks up the query's words there (one catalog query) and sets the readings
# found for that one search; a word not found (not in the archive, or an archive indexed before the
# lexicon) is read by Kiwi as before. A reading is a function of the word alone and of
# ``MORPH_VERSION``, so a kept reading and a fresh one are the same: the lexicon changes speed, never
# results. A disposed document's words leave the lexicon with it (see ``retention.disposal``).

_readings: ContextVar[Mapping[str, Reading]] = ContextVar("girok_readings", default={})


@contextmanager
def known_readings(readings: Mapping[str, Reading]):
    """Within the block, ``reading`` takes the readings of these words (``word_key`` spelling) as given."""
    token = _readings.set(readings)
    try:
        yield
    finally:
        _readings.reset(token)


def word_key(word: str) -> str:
    """``word`` as the lexicon spells it (NFKC, stripped; case kept: a stem keeps the typed case)."""
    return normalize(word).strip()


def reading(word: str) -> Reading:
    """The reading of ``word``: the lexicon's, when this search has it (``known_readings``), else Kiwi's."""
    key = word_key(word)
    found = _readings.get().get(key)
    return found if found is not None else read_word(key)


def lexicon_words(text: str) -> set[str]:
    """The words of ``text`` whose reading needs Kiwi (``plain_word`` rules: not the plain ones)."""
    return {w for w in words(text) if plain_word(w) is None}


def query_morphs(text: str) -> list[str]:
    """``morphs(text)`` for a query word or phrase; without Kiwi when it is a ``plain_word`` or in the
    lexicon (``known_readings``)."""
    word = plain_word(text)
    if word is None:
        return list(reading(text).nouns)
    return [word.lower()] if len(word) >= 2 or not word.isascii() else []


def morph_text(text: str) -> str:
    """``morphs`` joined by spaces: the form kept in the catalog and given to the index."""
    return " ".join(morphs(index_text(text)))
