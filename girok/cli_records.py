"""Commands for the record keeper: audit trail and fixity (``register(app)``)."""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .clikit import err, open_archive, out, print_json
from .errors import AuditBroken, FixityFailed

audit_app = typer.Typer(help="The audit trail: who did what, when, to which documents.",
                        no_args_is_help=True, rich_markup_mode=None)
fixity_app = typer.Typer(help="Fixity: are the stored files still the files that were archived?",
                         no_args_is_help=True, rich_markup_mode=None)


def _progress(label: str, *, quiet: bool) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, disable=quiet and not err.is_terminal)


def _plain(text: str) -> None:
    out.print(text, markup=False, highlight=False, soft_wrap=True)


@audit_app.command("verify")
def audit_verify(
    expect: Optional[str] = typer.Option(None, "--expect", metavar="HASH",
                                         help="A head hash recorded earlier (elsewhere): fail unless an event "
                                              "still has it, i.e. nothing up to it was rewritten."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check that no event was edited, removed, inserted or reordered; name the first bad one.

    Exit code 13 when the trail does not verify. Record the printed head hash
    somewhere else: a whole catalog rewritten with recomputed hashes is only
    caught with `--expect HASH`.
    """
    from .archive.trail import check_chain

    report = check_chain(open_archive().catalog, expect)
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        _plain(f"Audit trail intact: {report.verdict.events} event(s).")
        if report.anchor_id is not None:
            _plain(f"The recorded hash is event {report.anchor_id}: nothing up to it was rewritten.")
        if report.head_id is not None:
            _plain(f"Head: event {report.head_id}, hash {report.head_hash}")
            _plain("Keep this hash outside the archive; check against it later with --expect HASH.")
    if not report.ok:
        raise AuditBroken(report.problem)


@audit_app.command("log")
def audit_log(
    since: Optional[str] = typer.Option(None, "--since", metavar="DATE",
                                        help="Only events from then on (2026-03-01 or 2026-03-01T09:00, local time)."),
    document: Optional[str] = typer.Option(None, "--document", metavar="ID", help="Only events about this document."),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per event."),
) -> None:
    """List audit events, oldest first: time (UTC), who, what, which documents."""
    from .archive.trail import event_dict, events, parse_since

    arch = open_archive()
    for ev in events(arch.catalog, since=parse_since(since) if since else None, reg_no=document):
        d = event_dict(ev)
        if as_json:
            print_json(d)
        else:
            detail = json.dumps(d["detail"], ensure_ascii=False, separators=(",", ":"))
            _plain(f"{d['id']:>6} {d['at']} {d['actor']:<10} {d['action']:<10} {','.join(d['documents']) or '-'} {detail}")


@fixity_app.command("check")
def fixity_check(
    sample: Optional[int] = typer.Option(None, "--sample", min=1, metavar="N",
                                         help="Re-hash only N files chosen at random (every file is still "
                                              "looked for, and its size compared)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Re-hash stored files against their recorded SHA-256; report missing, changed and orphan files.

    The result is written to the audit trail. Exit code 14 on any problem:
    fit for a nightly job (`girok fixity check && girok audit verify`).
    """
    from .archive import fixity

    arch = open_archive()
    with _progress("re-hashing", quiet=as_json) as progress:
        task = progress.add_task("", total=None)
        report = fixity.check(arch, sample=sample,
                              progress=lambda done, total: progress.update(task, completed=done, total=total))
    if as_json:
        print_json(report.as_dict())
    else:
        for p in report.problems:
            docs = f" [{', '.join(p.reg_nos)}]" if p.reg_nos else ""
            _plain(f"{p.kind:<10} {p.path}: {p.detail}{docs}")
        s = report.summary()
        _plain(f"{s['files']} catalogued file(s), {s['hashed']} re-hashed: {s['missing']} missing, "
               f"{s['changed']} changed, {s['unreadable']} unreadable, {s['orphan']} orphan.")
    if not report.ok:
        raise FixityFailed(f"fixity check found {len(report.problems)} problem(s)")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(fixity_app, name="fixity")
