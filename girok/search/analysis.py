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

from whoosh.analysis import Token, Tokenizer

from ..pii import mask_rrn

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
