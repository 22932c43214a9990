"""Per-document work folders under ARCHIVE/work, and cleaning up after a crash.

Each folder holds ``owner.json`` (pid, host, source). A folder whose owner
process is gone was left by an interruption: its source is still in its hot
folder (sources are removed only after commit), so the folder can go.
When several machines share the work area, only the owner's machine can
tell whether its pid lives: a folder of another host is never judged here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import uuid
from pathlib import Path

from ..fsutil import pid_alive


def new_work_dir(work_root: Path, source: Path) -> Path:
    job_id = uuid.uuid4().hex[:12]
    d = work_root / job_id
    d.mkdir(parents=True)
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "source": str(source)}
    (d / "owner.json").write_text(json.dumps(owner, ensure_ascii=False))
    return d


def orphaned(work_root: Path) -> list[Path]:
    found = []
    if not work_root.exists():
        return found
    here = socket.gethostname()
    for d in sorted(work_root.iterdir()):
        if not d.is_dir():
            continue
        try:
            owner = json.loads((d / "owner.json").read_text())
            pid, host = owner.get("pid", 0), owner.get("host") or here
        except (OSError, ValueError, AttributeError):
            pid, host = 0, here
        if host != here:
            continue  # another machine's claim: its own start-up (or its doctor) judges it
        if not pid or not pid_alive(int(pid)):
            found.append(d)
    return found


def clean_orphans(work_root: Path) -> list[Path]:
    gone = orphaned(work_root)
    for d in gone:
        shutil.rmtree(d, ignore_errors=True)
    return gone
