"""Keeping a prepared document: store both files, record in the catalog, classify, index.

Order matters for crash safety: files are stored (atomically, content-
addressed, so repeating is harmless) before the catalog transaction that
makes the record exist; the index comes last and is caught up from the
catalog if the process dies before it (``indexed_at`` stays empty).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Iterable

from ..archive.indexing import index_documents
from ..archive.layout import RRN_KEY_NAME, Archive
from ..catalog.repository import NewCapture, NewDocument
from ..errors import ConfigError
from ..fsutil import fault_point
from ..text import pii

log = logging.getLogger(__name__)


def keep(arch: Archive, *, original: Path, sha256: str, size: int, ext: str, source: Path, media_type: str,
         hot_folder: str | None, profile: str, documents: Iterable, doc_type: str = "",
         index: bool = True, again: bool = False) -> list[str]:
    """Store and catalog one capture and its prepared documents; returns registration numbers.

    ``index=False`` leaves the documents to the archive's one index writer (`girok indexer`, when several
    machines archive): the catalog marks them not yet indexed, as after a crash before the index.

    Every step may be done again: ``again`` after a ``CatalogUnavailable`` from an earlier call for the same
    document (the store is content-addressed; Catalog.commit_capture(again=True) knows its own record)."""
    stored_orig = arch.store.put("originals", original, sha256, ext)
    secret = None
    new_docs = []
    for d in documents:
        stored = arch.store.put("archival", d.archival, d.archival_sha256, ".pdf")
        md = d.metadata
        if md is not None and md.rrns and secret is None:
            secret = pii.load_or_create_secret(arch.root / RRN_KEY_NAME)
        new_docs.append(NewDocument(
            first_page=d.first_page, page_count=d.page_count, archival_sha256=d.archival_sha256,
            archival_relpath=stored.relpath, archival_size=stored.size, pdfa=d.pdfa_level,
            conversion=d.conversion, page_texts=[pii.mask_rrn(t) for t in d.page_texts],
            page_confidence=d.page_confidence, rescan_suggested=d.rescan_suggested,
            title=d.title,  # chosen by the worker (also in the archival PDF's XMP)
            **paper(d, doc_type), doc_date=md.date if md else None, office=(md.office or "") if md else "",
            metadata_json=json.dumps(_stored_metadata(md, d), ensure_ascii=False),
            rrn_hmacs=[pii.rrn_hmac(r, secret) for r in md.rrns] if md and md.rrns else [],
        ))
    # RRNs exist in clear only inside the stored original and archival PDF, never in the catalog.
    cap = NewCapture(sha256=sha256, size=size, source_name=pii.mask_rrn(source.name),
                     source_path=pii.mask_rrn(str(source)),
                     hot_folder=hot_folder, profile=profile, media_type=media_type,
                     original_relpath=stored_orig.relpath, documents=new_docs)
    reg_nos = arch.catalog.commit_capture(cap, prefix=arch.config.id_prefix, again=again)
    fault_point("after-catalog")  # test hook (GIROK_FAULT): killed between catalog and index
    _classify(arch, reg_nos)
    if index:
        index_documents(arch, reg_nos)
    return reg_nos


def _classify(arch: Archive, reg_nos: list[str]) -> None:
    """Give new documents their retention class now (retention commands catch up any that missed it)."""
    from ..retention import schedule as retention

    try:
        retention.classify_documents(arch, reg_nos)
    except ConfigError as exc:  # a typo in the schedule must never cost a scan
        log.warning("retention class for %s not set (%s); `girok retention review` will set it",
                    ",".join(reg_nos), exc)


def paper(doc, default_doc_type: str) -> dict[str, str]:
    """What finds a prepared document's paper: its receipt number, applicant and type (the profile's default
    type when none was read), as the catalog records them (unmasked; masked where shown)."""
    md = doc.metadata
    return {"receipt_no": (md.receipt_no or "") if md else "", "applicant": (md.applicant or "") if md else "",
            "doc_type": (md.doc_type if md and md.doc_type else default_doc_type) or ""}


def _stored_metadata(md, d) -> dict:
    """What the catalog keeps of the extracted metadata: RRNs masked (Metadata.to_dict), the page range."""
    out = md.to_dict() if md is not None else {}
    out["pages_in_original"] = [i + 1 for i in getattr(d, "pages_in_original", [])]
    return out
