"""Which files in a hot folder are ready to take.

A file is taken only when its name is not a temporary one and its size and
mtime have stayed the same for the profile's ``stable_seconds``: scanners
and copies over SMB write in chunks, and network shares send no events.
"""

from __future__ import annotations

import fnmatch
import os
import time
from dataclasses import dataclass
from pathlib import Path

TEMP_PATTERNS = ("*.tmp", "~$*", ".*", "*.part", "*.crdownload", "*.partial", "*.swp", "Thumbs.db", "desktop.ini")
# Written by girok itself next to hot folders' files; never inputs.
OWN_SUFFIXES = (".reason.txt",)


def is_temp_name(name: str) -> bool:
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, p.lower()) for p in TEMP_PATTERNS) or low.endswith(OWN_SUFFIXES)


def candidate_files(folder: Path):
    """Regular files below ``folder`` (recursively) whose names are not temporary."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not is_temp_name(name):
                p = Path(dirpath) / name
                if p.is_file() and not p.is_symlink():
                    yield p


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class StabilityTracker:
    """Remembers each path's last (size, mtime) and since when it has not changed."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._seen: dict[Path, _Seen] = {}

    def observe(self, path: Path, stable_seconds: float) -> bool:
        """True when ``path`` has been unchanged for ``stable_seconds``."""
        try:
            st = path.stat()
        except FileNotFoundError:
            self._seen.pop(path, None)
            return False
        now = self.clock()
        prev = self._seen.get(path)
        if prev is None or prev.size != st.st_size or prev.mtime_ns != st.st_mtime_ns:
            self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
            return stable_seconds <= 0 and st.st_size > 0 and prev is not None
        return now - prev.since >= stable_seconds

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def tracked(self) -> list[Path]:
        return list(self._seen)
