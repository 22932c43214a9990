"""`girok ingest` (one-shot) and `girok watch` (hot folders): show each document as it is settled."""

from __future__ import annotations

import signal
from pathlib import Path

import typer

from ..errors import ExitCode
from ..i18n import _
from .kit import err, field_label, open_archive, print_json, say


def ingest(
    paths: list[Path] = typer.Argument(..., help=_("Files or folders (folders are searched recursively).")),
    profile: str = typer.Option("default", "--profile", "-p", help=_("Scanner profile to apply.")),
    move: bool = typer.Option(False, "--move", help=_("Remove each source once it is safely archived "
                              "(as hot folders do). Default: sources are left in place.")),
    as_json: bool = typer.Option(False, "--json", help=_("One JSON line per resulting document: status, reason, "
                                 "file, the document object (README: JSON output), rescan, rescan_pages.")),
    workers: int = typer.Option(0, help=_("Documents OCRed in parallel (0: from the archive config).")),
    keep_work: bool = typer.Option(False, "--keep-work", help=_("Keep work folders for inspection.")),
    allow_destroyed: bool = typer.Option(False, "--allow-destroyed", help=_("Archive files that are destroyed "
                                         "records (a lawful re-capture) as new records, audited with the old "
                                         "registration numbers and certificate. Default: quarantined.")),
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
    quiet = as_json and not err.is_terminal
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=quiet, transient=False) as progress:
        task = progress.add_task(_("ingesting"), total=len(files))
        done_sources: set[str] = set()
        reading: dict[str, int] = {}  # source -> its bar of pages read (on a terminal)

        def pages(p):
            if quiet:
                return
            if not err.is_terminal:  # a log or a pipe: a line each page, as it is read
                progress.console.print(progress_line(p), markup=False, highlight=False, soft_wrap=True)
            elif p.source in reading:
                progress.update(reading[p.source], completed=p.done, total=p.pages)
            elif p.source not in done_sources:
                reading[p.source] = progress.add_task(f"  {_file_name(p.source)}", total=p.pages, completed=p.done)

        def report(o):
            if o.source not in done_sources:
                done_sources.add(o.source)
                progress.advance(task)
            if o.source in reading:
                progress.remove_task(reading.pop(o.source))
            if as_json:
                print_json(o.as_dict())
            else:
                print_outcome(progress.console, o, Path(o.source).name)

        try:
            summary = take(arch, files, profile=profile, move=move, workers=workers or None, keep_work=keep_work,
                           allow_destroyed=allow_destroyed, on_outcome=report, on_progress=pages)
        except KeyboardInterrupt:
            err.print(_("Interrupted: documents in hand were abandoned; their files are untouched."))
            raise typer.Exit(ExitCode.INTERRUPTED)
    counts = summary.counts
    if not as_json:
        err.print(_("{archived} archived, {duplicate} duplicate, {quarantined} quarantined").format(**counts)
                  + (_(", {skipped} skipped").format(**counts) if counts["skipped"] else ""))
        if counts["quarantined"]:
            err.print(_("Quarantined files and their reasons are in {path}").format(path=arch.quarantine_dir))
    if not summary.all_archived:
        raise typer.Exit(ExitCode.QUARANTINED)


