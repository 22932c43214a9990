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


@app.callback()
def _global(
    archive: Path = typer.Option(
        Path("archive"), "--archive", "-a", envvar="GIROK_ARCHIVE", show_default=True,
        help="Archive folder (or set GIROK_ARCHIVE).",
    ),
) -> None:
    state.archive_path = archive


def _register() -> None:
    """Each command module adds its commands (in the order `girok --help` lists them)."""
    from . import admin, documents, ingest, records, retention

    admin.register_init(app)
    ingest.register(app)
    documents.register(app)
    admin.register(app)
    records.register(app)
    retention.register(app)


_register()


def main() -> None:
    try:
        app(prog_name="girok")
    except GirokError as exc:
        err.print(f"girok: error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
