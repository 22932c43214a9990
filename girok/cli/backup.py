"""Commands for copies: backup, backup verify, restore-archive (``register(app)``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import BackupFailed, UsageError
from ..i18n import _
from .kit import err, open_archive, plain, print_json, progress, state


def backup(
    first: str = typer.Argument(..., metavar="TARGET | verify",
                                help=_("The backup folder (another disk or a mounted share); `verify TARGET` checks one.")),
    second: Optional[str] = typer.Argument(None, metavar="[TARGET]", show_default=False,
                                           help=_("With verify: the backup folder to check.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Copy the whole archive to TARGET, or check a copy: `girok backup TARGET`, `girok backup verify TARGET`.

    girok backup TARGET: the catalog (a consistent snapshot, taken while ingestion goes on), every
    stored file it references (only those TARGET lacks are copied, each verified by SHA-256 as it is
    written), configuration, the RRN key and the disposal certificates, and a manifest of it all.
    Files of documents disposed of since the last run are deleted from the copy, and the disposal
    certificates' folder notes which copy was updated and when. Run it again after an interruption:
    it goes on where it stopped; a half-written file never counts. The search index is not copied
    (`girok restore-archive` rebuilds it). Exit code 23 (BACKUP_FAILED) when a stored file could not
    be copied (it is damaged or missing in the archive: `girok fixity check`).

    girok backup verify TARGET: re-hash every file of the copy against its manifest, check that the
    catalog copy's files are all there and that its audit trail verifies. Needs no archive; when run
    with one (--archive, GIROK_ARCHIVE or ./archive), the result is recorded there and `girok status`
    shows the age of the last verified backup. Exit code 23 (BACKUP_FAILED) when the copy does not
    verify: the problems are named, file by file.

    Repair a damaged archive file from a backup with `girok restore TARGET`; rebuild a lost archive
    with `girok restore-archive TARGET NEWDIR`. Schedules: README, "Copies and recovery".
    """
    if first == "verify" and second is not None:
        return _verify(Path(second), as_json)
    if second is not None:
        raise UsageError(_("unexpected argument {arg!r}").format(arg=second),
                         hint=_("`girok backup TARGET` makes or updates a backup; `girok backup verify TARGET` checks "
                                "one (a backup folder named verify: give it as ./verify)."))
    from ..app.backup import backup as run_backup

    arch = open_archive()
    with progress(_("backing up"), quiet=as_json) as tick:
        report = run_backup(arch, Path(first), progress=tick)
    if as_json:
        print_json(report.as_dict())
    else:
        for p in report.problems:
            err.print(_("not copied: {problem}").format(problem=p), markup=False, highlight=False)
        plain(_("Backup in {target} ({at}): {files} stored file(s), {copied} copied now ({copied_bytes:,} bytes), "
                "{already} already there; catalog {catalog_bytes:,} bytes, audit trail {audit_events} event(s).")
              .format(**report.as_dict()))
        if report.removed:
            certs = ", ".join(sorted(report.destroyed)) or "-"
            plain(_("Removed {n} file(s) of disposed documents from the copy (certificates: {certs}; noted in "
                    "disposal/copies.txt).").format(n=len(report.removed), certs=certs))
        plain(_("Check it with: girok backup verify {target}").format(target=report.target))
    if not report.ok:
        raise BackupFailed(_("the backup is incomplete: {n} stored file(s) could not be copied").format(
            n=len(report.problems)))


def _verify(target: Path, as_json: bool) -> None:
    from ..app.backup import verify
    from ..errors import GirokError

    try:
        arch = open_archive()
    except GirokError:
        arch = None  # a copy is checked alone; without an archive the result is only printed
    with progress(_("verifying"), quiet=as_json) as tick:
        report = verify(target, arch=arch, progress=tick)
    if as_json:
        print_json(report.as_dict())
    else:
        for p in report.problems:
            plain(f"{p['kind']:<10} {p['path']}: {p['detail']}")
        plain(_("Backup made {made_at}: {files} file(s), {hashed} re-hashed, {problems} problem(s); audit trail of "
                "the copy: {events} event(s).").format(made_at=report.made_at, files=report.files,
                                                      hashed=report.hashed, problems=len(report.problems),
                                                      events=report.audit_events)
              + ("" if arch is not None else " " + _("(Not recorded: {path} is not an archive.)").format(
                  path=state.archive_path)))
    if not report.ok:
        raise BackupFailed(_("the backup in {target} does not verify: {n} problem(s)").format(
            target=target, n=len(report.problems)))


def restore_archive(
    target: Path = typer.Argument(..., metavar="TARGET", help=_("A backup folder made by `girok backup`.")),
    new_dir: Path = typer.Argument(..., metavar="NEWDIR", help=_("A new or empty folder for the restored archive.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Build a working archive from a backup: verify the copy, copy it into NEWDIR, rebuild the search index.

    The backup is verified first; a copy that does not verify is not used (exit code 23, BACKUP_FAILED,
    names the problem). Afterwards `girok --archive NEWDIR doctor`, `audit verify` and `fixity check`
    should all pass; documents archived after the backup was made are not in it.
    """
    from ..app.backup import restore_archive as rebuild

    with progress(_("restoring"), quiet=as_json) as tick:
        d = rebuild(target, new_dir, progress=tick)
    if as_json:
        print_json(d)
    else:
        plain(_("Restored the backup made {backup_made_at} into {archive}: {indexed} document(s) indexed.")
              .format(**d))
        plain(_("Check it with: girok --archive {archive} doctor").format(**d))


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore-archive")(restore_archive)
