"""The archive's locks: one `girok watch` per archive (WatchLock), who may write the store (StoreLock), and one
writer of the search index besides the claiming process's own (IndexerLock: `girok indexer`, `girok reindex`,
`girok doctor --fix`).

Who may write the store: every ingest and watch (shared), or `girok doctor --fix` (alone).

Between storing a file and committing its record, a stored file is not yet
in the catalog; `doctor --fix` removes such files when an interruption left
them behind. So while any ingest runs, it must not: each Ingestor holds a
shared flock on ARCHIVE/store.lock, and the repair takes it exclusively or
refuses. The OS drops the lock when a process dies, however it dies.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..errors import ArchiveLocked
from ..i18n import _

LOCK_NAME = "store.lock"
WATCH_LOCK_NAME = "watch.lock"  # holds "pid N" of the running watcher (read by `girok status`)
INDEXER_LOCK_NAME = "indexer.lock"  # holds "pid N on HOST" of the one `girok indexer`


class StoreLock:
    def __init__(self, root: Path):
        self.path = root / LOCK_NAME
        self.fh = None

    def acquire(self, *, exclusive: bool) -> StoreLock:
        self.fh = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(self.fh, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise ArchiveLocked(
                _("girok is archiving into this archive right now (a `girok ingest` or `girok watch` runs)")
                if exclusive else _("`girok doctor --fix` is repairing this archive right now"),
                hint=_("Wait until it has finished (or stop it), then run the command again."),
            ) from None
        return self

    def release(self) -> None:
        if self.fh is not None:
            self.fh.close()  # closing drops the flock
            self.fh = None

    def __enter__(self):
        return self.acquire(exclusive=True)

    def __exit__(self, *exc):
        self.release()


class HolderLock:
    """One holder per archive of a role (``girok watch``, ``girok indexer``): an exclusive flock on a file in the
    archive that names its holder; a second one is refused with the holder's name and ``hint``."""

    name = ""  # the lock file, in the archive folder
    who = ""  # the role, as the refusal names it

    def __init__(self, root: Path):
        self.path = root / self.name
        self.fh = None

    def refused(self, holder: str) -> ArchiveLocked:
        raise NotImplementedError

    def holder(self) -> str:
        return f"pid {os.getpid()}"

    def __enter__(self):
        self.fh = open(self.path, "a+")  # noqa: SIM115 - held until __exit__
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "another process"
            self.fh.close()
            raise self.refused(holder) from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(self.holder() + "\n")
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        if self.fh:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()


class WatchLock(HolderLock):
    """One `girok watch` per archive: a second one is refused with a clear message."""

    name = WATCH_LOCK_NAME

    def refused(self, holder: str) -> ArchiveLocked:
        return ArchiveLocked(
            _("another `girok watch` is already watching this archive ({holder})").format(holder=holder),
            hint=_("One watcher per archive takes every hot folder; stop the other one first (or leave it "
                   "running: it is doing the work)."),
        )


class IndexerLock(HolderLock):
    """One writer of the search index at a time (Whoosh and Tantivy allow one): `girok indexer` (several machines:
    the claiming process leaves the index to it), and `girok reindex` and `girok doctor --fix`, which rebuild it
    or catch it up. ``command`` is who takes it; the holder names the command and the machine."""

    name = INDEXER_LOCK_NAME

    def __init__(self, root: Path, command: str = "girok indexer"):
        super().__init__(root)
        self.command = command

    def holder(self) -> str:
        return f"`{self.command}`, pid {os.getpid()} on {os.uname().nodename}"

    def refused(self, holder: str) -> ArchiveLocked:
        if self.command == "girok indexer" and holder.startswith("`girok indexer`"):
            hint = _("One indexer per archive writes the search index; stop the other one first (or leave it "
                     "running).")
        elif self.command == "girok indexer":  # a reindex or a repair writes it
            hint = _("Start `girok indexer` again once that command has finished.")
        else:
            hint = _("One process at a time writes the search index: stop `girok indexer` (on the machine named) "
                     "while `{command}` runs and start it again afterwards, or let the other command finish; then "
                     "run this again.").format(command=self.command)
        return ArchiveLocked(_("the search index of this archive is being written right now by {holder}").format(
                                 holder=holder), hint=hint)
