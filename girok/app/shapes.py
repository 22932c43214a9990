"""The one JSON shape of a document, for every command that prints one (README "JSON output").

A document is the same object wherever it appears: ``show`` prints it whole (``document_json(..., full=True)``);
search and 주민등록번호 hits, ingest and watch lines, holds, exports and the status's re-scan list print its
summary (the first keys below, same names, same meaning, same format) with their own fields beside them.

- ``id``: the registration number (GR-2026-000001), never ``reg_no``;
- ``title``, ``type`` (document type), ``office``, ``receipt_no`` (접수번호): text, ``""`` when unknown;
  ``applicant`` (신청인) masked as on every console (홍*동); 주민등록번호 masked in all of them;
- ``date``: the filing date, ``YYYY-MM-DD`` or null; ``pages``: how many pages the document has;
- ``captured_at``: ISO 8601 in the archive's zone with its offset (2026-03-01T09:30:00+09:00), never UTC
  without a zone;
- ``retention``: ``{"class", "completed_on", "due_on"}`` (null until classified; ``due_on`` null: never due);
- ``record_no``: the standard registration number (생산·접수등록번호, 19 characters: office code, year, serial,
  split), or null before the archive has ``[records] office_code`` (girok.retention.files);
- ``source``: the scanned file, an object: ``{"name", "sha256", "pages_in_file"}`` (its 1-based pages that
  are this document), and in the full form also ``path``, ``size``, ``media_type``, ``profile``, ``hot_folder``.

The full form adds ``qr`` (the e-form QR payload as a JSON object, or null), ``phones``, ``rrn_masked``,
``pdfa``, ``original``/``archival`` (``{"sha256", "path", ...}``), ``conversion``, ``indexed``,
``rescan_suggested``, ``page_confidence`` and, when asked for, ``text``.
"""

from __future__ import annotations

import json
from typing import Any

from ..archive.layout import Archive
from ..text.pii import mask_name, mask_rrn
from ..text.times import local_iso

SUMMARY_KEYS = ("id", "title", "type", "date", "office", "receipt_no", "applicant", "pages", "captured_at",
                "retention", "source", "record_no", "unread_fields")


def _meta(doc) -> dict:
    try:
        meta = json.loads(doc.metadata_json or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def retention_json(ret) -> dict | None:
    """A retention row as ``{"class", "completed_on", "due_on"}`` (None: not classified yet)."""
    if ret is None:
        return None
    return {"class": ret.retention_class, "completed_on": ret.completed_on.isoformat(),
            "due_on": ret.due_on.isoformat() if ret.due_on else None}


def qr_json(payload: Any) -> dict | None:
    """The e-form QR payload (kept as the text the code carried, RRNs masked) as the JSON object it is;
    a payload that is no JSON object (masking never makes one of an object) as ``{"text": ...}``."""
    if payload in (None, ""):
        return None
    if isinstance(payload, dict):
        return payload
    try:
        value = json.loads(payload)
    except (TypeError, ValueError):
        value = None
    return value if isinstance(value, dict) else {"text": mask_rrn(str(payload))}


def conversion_json(text: str | None) -> dict:
    """A conversion record (tools, versions, options) as stored, with ``options.deskew`` read as what it meant:
    ``{"preservation_copy", "ocr_copy"}``, also from an older record's OCRmyPDF ``"deskew": false`` beside
    girok's deskew plugin (``ocr.base.deskew_record``)."""
    conversion = json.loads(text or "{}")
    options = conversion.get("options")
    if isinstance(options, dict) and "deskew" in options:
        from ..ocr.base import deskew_record

        options["deskew"] = deskew_record(options)
    return conversion


def document_json(doc, *, tz=None, retention=None, full: bool = False, with_text: bool = False) -> dict:
    """A catalogued document (``catalog.models.Document`` with its capture loaded) as its JSON object:
    the summary, or with ``full`` everything ``show`` gives. ``retention``: its retention row, if any."""
    cap = doc.capture
    meta = _meta(doc)
    in_file = meta.get("pages_in_original")
    if not (isinstance(in_file, list) and in_file and all(isinstance(p, int) for p in in_file)):
        in_file = list(range(doc.first_page, doc.first_page + doc.page_count))
    source = {"name": mask_rrn(cap.source_name), "sha256": cap.sha256, "pages_in_file": in_file}
    d = {
        "id": doc.reg_no, "title": mask_rrn(doc.title or ""), "type": mask_rrn(doc.doc_type or ""),
        "date": doc.doc_date.isoformat() if doc.doc_date else None, "office": mask_rrn(doc.office or ""),
        "receipt_no": mask_rrn(doc.receipt_no or ""), "applicant": mask_name(doc.applicant or ""),
        "pages": doc.page_count, "captured_at": local_iso(doc.captured_at, tz),
        "retention": retention_json(retention), "source": source,
        "record_no": getattr(doc, "record_no", None),  # the standard 19-character number (issue 16), or null
        # fields the form has (their labels are on the page) but no reading passed its check: left empty, the
        # clerk fills them from the paper (girok.ingest.fields)
        "unread_fields": [f for f in meta.get("unread") or [] if isinstance(f, str)],
    }
    if not full:
        return d
    source.update(path=mask_rrn(cap.source_path or ""), size=cap.size, media_type=cap.media_type,
                  profile=cap.profile, hot_folder=cap.hot_folder)
    d.update(
        qr=qr_json(meta.get("qr")), phones=meta.get("phones", []), rrn_masked=meta.get("rrn_masked", []),
        pdfa=f"PDF/A-{doc.pdfa}" if doc.pdfa else "",
        original={"sha256": cap.sha256, "path": "store/" + cap.original_relpath, "size": cap.size},
        archival={"sha256": doc.archival_sha256, "path": "store/" + doc.archival_relpath, "size": doc.archival_size},
        conversion=conversion_json(doc.conversion), indexed=doc.indexed_at is not None,
        rescan_suggested=bool(doc.rescan_suggested), page_confidence=[p.confidence for p in doc.pages],
    )
    if with_text:
        d["text"] = [mask_rrn(p.text) for p in doc.pages]
    return d


def documents_json(arch: Archive, reg_nos: list[str]) -> list[dict]:
    """The summaries of ``reg_nos``, in that order: a disposed document as what its tombstone keeps
    (``"disposed": true``), a number no document has as ``{"id"}`` alone."""
    if not reg_nos:
        return []
    docs = arch.catalog.get_many(list(reg_nos))
    with arch.catalog.reading() as tx:
        rets = tx.retentions_by_reg_no(list(docs))
    out = []
    for r in reg_nos:
        if r in docs:
            out.append(document_json(docs[r], tz=arch.tz, retention=rets.get(r)))
        else:
            out.append(gone_json(arch, r))
    return out


def gone_json(arch: Archive, reg_no: str) -> dict:
    """A document no longer in the catalog: its tombstone's summary, or only its number."""
    from ..retention.disposal import tombstone

    t = tombstone(arch, reg_no, tz=arch.tz)
    if t is None:
        return {"id": reg_no}
    return {k: t[k] for k in ("id", "title", "type", "date", "pages", "captured_at", "retention", "disposed",
                              "disposed_at")}
