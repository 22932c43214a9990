"""What every CLI module shares: consoles, the --archive setting, opening the archive, JSON lines, progress bars.

girok/cli/main.py defines the app and registers each command module (``register(app)``) explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from ..i18n import pgettext

out = Console()
err = Console(stderr=True)


class State:
    archive_path: Path = Path("archive")


state = State()


def open_archive():
    """Open the archive named by --archive / GIROK_ARCHIVE, with logging to its logs/ folder."""
    from ..app.admin import open_archive as _open

    return _open(state.archive_path)


def field_label(key: str) -> str:
    """How a table names a document's field (its JSON key, which stays as it is): "receipt_no" -> 접수번호."""
    return {
        "id": pgettext("field", "id"), "title": pgettext("field", "title"),
        "doc_type": pgettext("field", "doc_type"), "type": pgettext("field", "doc_type"), "date": pgettext("field", "date"),
        "receipt_no": pgettext("field", "receipt_no"), "applicant": pgettext("field", "applicant"),
        "office": pgettext("field", "office"), "captured_at": pgettext("field", "captured_at"),
        "pages": pgettext("field", "pages"), "pdfa": pgettext("field", "pdfa"),
        "class": pgettext("field", "class"), "completed_on": pgettext("field", "completed_on"),
        "due_on": pgettext("field", "due_on"), "disposed_at": pgettext("field", "disposed_at"),
        "record_no": pgettext("field", "record_no"),
    }.get(key, key)


def print_json(obj) -> None:
    out.file.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    out.file.flush()


def say(line: str) -> None:
    """A plain line on stderr (no markup: names and reasons are printed as they are)."""
    err.print(line, markup=False, highlight=False, soft_wrap=True)


def plain(text: str) -> None:
    """A plain line on stdout."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def progress(label: str, *, quiet: bool = False, total: int | None = None) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr (hidden with --json unless stderr is a terminal); yields the callback the
    library calls as ``tick(done)`` or ``tick(done, total)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet and not err.is_terminal) as bar:
        task = bar.add_task("", total=total)

        def tick(done: int, total: int | None = None) -> None:
            bar.update(task, completed=done, **({} if total is None else {"total": total}))

        yield tick
