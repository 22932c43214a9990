"""Records management commands (issue 16): `girok case`, `girok file ...`, `girok schedule ...`,
`girok retention apply`, `girok inspect ...`, `girok paper ...`, `girok registry export`,
`girok report production`. Parse, call girok.app.files (and app.cases), render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..i18n import _, pgettext
from .kit import open_archive, out, print_json, say


# rich's tables load when a table is drawn, not when `girok` starts (every command imports this module)
def Table(*args, **kwargs):  # noqa: N802
    from rich.table import Table as _Table

    return _Table(*args, **kwargs)


def Column(*args, **kwargs):  # noqa: N802
    from rich.table import Column as _Column

    return _Column(*args, **kwargs)


def Text(*args, **kwargs):  # noqa: N802
    from rich.text import Text as _Text

    return _Text(*args, **kwargs)

file_app = typer.Typer(help=_("Record files (기록물철): the items of one unit task (단위과제) and year, filed by the "
                              "rules of girok.toml [files]."), no_args_is_help=True, rich_markup_mode=None)
schedule_app = typer.Typer(help=_("The office's 기록관리기준표: unit tasks with their retention periods, in "
                                  "versions."), no_args_is_help=True, rich_markup_mode=None)
inspect_app = typer.Typer(help=_("Digitization inspection (검수): each scan checked against its paper; re-scans that "
                                 "supersede a failed one."), no_args_is_help=True, rich_markup_mode=None)
paper_app = typer.Typer(help=_("Paper originals after inspection: which may be destroyed, and recording that they "
                               "were."), no_args_is_help=True, rich_markup_mode=None)
registry_app = typer.Typer(help=_("The registers: 기록물 등록대장 and 기록물철 대장."), no_args_is_help=True,
                           rich_markup_mode=None)
report_app = typer.Typer(help=_("Reports to the records centre: the yearly production report (생산현황 통보)."),
                         no_args_is_help=True, rich_markup_mode=None)

JSON_HELP = _("Print JSON on stdout.")
REASON_HELP = _("Why (kept in the audit trail).")


def _keep(heading: str) -> Column:
    """A column of numbers (registration, classification): never wrapped, whatever the terminal's width."""
    return Column(heading, no_wrap=True)


def _t(value) -> Text:
    return Text("-" if value in (None, "") else str(value))


# --- cases ---------------------------------------------------------------------------------------------------------


def case(
    receipt_no: str = typer.Argument(..., metavar="RECEIPT_NO", help=_("The receipt number (접수번호); spaces do not "
                                                                       "matter.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the case as JSON: receipt_no, count, documents.")),
) -> None:
    """Show a civil-service case: every document with this receipt number and everything scanned in the same batch.

    The application, its 위임장 and supporting documents (등본, ...) together, with each one's record file and
    re-scan links; documents of the same batch without the receipt number are marked "batch".
    """
    from ..app.cases import case as find

    view = find(open_archive(), receipt_no)
    if as_json:
        print_json(view.as_dict())
        return
    t = Table(_keep(pgettext("column", "ID")), _keep(pgettext("column", "registration no.")), pgettext("column", "type"),
              pgettext("column", "applicant"), pgettext("column", "pages"), pgettext("column", "file"),
              pgettext("column", "note"), pgettext("column", "title"),
              title=_("Case {receipt_no}: {n} document(s)").format(receipt_no=view.receipt_no, n=len(view.documents)))
    for d in view.documents:
        notes = []
        if d["in_case"] == "batch":
            notes.append(_("same batch"))
        if d["superseded_by"]:
            notes.append(_("superseded by {id}").format(id=d["superseded_by"]))
        if d["supersedes"]:
            notes.append(_("re-scan of {ids}").format(ids=", ".join(d["supersedes"])))
        t.add_row(_t(d["id"]), _t(d.get("record_no")), _t(d.get("type")), _t(d.get("applicant")), _t(d.get("pages")),
                  _t(d["file"]["number"] if d["file"] else None), _t("; ".join(notes)), _t(d.get("title")))
    out.print(t)


# --- files -----------------------------------------------------------------------------------------------------------


def _file_row(t: Table, f) -> None:
    t.add_row(_t(f.id), _t(f.number), _t(f.title), _t(f.retention_class), _t(f.count),
              _("closed") if f.closed else _("open"))


