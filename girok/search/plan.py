"""How a query word or phrase is matched, the same for every engine.

A word must appear as a run of index tokens (Korean bigrams; Latin words)
in the text, word spaces ignored. When Kiwi reads the word as a noun with
particles or endings (민원실에서 = 민원실 + 에서, 설명했다 = 설명 + 했다), only
the noun is required, so the query finds the noun with any particle.
The whole word as typed and its Kiwi nouns (the ``morph`` field) add to
the score: exact and morphological matches rank first.
"""

from __future__ import annotations

from dataclasses import dataclass

from .analysis import normalize, plain_word, query_morphs, reading, tokens

morphs = query_morphs  # a query word's nouns: Kiwi is loaded only when the word needs it

@dataclass(frozen=True)
class TextPlan:
    required: tuple[str, ...]  # index tokens that must appear in this order, next to each other
    exact: tuple[str, ...] | None  # the word as typed, when longer than ``required``: scores higher
    nouns: tuple[str, ...]  # Kiwi nouns of the word: score higher (all of them, anywhere)

    @property
    def single_char(self) -> str | None:
        """A one-character Hangul query: found as the start or end of a bigram."""
        if len(self.required) == 1 and len(self.required[0]) == 1 and not self.required[0].isascii():
            return self.required[0]
        return None


def stem(word: str) -> str:
    """``word`` without trailing particles/endings when Kiwi reads it as noun + particles; else ``word``."""
    word = normalize(word).strip()
    if not word or word.isascii() or plain_word(word) is not None:
        return word
    return reading(word).stem


def word_plan(word: str) -> TextPlan | None:
    full = tuple(t for t, _, _ in tokens(normalize(word)))
    if not full:
        return None
    required = tuple(t for t, _, _ in tokens(stem(word))) or full
    return TextPlan(required=required, exact=full if full != required else None, nouns=tuple(morphs(word)))


def phrase_plan(text: str) -> TextPlan | None:
    full = tuple(t for t, _, _ in tokens(normalize(text)))
    return TextPlan(required=full, exact=None, nouns=()) if full else None
