"""`girok init`, `status`, `reindex`, `doctor`, `version`: creating and looking after an archive."""

from __future__ import annotations

from typing import Optional

import typer

from ..errors import ExitCode
from ..i18n import _

from .kit import err, out, plain, print_json, progress, state
from .kit import open_archive


def init(
    name: Optional[str] = typer.Option(None, help=_("Archive name shown in reports (default: folder name).")),
    prefix: str = typer.Option("GR", help=_("Registration number prefix, e.g. SC for 서초구 -> SC-2026-000001.")),
) -> None:
    """Create a new archive: config, scanner profiles, catalog, index, hot folders."""
    from ..app.admin import init_archive

    arch = init_archive(state.archive_path, name=name, prefix=prefix)
    out.print(_("Created archive [bold]{root}[/bold]").format(root=arch.root))
    out.print(_("  config:   {path} (hot folders -> scanner profiles)").format(path=arch.root / 'girok.toml'))
    out.print(_("  profiles: {names}").format(names=', '.join(sorted(arch.config.profiles))))
    for hf in arch.config.hot_folders:
        out.print(_("  hot folder {path}  (profile {profile})").format(path=hf.path, profile=hf.profile))
    out.print(_("Next: `girok watch` to take scans from the hot folders, or `girok ingest FILE...`."))


def reindex(
    engine: Optional[str] = typer.Option(None, "--engine", help=_("Build the new index with this engine "
                                         "(whoosh or tantivy); default: the engine of the current index.")),
) -> None:
    """Rebuild the search index from the catalog, aside, then switch to it: searches keep working meanwhile.

    Also moves an archive between search engines (`--engine tantivy`, and back). Kiwi nouns kept in the
    catalog are reused, so a reindex does not analyse every text again.
    """
    from ..app.admin import document_count
    from ..app.admin import reindex as rebuild

    arch = open_archive()
    with progress(_("reindexing"), total=document_count(arch)) as tick:
        n = rebuild(arch, engine=engine, progress=tick)
    err.print(_("Indexed {n} document(s) with {engine}.").format(n=n, engine=arch.index.engine_name))


def status(as_json: bool = typer.Option(False, "--json", help=_("Print JSON."))) -> None:
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
    watcher = _("running (pid {pid})").format(pid=d['watcher_pid']) if d["watcher_pid"] else _("not running")
    lines = [
        f"[bold]{escape(name)}[/bold] ({escape(d['archive'])})",
        _("  {documents} documents, {pages} pages, {unindexed} waiting for the index").format(**d),
        _("  watcher: {watcher}").format(watcher=watcher),
        _("  queue: {waiting} file(s) waiting in hot folders, {in_progress} in progress, "
          "{quarantined} quarantined").format(**d),
        _("  last hour: {documents} documents, {pages} pages archived, {pages_per_minute:.1f} pages/min").format(**t),
    ]
    if d["abandoned"]:
        lines.append(_("  {n} work folder(s) left by an interruption: run `girok doctor --fix`").format(
            n=d['abandoned']))
    if d["quarantined"]:
        lines.append(_("  quarantined files and their reasons: ") + escape(d["archive"]) + "/quarantine")
    lines += [escape(_("  hot folder {path} [{profile}]: {waiting} waiting").format(**f)) for f in d["hot_folders"]]
    b = d.get("backup") or {}
    if b.get("last_backup"):
        lines.append(escape((_("  last backup: {at} to {target}") if b["last_backup"]["ok"] else
                             _("  last backup: {at} to {target} (incomplete)")).format(**b["last_backup"])))
    if b.get("last_verified"):
        lines.append(escape(_("  last verified backup: {at} ({target})").format(**b["last_verified"])))
    if b.get("warning"):
        lines.append("  [bold yellow]" + escape(_("backup: {warning}").format(warning=b["warning"])) + "[/bold yellow]")
    lines += render_workers(d.get("distributed"))
    rescan = d.get("rescan") or {"count": 0, "newest": []}
    if rescan["count"]:
        shown = len(rescan["newest"])
        lines.append(_("  [bold red]re-scan: {n} document(s) awaiting a re-scan[/bold red]").format(n=rescan['count'])
                     + (_(" (newest {n})").format(n=shown) if shown < rescan["count"] else ""))
        for r in rescan["newest"]:
            pages = r["rescan_pages"]
            what = [f"접수번호 {r['receipt_no']}" if r["receipt_no"] else "",
                    f"신청인 {r['applicant']}" if r["applicant"] else "", r["type"],
                    (_("page {pages}") if len(pages) == 1 else _("pages {pages}")).format(
                        pages=", ".join(map(str, pages))) if pages else "",
                    _("from {source}").format(source=r['source']['name'])]
            lines.append(escape(f"    {r['id']}: " + ", ".join(w for w in what if w)))
    return lines


