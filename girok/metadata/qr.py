"""Codes on a page: e-form QR payloads, separator sheets (GIROK-SEPARATOR, PATCH-T).

- ``read_codes(image)``: every QR code and barcode zxing-cpp finds (any
  rotation), as ``Code`` values.
- ``document_metadata(texts, first_page, known_types)``: what the pipeline
  calls per document: QR payload merged over the OCR text's metadata.
- ``eform_metadata(codes)`` / ``parse_eform(payload)``: an e-form QR
  carries JSON (``form``, ``receipt_no``, ``applicant``, ``date``,
  ``office``; also ``phone``/``rrn`` when present). It becomes a
  ``Metadata`` with every field's source ``qr`` and the payload kept
  verbatim in ``qr``; ``extract.merge(qr_md, ocr_md)`` lets it win over OCR.
- ``separator_kind(image)`` / ``is_separator(image)``: a separator sheet is
  a page with a code reading ``GIROK-SEPARATOR``, a barcode reading
  ``PATCHT`` (the text convention of barcode separator sheets), or a Kodak
  PATCH-T bar pattern.

PATCH codes are not a zxing-cpp symbology (it reads none of the six), so
``find_patch_code`` reads them here: four black bars, two wide (0.20") and
two narrow (0.08"), with narrow (0.08") spaces, at least an inch long; the
order of wide and narrow names the patch (T = narrow wide narrow wide from
the leading edge). The pattern is looked for along rows and along columns
of the page, and must repeat at the same place over a good length of bar,
so text and ordinary barcodes (bars far thinner than 0.08") never read as
one. A sheet fed upside down reads T backwards, which is the pattern of
Patch 3; ``is_separator`` accepts both unless told otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import zxingcpp
from PIL import Image

from .extract import QR, Metadata, compact, extract, merge, parse_date
from ..text import pii

SEPARATOR_PAYLOAD = "GIROK-SEPARATOR"
PATCH_T_TEXTS = {"PATCHT", "PATCH-T", "PATCH T"}
GIROK_SEPARATOR, PATCH_T = "GIROK-SEPARATOR", "PATCH-T"


@dataclass(frozen=True)
class Code:
    format: str          # zxing's name: QRCode, Code128, ...
    text: str
    raw: bytes
    position: tuple[tuple[int, int], ...] = ()   # corners, pixels


def read_codes(image: Image.Image) -> list[Code]:
    """Every barcode and QR code zxing-cpp decodes on the page, any orientation."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if image.mode in ("RGBA", "P", "CMYK", "LA", "PA") else "L")
    out = []
    for b in zxingcpp.read_barcodes(image, try_rotate=True, try_downscale=True, try_invert=True):
        if not b.valid:
            continue
        pos = b.position
        corners = tuple((int(p.x), int(p.y)) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left))
        out.append(Code(format=b.format.name, text=b.text, raw=bytes(b.bytes), position=corners))
    return out


# --- e-form payload -------------------------------------------------------------------------

_KEYS = {
    "doc_type": ("form", "doc_type", "form_name", "서식", "서식명", "민원명"),
    "receipt_no": ("receipt_no", "receipt", "접수번호"),
    "applicant": ("applicant", "name", "신청인", "성명"),
    "date": ("date", "filed", "신청일", "신고일", "작성일"),
    "office": ("office", "기관", "처리기관"),
    "phones": ("phone", "phones", "tel", "전화번호", "연락처"),
    "rrns": ("rrn", "rrns", "주민등록번호"),
}


def _get(data: dict, names: Sequence[str]):
    for n in names:
        if n in data and data[n] not in (None, "", []):
            return data[n]
    return None


def parse_eform(payload: str, known_types: Iterable[str] = (), *, today: dt.date | None = None) -> Metadata | None:
    """The metadata an e-form QR payload carries; None when it is not an e-form (a JSON object with a form).

    The form name is kept as written, spelled as in ``known_types`` when it
    is one of them (spaces aside): it is declared, not guessed. A date that
    does not parse is left out, with a warning.
    """
    try:
        data = json.loads(payload)
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not _get(data, _KEYS["doc_type"]) and not _get(data, _KEYS["receipt_no"]):
        return None
    md = Metadata(qr=payload)
    form = _get(data, _KEYS["doc_type"])
    if isinstance(form, str) and form.strip():
        known = {compact(t): t for t in known_types}
        md.doc_type = known.get(compact(form), form.strip())
    for name in ("receipt_no", "applicant", "office"):
        v = _get(data, _KEYS[name])
        if isinstance(v, (str, int)) and str(v).strip():
            setattr(md, name, str(v).strip())
    raw_date = _get(data, _KEYS["date"])
    if isinstance(raw_date, str):
        md.date = parse_date(raw_date, today=today)
        if md.date is None:
            md.warnings.append(f"date: the QR code's date {raw_date!r} is not a date")
    for name in ("phones", "rrns"):
        v = _get(data, _KEYS[name])
        vals = [v] if isinstance(v, str) else [x for x in v if isinstance(x, str)] if isinstance(v, list) else []
        if name == "rrns":
            vals = [r for x in vals for r in pii.find_rrns(x)]
        setattr(md, name, [x.strip() for x in vals if x.strip()])
    if md.doc_type:
        md.title = md.doc_type
    for name in Metadata.FIELDS:
        if getattr(md, name):
            md.sources[name] = QR
    return md


def eform_metadata(codes: Iterable[Code], known_types: Iterable[str] = (), *,
                   today: dt.date | None = None) -> Metadata | None:
    """The first e-form payload among the page's codes, as metadata (None if there is none)."""
    for c in codes:
        md = parse_eform(c.text, known_types, today=today)
        if md:
            return md
    return None


