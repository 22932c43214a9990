"""How far a worker is with a file, told to the process that shows it: a small file in the job's work folder.

The worker writes ``progress.json`` (replaced whole, so a reader never sees half of it) as pages are read;
the main process reads it while it waits for the result. Nothing more than a file in the work folder, so
the executor seam stays as it is: workers that see the work folder report progress, others report nothing.
Progress is for the eyes only: a write or read that fails is ignored, never a failed file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

NAME = "progress.json"


@dataclass(frozen=True)
class Progress:
    """``done`` of ``pages`` pages of a file read (separator sheets and blank pages are not read)."""

    source: str  # where the file came from
    done: int
    pages: int


def write(work_dir: Path, *, done: int, pages: int) -> None:
    try:
        tmp = work_dir / f".{NAME}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps({"done": done, "pages": pages}), encoding="utf-8")
        tmp.replace(work_dir / NAME)
    except OSError:
        log.debug("could not write progress in %s", work_dir, exc_info=True)


def read(work_dir: Path) -> tuple[int, int] | None:
    """(done, pages), or None when there is no (readable) progress yet. A remote worker prepares in a run folder
    of its own inside the job's (girok.distributed.jobs): the newest run's progress is read then."""
    path = work_dir / NAME
    try:
        if not path.exists():
            runs = [p / NAME for p in work_dir.glob("run-*") if (p / NAME).exists()]
            path = max(runs, key=lambda p: p.stat().st_mtime) if runs else path
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["done"]), int(data["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
