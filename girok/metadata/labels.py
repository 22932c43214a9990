"""Printed labels on Korean forms, found through OCR noise: 접 수 번 호, 신챙일, leading junk.

``label_of(line)`` says which label a line starts with and what follows it
on the line; ``labelled_values`` collects the values of a field's labels,
taking the next line when a table was OCRed into label and value lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from ..text.hangul import SYLLABLES

# where a field's value came from (Metadata.sources)
LABEL, HEURISTIC, QR = "label", "heuristic", "qr"

FILING_DATE_LABELS = ("신청일", "신고일", "작성일", "신청일자", "신고일자", "작성일자")
OTHER_DATE_LABELS = ("생년월일", "출생일", "출생", "발급일", "유효기간", "만료일")  # never the filing date
RECEIPT_LABELS = ("접수번호",)
NAME_LABELS = ("성명",)
SIGNER_LABELS = ("신청인", "신고인", "청구인", "위임인")
PHONE_LABELS = ("전화번호", "휴대전화", "연락처", "휴대폰")
OTHER_LABELS = ("주민등록번호", "주소", "생년월일", "접수일", "처리기간", "수수료")
ALL_LABELS = tuple(dict.fromkeys(FILING_DATE_LABELS + OTHER_DATE_LABELS + RECEIPT_LABELS + NAME_LABELS
                                 + SIGNER_LABELS + PHONE_LABELS + OTHER_LABELS))

HANGUL = re.compile(f"[{SYLLABLES}]")
WORDCHARS = re.compile(f"[{SYLLABLES}A-Za-z0-9]")


def compact(s: str) -> str:
    """Only Hangul syllables, ASCII letters and digits: what is compared when matching titles and labels."""
    return "".join(WORDCHARS.findall(s))


# labels that mean the same thing: a misread that is equally close to two of them still names the field
_LABEL_GROUPS = (FILING_DATE_LABELS, SIGNER_LABELS, PHONE_LABELS)


def _spaced(word: str) -> str:
    return r"\s*".join(re.escape(c) for c in word)


ANY_LABEL = re.compile("|".join(_spaced(w) for w in sorted(ALL_LABELS, key=len, reverse=True)))
_LEAD_JUNK = re.compile(rf"^[^{SYLLABLES}0-9A-Za-z]*(?:[A-Za-z0-9](?=\s)[^{SYLLABLES}]*)?")


@dataclass
class _Label:
    name: str
    value: str   # the rest of the line after the label, cut at the next label


def label_of(line: str, labels: Iterable[str] = ALL_LABELS) -> _Label | None:
    """The label a line starts with (leading junk skipped), with one wrong letter allowed in labels of 3+ letters.

    Spaces inside the label are ignored (``접 수 번 호``). Among several
    labels the closest wins; a tie between two labels is no label, unless
    they mean the same (신챙일: 신청일 or 신고일, a filing date either way).
    """
    start = _LEAD_JUNK.match(line).end()
    body = line[start:]
    # map positions in the compact (space-free) prefix back to the line
    chars, pos = [], []
    for i, c in enumerate(body):
        if c.isspace():
            continue
        if not HANGUL.match(c):
            break
        chars.append(c)
        pos.append(i)
        if len(chars) >= max(len(w) for w in ALL_LABELS) + 1:
            break
    head = "".join(chars)
    best: list[tuple[int, int, str]] = []  # (distance, -len, label)
    for w in labels:
        n = len(w)
        if len(head) < n:
            continue
        cand = head[:n]
        d = 0 if cand == w else (Levenshtein.distance(cand, w) if n >= 3 else 9)
        # the label must end where the Hangul word ends (성명 is not the start of 성명서)
        ends_word = len(head) == n or pos[n] > pos[n - 1] + 1
        if d <= (1 if n >= 3 else 0) and ends_word:
            best.append((d, -n, w))
    if not best:
        return None
    best.sort()
    tied = {w for d, n, w in best if (d, n) == best[0][:2]}
    if len(tied) > 1 and not any(tied <= set(g) for g in _LABEL_GROUPS):
        return None
    name = best[0][2]
    value = body[pos[len(name) - 1] + 1:]
    nxt = ANY_LABEL.search(value)
    if nxt and nxt.start() > 0 and value[nxt.start() - 1].isspace():
        value = value[:nxt.start()]
    return _Label(name, value.strip())


def lines_of(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def labelled_values(text: str, labels: Sequence[str], *, next_line: bool = True) -> list[str]:
    """Values of lines starting with one of ``labels``; an empty value is taken from the next line."""
    lines = lines_of(text)
    out = []
    for i, line in enumerate(lines):
        lab = label_of(line)
        if not lab or lab.name not in labels:
            continue
        if lab.value:
            out.append(lab.value)
        elif next_line and i + 1 < len(lines) and not label_of(lines[i + 1]):
            out.append(lines[i + 1].strip())
    return out


def first_line(text: str) -> str | None:
    for line in text.splitlines():
        line = " ".join(line.split())
        if len(HANGUL.findall(line)) >= 2:
            return line[:80]
    return None

