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
from operator import add

import numpy as np
from whoosh.analysis import Token, Tokenizer

from ..text.pii import mask_rrn

_HANGUL = r"\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
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


def _code_point_classes() -> np.ndarray:
    """For every code point: Hangul/Hanja (a bigram run), other word character (``[^\\W_]``, as in
    ``_RUN``), whitespace (``\\s``) or other. Built once per process (~0.3 s)."""
    global _classes
    with _classes_lock:
        if _classes is None:
            table = np.zeros(0x110000, dtype=np.uint8)
            word = np.fromiter((c.isalnum() for c in map(chr, range(0x110000))), dtype=bool, count=0x110000)
            space = np.fromiter((c.isspace() for c in map(chr, range(0x110000))), dtype=bool, count=0x110000)
            table[word] = _C_WORD
            table[space] = _C_SPACE
            for lo, hi in re.findall(r"\\u([0-9a-f]{4})-\\u([0-9a-f]{4})", _HANGUL + _CJK):  # as in _RUN
                table[int(lo, 16):int(hi, 16) + 1] = _C_CJK
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


def korean_analyzer() -> KoreanBigramTokenizer:
    return KoreanBigramTokenizer()


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


def morphs(text: str) -> list[str]:
    """Nouns (and Latin words, numbers, Hanja) of ``text`` as Kiwi reads them, lower-cased, in order."""
    text = normalize(text)
    if not text.strip():
        return []
    out = []
    for tok in kiwi().tokenize(text):
        if tok.tag in _MORPH_TAGS and (len(tok.form) >= 2 or not tok.form.isascii()):
            out.append(tok.form.lower())
    return out


def morph_text(text: str) -> str:
    """``morphs`` joined by spaces: the form kept in the catalog and given to the index."""
    return " ".join(morphs(index_text(text)))
