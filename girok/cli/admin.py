"""`girok init`, `status`, `reindex`, `doctor`, `version`: creating and looking after an archive."""

from __future__ import annotations

from typing import Optional

import typer

from ..errors import ExitCode

from .kit import err, out, plain, print_json, progress, state
from .kit import open_archive


def init(
    name: Optional[str] = typer.Option(None, help="Archive name shown in reports (default: folder name)."),
    prefix: str = typer.Option("GR", help="Registration number prefix, e.g. SC for 서초구 -> SC-2026-000001."),
) -> None:
    """Create a new archive: config, scanner profiles, catalog, index, hot folders."""
    from ..app.admin import init_archive

    arch = init_archive(state.archive_path, name=name, prefix=prefix)
    out.print(f"Created archive [bold]{arch.root}[/bold]")
    out.print(f"  config:   {arch.root / 'girok.toml'} (hot folders -> scanner profiles)")
    out.print(f"  profiles: {', '.join(sorted(arch.config.profiles))}")
    for hf in arch.config.hot_folders:
        out.print(f"  hot folder {hf.path}  (profile {hf.profile})")
    out.print("Next: `girok watch` to take scans from the hot folders, or `girok ingest FILE...`.")


def reindex(
    engine: Optional[str] = typer.Option(None, "--engine", help="Build the new index with this engine "
                                         "(whoosh or tantivy); default: the engine of the current index."),
) -> None:
    """Rebuild the search index from the catalog, aside, then switch to it: searches keep working meanwhile.

    Also moves an archive between search engines (`--engine tantivy`, and back). Kiwi nouns kept in the
    catalog are reused, so a reindex does not analyse every text again.
    """
    from ..app.admin import document_count
    from ..app.admin import reindex as rebuild

    arch = open_archive()
    with progress("reindexing", total=document_count(arch)) as tick:
        n = rebuild(arch, engine=engine, progress=tick)
    err.print(f"Indexed {n} document(s) with {arch.index.engine_name}.")