def render_workers(dist: dict | None) -> list[str]:
    """Several machines: the queue, each worker (host, pid, documents in hand, pages/min) and the indexer."""
    from rich.markup import escape

    if not dist:
        return []
    if dist.get("error"):
        return [escape(_("  workers ({broker}): {error}").format(broker=dist["broker"], error=dist["error"]))]
    q = dist["queue"]
    oldest = q["oldest"]
    lines = [escape(_("  workers ({broker}): {n} running; queue: {depth} job(s)").format(
        broker=dist["broker"], n=len(dist["workers"]), depth=q["depth"])
        + (_(", oldest waiting {source} for {seconds} s").format(source=oldest["source"],
                                                                 seconds=oldest["waiting_seconds"]) if oldest else ""))]
    for w in dist["workers"]:
        lines.append(escape(_("    {host} pid {pid}: {in_hand} in hand of {processes}, {pages_per_minute:.1f} "
                              "pages/min").format(**w)))
    ix = dist.get("indexer")
    lines.append(escape(_("    indexer: {host} pid {pid}").format(**ix) if ix else _("    indexer: not running")))
    return lines


def doctor(
    fix: bool = typer.Option(False, "--fix", help=_("Repair what can be repaired safely (never a stored file: "
                             "`girok restore` puts those back).")),
    quick: bool = typer.Option(False, "--quick", help=_("Re-hash only a random sample of stored files (every file "
                               "is still looked for and its size compared); says how many were not re-hashed.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Check the archive: work folders, audit trail, fixity of every stored file, search index vs catalog.

    Re-hashes every stored file by default (the time of reading the whole store once; `--quick` for a
    sample), verifies the audit chain, and says what it checked and what it did not. Each problem comes
    with what to do. Exit code 1 (GENERAL) while problems remain; `--fix` repairs work folders, unreferenced store
    files and the index, but never a missing or changed stored file (`girok restore`) or the audit trail.
    """
    from ..app.admin import doctor as check

    arch = open_archive()
    with progress(_("re-hashing"), quiet=as_json) as tick:
        report = check(arch, fix=fix, quick=quick, progress=tick)
    if as_json:
        print_json(report.as_dict())
        if not report.ok:
            raise typer.Exit(ExitCode.GENERAL)
        return
    for line in report.findings:
        plain(line)
    if report.fixed:
        out.print(_("Repaired: work folders cleaned, index caught up (rebuilt if needed), unreferenced store files "
                    "removed."))
        if report.remaining:
            plain(_("Not repaired ({n}): doctor never rewrites an archived file or the audit trail; "
                    "see above what to do.").format(n=len(report.remaining)))
    plain(_("Checked:"))
    for line in report.checked:
        plain(f"  - {line}")
    plain(_("Not checked:"))
    for line in report.not_checked:
        plain(f"  - {line}")
    if not report.problems:
        out.print(_("No problems found."))
    else:
        plain(_("{n} problem(s).").format(n=report.problems))
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
