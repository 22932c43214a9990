"""girok's command line (typer + rich): parse, call girok.app, render. The only place errors become exit codes."""

from .main import app, main

__all__ = ["app", "main"]