def status(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Queue (waiting in hot folders), in progress, quarantined, and pages archived in the last hour."""
    from ..app.admin import status as archive_status

    arch = open_archive()
    d = archive_status(arch)
    if as_json:
        print_json(d)
        return
    for line in render_status(d, arch.config.name):
        out.print(line, soft_wrap=True)  # long paths stay on one line


def render_status(d: dict, name: str) -> list[str]:
    """The human form of the status (rich markup)."""
    from rich.markup import escape

    t = d["last_hour"]
    watcher = f"running (pid {d['watcher_pid']})" if d["watcher_pid"] else "not running"
    lines = [
        f"[bold]{escape(name)}[/bold] ({escape(d['archive'])})",
        f"  {d['documents']} documents, {d['pages']} pages, {d['unindexed']} waiting for the index",
        f"  watcher: {watcher}",
        (f"  queue: {d['waiting']} file(s) waiting in hot folders, {d['in_progress']} in progress, "
         f"{d['quarantined']} quarantined"),
        f"  last hour: {t['documents']} documents, {t['pages']} pages archived, {t['pages_per_minute']:.1f} pages/min",
    ]
    if d["abandoned"]:
        lines.append(f"  {d['abandoned']} work folder(s) left by an interruption: run `girok doctor --fix`")
    if d["quarantined"]:
        lines.append("  quarantined files and their reasons: " + escape(d["archive"]) + "/quarantine")
    lines += [escape(f"  hot folder {f['path']} [{f['profile']}]: {f['waiting']} waiting") for f in d["hot_folders"]]
    b = d.get("backup") or {}
    if b.get("last_backup"):
        lines.append(escape(f"  last backup: {b['last_backup']['at']} to {b['last_backup']['target']}"
                            + ("" if b["last_backup"]["ok"] else " (incomplete)")))
    if b.get("last_verified"):
        lines.append(escape(f"  last verified backup: {b['last_verified']['at']} ({b['last_verified']['target']})"))
    if b.get("warning"):
        lines.append(f"  [bold yellow]backup: {escape(b['warning'])}[/bold yellow]")
    lines += render_workers(d.get("distributed"))
    rescan = d.get("rescan") or {"count": 0, "newest": []}
    if rescan["count"]:
        shown = len(rescan["newest"])
        lines.append(f"  [bold red]re-scan: {rescan['count']} document(s) awaiting a re-scan[/bold red]"
                     + (f" (newest {shown})" if shown < rescan["count"] else ""))
        for r in rescan["newest"]:
            pages = r["pages"]
            what = [f"접수번호 {r['receipt_no']}" if r["receipt_no"] else "",
                    f"신청인 {r['applicant']}" if r["applicant"] else "", r["doc_type"],
                    ("page " if len(pages) == 1 else "pages ") + ", ".join(map(str, pages)) if pages else "",
                    f"from {r['source']}"]
            lines.append(escape(f"    {r['id']}: " + ", ".join(w for w in what if w)))
    return lines


def render_workers(dist: dict | None) -> list[str]:
    """Several machines: the queue, each worker (host, pid, documents in hand, pages/min) and the indexer."""
    from rich.markup import escape

    if not dist:
        return []
    if dist.get("error"):
        return [escape(f"  workers ({dist['broker']}): {dist['error']}")]
    q = dist["queue"]
    oldest = q["oldest"]
    lines = [escape(f"  workers ({dist['broker']}): {len(dist['workers'])} running; queue: {q['depth']} job(s)"
                    + (f", oldest waiting {oldest['source']} for {oldest['waiting_seconds']} s" if oldest else ""))]
    for w in dist["workers"]:
        lines.append(escape(f"    {w['host']} pid {w['pid']}: {w['in_hand']} in hand of {w['processes']}, "
                            f"{w['pages_per_minute']:.1f} pages/min"))
    ix = dist.get("indexer")
    lines.append(escape(f"    indexer: {ix['host']} pid {ix['pid']}" if ix else "    indexer: not running"))
    return lines


def doctor(
    fix: bool = typer.Option(False, "--fix", help="Repair what can be repaired safely (never a stored file: "
                             "`girok restore` puts those back)."),
    quick: bool = typer.Option(False, "--quick", help="Re-hash only a random sample of stored files (every file "
                               "is still looked for and its size compared); says how many were not re-hashed."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Check the archive: work folders, audit trail, fixity of every stored file, search index vs catalog.

    Re-hashes every stored file by default (the time of reading the whole store once; `--quick` for a
    sample), verifies the audit chain, and says what it checked and what it did not. Each problem comes
    with what to do. Exit code 1 (GENERAL) while problems remain; `--fix` repairs work folders, unreferenced store
    files and the index, but never a missing or changed stored file (`girok restore`) or the audit trail.
    """
    from ..app.admin import doctor as check

    arch = open_archive()
    with progress("re-hashing", quiet=as_json) as tick:
        report = check(arch, fix=fix, quick=quick, progress=tick)
    if as_json:
        print_json(report.as_dict())
        if not report.ok:
            raise typer.Exit(ExitCode.GENERAL)
        return
    for line in report.findings:
        plain(line)
    if report.fixed:
        out.print("Repaired: work folders cleaned, index caught up (rebuilt if needed), unreferenced store files removed.")
        if report.remaining:
            plain(f"Not repaired ({len(report.remaining)}): doctor never rewrites an archived file or the audit trail; "
                  "see above what to do.")
    plain("Checked:")
    for line in report.checked:
        plain(f"  - {line}")
    plain("Not checked:")
    for line in report.not_checked:
        plain(f"  - {line}")
    if not report.problems:
        out.print("No problems found.")
    else:
        plain(f"{report.problems} problem(s).")
    if not report.ok:
        raise typer.Exit(ExitCode.GENERAL)


def version() -> None:
    """Print girok's version."""
    from .. import __version__

    out.print(f"girok {__version__}")


def register_init(app: typer.Typer) -> None:
    app.command()(init)


def register(app: typer.Typer) -> None:
    app.command()(reindex)
    app.command()(status)
    app.command()(doctor)
    app.command()(version)
