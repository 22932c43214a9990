"""`girok quarantine list|retry|dismiss`: files that could not be archived, and what to do with them."""

from __future__ import annotations

import typer

from ..errors import ExitCode
from ..i18n import N_, _, translate
from .kit import open_archive, out, plain, print_json, say

quarantine_app = typer.Typer(
    help=_("Quarantined files (ARCHIVE/quarantine): list them with their reasons, try one again, or dismiss one. "
           "Retrying and dismissing need a reason and are recorded in the audit trail."),
    no_args_is_help=True, rich_markup_mode=None)

NAME_HELP = _("The file's name in the quarantine folder, as `girok quarantine list` shows it.")
# how the outcome of a retry reads (its JSON keeps the English word)
STATUS = {"archived": N_("archived"), "duplicate": N_("already archived"), "quarantined": N_("quarantined again")}


@quarantine_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help=_("One JSON line per quarantined file."))) -> None:
    """Quarantined files, oldest first, with the step that failed and why."""
    from ..app.quarantine import list_quarantined

    items = list_quarantined(open_archive())
    if as_json:
        for q in items:
            print_json(q.as_dict())
        return
    if not items:
        plain(_("Nothing is quarantined."))
        return
    for q in items:
        out.print(f"[bold]{q.name}[/bold]", markup=True, highlight=False)
        plain(f"  {q.quarantined_at or '-'}  {q.stage}: {q.reason}")
        if q.advice:
            plain(f"  -> {q.advice}")


@quarantine_app.command("retry")
def retry(
    name: str = typer.Argument(..., help=NAME_HELP),
    reason: str = typer.Option(..., "--reason", help=_("Why it is tried again (recorded in the audit trail).")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the outcome as JSON.")),
) -> None:
    """Run a quarantined file through the pipeline again with its scanner profile.

    Exit code 10 (QUARANTINED) when it is quarantined again (with the new reason)."""
    from ..app.quarantine import retry as again

    result = again(open_archive(), name, reason=reason)
    if as_json:
        print_json(result)
    else:
        ids = ", ".join(result["ids"])
        say(f"{result['name']}: {translate(STATUS.get(result['status'], result['status']))}"
            + (f" -> {ids}" if ids else "") + (f" ({result['reason']})" if result["reason"] else ""))
    if result["status"] == "quarantined":
        raise typer.Exit(ExitCode.QUARANTINED)


@quarantine_app.command("dismiss")
def dismiss(
    name: str = typer.Argument(..., help=NAME_HELP),
    reason: str = typer.Option(..., "--reason", help=_("Why it is not to be archived (recorded in the audit trail).")),
) -> None:
    """Delete a quarantined file and its note for good; its SHA-256 and the reason stay in the audit trail."""
    from ..app.quarantine import dismiss as drop

    result = drop(open_archive(), name, reason=reason)
    say(_("{name}: dismissed (sha256 {sha256})").format(name=result["name"], sha256=result["sha256"]))


def register(app: typer.Typer) -> None:
    app.add_typer(quarantine_app, name="quarantine")
