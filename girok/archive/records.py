"""Keeping a prepared document: store both files, record in the catalog, index.

Order matters for crash safety: files are stored (atomically, content-
addressed, so repeating is harmless) before the catalog transaction that
makes the record exist; the index comes last and is caught up from the
catalog if the process dies before it (``indexed_at`` stays empty).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Iterable, Iterator

from .. import pii
from ..errors import ConfigError
from ..fsutil import fault_point
from ..search.analysis import MORPH_VERSION, morph_text
from ..search.index import IndexDoc
from .catalog import NewCapture, NewDocument
from .layout import RRN_KEY_NAME, Archive

log = logging.getLogger(__name__)
MORPH_PREFIX = f"v{MORPH_VERSION}:"


def title_from_text(texts: list[str], fallback: str) -> str:
    for page in texts:
        for line in page.splitlines():
            line = " ".join(line.split())
            if len(line) >= 2:
                return line[:80]
    return fallback


def keep(arch: Archive, *, original: Path, sha256: str, size: int, ext: str, source: Path, media_type: str,
         hot_folder: str | None, profile: str, documents: Iterable, doc_type: str = "") -> list[str]:
    """Store and catalog one capture and its prepared documents; returns registration numbers."""
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
            title=pii.mask_rrn((md.title if md and md.title else None) or title_from_text(d.page_texts, source.stem)),
            doc_type=(md.doc_type if md and md.doc_type else doc_type),
            doc_date=md.date if md else None, receipt_no=(md.receipt_no or "") if md else "",
            office=(md.office or "") if md else "", applicant=(md.applicant or "") if md else "",
            metadata_json=json.dumps(_stored_metadata(md, d), ensure_ascii=False),
            rrn_hmacs=[pii.rrn_hmac(r, secret) for r in md.rrns] if md and md.rrns else [],
        ))
    # RRNs exist in clear only inside the stored original and archival PDF, never in the catalog.
    cap = NewCapture(sha256=sha256, size=size, source_name=pii.mask_rrn(source.name),
                     source_path=pii.mask_rrn(str(source)),
                     hot_folder=hot_folder, profile=profile, media_type=media_type,
                     original_relpath=stored_orig.relpath, documents=new_docs)
    reg_nos = arch.catalog.commit_capture(cap, prefix=arch.config.id_prefix)
    fault_point("after-catalog")  # test hook (GIROK_FAULT): killed between catalog and index
    _classify(arch, reg_nos)
    index_documents(arch, reg_nos)
    return reg_nos


def _classify(arch: Archive, reg_nos: list[str]) -> None:
    """Give new documents their retention class now (retention commands catch up any that missed it)."""
    from . import retention

    try:
        retention.classify_documents(arch, reg_nos)
    except ConfigError as exc:  # a typo in the schedule must never cost a scan
        log.warning("retention class for %s not set (%s); `girok retention review` will set it",
                    ",".join(reg_nos), exc)


def _stored_metadata(md, d) -> dict:
    """What the catalog keeps of the extracted metadata: RRNs masked (Metadata.to_dict), the page range."""
    out = md.to_dict() if md is not None else {}
    out["pages_in_original"] = [i + 1 for i in getattr(d, "pages_in_original", [])]
    return out


def index_docs(arch: Archive, rows: Iterable[dict]) -> Iterator[IndexDoc]:
    """IndexDocs for catalogued documents (``catalog.iter_index_rows``): Kiwi nouns from the catalog when
    kept there, else analysed now and kept (in batches) for the next reindex."""
    fresh: dict[int, str] = {}
    for row in rows:
        text = "\n\n".join(row["pages_text"])
        kept = row["morphs"]
        if kept and kept.startswith(MORPH_PREFIX):
            morphs = kept[len(MORPH_PREFIX):]
        else:
            morphs = fresh[row["id"]] = morph_text(row["title"] + "\n" + text)
            if len(fresh) >= 200:
                arch.catalog.set_morphs({i: MORPH_PREFIX + m for i, m in fresh.items()})
                fresh.clear()
        yield IndexDoc(
            reg_no=row["reg_no"], title=row["title"], doc_type=row["doc_type"], source=row["source_name"],
            captured=row["captured_at"], pages=row["page_count"], text=text, profile=row["profile"],
            doc_date=row["doc_date"], office=row["office"], receipt_no=row["receipt_no"],
            retention=row["retention_class"] or "", morphs=morphs,
        )
    arch.catalog.set_morphs({i: MORPH_PREFIX + m for i, m in fresh.items()})


def index_documents(arch: Archive, reg_nos: list[str]) -> None:
    """Index the given documents now; on failure they stay marked unindexed for catch-up."""
    try:
        docs = list(index_docs(arch, arch.catalog.iter_index_rows(reg_nos=reg_nos)))
        arch.index.add(docs)
        arch.catalog.mark_indexed(reg_nos)
    except Exception as exc:  # the record is safe in the catalog; the index catches up later
        log.warning("indexing %s failed (%s); it will be retried", ",".join(reg_nos), exc)


def rebuild_index(arch: Archive, *, engine: str | None = None, progress=None) -> int:
    """Full reindex from the catalog. Documents archived while it runs go into the old index; they are
    added to the new one after the switch, so none is missing."""
    seen = {"last": 0}

    def rows() -> Iterator[dict]:
        for row in arch.catalog.iter_index_rows():
            seen["last"] = row["id"]
            yield row

    n = arch.index.rebuild(index_docs(arch, rows()), engine=engine, progress=progress)
    arch.catalog.mark_indexed_upto(seen["last"])
    later = [d.reg_no for d in arch.catalog.iter_documents(after_id=seen["last"])]
    for i in range(0, len(later), 100):
        index_documents(arch, later[i:i + 100])
    return n + len(later)


def index_problems(arch: Archive) -> tuple[list[str], bool]:
    """What is wrong with the search index, and whether only a full reindex repairs it."""
    from ..errors import IndexOutdated

    problems = [f"half-built search index folder (interrupted reindex): index/{d}" for d in arch.index.stale_dirs()]
    try:
        in_index = arch.index.doc_count()
    except IndexOutdated as exc:
        return problems + [f"search index unusable: {exc}"], True
    counts = arch.catalog.counts()
    expected = counts["documents"] - counts["unindexed"]
    if in_index != expected:
        return problems + [f"search index holds {in_index} document(s), the catalog says {expected} are indexed"], True
    return problems, False


def catch_up_index(arch: Archive) -> int:
    """Index every catalogued document the index has not got (after a crash)."""
    pending = [d.reg_no for d in arch.catalog.iter_documents(only_unindexed=True)]
    for i in range(0, len(pending), 100):
        index_documents(arch, pending[i:i + 100])
    return len(pending)
