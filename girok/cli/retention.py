"""`girok retention ...` and `girok hold ...`: parse, call girok.app.retention, render.
Every command is non-interactive (for cron and systemd timers), prints one
line per action on stderr, and with --json one JSON document on stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import StorageError
from ..i18n import _, pgettext
from ..text.times import local  # dates of holds: the day in Korea
from .kit import open_archive, out, print_json, say

retention_app = typer.Typer(
    help=_("Retention schedule, the committee's review and decisions, and lawful disposal (보존기간, 평가, 폐기).\n\n"
           "The yearly cycle: `review --out due.csv` -> the committee fills in `decision` -> "
           "`decide due.csv` -> `dispose --dry-run` -> `dispose`."),
    no_args_is_help=True, rich_markup_mode=None,
)
hold_app = typer.Typer(help=_("Legal holds: held documents are never due and never disposed of."),
                       no_args_is_help=True, rich_markup_mode=None)

JSON_HELP = _("Print JSON on stdout.")


_say = say


def status_word(word: str) -> str:
    """A decision's or disposal's status or action as the console shows it (JSON keeps the English word)."""
    return {"recorded": _("recorded"), "already recorded": _("already recorded"),
            "already disposed of": _("already disposed of"), "dispose": _("dispose"), "reset": _("reset"),
            "defer": _("defer"), "held": _("held"), "not due": _("not due"),
            "superseded": _("superseded")}.get(word, word)


# --- retention ----------------------------------------------------------------------------


@retention_app.command("review")
def review_cmd(
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE",
                                        help=_("List what is due on this day (YYYY-MM-DD; default: today in Korea).")),
    out_file: Optional[Path] = typer.Option(None, "--out", metavar="FILE",
                                            help=_("Write the review file for the committee: .csv (Excel) or .json.")),
    as_json: bool = typer.Option(False, "--json",
                                 help=_("Print the review (or, with --out, its summary) as JSON.")),
) -> None:
    """List what is due for disposal, grouped by class and type; documents on hold are listed apart."""
    from ..app.retention import review

    res = review(open_archive(), as_of=as_of, out_file=out_file)
    rl, when, summary = res.review, res.as_of, res.summary()
    if as_json:
        print_json(summary if out_file else res.as_dict())
        return
    t = Table(pgettext("column", "class 보존기간"), pgettext("column", "type 유형"), pgettext("column", "due 건수"),
              title=_("Review {id}: due as of {when}").format(id=rl.id, when=when))
    for g in summary["groups"]:
        t.add_row(g["class"], g["type"] or "-", str(g["count"]))
    out.print(t)
    _say(_("review {id} ({new}): {due} due, {held} on hold (listed apart), {approved} approved and awaiting "
           "disposal").format(id=rl.id, new=_("new") if rl.created else _("same as before"), due=len(rl.due),
                              held=len(rl.held), approved=len(rl.approved)))
    for i in rl.held:
        _say(_("held        {id} ({cls}, due {due}): ").format(id=i.reg_no, cls=i.retention_class, due=i.due_on)
             + "; ".join(_("hold {hold}: {reason}").format(hold=h, reason=r) for h, r in i.holds))
    if out_file is not None:
        _say(_("wrote {file}: the committee fills in 'decision' (dispose/폐기, reset/재책정 + new_class, "
               "defer/보류 + defer_until), then `girok retention decide {file}`").format(file=out_file))


@retention_app.command("decide")
def decide_cmd(
    file: Path = typer.Argument(..., metavar="FILE", help=_("The review file with the committee's decisions.")),
    meeting: str = typer.Option(..., "--meeting",
                                help=_("The committee meeting, e.g. \"2027년 제1차 기록물평가심의회\".")),
    meeting_date: str = typer.Option(..., "--meeting-date", metavar="DATE",
                                     help=_("The day the committee met (YYYY-MM-DD).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Record the committee's decisions; refuses a file that does not match its review.

    The meeting (name and date) is required. A decision on a record file's row applies to every due item of the
    file that has none of its own. Exit code 13 (RETENTION_REFUSED) when it refuses; nothing is recorded then.
    """
    from ..app.retention import decide

    res = decide(open_archive(), file, meeting=meeting, meeting_date=meeting_date)
    if as_json:
        print_json({"review": res.review, "meeting": res.meeting, "counts": res.counts(),
                    "decisions": [d.as_dict() for d in res.decided]})
        return
    for d in res.decided:
        extra = d.new_class or (d.defer_until.isoformat() if d.defer_until else "")
        held = _("  (on hold: not disposed of while held)") if d.held and d.action == "dispose" else ""
        _say(f"{status_word(d.status):16s} {d.reg_no} {status_word(d.action)} {extra}".rstrip() + held)
    c = res.counts()
    _say(_("review {review}: {dispose} to dispose of, {reset} re-set, {defer} deferred, "
           "{undecided} undecided, {already} recorded before").format(review=res.review, **c))


