"""Running an archive: create and open it, its status, doctor (checks and safe repairs), reindex."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..archive.layout import Archive
from ..i18n import N_, _, translate


def open_archive(path: Path, *, log_to_file: bool = True) -> Archive:
    """Open the archive at ``path`` (exit 4 if it is none), logging to its logs/ folder."""
    arch = Archive.open(path)
    if log_to_file:
        arch.setup_logging()
    return arch


def init_archive(path: Path, *, name: str | None = None, prefix: str = "GR") -> Archive:
    """Create a new archive: config, scanner profiles, catalog, index, hot folders (the init event recorded)."""
    return Archive.create(path, name=name, prefix=prefix)


def status(arch: Archive) -> dict:
    """Queue, work in hand, quarantine and the last hour's throughput (``girok status --json``)."""
    from .status import archive_status

    return archive_status(arch)


def reindex(arch: Archive, *, engine: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the search index from the catalog aside, then switch; returns the number of documents indexed.
    Refused (ArchiveLocked, exit 5) while `girok indexer` writes the index: one writer at a time."""
    from ..archive.indexing import rebuild_index
    from ..ingest.locks import IndexerLock

    with IndexerLock(arch.root, "girok reindex"):
        return rebuild_index(arch, engine=engine, progress=progress)


def document_count(arch: Archive) -> int:
    return arch.catalog.counts()["documents"]


QUICK_SAMPLE = 100  # files `doctor --quick` re-hashes (every file is still looked for and its size compared)
RESTORE = N_("restore it with `girok restore BAG-or-FILE` (a bag from `girok export`, or a backup copy)")


@dataclass
class Finding:
    """One problem: what and where, what to do, and whether ``doctor --fix`` repairs it."""

    kind: str  # work | orphan | unfinished | unindexed | index | missing | changed | unreadable | audit
    what: str
    todo: str = ""
    repairable: bool = False
    documents: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        return f"{self.what}: {self.todo}" if self.todo else self.what

    def as_dict(self) -> dict:
        return {"kind": self.kind, "what": self.what, "todo": self.todo, "repairable": self.repairable,
                "ids": self.documents}


@dataclass
class DoctorReport:
    """What doctor checked, what it did not, what it found (and, with ``fix``, what is left)."""

    issues: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    fixity: dict = field(default_factory=dict)  # the fixity summary (FixityReport.summary())
    audit: dict = field(default_factory=dict)  # the chain report (ChainReport.as_dict())
    fixed: bool = False

    @property
    def findings(self) -> list[str]:
        """One line each: what and where, then what to do."""
        return [f.line for f in self.issues]

    @property
    def remaining(self) -> list[Finding]:
        """Problems still there: after a repair, those doctor never repairs (damaged files, a broken trail)."""
        return [f for f in self.issues if not f.repairable] if self.fixed else self.issues

    @property
    def problems(self) -> int:
        return len(self.remaining)

    @property
    def ok(self) -> bool:
        return not self.remaining

    def as_dict(self) -> dict:
        return {"ok": self.ok, "fixed": self.fixed, "problems": self.problems,
                "findings": [f.as_dict() for f in self.issues], "checked": self.checked,
                "not_checked": self.not_checked, "fixity": self.fixity, "audit": self.audit}


def doctor(arch: Archive, *, fix: bool = False, quick: bool = False,
           progress: Callable[[int, int], None] | None = None) -> DoctorReport:
    """Check the archive: work folders, the audit chain, fixity (store vs catalog, every file re-hashed,
    or with ``quick`` a sample of QUICK_SAMPLE), index vs catalog; say what was and was not checked.

    The fixity check is written to the audit trail like `girok fixity check`. With ``fix``, repair what is
    safe to repair (clean work folders, remove unreferenced and half-written store files, catch up or
    rebuild the index) while holding the watch, store and indexer locks, so that no running ingest loses a file
    that is a moment from being committed, nor `girok indexer` writes the index meanwhile (another girok
    running: ArchiveLocked, exit 5). A missing or
    changed stored file or a broken audit trail is never "repaired" here: it stays a problem, with what to
    do (`girok restore`, restoring the catalog from backup).
    """
    from ..archive import fixity
    from ..archive.indexing import catch_up_index, index_problems, rebuild_index
    from ..archive.trail import check_chain
    from ..ingest.workarea import clean_orphans, orphaned

    report = DoctorReport()
    orphans = orphaned(arch.work_dir)
    report.issues += [Finding("work", _("abandoned work folder: {path}").format(path=o),
                              _("`girok doctor --fix` removes it"), True) for o in orphans]
    report.checked.append(_("work folders: {n} abandoned").format(n=len(orphans)))

    chain = check_chain(arch.catalog, note=_full_fixity)
    report.audit = chain.as_dict()
    if chain.ok:
        report.checked.append(_("audit trail: {n} event(s), hash chain intact (head: event {id}, hash {hash})").format(
            n=chain.verdict.events, id=chain.head_id, hash=chain.head_hash))
    else:
        report.issues.append(Finding(
            "audit", _("audit trail broken: {problem}").format(problem=chain.problem),
            _("keep catalog.sqlite as it is for investigation and compare it with its backups and your "
              "recorded head hashes (`girok audit verify`, exit 20)")))
        report.checked.append(_("audit trail: hash chain checked, broken at event {id}").format(
            id=chain.verdict.first_bad_id))

    sample = QUICK_SAMPLE if quick else None
    fx = fixity.check(arch, sample=sample, progress=progress, note={"by": "doctor"})
    report.fixity = fx.summary()
    for p in fx.problems:
        where = f"{p.path} ({', '.join(p.reg_nos)})" if p.reg_nos else p.path
        if p.kind == "orphan":
            report.issues.append(Finding("orphan", _("stored file not in catalog (left by an interrupted ingest): ")
                                         + p.path.removeprefix("store/"), _("`girok doctor --fix` removes it"), True))
        elif p.kind == "unreadable":
            report.issues.append(Finding(p.kind, _("unreadable: {where} ({detail})").format(where=where, detail=p.detail),
                                         _("check the disk and the file's permissions; if the file is damaged, ")
                                         + translate(RESTORE), documents=p.reg_nos))
        else:
            report.issues.append(Finding(p.kind, f"{problem_word(p.kind)}: {where}", translate(RESTORE),
                                         documents=p.reg_nos))
    report.checked.append(
        _("store vs catalog: {files} catalogued file(s) looked for and their sizes compared, {hashed} "
          "re-hashed against their SHA-256 ({size}), files the catalog does not know listed "
          "(written to the audit trail as a fixity check)").format(files=fx.files, hashed=fx.hashed,
                                                                   size=_size(fx.bytes_hashed)))
    if quick:
        present = fx.files - len(fx.of_kind("missing")) - sum(
            1 for p in fx.of_kind("changed") if p.detail.startswith("size "))  # those are never re-hashed
        skipped = max(0, present - QUICK_SAMPLE)
        last = chain.last.get("full-fixity")
        when = ((_("the last check of every file was at {at}, no problems") if last["detail"].get("ok") else
                 _("the last check of every file was at {at}, with problems")).format(at=last['at']) if last
                else _("no check of every file is in the audit trail"))
        if skipped:
            report.not_checked.append(
                _("{skipped} stored file(s) not re-hashed (--quick re-hashes {sample} at random; {when}): "
                  "run `girok doctor` without --quick, or `girok fixity check`").format(
                    skipped=skipped, sample=QUICK_SAMPLE, when=when))

    unfinished = [str(p.relative_to(arch.store.root)) for p in arch.store.temp_files()]
    report.issues += [Finding("unfinished", _("unfinished copy in the store (a write was interrupted): {path}").format(
                                  path=u), _("`girok doctor --fix` removes it"), True) for u in unfinished]
    unindexed = arch.catalog.counts()["unindexed"]
    if unindexed:
        report.issues.append(Finding("unindexed", _("{n} document(s) not yet in the search index").format(n=unindexed),
                                     _("`girok doctor --fix` indexes them"), True))
    index_issues, needs_reindex = index_problems(arch)
    report.issues += [Finding("index", i, _("`girok doctor --fix` rebuilds the index"), True) for i in index_issues]
    report.checked.append(_("search index vs catalog: documents waiting, number of documents, unusable or "
                            "half-built index folders"))
    report.not_checked += [
        _("the audit trail against a head hash recorded outside the archive (a trail rewritten with "
          "recomputed hashes passes the chain check): `girok audit verify --expect HASH`"),
        _("the catalog's own data (titles, page texts, dates) beyond the audit trail, and catalog.sqlite "
          "backups"),
        _("what is in the search index (each document's text): `girok reindex` rebuilds it from the catalog"),
        _("whether the archival copies are valid PDF/A, and exported bags and backups outside the archive"),
    ]
    if fix:
        from ..ingest.locks import IndexerLock, StoreLock, WatchLock

        with WatchLock(arch.root), StoreLock(arch.root), IndexerLock(arch.root, "girok doctor --fix"):
            clean_orphans(arch.work_dir)
            arch.index.remove_stale()
            if needs_reindex:
                rebuild_index(arch)
            catch_up_index(arch)
            for p in fx.of_kind("orphan"):
                arch.store.resolve(p.path.removeprefix("store/")).unlink(missing_ok=True)
            for tmp in arch.store.temp_files():  # no writer runs now: every one is left over
                tmp.unlink(missing_ok=True)
        report.fixed = True
    return report


def _full_fixity(ev) -> str | None:
    """The audit events doctor keeps while it verifies the chain: the last fixity check of every file."""
    if ev.action != "fixity":
        return None
    import json

    try:
        return "full-fixity" if json.loads(ev.detail).get("sample") is None else None
    except (ValueError, AttributeError):
        return None


def problem_word(kind: str) -> str:
    """A fixity problem's kind as a finding names it (JSON keeps the kind itself)."""
    return {"missing": _("missing"), "changed": _("changed")}.get(kind, kind)


def _size(n: int) -> str:
    if n < 1024:
        return _("{n} bytes").format(n=n)
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}"
    return ""