def _file_table(title: str | None = None) -> Table:
    return Table(pgettext("column", "id"), _keep(pgettext("column", "classification no.")), pgettext("column", "title"),
                 pgettext("column", "class 보존기간"), pgettext("column", "items"), pgettext("column", "state"),
                 title=title)


@file_app.command("list")
def file_list(
    year: Optional[int] = typer.Option(None, "--year", help=_("Only the files of this year.")),
    unit_task: Optional[str] = typer.Option(None, "--unit-task", help=_("Only the files of this unit task.")),
    as_json: bool = typer.Option(False, "--json", help=_("One JSON line per file.")),
) -> None:
    """List record files: classification number, title, retention class, items, open or closed."""
    from ..app.files import file_list as files

    arch = open_archive()
    found = files(arch, year=year, unit_task=unit_task)
    if as_json:
        for f in found:
            print_json(f.as_dict(arch.tz))
        return
    if not found:
        say(_("no record files"))
        return
    t = _file_table()
    for f in found:
        _file_row(t, f)
    out.print(t)


@file_app.command("show")
def file_show(
    ident: str = typer.Argument(..., metavar="FILE", help=_("The file's id or classification number.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the file and its documents as JSON.")),
) -> None:
    """Show a record file and every item filed in it (disposed items too)."""
    from ..app.files import file_show as show

    view = show(open_archive(), ident)
    if as_json:
        print_json(view.as_dict())
        return
    f = view.info
    t = Table(show_header=False, box=None)
    for label, value in ((pgettext("field", "classification no."), f.number), (pgettext("field", "title"), f.title),
                         (pgettext("field", "unit task"), f.unit_task), (pgettext("field", "year"), f.year),
                         (pgettext("field", "volume"), f.volume),
                         (pgettext("field", "class"), f.retention_class or _("(not in the 기록관리기준표)")),
                         (pgettext("field", "state"), _("closed") if f.closed else _("open")),
                         (pgettext("field", "items"), f.count)):
        t.add_row(label, _t(value))
    out.print(t)
    items = Table(_keep(pgettext("column", "ID")), _keep(pgettext("column", "registration no.")), pgettext("column", "type"),
                  pgettext("column", "date"), pgettext("column", "note"), pgettext("column", "title"))
    for d in view.documents:
        note = _("disposed of") if d.get("disposed") else (_("superseded by {id}").format(id=d["superseded_by"])
                                                            if d.get("superseded_by") else "")
        items.add_row(_t(d["id"]), _t(d.get("record_no")), _t(d.get("type")), _t(d.get("date")), _t(note),
                      _t(d.get("title")))
    out.print(items)


