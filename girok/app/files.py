"""Records management as records officers practise it (issue 16), as use cases: record files (기록물철) and
standard registration numbers, the office's 기록관리기준표 and applying it, digitization inspection (검수) and
paper originals, the registry (등록대장) and the yearly production report (생산현황 통보).

Arguments arrive as the person typed them (strings) and are checked here or in girok.retention, so every
front end refuses the same things with the same words. Every change is an audit event with its actor and
reason (girok.retention writes them in the same transaction as the change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..archive.layout import Archive
from ..errors import UsageError
from ..i18n import _
from .shapes import documents_json


# --- files and numbers -----------------------------------------------------------------------------------------


def file_auto(arch: Archive, *, reason: str = ""):
    """Number every document without a standard number and file every unfiled document by girok.toml
    ``[files]``; returns ``retention.files.FilingReport``."""
    from ..retention.files import file_documents
    from ..retention.recordsconf import load_records_config

    load_records_config(arch.root).need_office_code()  # say so, rather than do nothing
    return file_documents(arch, reason=reason)


def file_list(arch: Archive, *, year: int | None = None, unit_task: str | None = None) -> list:
    from ..retention.files import list_files

    return list_files(arch, year=year, unit_task=unit_task)


@dataclass
class FileView:
    info: object  # retention.files.FileInfo
    documents: list[dict] = field(default_factory=list)  # document objects (a disposed one: its tombstone's)
    tz: object = None

    def as_dict(self) -> dict:
        return {**self.info.as_dict(self.tz), "documents": self.documents}


def file_show(arch: Archive, ident: str) -> FileView:
    from ..retention.files import file_detail

    info, items = file_detail(arch, ident)
    docs = documents_json(arch, [i.reg_no for i in items])
    for d, i in zip(docs, items):
        d["superseded_by"] = i.superseded_by
    return FileView(info, docs, arch.tz)


def file_create(arch: Archive, *, unit_task: str, year: int, title: str, reason: str):
    from ..retention.files import create_file

    return create_file(arch, unit_task=unit_task.strip(), year=year, title=title, reason=reason)


def file_move(arch: Archive, reg_no: str, *, to: str, reason: str):
    from ..retention.files import move_item

    return move_item(arch, reg_no, to, reason=reason)


def file_close(arch: Archive, ident: str, *, reason: str):
    from ..retention.files import close_file

    return close_file(arch, ident, reason=reason)


# --- the 기록관리기준표 --------------------------------------------------------------------------------------------


def schedule_load(arch: Archive, path: Path, *, reason: str):
    from ..retention.unittasks import load

    if not path.is_file():
        raise UsageError(_("{file}: no such file").format(file=path))
    return load(arch, path, reason=reason)


def schedule_versions(arch: Archive) -> list:
    from ..retention.unittasks import versions

    return versions(arch)


def retention_apply(arch: Archive, *, dry_run: bool = False, reason: str = ""):
    from ..retention.unittasks import apply

    return apply(arch, dry_run=dry_run, reason=reason)


# --- inspection and paper -----------------------------------------------------------------------------------------


def inspect(arch: Archive, target: str, result: str, *, reason: str, batch: bool = False) -> list:
    from ..retention.inspection import inspect as record

    return record(arch, target, result, reason=reason, batch=batch)


def inspection_list(arch: Archive, *, which: str = "open") -> list:
    from ..retention.inspection import states

    if which not in ("open", "all", "pending", "pass", "fail", "superseded"):
        raise UsageError(_("--state must be open, all, pending, pass, fail or superseded, not {which!r}").format(
                             which=which))
    return states(arch, which=which)


def supersede(arch: Archive, old: str, *, by: str, reason: str):
    from ..retention.inspection import supersede as link

    return link(arch, old, by, reason=reason)


def paper_due(arch: Archive, *, as_of: str | None = None):
    from ..retention.inspection import paper_due as due
    from ..retention.schedule import parse_date

    return due(arch, as_of=parse_date(as_of, "--as-of") if as_of else None)


def paper_destroyed(arch: Archive, ids: list[str], *, reason: str) -> list[str]:
    from ..retention.inspection import paper_destroyed as record

    return record(arch, ids, reason=reason)


# --- registry and the production report -----------------------------------------------------------------------------


def registry_export(arch: Archive, *, year: int, out_dir: Path) -> dict:
    from ..retention.registry import export_registry

    return export_registry(arch, year=year, out_dir=out_dir)


def production_report(arch: Archive, *, year: int, out_dir: Path) -> dict:
    from ..retention.registry import production_report as write

    return write(arch, year=year, out_dir=out_dir)
