"""The same archive folder on every machine: the archive's id, and a mark of it in each shared folder.

Several machines share one archive folder (NFS or SMB). A machine whose share is not mounted, or mounted
elsewhere, or which points at a copy of the archive, would prepare into a work area nobody reads, or keep
into a store nobody else sees. So the archive has an id (``ARCHIVE/.girok-archive-id``, made the first time
a claiming process starts with a broker) and each folder every machine must share (the store, the work
area, the quarantine) holds the same id in a file of the same name. Every role checks them at start and
refuses clearly when one is missing or says another archive; tasks carry the id too, and a worker refuses
a task of another archive.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from ..errors import ConfigError

MARK = ".girok-archive-id"
SHARED = ("store", "work", "quarantine")
HINT = ("Every machine must see the archive folder itself: mount the share at the same place on each machine "
        "(see README, 'Several machines'), and point --archive / GIROK_ARCHIVE at it.")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` to a new file (never over an existing one); False when it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return True


def archive_id(root: Path) -> str | None:
    return _read(root / MARK)


def ensure_marks(root: Path) -> str:
    """The claiming process: the archive's id, made on first use with a mark in each shared folder; afterwards
    the same check as every other role (``check_marks``)."""
    if archive_id(root) is None:
        found = {m for m in (_read(root / place / MARK) for place in SHARED) if m}
        if len(found) > 1:
            raise ConfigError(f"the store, work area and quarantine of {root} carry the marks of different girok "
                              "archives", hint=HINT)
        new = found.pop() if found else uuid.uuid4().hex  # a set half made by an interrupted start is completed
        for place in SHARED:
            (root / place).mkdir(exist_ok=True)
            _write_new(root / place / MARK, new)
        _write_new(root / MARK, new)  # last: a half-made set is completed next time
    return check_marks(root)


def check_marks(root: Path) -> str:
    """Every role: the archive's id, once the store, work area and quarantine are shown to be this archive's."""
    aid = archive_id(root)
    if aid is None:
        raise ConfigError(f"{root} has no archive id ({MARK}): no claiming process has started with a broker here, "
                          "or this is not the shared archive folder",
                          hint="Start `girok watch` (with [workers] broker or GIROK_REDIS_URL) on the archive's "
                               "machine first, then the workers. " + HINT)
    for place in SHARED:
        found = _read(root / place / MARK)
        if found != aid:
            what = "is missing" if found is None else f"says another archive ({found[:8]}...)"
            raise ConfigError(f"{root / place} is not this archive's shared {place} folder: its mark {MARK} {what} "
                              f"(archive {aid[:8]}...)", hint=HINT)
    return aid