@file_app.command("create")
def file_create(
    unit_task: str = typer.Option(..., "--unit-task", help=_("The unit task code (단위과제, 8 characters).")),
    year: int = typer.Option(..., "--year", help=_("The production year.")),
    title: str = typer.Option(..., "--title", help=_("The file's title, e.g. \"2026년 전입신고\".")),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Create a record file by hand (a new serial, volume 1)."""
    from ..app.files import file_create as create

    arch = open_archive()
    f = create(arch, unit_task=unit_task, year=year, title=title, reason=reason)
    if as_json:
        print_json(f.as_dict(arch.tz))
        return
    say(_("created record file {id}: {number} {title}").format(id=f.id, number=f.number, title=f.title))


@file_app.command("move")
def file_move(
    reg_no: str = typer.Argument(..., metavar="ID", help=_("The document's registration number.")),
    to: str = typer.Option(..., "--to", metavar="FILE", help=_("The file to move it to (id or classification "
                                                              "number).")),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """File a document in another record file; it takes that file's retention class (audited)."""
    from ..app.files import file_move as move

    arch = open_archive()
    source, target, moved = move(arch, reg_no, to=to, reason=reason)
    if as_json:
        print_json({"reg": reg_no.strip().upper(), "from": source, "to": target.as_dict(arch.tz), "moved": moved})
        return
    say(_("moved {id}: {source} -> {target}").format(id=reg_no.strip().upper(), source=source or "-",
                                                     target=target.number) if moved else
        _("{id} is already in {target}").format(id=reg_no.strip().upper(), target=target.number))


@file_app.command("close")
def file_close(
    ident: str = typer.Argument(..., metavar="FILE", help=_("The file's id or classification number.")),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Close a record file (종결): nothing more is filed in it; the next item of its unit task and year opens a new
    volume."""
    from ..app.files import file_close as close

    arch = open_archive()
    f, now = close(arch, ident, reason=reason)
    if as_json:
        print_json({**f.as_dict(arch.tz), "closed_now": now})
        return
    say(_("closed record file {number}").format(number=f.number) if now else
        _("record file {number} was already closed").format(number=f.number))


@file_app.command("auto")
def file_auto(
    reason: str = typer.Option("", "--reason", help=_("Why (kept in the audit trail; default: the filing rules).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Number and file every document that is not yet: standard registration numbers ([records] office_code) and
    record files by the rules of girok.toml [files].

    What girok does when a document is archived, for an archive made before, or after the rules changed.
    """
    from ..app.files import file_auto as auto

    arch = open_archive()
    rep = auto(arch, reason=reason)
    if as_json:
        print_json(rep.as_dict(arch.tz))
        return
    for f in rep.created:
        say(_("new file     {number} {title}").format(number=f.number, title=f.title))
    for number in rep.closed:
        say(_("closed (full) {number}").format(number=number))
    say(_("{numbered} document(s) numbered, {filed} filed, {changed} re-classified to their file's class").format(
        numbered=len(rep.numbered), filed=len(rep.filed), changed=len(rep.reclassified)))
    for doc_type, n in sorted(rep.unruled.items()):
        say(_("not filed: {n} document(s) of type {doc_type} (no rule in girok.toml [files.types])").format(
            n=n, doc_type=doc_type))


# --- the 기록관리기준표 ----------------------------------------------------------------------------------------------


@schedule_app.command("load")
def schedule_load(
    file: Path = typer.Argument(..., metavar="FILE.csv", help=_("The 기록관리기준표 as CSV: 단위과제코드, 단위과제명, "
                                                               "보존기간, 보존기간 책정사유.")),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Load the office's 기록관리기준표 as a new version (who, when, which file and why are kept).

    Record files take their class from it; run `girok retention apply` to classify existing files and items.
    """
    from ..app.files import schedule_load as load

    arch = open_archive()
    res = load(arch, file, reason=reason)
    if as_json:
        print_json({"created": res.created, **res.version.as_dict(arch.tz), "added": res.added,
                    "removed": res.removed, "changed": [list(c) for c in res.changed],
                    "files_to_change": res.files_to_change})
        return
    if not res.created:
        say(_("{file} is the current version {version} already; nothing loaded").format(file=file.name,
                                                                                      version=res.version.id))
        return
    say(_("loaded 기록관리기준표 version {version}: {n} unit task(s); {added} added, {removed} removed, {changed} "
          "with a new retention period").format(version=res.version.id, n=len(res.version.tasks),
                                                added=len(res.added), removed=len(res.removed),
                                                changed=len(res.changed)))
    if res.files_to_change:
        say(_("{n} record file(s) have another class under this version: see `girok retention apply --dry-run`, then "
              "`girok retention apply`").format(n=res.files_to_change))


@schedule_app.command("show")
def schedule_show(
    as_json: bool = typer.Option(False, "--json", help=_("Print every version as JSON (one line each).")),
) -> None:
    """Show the current 기록관리기준표 and the versions loaded before it."""
    from ..app.files import schedule_versions

    arch = open_archive()
    found = schedule_versions(arch)
    if as_json:
        for v in found:
            print_json(v.as_dict(arch.tz))
        return
    if not found:
        say(_("no 기록관리기준표 loaded yet: `girok schedule load FILE.csv --reason ...`"))
        return
    for v in found[:-1]:
        say(_("version {version}: {source}, loaded {at} by {by} ({reason})").format(
            version=v.id, source=v.source, at=v.as_dict(arch.tz)["loaded_at"], by=v.loaded_by, reason=v.reason))
    cur = found[-1]
    t = Table(pgettext("column", "unit task"), pgettext("column", "name"), pgettext("column", "class 보존기간"),
              pgettext("column", "reason"),
              title=_("기록관리기준표 version {version} ({source}, {at})").format(
                  version=cur.id, source=cur.source, at=cur.as_dict(arch.tz)["loaded_at"]))
    for task in cur.tasks:
        t.add_row(_t(task.code), _t(task.name), _t(task.retention_class), _t(task.reason))
    out.print(t)


def retention_apply(
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Only say what would change; change nothing.")),
    reason: str = typer.Option("", "--reason", help=_("Why (kept in the audit trail; default: the version).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Classify record files and their items under the current 기록관리기준표 (one audited event per change)."""
    from ..app.files import retention_apply as apply

    res = apply(open_archive(), dry_run=dry_run, reason=reason)
    if as_json:
        print_json(res.as_dict())
        return
    if res.version is None:
        say(_("no 기록관리기준표 loaded: nothing to apply (`girok schedule load FILE.csv --reason ...`)"))
        return
    for f in res.files:
        say((_("would re-class file {number}: {old} -> {new}") if dry_run else
             _("re-classed file {number}: {old} -> {new}")).format(number=f.number, old=f.old_class or "-",
                                                                    new=f.new_class))
    for c in res.documents:
        say((_("would re-classify {id}: {old} -> {new}, due {due}") if dry_run else
             _("re-classified {id}: {old} -> {new}, due {due}")).format(id=c.reg_no, old=c.old_class,
                                                                         new=c.new_class, due=c.due_on or _("never")))
    say(_("기록관리기준표 version {version}: {files} file(s) and {docs} document(s) {verb}").format(
        version=res.version, files=len(res.files), docs=len(res.documents),
        verb=_("would change") if dry_run else _("changed")))
    if res.not_in_schedule:
        say(_("unit tasks of files that the table does not list (their class is left): {codes}").format(
            codes=", ".join(res.not_in_schedule)))
    if res.unfiled:
        say(_("{n} document(s) are in no record file, so the table does not reach them: `girok file auto`").format(
            n=res.unfiled))


# --- inspection and paper ----------------------------------------------------------------------------------------


def _inspect(result: str, target: str, reason: str, batch: bool, as_json: bool) -> None:
    from ..app.files import inspect

    arch = open_archive()
    done = inspect(arch, target, result, reason=reason, batch=batch)
    if as_json:
        print_json({"result": result, "inspections": [i.as_dict(arch.tz) for i in done]})
        return
    word = _("passed") if result == "pass" else _("failed")
    for i in done:
        say(f"{word:8s} {i.reg_no}: {i.reason}")


TARGET_HELP = _("A registration number, or a receipt number (every document of the case).")
BATCH_HELP = _("Also every document scanned in the same batch.")


@inspect_app.command("pass")
def inspect_pass(
    target: str = typer.Argument(..., metavar="ID-or-RECEIPT", help=TARGET_HELP),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    batch: bool = typer.Option(False, "--batch", help=BATCH_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record that the scan matches its paper (검수 합격); the paper may be destroyed after the keeping time."""
    _inspect("pass", target, reason, batch, as_json)


@inspect_app.command("fail")
def inspect_fail(
    target: str = typer.Argument(..., metavar="ID-or-RECEIPT", help=TARGET_HELP),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    batch: bool = typer.Option(False, "--batch", help=BATCH_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record that the scan does not match its paper (검수 불합격): re-scan it, then `girok inspect supersede`."""
    _inspect("fail", target, reason, batch, as_json)


@inspect_app.command("list")
def inspect_list(
    state: str = typer.Option("open", "--state", help=_("open (not inspected, or failed), all, pending, pass, fail "
                                                        "or superseded.")),
    as_json: bool = typer.Option(False, "--json", help=_("One JSON line per document.")),
) -> None:
    """List documents by inspection state: who inspected them, when, with what result."""
    from ..app.files import inspection_list

    arch = open_archive()
    found = inspection_list(arch, which=state)
    if as_json:
        for s in found:
            print_json(s.as_dict(arch.tz))
        return
    if not found:
        say(_("no documents in that state"))
        return
    t = Table(_keep(pgettext("column", "ID")), pgettext("column", "state"), pgettext("column", "when"),
              pgettext("column", "by"), pgettext("column", "reason"), pgettext("column", "note"))
    for s in found:
        d = s.as_dict(arch.tz)
        note = _("re-scan suggested") if s.rescan_suggested else ""
        if s.superseded_by:
            note = _("superseded by {id}").format(id=s.superseded_by)
        t.add_row(_t(s.reg_no), _t(_state_word(s.state)), _t(d["inspection"]["at"][:16] if s.last else None),
                  _t(s.last.actor if s.last else None), _t(s.last.reason if s.last else None), _t(note))
    out.print(t)


def _state_word(state: str) -> str:
    return {"pending": _("not inspected"), "pass": _("passed"), "fail": _("failed"),
            "superseded": _("superseded")}.get(state, state)


@inspect_app.command("supersede")
def inspect_supersede(
    old: str = typer.Argument(..., metavar="ID", help=_("The failed or flagged document.")),
    by: str = typer.Option(..., "--by", metavar="NEW-ID", help=_("Its re-scan.")),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Link a re-scan to the document it replaces: both stay archived, the registers count the re-scan only."""
    from ..app.files import supersede

    arch = open_archive()
    s = supersede(arch, old, by=by, reason=reason)
    if as_json:
        print_json(s.as_dict(arch.tz))
        return
    say(_("{old} is superseded by its re-scan {new}").format(old=s.old, new=s.new))


@paper_app.command("due")
def paper_due(
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE", help=_("Due on this day (default today).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """List the paper originals that may be destroyed: inspection passed, kept long enough, not on hold."""
    from ..app.files import paper_due as due

    arch = open_archive()
    res = due(arch, as_of=as_of)
    if as_json:
        print_json({"as_of": res.as_of.isoformat(), "due": [s.as_dict(arch.tz) for s in res.due],
                    "held": [{**s.as_dict(arch.tz), "holds": [{"hold": h, "reason": r} for h, r in holds]}
                             for s, holds in res.held]})
        return
    for s in res.due:
        say(_("due         {id} (inspection passed {day}, paper kept until {due})").format(
            id=s.reg_no, day=s.as_dict(arch.tz)["inspection"]["at"][:10], due=s.paper_due_on))
    for s, holds in res.held:
        say(_("held        {id}: ").format(id=s.reg_no) + "; ".join(
            _("hold {hold}: {reason}").format(hold=h, reason=r) for h, r in holds))
    say(_("{n} paper original(s) may be destroyed as of {day}").format(n=len(res.due), day=res.as_of))


@paper_app.command("destroyed")
def paper_destroyed(
    ids: list[str] = typer.Argument(..., metavar="ID...", help=_("Registration numbers (commas allowed).")),
    reason: str = typer.Option(..., "--reason", help=REASON_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record that the paper originals of these documents were destroyed (each must be due)."""
    from ..app.files import paper_destroyed as record

    done = record(open_archive(), ids, reason=reason)
    if as_json:
        print_json({"ids": done})
        return
    say(_("paper destroyed: {n} document(s) recorded").format(n=len(done)) + (f": {', '.join(done)}" if done else ""))


# --- registers and reports -----------------------------------------------------------------------------------------


@registry_app.command("export")
def registry_export(
    year: int = typer.Option(..., "--year", help=_("The production year.")),
    out_dir: Path = typer.Option(..., "--out", metavar="DIR", help=_("Folder for the CSV files.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write the year's 기록물 등록대장 and 기록물철 대장 as CSV (Excel: UTF-8 with BOM, Korean headings)."""
    from ..app.files import registry_export as export

    res = export(open_archive(), year=year, out_dir=out_dir)
    if as_json:
        print_json(res)
        return
    say(_("wrote {registry} ({items} item(s)) and {file_registry} ({files} file(s))").format(**res))


@report_app.command("production")
def report_production(
    year: int = typer.Option(..., "--year", help=_("The production year.")),
    out_dir: Path = typer.Option(..., "--out", metavar="DIR", help=_("Folder for the report files.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Write the year's production report (생산현황 통보) in the RMS text layout: PROD_GFILE, PROD_DOC, PROD_PAGE,
    PROD_GFILEHIST (EUC-KR, NUL between fields) and the PROD_REPORT envelope.

    Check the layout with your records centre before the first report (README).
    """
    from ..app.files import production_report as write

    res = write(open_archive(), year=year, out_dir=out_dir)
    if as_json:
        print_json(res)
        return
    for f in res["files"]:
        say(_("{kind:15s} {records} record(s) -> {path}").format(**f))
    say(_("envelope: {envelope}").format(**res))
    if res["unencodable"]:
        say(_("warning: {n} character(s) EUC-KR cannot hold were written as '?'").format(n=res["unencodable"]))


def register(app: typer.Typer) -> None:
    from .retention import retention_app

    app.command("case")(case)
    app.add_typer(file_app, name="file")
    app.add_typer(schedule_app, name="schedule")
    retention_app.command("apply")(retention_apply)
    app.add_typer(inspect_app, name="inspect")
    app.add_typer(paper_app, name="paper")
    app.add_typer(registry_app, name="registry")
    app.add_typer(report_app, name="report")
