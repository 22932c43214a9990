"""girok's command line: parse, call the library, render. The only place errors become exit codes."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import __version__
from .kit import err, out, print_json as _print_json, state
from .kit import open_archive as _open
from ..errors import EXIT_QUARANTINED, GirokError, UsageError

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


# --- init -------------------------------------------------------------------


@app.command()
def init(
    name: Optional[str] = typer.Option(None, help="Archive name shown in reports (default: folder name)."),
    prefix: str = typer.Option("GR", help="Registration number prefix, e.g. SC for 서초구 -> SC-2026-000001."),
) -> None:
    """Create a new archive: config, scanner profiles, catalog, index, hot folders."""
    from ..archive.layout import Archive

    arch = Archive.create(state.archive_path, name=name, prefix=prefix)
    out.print(f"Created archive [bold]{arch.root}[/bold]")
    out.print(f"  config:   {arch.root / 'girok.toml'} (hot folders -> scanner profiles)")
    out.print(f"  profiles: {', '.join(sorted(arch.config.profiles))}")
    for hf in arch.config.hot_folders:
        out.print(f"  hot folder {hf.path}  (profile {hf.profile})")
    out.print("Next: `girok watch` to take scans from the hot folders, or `girok ingest FILE...`.")


# --- ingest -------------------------------------------------------------------


def _expand(paths: list[Path]) -> Iterator[Path]:
    from ..ingest.stability import candidate_files

    for p in paths:
        if p.is_dir():
            yield from candidate_files(p)
        elif p.is_file():
            yield p
        else:
            raise UsageError(f"{p}: no such file or folder")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (folders are searched recursively)."),
    profile: str = typer.Option("default", "--profile", "-p", help="Scanner profile to apply."),
    move: bool = typer.Option(False, "--move", help="Remove each source once it is safely archived "
                              "(as hot folders do). Default: sources are left in place."),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per resulting document: "
                                 '{"id","source","pages","status","reason"}.'),
    workers: int = typer.Option(0, help="Documents OCRed in parallel (0: from the archive config)."),
    keep_work: bool = typer.Option(False, "--keep-work", help="Keep work folders for inspection."),
) -> None:
    """Archive files now (the hot-folder pipeline, one-shot).

    Exit code 0 (OK) when everything was archived or was a duplicate; exit code
    10 (QUARANTINED) when any file was quarantined (see ARCHIVE/quarantine/*.reason.txt).
    """
    from ..ingest.pipeline import Ingestor, Item, run_batch

    files = list(_expand(paths))
    if not files:
        raise UsageError("no files to ingest", hint="Give scans (PDF, TIFF, JPEG, PNG) or folders holding them.")
    arch = _open()
    prof = arch.config.profile(profile)
    ingestor = Ingestor(arch, workers=workers or None, keep_work=keep_work)
    items = (Item(f.resolve(), prof, None, move_source=move) for f in files)
    counts = {"archived": 0, "duplicate": 0, "quarantined": 0, "skipped": 0}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=as_json and not err.is_terminal, transient=False) as progress:
        task = progress.add_task("ingesting", total=len(files))
        done_sources: set[str] = set()

        def report(o):
            counts[o.status] += 1
            if o.source not in done_sources:
                done_sources.add(o.source)
                progress.advance(task)
            if as_json:
                _print_json(o.as_dict())
            elif o.status != "archived":
                progress.console.print(f"{o.status:11s} {Path(o.source).name}: {o.reason}")
            else:
                progress.console.print(f"archived    {Path(o.source).name} -> {o.id} ({o.pages} p.)")

        try:
            run_batch(ingestor, items, report)
        except KeyboardInterrupt:
            ingestor.abandon()
            err.print("Interrupted: documents in hand were abandoned; their files are untouched.")
            raise typer.Exit(130)
        finally:
            ingestor.close()
    if not as_json:
        err.print(f"{counts['archived']} archived, {counts['duplicate']} duplicate, "
                  f"{counts['quarantined']} quarantined" + (f", {counts['skipped']} skipped" if counts["skipped"] else ""))
        if counts["quarantined"]:
            err.print(f"Quarantined files and their reasons are in {arch.quarantine_dir}")
    if counts["quarantined"] or counts["skipped"]:
        raise typer.Exit(EXIT_QUARANTINED)


# --- watch --------------------------------------------------------------------


@app.command()
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
    from ..archive.indexing import catch_up_index
    from ..ingest.pipeline import Ingestor
    from ..ingest.watcher import Watcher, WatchLock
    from ..ingest.workarea import clean_orphans

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored (nohup, &)
    arch = _open()
    with WatchLock(arch.root):
        cleaned = clean_orphans(arch.work_dir)
        caught = catch_up_index(arch)
        ingestor = Ingestor(arch, workers=workers or None)

        def report(o):
            if as_json:
                _print_json(o.as_dict())
            else:
                extra = f" -> {o.id} ({o.pages} p.)" if o.status == "archived" else f": {o.reason}"
                err.print(f"{o.status:11s} {o.source}{extra}")

        watcher = Watcher(arch, ingestor, poll_seconds=poll, on_outcome=report,
                          on_error=lambda m: err.print(f"error: {m}", markup=False, highlight=False))
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        if not as_json:
            err.print(f"Watching {len(watcher.folders)} hot folder(s) of {arch.root} with {ingestor.workers} "
                      f"worker(s); Ctrl-C to stop.")
            for hf in watcher.folders:
                err.print(f"  {hf.path}  [{hf.profile}]")
            if cleaned or caught:
                err.print(f"Recovered after an interruption: {len(cleaned)} work folder(s) cleaned, "
                          f"{caught} document(s) indexed.")
        until = None
        if once:
            until = watcher.idle
        try:
            watcher.run(until=until or (lambda: False))
            watcher.emit(ingestor.finish())
        except KeyboardInterrupt:
            watcher.stopping = True
            err.print(f"Stopping: finishing {ingestor.busy} document(s) in hand (Ctrl-C again to abandon them)...")
            try:
                watcher.emit(ingestor.finish())
            except KeyboardInterrupt:
                ingestor.abandon()
                err.print("Abandoned; their files are still in the hot folders.")
        finally:
            ingestor.close()
        s = watcher.stats
        if not as_json:
            err.print(f"Stopped. {s.archived} archived, {s.duplicates} duplicate, {s.quarantined} quarantined.")


# --- show / search ----------------------------------------------------------------


def _doc_dict(doc, *, with_text: bool) -> dict:
    from ..text.pii import mask_rrn

    cap = doc.capture
    meta = json.loads(doc.metadata_json or "{}")
    d = {
        "id": doc.reg_no, "title": mask_rrn(doc.title), "doc_type": doc.doc_type,
        "date": doc.doc_date.isoformat() if doc.doc_date else None,
        "receipt_no": doc.receipt_no, "applicant": doc.applicant, "office": doc.office,
        "phones": meta.get("phones", []), "rrn_masked": meta.get("rrn_masked", []), "qr": meta.get("qr"),
        "pages_in_original": meta.get("pages_in_original", []),
        "captured_at": doc.captured_at.isoformat(timespec="seconds") + "Z", "pages": doc.page_count,
        "first_page_in_original": doc.first_page,
        "pdfa": f"PDF/A-{doc.pdfa}" if doc.pdfa else "",
        "source": {"name": cap.source_name, "path": cap.source_path, "hot_folder": cap.hot_folder,
                   "profile": cap.profile, "media_type": cap.media_type, "size": cap.size},
        "original": {"sha256": cap.sha256, "path": "store/" + cap.original_relpath},
        "archival": {"sha256": doc.archival_sha256, "path": "store/" + doc.archival_relpath,
                     "size": doc.archival_size},
        "conversion": json.loads(doc.conversion),
        "indexed": doc.indexed_at is not None,
        "rescan_suggested": bool(doc.rescan_suggested),
        "page_confidence": [p.confidence for p in doc.pages],
    }
    if with_text:
        d["text"] = [mask_rrn(p.text) for p in doc.pages]
    return d


@app.command()
def show(
    reg_no: str = typer.Argument(..., metavar="ID", help="Registration number, e.g. GR-2026-000001."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    text: bool = typer.Option(False, "--text", help="Include the OCR text (RRNs masked)."),
) -> None:
    """Show a document: metadata, pages, hashes, PDF/A level, and (with --text) its text."""
    arch = _open()
    doc = arch.catalog.get(reg_no)
    d = _doc_dict(doc, with_text=text)
    if text:  # reading a document's text is an access the trail keeps
        arch.catalog.add_event("view", reg_no=doc.reg_no, what="text")
    if as_json:
        _print_json(d)
        return
    t = Table(show_header=False, box=None)
    for k in ("id", "title", "doc_type", "date", "receipt_no", "applicant", "office", "captured_at", "pages",
              "pdfa"):
        if d[k] not in (None, ""):
            t.add_row(k, str(d[k]))
    if d["rrn_masked"]:
        t.add_row("RRN", ", ".join(d["rrn_masked"]))
    confs = ", ".join("-" if c is None else f"{c:.0f}" for c in d["page_confidence"])
    t.add_row("OCR confidence", confs + ("  [bold red]re-scan suggested[/bold red]" if d["rescan_suggested"] else ""))
    t.add_row("source", f"{d['source']['name']} ({d['source']['media_type']}, profile {d['source']['profile']})")
    t.add_row("original sha256", d["original"]["sha256"])
    t.add_row("archival sha256", d["archival"]["sha256"])
    tools = d["conversion"].get("tools", {})
    t.add_row("converted with", ", ".join(f"{k} {v}" for k, v in tools.items()))
    if d["conversion"].get("digital_signature"):
        t.add_row("digital signature", d["conversion"]["digital_signature"])
    out.print(t)
    if text:
        for i, page in enumerate(d["text"], start=1):
            out.rule(f"page {i}")
            out.print(page, markup=False, highlight=False)


_QUERY_HELP = (
    "Words to find. Korean words match inside words with particles (민원실 finds 민원실에서) and across "
    "lost word spaces. \"quoted phrases\", AND (implied), OR, NOT (or -word inside a quoted query), (grouping), "
    "and field filters: "
    "type:위임장 office:서초구 date:2023-01-01..2023-12-31 (or date:2023, date:2023-03) retention:10년 "
    "receipt:2024-0001."
)


@app.command()
def search(
    words: Optional[list[str]] = typer.Argument(None, metavar="QUERY...", help=_QUERY_HELP),
    doc_type: Optional[str] = typer.Option(None, "--type", help="Only this document type (as type:)."),
    office: Optional[str] = typer.Option(None, "--office", help="Only documents addressed to this office."),
    date_range: Optional[str] = typer.Option(None, "--date", help="Only these filing dates: 2023, 2023-03, "
                                             "2023-01-01..2023-06-30, ..2023-12-31."),
    retention: Optional[str] = typer.Option(None, "--retention", help="Only this retention class (10년, 영구, 5y)."),
    receipt: Optional[str] = typer.Option(None, "--receipt", help="Only this receipt number (접수번호)."),
    sort: str = typer.Option("relevance", "--sort", help="relevance, newest or oldest (by filing date)."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=1000, help="Results per page."),
    page: int = typer.Option(1, "--page", "-p", min=1, help="Which page of results."),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per hit (with total, for paging)."),
    rrn: Optional[str] = typer.Option(None, "--rrn", help="Exact lookup by 주민등록번호 (YYMMDD-NNNNNNN), "
                                      "through a keyed hash; every lookup is recorded in the audit trail."),
) -> None:
    """Full-text search of the archive, with filters, sorting and paging.

    Examples: girok search 민원실 | girok search "토지 대장" --sort newest |
    girok search 전입 type:전입신고서 date:2024 | girok search "NOT 위임장" --office 서초구 --json
    """
    from ..text.pii import mask_rrn
    from ..search import query as q

    arch = _open()
    if rrn is not None:
        return _search_rrn(arch, rrn, as_json=as_json)
    filters = []
    for name, value in (("type", doc_type), ("office", office), ("retention", retention), ("receipt", receipt)):
        if value:
            filters.append(q.Filter(name, value))
    if date_range:
        filters.append(q.parse_date_range(date_range))
    text = " ".join(words or []).strip()
    if not text and not filters:
        raise UsageError("give words to search for, a filter, or --rrn NUMBER",
                         hint="e.g. girok search 민원실, or girok search --type 위임장")
    node = q.parse(text) if text else q.All()
    result = arch.index.find(node, limit=limit, offset=(page - 1) * limit, sort=sort, filters=filters)
    hits = result.hits
    extra = {"filters": [mask_rrn(repr(f)) for f in filters]} if filters else {}
    if result.total > len(hits):
        extra["total"] = result.total
    arch.catalog.add_event("search", reg_no=",".join(h.reg_no for h in hits) or None,
                           query=mask_rrn(text), hits=len(hits), **extra)
    if as_json:
        for rank, h in enumerate(hits, start=result.offset + 1):
            _print_json({"rank": rank, "total": result.total, **h.as_dict()})
        return
    if not hits:
        err.print("No documents found." if result.total == 0 else
                  f"No results on page {page}: there are {result.total} in all.")
        raise typer.Exit(1)
    t = Table("ID", "type", "date", "title", "snippet")
    for h in hits:
        snippet = h.snippet.replace("[", "\\[").replace("\\[\\[", "[bold yellow]").replace("]]", "[/bold yellow]")
        t.add_row(h.reg_no, h.doc_type or "-", h.date, mask_rrn(h.title), snippet)
    out.print(t)
    last = min(result.offset + len(hits), result.total)
    pages = (result.total + limit - 1) // limit
    more = f"; next: --page {page + 1}" if page < pages else ""
    err.print(f"{result.offset + 1}-{last} of {result.total} (page {page} of {pages}{more})")


def _search_rrn(arch, rrn: str, *, as_json: bool) -> None:
    from ..archive.layout import RRN_KEY_NAME
    from ..text.pii import load_or_create_secret, mask_rrn, normalize_rrn, rrn_hmac

    try:
        digits = normalize_rrn(rrn)
    except ValueError:
        raise UsageError("that is not a 주민등록번호 (13 digits, YYMMDD-GNNNNNN)") from None
    masked = mask_rrn(f"{digits[:6]}-{digits[6:]}")
    reg_nos = arch.catalog.reg_nos_by_rrn_hmac(rrn_hmac(digits, load_or_create_secret(arch.root / RRN_KEY_NAME)))
    arch.catalog.add_event("rrn-lookup", reg_no=",".join(reg_nos) or None, rrn=masked, hits=len(reg_nos))
    docs = arch.catalog.get_many(reg_nos)
    rows = [{"reg_no": r, "title": mask_rrn(docs[r].title), "doc_type": docs[r].doc_type,
             "date": docs[r].doc_date.isoformat() if docs[r].doc_date else None} for r in reg_nos if r in docs]
    if as_json:
        for row in rows:
            _print_json(row)
        return
    if not rows:
        err.print(f"No document holds {masked}.")
        raise typer.Exit(1)
    t = Table("ID", "type", "date", "title")
    for row in rows:
        t.add_row(row["reg_no"], row["doc_type"], row["date"] or "", row["title"])
    out.print(t)


# --- reindex / status / doctor ---------------------------------------------------------


@app.command()
def reindex(
    engine: Optional[str] = typer.Option(None, "--engine", help="Build the new index with this engine "
                                         "(whoosh or tantivy); default: the engine of the current index."),
) -> None:
    """Rebuild the search index from the catalog, aside, then switch to it: searches keep working meanwhile.

    Also moves an archive between search engines (`--engine tantivy`, and back). Kiwi nouns kept in the
    catalog are reused, so a reindex does not analyse every text again.
    """
    from ..archive.indexing import rebuild_index

    arch = _open()
    total = arch.catalog.counts()["documents"]
    with Progress(TextColumn("reindexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err) as progress:
        task = progress.add_task("", total=total)
        n = rebuild_index(arch, engine=engine, progress=lambda i: progress.update(task, completed=i))
    err.print(f"Indexed {n} document(s) with {arch.index.engine_name}.")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Queue (waiting in hot folders), in progress, quarantined, and pages archived in the last hour."""
    from ..app.status import archive_status, render

    arch = _open()
    d = archive_status(arch)
    if as_json:
        _print_json(d)
        return
    for line in render(d, arch.config.name):
        out.print(line, soft_wrap=True)  # long paths stay on one line


@app.command()
def doctor(fix: bool = typer.Option(False, "--fix", help="Repair what can be repaired safely.")) -> None:
    """Check the archive after an interruption: work folders, store vs catalog, index vs catalog."""
    from ..archive.indexing import catch_up_index, index_problems, rebuild_index
    from ..ingest.workarea import clean_orphans, orphaned

    arch = _open()
    problems = 0
    orphans = orphaned(arch.work_dir)
    known = arch.catalog.stored_relpaths()
    on_disk = {str(p.relative_to(arch.store.root)) for p in arch.store.iter_files()}
    missing, extra = sorted(known - on_disk), sorted(on_disk - known)
    unindexed = arch.catalog.counts()["unindexed"]
    unfinished = [str(p.relative_to(arch.store.root)) for p in arch.store.temp_files()]
    for label, items in (("abandoned work folder", orphans), ("catalogued file missing from store", missing),
                         ("stored file not in catalog (left by an interrupted ingest)", extra),
                         ("unfinished copy in the store (a write was interrupted)", unfinished)):
        for i in items:
            problems += 1
            out.print(f"{label}: {i}")
    if unindexed:
        problems += 1
        out.print(f"{unindexed} document(s) not yet in the search index")
    index_issues, needs_reindex = index_problems(arch)
    for i in index_issues:
        problems += 1
        out.print(i)
    if fix:
        from ..ingest.locks import StoreLock
        from ..ingest.watcher import WatchLock

        # A running watcher or ingest may have stored a file whose record is a
        # moment from being committed: repairing under it could delete that file.
        with WatchLock(arch.root), StoreLock(arch.root):
            clean_orphans(arch.work_dir)
            arch.index.remove_stale()
            if needs_reindex:
                rebuild_index(arch)
            catch_up_index(arch)
            for rel in extra:
                (arch.store.root / rel).unlink(missing_ok=True)
            for tmp in arch.store.temp_files():  # no writer runs now: every one is left over
                tmp.unlink(missing_ok=True)
        out.print("Repaired: work folders cleaned, index caught up (rebuilt if needed), unreferenced store files removed.")
        problems = len(missing)
    if not problems:
        out.print("No problems found.")
    if missing or (problems and not fix):
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print girok's version."""
    out.print(f"girok {__version__}")


def _register_groups() -> None:
    """Command groups kept in their own modules, registered explicitly."""
    from . import records, retention

    records.register(app)
    retention.register(app)


_register_groups()


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
