"""What every CLI module shares: consoles, the --archive setting, opening the archive, JSON lines.

girok/cli.py defines the app and the core commands; command groups in other
modules (``register(app)``) import what they need from here.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

out = Console()
err = Console(stderr=True)


class State:
    archive_path: Path = Path("archive")


state = State()


def open_archive():
    """Open the archive named by --archive / GIROK_ARCHIVE, with logging to its logs/ folder."""
    from ..archive.layout import Archive

    arch = Archive.open(state.archive_path)
    arch.setup_logging()
    return arch


def print_json(obj) -> None:
    out.file.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    out.file.flush()
