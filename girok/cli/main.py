"""The girok command: global options, every command module registered explicitly, errors -> exit codes."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import typer

from ..errors import GirokError
from ..i18n import N_, _, translate
from .kit import err, state

app = typer.Typer(
    help=_("girok (기록): scan -> Korean OCR -> PDF/A -> searchable archive, offline.\n\n"
           "Start with `girok --archive DIR init`, then `girok watch` (hot folders) or "
           "`girok ingest FILES` (one-shot), and find documents with `girok search`."),
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"girok {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    archive: Path = typer.Option(
        Path("archive"), "--archive", "-a", envvar="GIROK_ARCHIVE", show_default=True,
        help=_("Archive folder (or set GIROK_ARCHIVE). May also follow the command: girok status --archive DIR."),
    ),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help=_("Print girok's version and exit.")),
) -> None:
    state.archive_path = archive
    _claim_user(ctx)


def _claim_user(ctx: typer.Context) -> None:
    """GIROK_USER names who is at the keyboard; nothing checks it, so the audit trail records it as claimed,
    beside the OS user (``kim (claimed; os: root)``). Withdrawn when the command ends."""
    import os

    from ..app.acting import claim_user

    claim_user(os.environ.get("GIROK_USER"))
    ctx.call_on_close(lambda: claim_user(None))


def _register() -> None:
    """Each command module adds its commands (in the order `girok --help` lists them)."""
    from . import admin, backup, catalog, documents, files, ingest, quarantine, records, retention, serve, users, worker

    admin.register_init(app)
    ingest.register(app)
    documents.register(app)
    admin.register(app)
    records.register(app)
    backup.register(app)
    retention.register(app)
    files.register(app)
    catalog.register(app)
    quarantine.register(app)
    users.register(app)
    serve.register(app)
    worker.register(app)


# typer's own words around the help texts (typer.core, through gettext): translated with girok's catalog.
# Its usage and error lines ("Usage:", "Error: No such option") come from its vendored click and stay English.
TYPER_WORDS = (N_("Arguments"), N_("Options"), N_("Commands"), N_("default: {default}"), N_("required"),
               N_("env var: {var}"), N_("Missing command."), N_("No such command {name!r}."), N_("Aborted!"),
               N_("(dynamic)"))


def _translate_help(group: typer.Typer) -> None:
    """Each command's help is its docstring, in the interface language (decided before this import);
    typer's headings ("Options", "Commands") through the same catalog."""
    import typer.core

    typer.core._ = _
    for info in group.registered_commands:
        if info.help is None and info.callback is not None and info.callback.__doc__:
            info.help = translate(inspect.getdoc(info.callback))  # msgids: girok.locale.build collects them
    for sub in group.registered_groups:
        _translate_help(sub.typer_instance)


_register()
_translate_help(app)


def archive_option_first(argv: list[str]) -> list[str]:
    """``--archive DIR`` (or ``-a DIR``, ``--archive=DIR``) wherever it stands, moved before the command: the
    README says every command takes it, and people type ``girok status --archive DIR``. Nothing after ``--``
    moves; inside a command ``-a`` means nothing else."""
    moved, rest = [], list(argv)
    out: list[str] = []
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--":
            out += rest[i:]
            break
        if arg in ("--archive", "-a") and i + 1 < len(rest):
            moved += [arg, rest[i + 1]]
            i += 2
            continue
        if arg.startswith("--archive="):
            moved.append(arg)
        else:
            out.append(arg)
        i += 1
    return moved + out


def main() -> None:
    sys.argv[1:] = archive_option_first(sys.argv[1:])
    try:
        app(prog_name="girok")
    except GirokError as exc:
        err.print(_("girok: error: {message}").format(message=exc), markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
