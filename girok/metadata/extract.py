"""Metadata out of a form's OCR text: document type, filing date, receipt number, applicant, office, phones, RRNs.

Pure functions over the pages' text (reading order, line breaks kept); no
files, no catalog. ``extract(pages, known_types)`` returns a ``Metadata``
whose ``sources`` says where each field came from:

- ``label``: the value stands after its printed label (접수번호, 성명,
  신청일, ``신청인 ... (서명 또는 인)``, ``…청장 귀하``) or is the form's title;
- ``heuristic``: found without a label (a lone date, a phone number
  anywhere, the type named in the ``위와 같이 …를 하오니`` sentence);
- ``qr``: from an e-form QR payload (``girok.metadata.qr`` fills those and
  ``merge`` puts them first).

A field that cannot be read with confidence stays empty: the records
officer must be able to trust what is there. In particular the document
type is one of ``known_types`` or None, never a near guess: the title must
match one type clearly better than every other, and a title and a body
sentence that disagree leave it unknown.

OCR noise handled: spaces inside words (``성 명``, ``접 수 번 호``), one
wrong letter in a label of three or more letters (``신챙일``, ``선청인``),
spaces around hyphens, ``O``/``ㅣ``/``l`` for digits, full-width characters.
Clear RRNs are returned in ``rrns`` for the caller to mask and key-hash;
``Metadata.to_dict`` only ever shows them masked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rapidfuzz.distance import Levenshtein

from ..text import pii
from ..text.normalize import normalize
from .dates import FoundDate, filing_date, find_dates, parse_date
from .fields import find_applicant, find_office, find_phones, find_receipt_no
from .labels import HANGUL, HEURISTIC, LABEL, QR, compact, first_line, lines_of

__all__ = ["DEFAULT_DOC_TYPES", "HEURISTIC", "LABEL", "QR", "FoundDate", "Metadata", "compact", "extract",
           "filing_date", "find_applicant", "find_dates", "find_office", "find_phones", "find_receipt_no",
           "match_doc_type", "merge", "parse_date"]

# The forms of the dev corpus; an archive lists its own in its config.
DEFAULT_DOC_TYPES = ("전입신고서", "혼인신고서", "위임장", "건축허가신청서", "식품위생 영업신고서",
                     "통신판매업 신고서", "주민등록표 등본 교부 신청서")

TYPE_CUTOFF = 0.75   # normalized Levenshtein similarity a title needs to name a type
TYPE_MARGIN = 0.10   # ... and its lead over the next-best type
BODY_CUTOFF = 0.85   # stricter for the body sentence, which is only a heuristic
TITLE_LINES = 8      # the title is looked for in the first non-empty lines of the first page


@dataclass
class Metadata:
    """What girok knows about a document.

    Empty fields are None or []; ``sources[name]`` says where a field came from (qr, label, heuristic).
    """

    doc_type: str | None = None
    date: dt.date | None = None
    receipt_no: str | None = None
    applicant: str | None = None
    office: str | None = None
    phones: list[str] = field(default_factory=list)
    rrns: list[str] = field(default_factory=list)   # clear YYMMDD-GNNNNNN: mask or key-hash before storing
    title: str | None = None
    qr: str | None = None                           # the e-form QR payload, verbatim
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # disagreements a clerk may want to check (no RRNs)
    unread: list[str] = field(default_factory=list)  # fields the form has (its label is there) but no valid value

    FIELDS = ("doc_type", "date", "receipt_no", "applicant", "office", "phones", "rrns", "title")

    def to_dict(self) -> dict:
        """JSON-ready, with every RRN masked (``rrn_masked``, and in every other string, the ``qr`` payload too).

        The shape for ``show --json`` and the catalog's ``metadata_json``;
        ``self.qr`` itself stays verbatim, for the archival PDF's XMP only.
        """
        def m(v):
            return pii.mask_rrn(v) if isinstance(v, str) else v

        return {
            "doc_type": m(self.doc_type), "date": self.date.isoformat() if self.date else None,
            "receipt_no": m(self.receipt_no), "applicant": m(self.applicant), "office": m(self.office),
            "phones": [m(p) for p in self.phones], "rrn_masked": [m(r) for r in self.rrns],
            "title": m(self.title), "qr": m(self.qr),
            "sources": dict(self.sources), "warnings": [m(w) for w in self.warnings], "unread": list(self.unread),
        }


def merge(first: Metadata, then: Metadata) -> Metadata:
    """Field by field, ``first``'s value where it has one, else ``then``'s (with its source).

    ``merge(qr_metadata, ocr_metadata)`` lets the QR payload win over OCR.
    """
    out = Metadata(qr=first.qr or then.qr, warnings=[*first.warnings, *then.warnings])
    for name in Metadata.FIELDS:
        a = getattr(first, name)
        src = first if (bool(a) if isinstance(a, list) else a is not None) else then
        value = getattr(src, name)
        setattr(out, name, list(value) if isinstance(value, list) else value)
        if name in src.sources:
            out.sources[name] = src.sources[name]
    out.unread = [f for f in dict.fromkeys([*first.unread, *then.unread]) if getattr(out, f, None) in (None, [])]
    for name in ("doc_type", "date", "receipt_no", "applicant", "office"):
        a, b = getattr(first, name), getattr(then, name)
        if a is not None and b is not None and a != b:
            out.warnings.append(f"{name}: {first.sources.get(name, '?')} says {a}, "
                                f"{then.sources.get(name, '?')} says {b}")
    return out


def extract(pages: Sequence[str], known_types: Iterable[str] = (), *, known_offices: Iterable[str] = (),
            today: dt.date | None = None) -> Metadata:
    """Metadata from a document's OCR text, one string per page (page 1 first)."""
    pages = [normalize(p) for p in pages]
    text = "\n".join(pages)
    first = next((p for p in pages if p.strip()), "")
    md = Metadata()
    warn = md.warnings

    found = match_doc_type(first, known_types, warnings=warn)
    if found:
        md.doc_type, md.sources["doc_type"] = found
    for name, value in (("date", filing_date(text, today=today)), ("receipt_no", find_receipt_no(text)),
                        ("applicant", find_applicant(text, warnings=warn)),
                        ("office", find_office(text, known_offices))):
        if value:
            setattr(md, name, value[0])
            md.sources[name] = value[1]
    md.phones = find_phones(text)
    if md.phones:
        md.sources["phones"] = HEURISTIC
    md.rrns = list(dict.fromkeys(pii.find_rrns(text)))
    if md.rrns:
        md.sources["rrns"] = HEURISTIC
    if md.doc_type:
        md.title, md.sources["title"] = md.doc_type, md.sources["doc_type"]
    else:
        md.title = first_line(first)
        if md.title:
            md.sources["title"] = HEURISTIC
    return md



