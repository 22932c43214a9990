"""`girok ingest` (one-shot) and `girok watch` (hot folders): show each document as it is settled."""

from __future__ import annotations

import signal
from pathlib import Path

import typer

from ..errors import ExitCode
from .kit import err, open_archive, print_json


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (folders are searched recursively)."),
    profile: str = typer.Option("default", "--profile", "-p", help="Scanner profile to apply."),
    move: bool = typer.Option(False, "--move", help="Remove each source once it is safely archived "
                              "(as hot folders do). Default: sources are left in place."),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per resulting document: status, reason, "
                                 "file, the document object (README: JSON output), rescan, rescan_pages."),
    workers: int = typer.Option(0, help="Documents OCRed in parallel (0: from the archive config)."),
    keep_work: bool = typer.Option(False, "--keep-work", help="Keep work folders for inspection."),
    allow_destroyed: bool = typer.Option(False, "--allow-destroyed", help="Archive files that are destroyed records "
                                         "(a lawful re-capture) as new records, audited with the old registration "
                                         "numbers and certificate. Default: quarantined."),
) -> None:
    """Archive files now (the hot-folder pipeline, one-shot).

    With --json, each line is {"status", "reason", "file", the document (id, title, type, receipt_no,
    applicant masked, ...; "id": null when none), "rescan" (true when pages read poorly), "rescan_pages"}.

    Exit code 0 (OK) when everything was archived or was a duplicate; exit code
    10 (QUARANTINED) when any file was quarantined (see ARCHIVE/quarantine/*.reason.txt).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..app.ingest import expand
    from ..app.ingest import ingest as take

    files = list(expand(paths))
    arch = open_archive()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=as_json and not err.is_terminal, transient=False) as progress:
        task = progress.add_task("ingesting", total=len(files))
        done_sources: set[str] = set()

        def report(o):
            if o.source not in done_sources:
                done_sources.add(o.source)
                progress.advance(task)
            if as_json:
                print_json(o.as_dict())
            else:
                print_outcome(progress.console, o, Path(o.source).name)

        try:
            summary = take(arch, files, profile=profile, move=move, workers=workers or None, keep_work=keep_work,
                           allow_destroyed=allow_destroyed, on_outcome=report)
        except KeyboardInterrupt:
            err.print("Interrupted: documents in hand were abandoned; their files are untouched.")
            raise typer.Exit(ExitCode.INTERRUPTED)
    counts = summary.counts
    if not as_json:
        err.print(f"{counts['archived']} archived, {counts['duplicate']} duplicate, "
                  f"{counts['quarantined']} quarantined" + (f", {counts['skipped']} skipped" if counts["skipped"] else ""))
        if counts["quarantined"]:
            err.print(f"Quarantined files and their reasons are in {arch.quarantine_dir}")
    if not summary.all_archived:
        raise typer.Exit(ExitCode.QUARANTINED)


def watch(
    poll: float = typer.Option(1.0, help="Seconds between stability checks."),
    workers: int = typer.Option(0, help="Documents OCRed in parallel (0: from the archive config)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per document as it is settled."),
    once: bool = typer.Option(False, "--once", help="Take what is waiting now, then exit (for cron/timers)."),
) -> None:
    """Watch every configured hot folder and archive what scanners drop there.

    Runs until interrupted. Ctrl-C (or SIGTERM) finishes the documents in
    hand and stops; a second Ctrl-C abandons them at once (their files stay
    in the hot folder and are taken again next time).
    """
    from ..app.ingest import WatchListener
    from ..app.ingest import watch as run

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored (nohup, &)
    arch = open_archive()

    class Console(WatchListener):
        def started(self, folders, workers, cleaned, caught_up):
            signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
            if as_json:
                return
            until = "until nothing waits (--once)" if once else "Ctrl-C to stop"
            err.print(f"Watching {len(folders)} hot folder(s) of {arch.root} with {workers} worker(s); {until}.")
            for hf in folders:
                err.print(f"  {hf.path}  [{hf.profile}]", markup=False, highlight=False)
            if cleaned or caught_up:
                err.print(f"Recovered after an interruption: {cleaned} work folder(s) cleaned, "
                          f"{caught_up} document(s) indexed.")

        def outcome(self, o):
            if as_json:
                print_json(o.as_dict())
            else:
                print_outcome(err, o, o.source)

        def error(self, message):
            err.print(f"error: {message}", markup=False, highlight=False)

        def stopping(self, in_hand):
            err.print(f"Stopping: finishing {in_hand} document(s) in hand (Ctrl-C again to abandon them)...")

        def abandoned(self):
            err.print("Abandoned; their files are still in the hot folders.")

    s = run(arch, poll=poll, workers=workers or None, once=once, listener=Console())
    if not as_json:
        err.print(f"Stopped. {s.archived} archived, {s.duplicates} duplicate, {s.quarantined} quarantined.")


def outcome_line(o, name: str) -> str:
    """One settled document as the console shows it; an archived one with pages to re-scan says which pages
    and what finds the paper: ``archived    scan.tif -> GR-2026-000004 (3 p.)  RE-SCAN pages 2, 3
    (접수번호 2024-동작-001, 신청인 홍*동, 전입신고서)``."""
    if o.status != "archived":
        return f"{o.status:11s} {name}: {o.reason}"
    line = f"archived    {name} -> {o.id} ({o.pages} p.)"
    if not o.rescan:
        return line
    pages = o.rescan_pages
    line += f"  RE-SCAN {'page' if len(pages) == 1 else 'pages'} {', '.join(map(str, pages))}" if pages \
        else "  RE-SCAN"
    ids = [f"접수번호 {o.receipt_no}" if o.receipt_no else "", f"신청인 {o.applicant}" if o.applicant else "",
           o.doc_type]
    ids = [i for i in ids if i]
    return line + (f" ({', '.join(ids)})" if ids else "")


def print_outcome(console, o, name: str) -> None:
    """Print ``outcome_line`` as written (no markup); a re-scan in bold red on a terminal."""
    console.print(outcome_line(o, name), markup=False, highlight=False, soft_wrap=True,
                  style="bold red" if o.status == "archived" and o.rescan else None)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(watch)