@retention_app.command("dispose")
def dispose_cmd(
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Only say what would be destroyed; change nothing.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Destroy what the committee approved, is due and is not on hold; write the disposal certificate."""
    from ..app.retention import dispose

    rep = dispose(open_archive(), dry_run=dry_run)
    if as_json:
        print_json({"dry_run": dry_run, "documents": [p.as_dict() for p in rep.planned], "disposed": rep.disposed,
                    "certificates": rep.certificates, "notes": rep.notes, "problems": rep.problems,
                    "pending_purge": rep.pending_purge, "index": rep.index})
    else:
        for p in rep.planned:
            status = _("would dispose") if dry_run and p.status == "dispose" else (
                _("disposed") if p.status == "dispose" else status_word(p.status))
            _say(_("{status:13s} {id} (decision {decision}, review {review})").format(
                status=status, id=p.reg_no, decision=p.decision, review=p.review)
                 + (f": {p.reason}" if p.reason else ""))
        for line in rep.notes:
            _say(_("note: {line}").format(line=line))
        if rep.index.get("deleted"):
            _say(_("search index: {n} entr(y/ies) deleted (search no longer finds them) and the index files "
                   "{how} without them: the destroyed text is in none of them").format(
                       n=rep.index["deleted"], how=_("merged") if rep.index["files"] == "merged" else _("rebuilt"))
                 if rep.index["files"] in ("merged", "rebuilt") else
                 _("search index: {n} entr(y/ies) deleted; rewriting the index files failed ({why}): run `girok "
                   "reindex`").format(n=rep.index["deleted"], why=rep.index["files"]))
        for c in rep.certificates:
            _say(_("certificate {number}: {documents} document(s) -> {txt} and {csv}").format(**c))
        if rep.pending_purge:
            _say(_("{n} disposed document(s) still have files to remove (an earlier run was "
                   "interrupted); `girok retention dispose` finishes them").format(n=rep.pending_purge))
        if not rep.planned and not rep.certificates:
            _say(_("nothing to dispose of"))
    if rep.problems:
        raise StorageError(_("disposal not finished:") + "\n  " + "\n  ".join(rep.problems),
                           hint=_("Fix the cause, then run `girok retention dispose` again; it carries on."))


@retention_app.command("classify")
def classify_cmd(
    ids: Optional[list[str]] = typer.Argument(None, metavar="[ID]...", help=_("Registration numbers.")),
    doc_type: Optional[str] = typer.Option(None, "--type", help=_("Every document of this type.")),
    new_class: Optional[str] = typer.Option(None, "--class", metavar="CLASS",
                                            help=_("영구, 준영구, 30년, 10년, 5년, 3년 or 1년.")),
    completed: Optional[str] = typer.Option(None, "--completed", metavar="DATE",
                                            help=_("When the business was completed (YYYY-MM-DD).")),
    reason: str = typer.Option(..., "--reason", help=_("Why (kept in the audit trail).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Re-classify documents: a new class and/or completion date, audited with the reason."""
    from ..app.retention import classify

    changes = classify(open_archive(), ids or [], doc_type=doc_type, new_class=new_class, completed=completed,
                       reason=reason)
    if as_json:
        print_json({"documents": [c.as_dict() for c in changes]})
        return
    for c in changes:
        if c.changed:
            _say(_("re-classified {id}: {old} -> {new}, completed {completed}, due {due}").format(
                id=c.reg_no, old=c.old_class, new=c.new_class, completed=c.new_completed, due=c.due_on or _('never')))
        else:
            _say(_("unchanged     {id}: already {cls}, completed {completed}").format(
                id=c.reg_no, cls=c.new_class, completed=c.new_completed))


@retention_app.command("schedule")
def schedule_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Show the retention schedule from girok.toml and how many documents each class holds."""
    from ..app.retention import schedule

    sched = schedule(open_archive())
    if as_json:
        print_json(sched)
        return
    t = Table(pgettext("column", "applies to"), pgettext("column", "class 보존기간"),
              title=escape(_("Retention schedule (girok.toml [retention])")))  # [retention] is not markup
    for name, cls in sched["types"].items():
        t.add_row(_("type {name}").format(name=name), cls)
    for name, cls in sched["profiles"].items():
        t.add_row(_("profile {name}").format(name=name), cls)
    t.add_row(_("everything else"), sched["default"])
    out.print(t)
    out.print(_("documents by class: ") + ", ".join(f"{c} {n}" for c, n in sched["documents"].items()))


# --- holds ----------------------------------------------------------------------------------


@hold_app.command("add")
def hold_add(
    ids: Optional[list[str]] = typer.Option(None, "--id", metavar="ID", help=_("A registration number (repeatable; "
                                            "commas allowed).")),
    query: Optional[str] = typer.Option(None, "--query", help=_("Hold every document this search finds now.")),
    files: Optional[list[str]] = typer.Option(None, "--file", metavar="FILE",
                                              help=_("Every document of this record file (id or classification "
                                                     "number; repeatable).")),
    reason: str = typer.Option(..., "--reason",
                               help=_("Why, e.g. \"소송 2026가합1234\" (kept in the audit trail).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Only list what would be held.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Place a legal hold on documents, named by --id or --file, or found by --query."""
    from ..app.retention import add_hold

    added = add_hold(open_archive(), reason=reason, ids=ids, query=query, dry_run=dry_run, files=files)
    info = added.info
    if as_json:
        print_json(added.as_dict())
        return
    verb = _("would hold") if dry_run else _("hold {id}:").format(id=info.id)
    for reg in info.documents:
        _say(f"{verb} {reg}")
    _say((_("would place hold {id} on {n} document(s): {reason}") if dry_run else
          _("placed hold {id} on {n} document(s): {reason}")).format(
        id=info.id or '-', n=len(info.documents), reason=info.reason))
    if added.unindexed:
        _say(_("warning: {n} document(s) are not in the search index yet and could not be found by the "
               "query; run `girok reindex` and add another hold if needed").format(n=added.unindexed))


@hold_app.command("release")
def hold_release(
    hold: int = typer.Argument(..., metavar="HOLD", help=_("The hold's number (see `girok hold list`).")),
    reason: str = typer.Option(..., "--reason", help=_("Why, e.g. \"판결 확정\" (kept in the audit trail).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Release a hold; its documents become due again when their period has run out."""
    from ..app.retention import release_hold

    info, now = release_hold(open_archive(), hold, reason=reason)
    if as_json:
        print_json({**info.as_dict(), "released_now": now})
        return
    _say(_("released hold {id} ({n} document(s))").format(id=info.id, n=len(info.documents)) if now
         else _("hold {id} was already released on {day}").format(id=info.id, day=f"{local(info.released_at):%Y-%m-%d}"))


@hold_app.command("list")
def hold_list(
    all_: bool = typer.Option(False, "--all", help=_("Released holds too.")),
    as_json: bool = typer.Option(False, "--json", help=_("One JSON line per hold, with its documents.")),
) -> None:
    """List holds (active ones unless --all)."""
    from ..app.retention import list_holds

    holds = list_holds(open_archive(), include_released=all_)
    if as_json:
        for h in holds:
            print_json(h.as_dict())
        return
    if not holds:
        _say(_("no holds"))
        return
    t = Table(pgettext("column", "hold"), pgettext("column", "placed"), pgettext("column", "by"),
              pgettext("column", "documents"), pgettext("column", "reason"), pgettext("column", "released"))
    for h in holds:
        t.add_row(str(h.id), f"{local(h.placed_at):%Y-%m-%d}", h.placed_by, str(len(h.documents)), h.reason,
                  f"{local(h.released_at):%Y-%m-%d} ({h.release_reason})" if h.released_at else "")
    out.print(t)
    _held_documents(holds)


def _held_documents(holds) -> None:
    """Which documents each hold holds (and the record files they are in), one line each."""
    from rich.table import Column
    from rich.text import Text

    t = Table(pgettext("column", "hold"), Column(pgettext("column", "ID"), no_wrap=True), pgettext("column", "type"),
              Column(pgettext("column", "file"), no_wrap=True), pgettext("column", "title"),
              title=_("Held documents"))
    for h in holds:
        for d in h.as_dict()["documents"]:
            f = d.get("file")
            t.add_row(str(h.id), Text(d["id"]), Text(d.get("type") or "-"),
                      Text(f"{f['number']} {f['title']}" if f else "-"),
                      Text((_("(disposed of) ") if d.get("disposed") else "") + (d.get("title") or "")))
    if t.row_count:
        out.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
    app.add_typer(hold_app, name="hold")
