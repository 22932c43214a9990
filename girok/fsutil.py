"""Small file-system primitives: atomic writes with fsync, hashing."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems (SMB) refuse fsync on directories
    finally:
        os.close(fd)


class HashMismatch(Exception):
    """What was copied does not have the SHA-256 it should have."""


def atomic_copy(src: Path, dest: Path, *, expect_sha256: str | None = None, replace: bool = False) -> None:
    """Copy ``src`` to ``dest`` via a temp file in dest's folder, fsync, link into place.

    Never overwrites: if ``dest`` exists the copy is discarded and
    ``FileExistsError`` raised. With ``expect_sha256``, the copy is hashed
    before it gets its final name, and ``HashMismatch`` raised if it differs,
    so a name in a content-addressed store always matches its content.
    ``replace=True`` (a repair only) renames the verified copy over an existing
    ``dest`` in one step: readers see the old file or the new one, never a mix.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-", suffix=dest.suffix)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            while block := inp.read(CHUNK):
                h.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if expect_sha256 is not None and h.hexdigest() != expect_sha256:
            raise HashMismatch(f"{src} has SHA-256 {h.hexdigest()}, expected {expect_sha256}")
        if replace:
            os.replace(tmp, dest)
        else:
            os.link(tmp, dest)  # fails if dest exists: no overwrite, ever
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    fsync_dir(dest.parent)


def safe_name(name: str, limit: int = 120) -> str:
    """A file name that is safe in any folder: no separators, bounded length."""
    cleaned = "".join("_" if c in '/\\\0:*?"<>|' or ord(c) < 32 else c for c in name).strip(" .")
    if not cleaned:
        cleaned = "file"
    encoded = cleaned.encode("utf-8")
    if len(encoded) > limit:
        stem, dot, ext = cleaned.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        keep = limit - len(ext.encode()) - 1
        stem_b = (stem if dot else cleaned).encode("utf-8")[:keep]
        cleaned = stem_b.decode("utf-8", "ignore") + ("." + ext if ext else "")
    return cleaned


def copy_and_hash(src: Path, dest: Path) -> tuple[str, int]:
    """Copy ``src`` to a new file ``dest`` (fsync'd) and return (sha256, size) of what was copied."""
    h = hashlib.sha256()
    size = 0
    with src.open("rb") as inp, dest.open("xb") as out:
        while block := inp.read(CHUNK):
            h.update(block)
            out.write(block)
            size += len(block)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest(), size


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


FAULT_ENV = "GIROK_FAULT"


_fault_hits: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Test hook, never set in production: ``GIROK_FAULT=NAME[,NAME]`` makes girok fail at point NAME.

    ``enospc-*`` points raise ENOSPC (a full disk); any other named point
    ends the process at once with exit status 137, as SIGKILL or a power cut
    would. Points: after-claim, enospc-store, after-store, after-catalog,
    before-release (see tests/test_e2e_faults.py and test_e2e_disk_full.py). ``NAME@N`` fails the N-th time.
    """
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    if name not in wanted.split(","):  # NAME@N: the N-th time the point is reached (a kill with work in flight)
        nth = next((w.partition("@")[2] for w in wanted.split(",") if w.partition("@")[0] == name), None)
        if nth is None:
            return
        _fault_hits[name] = _fault_hits.get(name, 0) + 1
        if str(_fault_hits[name]) != nth:
            return
    if name.startswith("enospc"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    os._exit(137)