# --- document type --------------------------------------------------------------------------


def _similar(a: str, b: str) -> float:
    return Levenshtein.normalized_similarity(a, b)


def _is_junk_token(tok: str) -> bool:
    return len(HANGUL.findall(tok)) < 2


def _best_types(candidates: Iterable[str], types: dict[str, str]) -> dict[str, float]:
    scores = {t: 0.0 for t in types}
    for cand in candidates:
        for t, ct in types.items():
            scores[t] = max(scores[t], _similar(cand, ct))
    return scores


def _decide(scores: dict[str, float], cutoff: float, margin: float) -> str | None:
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < cutoff:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < margin:
        return None
    return ranked[0][0]


def _windows(toks: list[str], *, to_start: bool = False, to_end: bool = False) -> list[str]:
    """Compact windows of ``toks`` with only junk tokens outside them (optionally reaching the line's start or end)."""
    out = []
    for i in range(len(toks)):
        for j in range(i + 1, len(toks) + 1):
            if (to_start and i) or (to_end and j < len(toks)):
                continue
            if all(_is_junk_token(t) for t in toks[:i] + toks[j:]):
                out.append(compact(" ".join(toks[i:j])))
    return out


def title_candidates(page: str) -> list[str]:
    """Compact token windows of the first lines that could be a title: the rest of the line must be junk.

    A long title wrapped onto two lines (``주민등록표 등본 교`` / ``부 신청서``)
    is also tried joined: the end of one line with the start of the next.
    """
    lines = [line.split() for line in lines_of(page)[:TITLE_LINES]]
    out = [c for toks in lines for c in _windows(toks)]
    for a, b in zip(lines, lines[1:]):
        out += [x + y for x in _windows(a, to_end=True) for y in _windows(b, to_start=True)]
    return [c for c in out if len(HANGUL.findall(c)) >= 2]


_BODY = re.compile(r"위\s*와\s*같\s*이\s+(.{2,40}?)\s*[을를]\s*(?:하오니|신청|신고|제출|합니다)")


def match_doc_type(page: str, known_types: Iterable[str], *, warnings: list[str] | None = None,
                   cutoff: float = TYPE_CUTOFF, margin: float = TYPE_MARGIN) -> tuple[str, str] | None:
    """(type, source) from the first page's text, or None when no known type is named clearly.

    The title (a line of the first ``TITLE_LINES``, extra tokens only
    single letters or symbols) must match one type with similarity
    >= ``cutoff`` and lead the next type by ``margin``. Without a title, the
    sentence ``위와 같이 <type>를 하오니 ...`` names it (heuristic, stricter
    cutoff). If title and sentence name different types, the type stays
    unknown.
    """
    types = {t: compact(t) for t in known_types if compact(t)}
    if not types:
        return None
    title = _decide(_best_types(title_candidates(page), types), cutoff, margin)
    flat = " ".join(page.split())
    body_cands = []
    for m in _BODY.finditer(flat):
        c = compact(m.group(1))
        body_cands += [c, c + "서"]
    body = _decide(_best_types(body_cands, types), BODY_CUTOFF, margin) if body_cands else None
    if title and body and title != body:
        if warnings is not None:
            warnings.append(f"doc_type: title reads as {title}, text as {body}; left unknown")
        return None
    if title:
        return title, LABEL
    if body:
        return body, HEURISTIC
    return None


