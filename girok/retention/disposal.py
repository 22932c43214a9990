"""Carrying out approved disposals (폐기): tombstone, files, index entry, certificate.

Only documents the committee approved for disposal, whose period has run
out by today, and that are on no hold are destroyed. In three steps, each
safe to repeat after a crash:

1. one catalog transaction: the document's rows go, a tombstone comes
   (registration number, type, dates, hashes, decision reference), the
   decision is marked done, and a ``retention-dispose`` audit event is
   written per document;
2. the stored files (archival copy; the original once no document of its
   capture remains) are unlinked and the index entry removed; what
   happened to each is kept with the tombstone (a file already missing is
   reported, not fatal);
3. the disposal certificate (폐기 확인서) is written, CSV and text, and
   its SHA-256s recorded in the catalog and the audit chain.

Running it again finishes an interrupted run and otherwise changes nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from ..fsutil import fsync_dir, sha256_file
from ..text.pii import mask_rrn
from ..text.times import local_iso
from ..catalog import repository as catalog
from ..catalog.repository import Tx
from ..catalog.models import Document
from .schedule import korean_date, today
from .certificate import FOLDER, Line, render_csv, render_text
from ..catalog.retention_models import Decision, Disposal, Retention, Tombstone
from .reviewfile import write_text
from ..archive.lexicon import refill_lexicon
from ..i18n import _

log = logging.getLogger(__name__)


@dataclass
class Planned:
    reg_no: str
    decision: int
    review: int
    status: str  # dispose | held | not due | superseded
    reason: str = ""

    def as_dict(self) -> dict:
        return {"id": self.reg_no, "decision": self.decision, "review": self.review, "status": self.status,
                "reason": self.reason}


@dataclass
class DisposeReport:
    dry_run: bool
    planned: list[Planned] = field(default_factory=list)
    disposed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # files already missing and the like: reported, not fatal
    problems: list[str] = field(default_factory=list)  # to be finished by the next run
    certificates: list[dict] = field(default_factory=list)
    pending_purge: int = 0
    # what became of the search index entries of this run's documents: deleted (search never finds them again),
    # then the index files rewritten without them ("merged", or "rebuilt" from the catalog when the engine
    # cannot merge), so the destroyed text is in none of them; empty when nothing was purged
    index: dict = field(default_factory=dict)


def plan(tx: Tx, on: date) -> list[Planned]:
    """Every pending disposal approval, and whether it can be carried out on ``on``."""
    out: list[Planned] = []
    pending = tx.pending_dispose_decisions()
    held = tx.active_holds([d.reg_no for d in pending])
    seen: set[str] = set()
    for d in pending:
        p = Planned(d.reg_no, d.id, d.review_id, "dispose")
        if d.reg_no in seen:
            p.status, p.reason = "superseded", "approved twice; the earlier approval is carried out"
            out.append(p)
            continue
        seen.add(d.reg_no)
        row = tx.retention_by_reg_no(d.reg_no)
        shown = tx.review_item(d.review_id, d.reg_no)
        if row is None:
            p.status, p.reason = "superseded", "no longer in the catalog"
        elif shown is None or (row.retention_class, row.completed_on) != (shown.retention_class, shown.completed_on):
            p.status, p.reason = "superseded", "re-classified since the decision"
        elif d.reg_no in held:
            p.status = "held"
            p.reason = "; ".join(f"hold {h}: {r}" for h, r in held[d.reg_no])
        elif row.due_on is None or row.due_on > on:
            p.status, p.reason = "not due", f"due {row.due_on or 'never'}"
        out.append(p)
    return out


def _certificate_number(tx: Tx, at: datetime) -> str:
    year = korean_date(at).year
    n = tx.disposals_numbered(f"{year}-")
    return f"{year}-{n + 1:04d}"


def _entomb(tx: Tx, doc: Document, ret: Retention, dec: Decision, disposal: Disposal, at: datetime,
            leaving: set[int], forgotten: set[str]) -> Tombstone:
    """Replace one document's rows by its tombstone (inside the disposal transaction)."""
    cap = doc.capture
    forgotten.update(tx.forget_words(doc))  # before its text goes: no word of a destroyed record stays behind
    others = tx.count_documents(capture_id=cap.id, excluding=leaving)
    shared = tx.count_documents(archival_relpath=doc.archival_relpath, excluding=leaving)
    tomb = tx.replace_by_tombstone(
        doc, drop_capture=not others, reg_no=doc.reg_no, doc_type=doc.doc_type, title=mask_rrn(doc.title), retention_class=ret.retention_class,
        completed_on=ret.completed_on, due_on=ret.due_on, doc_date=doc.doc_date, captured_at=doc.captured_at,
        page_count=doc.page_count, original_sha256=cap.sha256, archival_sha256=doc.archival_sha256,
        original_relpath=None if others else cap.original_relpath,
        archival_relpath=None if shared else doc.archival_relpath,
        decision_id=dec.id, disposal_id=disposal.id, disposed_at=at,
        outcome=json.dumps({**({"original": f"kept: {others} other document(s) of the capture remain"} if others else {}),
                            **({"archival": f"kept: {shared} other document(s) have the same file"} if shared else {})},
                           ensure_ascii=False),
    )
    tx.finish_decision(dec.id, status="done", at=at, outcome=f"disposed of, certificate {disposal.number}")
    tx.append_event(at=at, actor=disposal.actor, action="retention-dispose", reg_no=doc.reg_no, detail={
        "certificate": disposal.number, "decision": dec.id, "review": dec.review_id, "meeting": dec.meeting,
        "class": ret.retention_class, "completed_on": ret.completed_on, "due_on": ret.due_on,
        "original_sha256": cap.sha256, "archival_sha256": doc.archival_sha256})
    log.info("disposed of %s (decision %d, certificate %s)", doc.reg_no, dec.id, disposal.number)
    return tomb


