"""Who may write the store: every ingest and watch (shared), or `girok doctor --fix` (alone).

Between storing a file and committing its record, a stored file is not yet
in the catalog; `doctor --fix` removes such files when an interruption left
them behind. So while any ingest runs, it must not: each Ingestor holds a
shared flock on ARCHIVE/store.lock, and the repair takes it exclusively or
refuses. The OS drops the lock when a process dies, however it dies.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from ..errors import ArchiveLocked

LOCK_NAME = "store.lock"


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
                "girok is archiving into this archive right now (a `girok ingest` or `girok watch` runs)"
                if exclusive else "`girok doctor --fix` is repairing this archive right now",
                hint="Wait until it has finished (or stop it), then run the command again.",
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