def watch(
    poll: float = typer.Option(1.0, help=_("Seconds between stability checks.")),
    workers: int = typer.Option(0, help=_("Documents OCRed in parallel (0: from the archive config).")),
    as_json: bool = typer.Option(False, "--json", help=_("One JSON line per document as it is settled.")),
    once: bool = typer.Option(False, "--once", help=_("Take what is waiting now, then exit (for cron/timers).")),
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
            until = _("until nothing waits (--once)") if once else _("Ctrl-C to stop")
            err.print(_("Watching {n} hot folder(s) of {root} with {workers} worker(s); {until}.").format(
                n=len(folders), root=arch.root, workers=workers, until=until))
            for hf in folders:
                err.print(f"  {hf.path}  [{hf.profile}]", markup=False, highlight=False)
            if cleaned or caught_up:
                err.print(_("Recovered after an interruption: {cleaned} work folder(s) cleaned, "
                            "{caught_up} document(s) indexed.").format(cleaned=cleaned, caught_up=caught_up))

        def outcome(self, o):
            if as_json:
                print_json(o.as_dict())
            else:
                print_outcome(err, o, o.source)

        def progress(self, p):
            if not as_json or err.is_terminal:
                say(progress_line(p))

        def error(self, message):
            err.print(_("error: {message}").format(message=message), markup=False, highlight=False)

        def stopping(self, in_hand):
            err.print(_("Stopping: finishing {n} document(s) in hand (Ctrl-C again to abandon them)...").format(
                n=in_hand))

        def abandoned(self):
            err.print(_("Abandoned; their files are still in the hot folders."))

    s = run(arch, poll=poll, workers=workers or None, once=once, listener=Console())
    if not as_json:
        err.print(_("Stopped. {archived} archived, {duplicates} duplicate, {quarantined} quarantined.").format(
            archived=s.archived, duplicates=s.duplicates, quarantined=s.quarantined))


def progress_line(p) -> str:
    """How far a file in hand is: ``전입신고서.tif: page 3/6 read`` (a file name's RRN masked)."""
    name = _file_name(p.source)
    return _("{name}: page {done}/{pages} read").format(name=name, done=p.done, pages=p.pages) if p.done else \
        _("{name}: reading {pages} page(s)...").format(name=name, pages=p.pages)


def _file_name(source: str) -> str:
    from ..text.pii import mask_rrn

    return mask_rrn(Path(source).name)


def outcome_line(o, name: str) -> str:
    """One settled document as the console shows it; an archived one with pages to re-scan says which pages
    and what finds the paper: ``archived    scan.tif -> GR-2026-000004 (3 p.)  RE-SCAN pages 2, 3
    (접수번호 2024-동작-001, 신청인 홍*동, 전입신고서)``."""
    from ..text.pii import mask_rrn  # here, not at import: every command loads this module

    name = mask_rrn(name)  # a file named after the citizen (홍길동 870501-1234567.tif) is not shown in clear
    if o.status != "archived":
        return f"{status_word(o.status):11s} {name}: {mask_rrn(o.reason or '')}"
    line = _("archived    {name} -> {id} ({pages} p.)").format(name=name, id=o.id, pages=o.pages)
    unread = (getattr(o, "document", None) or {}).get("unread_fields") or []
    if unread:  # never a guess: a field no reading of which passed its check is empty, and the clerk is told
        line += _("  NOT READ: {fields} (fill in from the paper)").format(
            fields=", ".join(field_label(f) for f in unread))
    if not o.rescan:
        return line
    pages = o.rescan_pages
    line += (_("  RE-SCAN page {pages}") if len(pages) == 1 else _("  RE-SCAN pages {pages}")).format(
        pages=', '.join(map(str, pages))) if pages else _("  RE-SCAN")
    ids = [f"접수번호 {o.receipt_no}" if o.receipt_no else "", f"신청인 {o.applicant}" if o.applicant else "",
           o.doc_type]
    ids = [i for i in ids if i]
    return line + (f" ({', '.join(ids)})" if ids else "")


def status_word(status: str) -> str:
    """An outcome's status as the console shows it (JSON keeps the English word)."""
    return {"duplicate": _("duplicate"), "quarantined": _("quarantined"), "skipped": _("skipped")}.get(status, status)


def print_outcome(console, o, name: str) -> None:
    """Print ``outcome_line`` as written (no markup); a re-scan in bold red on a terminal."""
    console.print(outcome_line(o, name), markup=False, highlight=False, soft_wrap=True,
                  style="bold red" if o.status == "archived" and o.rescan else None)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(watch)
