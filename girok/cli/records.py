"""Commands for the record keeper: audit trail, fixity, BagIt export and import, restore (``register(app)``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from ..errors import AuditBroken, FixityFailed
from ..i18n import _
from .kit import err, open_archive, plain as _plain, print_json, progress

audit_app = typer.Typer(help=_("The audit trail: who did what, when, to which documents."),
                        no_args_is_help=True, rich_markup_mode=None)
fixity_app = typer.Typer(help=_("Fixity: are the stored files still the files that were archived?"),
                         no_args_is_help=True, rich_markup_mode=None)


@audit_app.command("verify")
def audit_verify(
    expect: Optional[str] = typer.Option(None, "--expect", metavar="HASH",
                                         help=_("A head hash recorded earlier (elsewhere): fail unless an event "
                                                "still has it, i.e. nothing up to it was rewritten.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON.")),
) -> None:
    """Check that no event was edited, removed, inserted or reordered; name the first bad one.

    Exit code 20 (AUDIT_BROKEN) when the trail does not verify. Record the printed head hash
    somewhere else: a whole catalog rewritten with recomputed hashes is only
    caught with `--expect HASH`.
    """
    from ..app.records import verify_audit

    report = verify_audit(open_archive(), expect=expect)
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        _plain(_("Audit trail intact: {n} event(s).").format(n=report.verdict.events))
        if report.anchor_id is not None:
            _plain(_("The recorded hash is event {id}: nothing up to it was rewritten.").format(id=report.anchor_id))
        if report.head_id is not None:
            _plain(_("Head: event {id}, hash {hash}").format(id=report.head_id, hash=report.head_hash))
            _plain(_("Keep this hash outside the archive; check against it later with --expect HASH."))
    if not report.ok:
        raise AuditBroken(report.problem)


@audit_app.command("log")
def audit_log(
    since: Optional[str] = typer.Option(None, "--since", metavar="DATE",
                                        help=_("Only events from then on (2026-03-01 or 2026-03-01T09:00, Korean time "
                                               "unless the archive's timezone says otherwise).")),
    document: Optional[str] = typer.Option(None, "--document", metavar="ID",
                                           help=_("Only events about this document.")),
    as_json: bool = typer.Option(False, "--json", help=_("One JSON line per event.")),
) -> None:
    """List audit events, oldest first: time (Korean time, with its offset), who, what, which documents."""
    from ..app.records import audit_log as events

    for d in events(open_archive(), since=since, document=document):
        if as_json:
            print_json(d)
        else:
            detail = json.dumps(d["detail"], ensure_ascii=False, separators=(",", ":"))
            _plain(f"{d['id']:>6} {d['at']} {d['actor']:<10} {d['action']:<10} {','.join(d['ids']) or '-'} {detail}")


@fixity_app.command("check")
def fixity_check(
    sample: Optional[int] = typer.Option(None, "--sample", min=1, metavar="N",
                                         help=_("Re-hash only N files chosen at random (every file is still "
                                                "looked for, and its size compared).")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Re-hash stored files against their recorded SHA-256; report missing, changed and orphan files.

    The result is written to the audit trail. Exit code 21 (FIXITY_FAILED) on any problem:
    fit for a nightly job (`girok fixity check && girok audit verify`).
    """
    from ..app.records import fixity_check as check

    arch = open_archive()
    with progress(_("re-hashing"), quiet=as_json) as tick:
        report = check(arch, sample=sample, progress=tick)
    if as_json:
        print_json(report.as_dict())
    else:
        for p in report.problems:
            docs = f" [{', '.join(p.reg_nos)}]" if p.reg_nos else ""
            _plain(f"{kind_word(p.kind):<10} {p.path}: {p.detail}{docs}")
        s = report.summary()
        _plain(_("{files} catalogued file(s), {hashed} re-hashed: {missing} missing, "
                 "{changed} changed, {unreadable} unreadable, {orphan} orphan.").format(**s))
    if not report.ok:
        raise FixityFailed(_("fixity check found {n} problem(s)").format(n=len(report.problems)))


def kind_word(kind: str) -> str:
    """A fixity problem's kind as the console shows it (JSON keeps the kind)."""
    return {"missing": _("missing"), "changed": _("changed"), "unreadable": _("unreadable"),
            "orphan": _("orphan")}.get(kind, kind)