def document_metadata(texts: Sequence[str], first_page: Image.Image | None = None, known_types: Iterable[str] = (),
                      *, known_offices: Iterable[str] = (), codes: Sequence[Code] | None = None,
                      today: dt.date | None = None) -> Metadata:
    """A document's metadata: its first page's e-form QR code (if any) merged over what its OCR text says.

    Pass ``codes`` when the first page was decoded already (e.g. while
    looking for separators); else ``first_page`` is decoded here.
    """
    md = extract(texts, known_types, known_offices=known_offices, today=today)
    if codes is None and first_page is not None:
        codes = read_codes(first_page)
    from_qr = eform_metadata(codes or (), known_types, today=today)
    return merge(from_qr, md) if from_qr else md


# --- separator sheets -----------------------------------------------------------------------

# Kodak patch codes: bar widths from the leading edge (N narrow 0.08", W wide 0.20").
PATCH_PATTERNS = {"WWNN": "1", "WNNW": "2", "WNWN": "3", "NWWN": "4", "NWNW": "T", "NNWW": "6"}
PATCH_UNIT_IN = 0.08


def _runs(line: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of the dark runs of a boolean line."""
    d = np.diff(np.concatenate(([0], line.view(np.int8), [0])))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _patterns_in_line(line: np.ndarray, unit: float) -> list[tuple[str, int]]:
    """Patch-like windows of four dark runs in one line: (pattern, position in units)."""
    starts, ends = _runs(line)
    n = len(starts)
    if n < 4:
        return []
    bars = (ends - starts).astype(np.float64)
    gaps = (starts[1:] - ends[:-1]).astype(np.float64)
    m = n - 3
    u = (bars[:m] + bars[1:m + 1] + bars[2:m + 2] + bars[3:m + 3] + gaps[:m] + gaps[1:m + 1] + gaps[2:m + 2]) / 10
    ok = (u >= 0.7 * unit) & (u <= 1.4 * unit)
    for k in range(3):
        ok &= (gaps[k:k + m] >= 0.55 * u) & (gaps[k:k + m] <= 1.6 * u)
    out = []
    for i in np.flatnonzero(ok):
        ui = u[i]
        kinds = "".join("N" if 0.55 * ui <= b <= 1.6 * ui else "W" if 1.9 * ui <= b <= 3.2 * ui else "?"
                        for b in bars[i:i + 4])
        if "?" in kinds or kinds.count("W") != 2:
            continue
        before = starts[i] - (ends[i - 1] if i > 0 else 0)
        after = (starts[i + 4] if i + 4 < n else len(line)) - ends[i + 3]
        if before < 1.5 * ui or after < 1.5 * ui:
            continue
        out.append((kinds, int(starts[i] // max(1, round(ui)))))
    return out


def find_patch_code(image: Image.Image, *, dpi: float | None = None) -> str | None:
    """The Kodak patch code on the page ("1", "2", "3", "4", "T", "6"), read from the top or the left, or None."""
    grey = np.asarray(image.convert("L"), dtype=np.uint8)
    if dpi is None:
        info = image.info.get("dpi")
        dpi = float(info[0]) if info and float(info[0]) >= 50 else min(image.size) / 8.27
    unit = PATCH_UNIT_IN * dpi
    paper = float(np.percentile(grey, 90))
    dark = grey < paper / 2
    step = max(1, int(dpi / 50))          # a line every 0.02"
    need = max(5, int(0.75 * dpi / step))  # the same pattern along 0.75" of bar
    for lines in (dark[::step], dark.T[::step]):  # rows (vertical bars), then columns (horizontal bars)
        seen: dict[tuple[str, int], list[int]] = {}
        for k, line in enumerate(lines):
            for kinds, where in _patterns_in_line(np.ascontiguousarray(line), unit):
                for key in ((kinds, where), (kinds, where - 1), (kinds, where + 1)):
                    seen.setdefault(key, []).append(k)
        for (kinds, _), ks in seen.items():
            if len(ks) >= need and _longest_streak(ks) >= need and kinds in PATCH_PATTERNS:
                return PATCH_PATTERNS[kinds]
    return None


def _longest_streak(ks: list[int]) -> int:
    ks = sorted(set(ks))
    best = cur = 1
    for a, b in zip(ks, ks[1:]):
        cur = cur + 1 if b - a <= 2 else 1
        best = max(best, cur)
    return best


def separator_kind(image: Image.Image, codes: Sequence[Code] | None = None, *,
                   patch_either_way: bool = True) -> str | None:
    """``"GIROK-SEPARATOR"``, ``"PATCH-T"`` or None. Pass ``codes`` from ``read_codes`` to avoid decoding twice."""
    codes = read_codes(image) if codes is None else codes
    for c in codes:
        text = c.text.strip()
        if text == SEPARATOR_PAYLOAD:
            return GIROK_SEPARATOR
        if text.upper() in PATCH_T_TEXTS:
            return PATCH_T
    patch = find_patch_code(image)
    if patch == "T" or (patch_either_way and patch == "3"):
        return PATCH_T
    return None


def is_separator(image: Image.Image, codes: Sequence[Code] | None = None, *, patch_either_way: bool = True) -> bool:
    """True for a separator sheet: a ``GIROK-SEPARATOR`` code, a ``PATCHT`` barcode or a PATCH-T bar pattern."""
    return separator_kind(image, codes, patch_either_way=patch_either_way) is not None
