"""The girok command: global options, every command module registered explicitly, errors -> exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..errors import GirokError
from .kit import err, state

app = typer.Typer(
    help="girok (기록): scan -> Korean OCR -> PDF/A -> searchable archive, offline.\n\n"
         "Start with `girok --archive DIR init`, then `girok watch` (hot folders) or "
         "`girok ingest FILES` (one-shot), and find documents with `girok search`.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"girok {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    archive: Path = typer.Option(
        Path("archive"), "--archive", "-a", envvar="GIROK_ARCHIVE", show_default=True,
        help="Archive folder (or set GIROK_ARCHIVE). May also follow the command: girok status --archive DIR.",
    ),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print girok's version and exit."),
) -> None:
    state.archive_path = archive


def _register() -> None:
    """Each command module adds its commands (in the order `girok --help` lists them)."""
    from . import admin, backup, documents, ingest, records, retention, worker

    admin.register_init(app)
    ingest.register(app)
    documents.register(app)
    admin.register(app)
    records.register(app)
    backup.register(app)
    retention.register(app)
    worker.register(app)


_register()


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
        err.print(f"girok: error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