def export(
    ids: Optional[list[str]] = typer.Option(None, "--id", metavar="ID", help=_("A document to export (repeatable).")),
    query: Optional[str] = typer.Option(None, "--query", "-q", help=_("Export every document this search finds.")),
    out_dir: Path = typer.Option(..., "--out", metavar="DIR", help=_("New or empty folder for the bag.")),
    whole_original: bool = typer.Option(False, "--whole-original",
                                        help=_("Pack each document's whole original scan (once per bag), other "
                                               "documents of the same batch included; says how many.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Export documents as a BagIt bag: original pages, PDF/A and metadata each, with SHA-256 manifests.

    From a batch scan each document takes only its own pages of the original (cut without
    re-encoding), with the whole original's SHA-256 and the page numbers as provenance.
    The bag validates with `bagit.py --validate DIR` and imports with `girok import DIR`.
    """
    from ..app.records import export as export_documents

    with progress(_("exporting"), quiet=as_json) as tick:
        d = export_documents(open_archive(), out_dir, ids=ids, query=query, whole_original=whole_original, progress=tick)
    for w in d["whole_originals"]:  # the clerk must know whose papers went along
        err.print(_("Warning: the original {sha}... of {documents} also holds {n} other document(s) that were "
                    "not asked for: {others}. They are in the bag.").format(
                      sha=w['sha256'][:12], documents=', '.join(w['ids']), n=len(w['other_ids']),
                      others=', '.join(w['other_ids'])), markup=False, highlight=False)
    if as_json:
        print_json(d)
    else:
        _plain(_("Exported {n} document(s) to {out} (Payload-Oxum {oxum}).").format(
            n=len(d['documents']), out=d['out'], oxum=d['payload_oxum']))
        _plain(_("Check it with: bagit.py --validate {out}").format(out=d['out']))


def import_(
    bag: Path = typer.Argument(..., metavar="BAG", help=_("The bag's folder (the one with bagit.txt).")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Import a girok bag: validate it entirely, then restore its documents with their registration numbers.

    A bag that fails validation imports nothing (exit code 22, BAG_REJECTED). Documents
    already here with the same content are left alone.
    """
    from ..app.records import import_bag

    arch = open_archive()
    err.print(_("Validating {bag} ...").format(bag=bag))
    d = import_bag(arch, bag)
    if as_json:
        print_json(d)
        return
    imported, present = d["imported"], d["already_present"]
    _plain(_("Imported {n} document(s)").format(n=len(imported)) + (f": {', '.join(imported)}" if imported else "")
           + (_("; {n} already here").format(n=len(present)) if present else "") + ".")
    if d["unknown_fields"]:
        err.print(_("Fields this girok does not know were left in the bag: {fields}").format(
            fields=', '.join(d['unknown_fields'])), markup=False, highlight=False)


def restore(
    paths: list[Path] = typer.Argument(..., metavar="FILE-OR-BAG...",
                                       help=_("A copy of a stored file, a folder of copies (a backup), or a bag.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print the result as JSON.")),
) -> None:
    """Put back changed or missing stored files from copies: a bag from `girok export`, a backup, a file.

    Every file given (or found in a folder or bag) is hashed and matched against the SHA-256 the
    catalog recorded for each original and archival copy; only an exact match is written, replacing a
    missing or changed stored file (verified, atomically), and each repair is an audit event. Files
    already fine are left; a file matching no stored file is reported and left. Exit code 21
    (FIXITY_FAILED) when a restore failed or a path given matched no stored file of this archive.
    """
    from ..app.records import restore as put_back

    arch = open_archive()
    with progress(_("matching"), quiet=as_json) as tick:
        report = put_back(arch, paths, progress=tick)
    if as_json:
        print_json(report.as_dict())
    else:
        for m in report.matches:
            docs = f" [{', '.join(m.documents)}]" if m.documents else ""
            what = {"restored": _("restored ({was})").format(was=m.was), "intact": _("intact"),
                    "failed": _("FAILED ({was})").format(was=m.was)}[m.outcome]
            _plain(_("{what:<20} {path}{docs} from {source}").format(what=what, path=m.path, docs=docs, source=m.source)
                   + (f": {m.detail}" if m.outcome == "failed" else ""))
        for u in report.unmatched:
            _plain(_("{what:<20} {path}: left as it is").format(what=_("matches nothing"), path=u))
        _plain(_("{restored} restored, {intact} already intact, {failed} failed; {unmatched} of {files} file(s) "
                 "given match no stored file. Other damaged files, if any: `girok fixity check`.").format(
                   restored=len(report.of('restored')), intact=len(report.of('intact')),
                   failed=len(report.of('failed')), unmatched=len(report.unmatched), files=report.files))
    if not report.ok:
        why = []
        if report.of("failed"):
            why.append(_("{n} stored file(s) could not be restored").format(n=len(report.of('failed'))))
        if report.refused:
            why.append(_("nothing in {paths} is a stored file of this archive (its SHA-256 matches no original or "
                         "archival copy in the catalog); nothing restored from it").format(
                           paths=', '.join(report.refused)))
        raise FixityFailed("; ".join(why), hint=_("Give a copy whose SHA-256 is the one `girok fixity check` "
                           "or `girok show ID --json` names (an export of the document, or a backup)."))


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(fixity_app, name="fixity")
    app.command("export")(export)
    app.command("import")(import_)
    app.command("restore")(restore)
