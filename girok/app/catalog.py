"""The catalog database itself: moving an archive's SQLite catalog to PostgreSQL (``girok catalog migrate``).

The copy and its verification are ``catalog.transfer``; here the archive is held still while it runs
(no ingest, watch or repair: the same locks as ``doctor --fix``), ``doctor`` checks the archive on the
new catalog, and girok.toml may be pointed at it (without the password: girok.toml is copied with the
archive and into every backup).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Callable

from ..archive.layout import Archive
from ..config import CONFIG_NAME, is_postgresql_url, mask_password, without_password
from ..errors import UsageError
from ..fsutil import fsync_dir


def migrate_catalog(arch: Archive, to: str, *, write_config: bool = False,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """Copy the archive's SQLite catalog into the empty PostgreSQL database ``to``, verify it, run a quick
    ``doctor`` on the archive with the new catalog, and (``write_config``) name it in girok.toml.

    Returns what ``girok catalog migrate --json`` prints. Every URL in it has its password masked."""
    from ..catalog.transfer import copy_catalog
    from ..ingest.locks import StoreLock, WatchLock
    from .admin import doctor

    to = to.strip()
    if not is_postgresql_url(to):
        raise UsageError(f"--to must be a PostgreSQL database URL like postgresql://girok@dbhost/girok, got "
                         f"{mask_password(to)!r}",
                         hint="Create the role and the database first (README: \"The catalog on PostgreSQL\").")
    with WatchLock(arch.root), StoreLock(arch.root):  # no ingest, watch or repair while the catalog moves
        report = copy_catalog(arch.catalog, to, detail={"archive": str(arch.root)}, progress=progress)
    result = report.as_dict()

    moved = Archive(dataclasses.replace(arch.config, catalog_url=to))
    try:
        moved.index.ensure()
        checked = doctor(moved, quick=True)
    finally:
        moved.close()
    result["doctor"] = {"ok": checked.ok, "problems": checked.findings}

    result["config_written"] = False
    result["url_for_girok_toml"] = without_password(report.target)
    if write_config:
        _write_catalog_setting(arch.root, without_password(to))
        result["config_written"] = True
    return result


def _write_catalog_setting(root: Path, url: str) -> None:
    """Set ``catalog = "URL"`` under [archive] in girok.toml, keeping everything else as it is (atomic)."""
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    setting = f"catalog = {json.dumps(url)}\n"  # a TOML basic string
    start = next((i for i, line in enumerate(lines) if line.strip() == "[archive]"), None)
    if start is None:
        raise UsageError(f"{path} has no [archive] table; add `{setting.strip()}` under one yourself")
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s*\[", lines[i])), len(lines))
    at = next((i for i in range(start + 1, end) if re.match(r"\s*catalog\s*=", lines[i])), None)
    if at is not None:
        lines[at] = setting
    else:
        example = next((i for i in range(start + 1, end) if re.match(r"\s*#\s*catalog\s*=", lines[i])), None)
        lines.insert((example if example is not None else start) + 1, setting)
    new = "".join(lines)
    if tomllib.loads(new).get("archive", {}).get("catalog") != url:  # pragma: no cover - a safety net
        raise UsageError(f"could not write the catalog setting into {path}; add `{setting.strip()}` yourself")
    tmp = path.with_name(f".tmp-{path.name}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(new)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)