def _checkpoint(arch) -> None:
    """Move the zeroed pages from the write-ahead log into the catalog and empty the log (best effort)."""
    arch.catalog.checkpoint()


def _execute(arch, report: DisposeReport) -> set[str]:
    """Entomb what is due; the words removed from the search lexicon."""
    at = catalog.now()
    forgotten: set[str] = set()
    with arch.catalog.transaction("the disposal") as tx:  # plan again under the write lock: a hold placed
        tx.secure_delete()  # meanwhile counts; what is deleted is zeroed instead of left in free pages
        report.planned = plan(tx, korean_date(at))
        go = [p for p in report.planned if p.status == "dispose"]
        for p in report.planned:
            if p.status == "superseded":
                tx.finish_decision(p.decision, status="void", at=at, outcome=p.reason)
        if not go:
            return forgotten
        disposal = tx.add_disposal(number=_certificate_number(tx, at), started_at=at, actor=catalog.actor())
        docs = tx.documents([p.reg_no for p in go])
        leaving = {d.id for d in docs.values()}
        for p in go:
            doc = docs[p.reg_no]
            _entomb(tx, doc, tx.retention(doc.id), tx.decision(p.decision), disposal, at, leaving, forgotten)
            report.disposed.append(p.reg_no)
    return forgotten


# --- step 2: files and index entry ------------------------------------------------------

DONE = ("removed", "already missing")


def _unlink(arch, tx: Tx, relpath: str, removed: set[str]) -> str:
    if relpath in removed:
        return "removed"
    again = tx.file_claimed_by(relpath)
    if again:  # the same bytes were archived again since the disposal: they are another record's now
        return f"kept: archived again since as {again}"
    path = arch.store.resolve(relpath)
    try:
        path.unlink()
    except FileNotFoundError:
        return "already missing"
    except OSError as exc:
        return f"failed: {exc.strerror or exc}"
    fsync_dir(path.parent)
    removed.add(relpath)
    return "removed"


def _purge(arch, report: DisposeReport) -> bool:
    """Remove the files and index entries of every tombstone not yet purged (this run's and interrupted ones);
    whether the index holds none of them now."""
    at = catalog.now()
    with arch.catalog.transaction("the disposal") as tx:  # under the write lock: no capture can claim a file
        tombs = tx.unpurged_tombstones()
        if not tombs:
            return True
        removed: set[str] = set()
        outcomes = {}
        for t in tombs:
            out = json.loads(t.outcome or "{}")
            for kind, rel in (("archival", t.archival_relpath), ("original", t.original_relpath)):
                if rel is not None and out.get(kind) not in DONE:
                    out[kind] = _unlink(arch, tx, rel, removed)
                    if out[kind] == "already missing":
                        report.notes.append(_("{reg_no}: the {kind} file store/{rel} was already missing").format(
                                                reg_no=t.reg_no, kind=kind, rel=rel))
                    elif out[kind].startswith("failed"):
                        report.problems.append(_("{reg_no}: could not delete store/{rel}: {error}").format(
                                                   reg_no=t.reg_no, rel=rel, error=out[kind][8:]))
            outcomes[t.reg_no] = out
        try:
            arch.index.delete([t.reg_no for t in tombs])
            index = "removed"
        except Exception as exc:  # noqa: BLE001 - reported; the next run (or `girok reindex`) finishes it
            index = f"failed: {exc}"
            report.problems.append(_("the search index entries could not be removed ({exc}); run dispose again, or "
                                     "`girok reindex`").format(exc=exc))
            report.index = {"deleted": 0, "files": index}
        for t in tombs:
            out = outcomes[t.reg_no]
            out["index"] = index
            tx.set_tombstone_outcome(t.reg_no, outcome=json.dumps(out, ensure_ascii=False),
                                     purged_at=None if any(str(v).startswith("failed") for v in out.values()) else at)
    log.info("removed the files and index entries of %d disposed document(s)", len(tombs))
    if index == "removed":  # after the transaction: a rebuild reads the catalog
        try:
            report.index = {"deleted": len(tombs), "files": _compact_index(arch)}
        except Exception as exc:  # noqa: BLE001 - the entries are gone from search; the bytes need a reindex
            report.index = {"deleted": len(tombs), "files": f"failed: {exc}"}
            report.problems.append(_("the search index files could not be rewritten without the destroyed "
                                     "entries ({exc}); run `girok reindex`").format(exc=exc))
    return index == "removed"


