"""Per-document work folders under ARCHIVE/work, and cleaning up after a crash.

Each folder holds ``owner.json`` (pid, source). A folder whose owner
process is gone was left by an interruption: its source is still in its hot
folder (sources are removed only after commit), so the folder can go.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from ..fsutil import pid_alive


def new_work_dir(work_root: Path, source: Path) -> Path:
    job_id = uuid.uuid4().hex[:12]
    d = work_root / job_id
    d.mkdir(parents=True)
    (d / "owner.json").write_text(json.dumps({"pid": os.getpid(), "source": str(source)}, ensure_ascii=False))
    return d


def orphaned(work_root: Path) -> list[Path]:
    found = []
    if not work_root.exists():
        return found
    for d in sorted(work_root.iterdir()):
        if not d.is_dir():
            continue
        try:
            pid = json.loads((d / "owner.json").read_text()).get("pid", 0)
        except (OSError, ValueError):
            pid = 0
        if not pid or not pid_alive(int(pid)):
            found.append(d)
    return found


def clean_orphans(work_root: Path) -> list[Path]:
    gone = orphaned(work_root)
    for d in gone:
        shutil.rmtree(d, ignore_errors=True)
    return gone
