"""Past disposals (폐기) and their certificates, for reading and downloading by certificate number."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..archive.layout import Archive
from ..errors import NotFound, UsageError
from ..i18n import _
from ..text.times import local_iso

NUMBER_RE = re.compile(r"\d{4}-\d{4}")
FORMATS = ("txt", "csv")


def list_disposals(arch: Archive) -> list[dict]:
    """Disposal runs, newest first: number, started, completed, who, certificate files (name -> SHA-256)."""
    with arch.catalog.reading() as tx:
        rows = tx.disposals()
        return [{"number": d.number, "started_at": local_iso(d.started_at, arch.tz),
                 "completed_at": local_iso(d.completed_at, arch.tz) if d.completed_at else None,
                 "actor": d.actor, "files": json.loads(d.certificate or "{}")} for d in rows]


def certificate_file(arch: Archive, number: str, fmt: str) -> Path:
    """The certificate file of disposal ``number`` (2026-0001) in ``fmt`` (txt or csv), found by its number,
    never by a path; reading it is audited (``view``, what ``certificate``)."""
    from ..retention.certificate import FOLDER

    if not NUMBER_RE.fullmatch(number) or fmt not in FORMATS:
        raise UsageError(_("{name!r} is not a disposal certificate").format(name=f"{number[:20]}.{fmt[:8]}"),
                         hint=_("e.g. 2026-0001.txt"))
    with arch.catalog.reading() as tx:
        d = tx.disposal_by_number(number)
        files = json.loads(d.certificate or "{}") if d else {}
    name = f"certificate-{number}.{fmt}"
    path = arch.root / FOLDER / name
    if name not in files or not path.is_file():
        raise NotFound(_("no disposal certificate {number} ({fmt})").format(number=number, fmt=fmt))
    arch.catalog.add_event("view", reg_no=None, what="certificate", certificate=number, file=name)
    return path