def _compact_index(arch) -> str:
    """After deleting entries: rewrite the index files without them. A deleted entry's words stay in its
    segment's files until the segments are merged; Whoosh merges on request ("merged"), tantivy-py cannot,
    so the index is rebuilt from the catalog, which no longer holds the text ("rebuilt")."""
    if arch.index.compact():
        return "merged"
    from ..archive.indexing import rebuild_index

    rebuild_index(arch)
    return "rebuilt"


# --- step 3: the certificate -------------------------------------------------------------


def _line(t: Tombstone, dec: Decision) -> Line:
    out = json.loads(t.outcome or "{}")
    return Line(t.reg_no, t.doc_type, t.title, t.retention_class, t.completed_on.isoformat(), t.due_on.isoformat(),
                t.doc_date.isoformat() if t.doc_date else "", korean_date(t.captured_at).isoformat(), t.page_count,
                t.original_sha256, out.get("original", ""), t.archival_sha256, out.get("archival", ""),
                out.get("index", ""), dec.review_id, dec.id, korean_date(dec.decided_at).isoformat(), dec.meeting)


def _certify(arch, report: DisposeReport) -> None:
    """Write the certificate of every disposal whose documents are all purged and that has none yet."""
    at = catalog.now()
    with arch.catalog.transaction("the disposal certificate") as tx:
        for d in tx.open_disposals():
            if tx.count_unpurged(d.id):
                continue  # files still to remove: certified once they are gone
            pairs = tx.tombstones_with_decisions(d.id)
            lines = [_line(t, dec) for t, dec in pairs]
            filed = tx.files_of([ln.reg_no for ln in lines])
            for ln in lines:  # the record file and standard number of each item (issue 16)
                item, f = tx.file_item(ln.reg_no), filed.get(ln.reg_no)
                ln.record_no = (item.record_no or "") if item else ""
                ln.file_no, ln.file_title = (f.number, mask_rrn(f.title)) if f else ("", "")
            folder = arch.root / FOLDER
            folder.mkdir(exist_ok=True)
            files, paths = {}, {}
            for suffix, text, enc in (
                (".csv", render_csv(d.number, d.started_at, lines), "utf-8-sig"),
                (".txt", render_text(d.number, d.started_at, d.actor, arch.config.name, arch.root, lines), "utf-8"),
            ):
                path = folder / f"certificate-{d.number}{suffix}"
                write_text(path, text, encoding=enc)
                files[path.name], paths[suffix[1:]] = sha256_file(path), str(path)
            tx.complete_disposal(d.id, at=at, certificate=json.dumps(files, sort_keys=True))
            tx.append_event(at=at, actor=catalog.actor(), action="retention-certificate", reg_no=None,
                         detail={"certificate": d.number, "documents": [ln.reg_no for ln in lines], "files": files})
            report.certificates.append({"number": d.number, "documents": len(lines), **paths})
            log.info("disposal certificate %s written (%d document(s))", d.number, len(lines))


# --- the whole run, and what remains -------------------------------------------------------------


def dispose(arch, *, dry_run: bool = False) -> DisposeReport:
    """Carry out every approved disposal that may be carried out today; with ``dry_run`` only say what."""
    report = DisposeReport(dry_run)
    if dry_run:
        with arch.catalog.reading() as tx:
            report.planned = plan(tx, today())
            report.pending_purge = tx.count_unpurged()
        return report
    forgotten = _execute(arch, report)
    if report.disposed:
        _checkpoint(arch)
    if _purge(arch, report):  # the words other documents still contain come back into the lexicon
        refill_lexicon(arch, forgotten)
    _certify(arch, report)
    return report


def tombstone(arch, reg_no: str, *, tz=None) -> dict | None:
    """What is known of a disposed document (None: it was never disposed of), in the keys of the document
    object (``id``, ``type``, ``date``, ``retention``...); times in ``tz`` (default Korean time) with the offset."""
    with arch.catalog.reading() as tx:
        t = tx.tombstone(reg_no)
        if t is None:
            return None
        dec, disp = tx.decision(t.decision_id), tx.disposal(t.disposal_id)
        return {
            "id": t.reg_no, "disposed": True, "disposed_at": local_iso(t.disposed_at, tz),
            "type": t.doc_type, "title": t.title,
            "retention": {"class": t.retention_class, "completed_on": t.completed_on.isoformat(),
                          "due_on": t.due_on.isoformat() if t.due_on else None},
            "date": t.doc_date.isoformat() if t.doc_date else None,
            "captured_at": local_iso(t.captured_at, tz), "pages": t.page_count,
            "original": {"sha256": t.original_sha256}, "archival": {"sha256": t.archival_sha256},
            "files": json.loads(t.outcome or "{}"),
            "decision": {"id": dec.id, "review": dec.review_id, "meeting": dec.meeting, "note": dec.note,
                         "decided_at": local_iso(dec.decided_at, tz), "by": dec.actor},
            "certificate": {"number": disp.number, "files": json.loads(disp.certificate or "{}")},
        }
