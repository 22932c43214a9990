"""Commands for the record keeper: the audit trail (``register(app)``)."""

from __future__ import annotations

import json
from typing import Optional

import typer

from .clikit import open_archive, out, print_json
from .errors import AuditBroken

audit_app = typer.Typer(help="The audit trail: who did what, when, to which documents.",
                        no_args_is_help=True, rich_markup_mode=None)


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


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
