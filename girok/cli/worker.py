"""`girok worker` (prepares queued jobs on this machine) and `girok indexer` (the search index's one writer):
the roles of several machines (README, "Several machines")."""

from __future__ import annotations

import signal

import typer

from ..i18n import _
from .kit import err, state


def worker(
    concurrency: int = typer.Option(0, "--concurrency", "-c", help=_("Documents prepared at once on this machine "
                                      "(0: one per CPU core).")),
) -> None:
    """Prepare documents from the archive's Redis queue on this machine (normalize, split, OCR, PDF/A, extract).

    Needs [workers] broker in girok.toml or GIROK_REDIS_URL (with the password), and the archive folder on
    the share, at --archive. SIGTERM (or Ctrl-C) finishes the documents in hand and stops; SIGQUIT (or a
    second Ctrl-C) stops at once, and the documents it held are offered again.
    """
    import os

    from ..app.workers import run_worker, worker_context
    from ..config import load_archive_config

    root = state.archive_path.resolve()
    config = load_archive_config(root)
    ctx = worker_context(root, config)  # checks the share's marks, Redis and the OCR programs first
    n = concurrency or max(1, os.cpu_count() or 1)

    def ready(c):
        err.print(_("girok worker {node}: {n} process(es) on archive {root} ({id}...), queue at {queue}; SIGTERM or "
                    "Ctrl-C to stop.").format(node=c.node, n=n, root=c.root, id=c.archive_id[:8],
                                              queue=c.broker.shown), markup=False, highlight=False, soft_wrap=True)

    code = run_worker(ctx, concurrency=n, on_ready=ready)
    err.print(_("girok worker {node}: stopped.").format(node=ctx.node), markup=False, highlight=False)
    raise typer.Exit(code)


def indexer(
    poll: float = typer.Option(2.0, help=_("Seconds between looks at the catalog.")),
    once: bool = typer.Option(False, "--once", help=_("Index what is waiting now, then exit (cron, tests).")),
) -> None:
    """Index what the catalog says is not in the search index yet, and keep doing so until stopped.

    With several machines this is the search index's one writer (one per archive; a second one is refused):
    `girok watch` and `girok ingest` leave indexing to it. Every machine can search.
    """
    from ..app.admin import open_archive
    from ..app.workers import run_indexer

    arch = open_archive(state.archive_path)
    stopping = {"now": False}

    def stop(*_):
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not once:
        err.print(_("girok indexer on {root}: indexing what is archived; SIGTERM or Ctrl-C to stop.").format(
            root=arch.root), markup=False, highlight=False, soft_wrap=True)
    total = run_indexer(arch, poll=poll, once=once, stop=lambda: stopping["now"],
                        on_indexed=lambda n: err.print(_("indexed {n} document(s)").format(n=n), highlight=False))
    err.print(_("girok indexer: {n} document(s) indexed.").format(n=total), highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(indexer)
