"""`girok show` and `girok search`: render what girok.app.documents returns."""

from __future__ import annotations

import re
from typing import Optional

import typer

from ..errors import ExitCode, UsageError
from ..i18n import _, pgettext

from .kit import err, field_label, open_archive, out, print_json


def show(
    reg_no: str = typer.Argument(..., metavar="ID", help=_("Registration number, e.g. GR-2026-000001; or a standard "
                                 "registration number (19 characters) or a receipt number (접수번호).")),
    as_json: bool = typer.Option(False, "--json", help=_("Print JSON.")),
    text: bool = typer.Option(False, "--text", help=_("Include the OCR text (RRNs masked).")),
) -> None:
    """Show a document: metadata, pages, hashes, PDF/A level, and (with --text) its text.

    A disposed document shows its tombstone; exit code 6 (NOT_FOUND), as for any document that is not there.
    """
    from rich.table import Table

    from ..app.documents import TombstoneView
    from ..app.documents import show as find

    shown = find(open_archive(), reg_no, with_text=text)
    if hasattr(shown, "query"):  # several documents of one receipt number (app.cases.Matches)
        _matches(shown, as_json=as_json)
        return
    if isinstance(shown, TombstoneView):
        _tombstone(reg_no, shown, as_json=as_json)
        return
    d = shown.as_dict()
    if as_json:
        print_json(d)
        return
    t = Table(show_header=False, box=None)
    t.add_column(no_wrap=True)
    t.add_column(overflow="fold")  # hashes and paths fold onto the next line rather than being cut
    for k in ("id", "record_no", "title", "type", "date", "receipt_no", "applicant", "office", "captured_at", "pages",
              "pdfa"):
        if d[k] not in (None, ""):
            t.add_row(field_label(k), str(d[k]))
    if d["retention"]:
        r = d["retention"]
        t.add_row(pgettext("field", "retention"), _("{cls}, completed {completed_on}, due {due_on}").format(
            cls=r["class"], completed_on=r["completed_on"], due_on=r["due_on"] or _("never")))
    if d.get("unread_fields"):
        t.add_row(pgettext("field", "not read"), _("[bold red]{fields}[/bold red]: no reading passed its check; "
                                                    "fill in from the paper").format(
            fields=", ".join(field_label(f) for f in d["unread_fields"])))
    if d["rrn_masked"]:
        t.add_row(pgettext("field", "RRN"), ", ".join(d["rrn_masked"]))
    confs = ", ".join("-" if c is None else f"{c:.0f}" for c in d["page_confidence"])
    t.add_row(pgettext("field", "OCR confidence"),
              confs + (_("  [bold red]re-scan suggested[/bold red]") if d["rescan_suggested"] else ""))
    t.add_row(pgettext("field", "source"), _("{name} ({media_type}, profile {profile})").format(**d['source']))
    t.add_row(pgettext("field", "original sha256"), d["original"]["sha256"])
    t.add_row(pgettext("field", "archival sha256"), d["archival"]["sha256"])
    tools = d["conversion"].get("tools", {})
    t.add_row(pgettext("field", "converted with"), ", ".join(v if str(v).lower().startswith(k.lower()) else f"{k} {v}"
                                          for k, v in tools.items()))  # not "tesseract tesseract 5.3.0"
    deskew = d["conversion"].get("options", {}).get("deskew")
    if isinstance(deskew, dict):  # girok levels the image OCR reads, not the page it keeps
        if deskew["preservation_copy"]:
            said = _("the archived page and the OCR image") if deskew["ocr_copy"] else _("the archived page")
        else:
            said = _("the OCR image only (the archived page is as scanned)") if deskew["ocr_copy"] else \
                _("no (the archived page is as scanned)")
        t.add_row(pgettext("field", "deskew"), said)
    if d["conversion"].get("digital_signature"):
        t.add_row(pgettext("field", "digital signature"), d["conversion"]["digital_signature"])
    out.print(t)
    if text:
        for i, page in enumerate(d["text"], start=1):
            out.rule(_("page {n}").format(n=i))
            out.print(page, markup=False, highlight=False)


def _matches(found, *, as_json: bool) -> None:
    """Several documents for one receipt number: list them (which one to show is the clerk's choice)."""
    from rich.table import Table
    from rich.text import Text

    if as_json:
        print_json(found.as_dict())
        return
    t = Table(pgettext("column", "ID"), pgettext("column", "type"), pgettext("column", "date"),
              pgettext("column", "applicant"), pgettext("column", "title"),
              title=_("{n} documents have receipt number {receipt_no}").format(n=len(found.documents),
                                                                               receipt_no=found.query))
    for d in found.documents:
        t.add_row(*(Text(v or "-") for v in (d["id"], d.get("type"), d.get("date"), d.get("applicant"),
                                             d.get("title"))))
    out.print(t)
    err.print(_("Show one with `girok show ID`; the whole case with `girok case {receipt_no}`.").format(
        receipt_no=found.query), markup=False, highlight=False)


def _tombstone(reg_no: str, shown, *, as_json: bool) -> None:
    """Print a disposed document's tombstone, then report it as not there (exit 6)."""
    from rich.table import Table

    tomb = shown.data
    if as_json:
        print_json(tomb)
    else:
        t = Table(show_header=False, box=None, title=_("{id}: disposed of (폐기)").format(id=reg_no))
        for k in ("id", "type", "title", "disposed_at", "pages"):
            t.add_row(field_label(k), str(tomb[k]))
        for k in ("class", "completed_on", "due_on"):
            t.add_row(field_label(k), str(tomb["retention"][k]))
        t.add_row(pgettext("field", "original sha256"), tomb["original"]["sha256"])
        t.add_row(pgettext("field", "archival sha256"), tomb["archival"]["sha256"])
        dec = tomb["decision"]
        t.add_row(pgettext("field", "decision"), _("{id} (review {review}{meeting})").format(
            id=dec['id'], review=dec['review'], meeting=', ' + dec['meeting'] if dec['meeting'] else ''))
        t.add_row(pgettext("field", "certificate"), tomb["certificate"]["number"])
        out.print(t)
    gone = shown.error
    gone.hint = _("The tombstone is above; the disposal certificate is in ARCHIVE/disposal/.")
    raise gone


_QUERY_HELP = _(
    "Words to find. Korean words match inside words with particles (민원실 finds 민원실에서) and across "
    "lost word spaces. \"quoted phrases\", AND (implied), OR, NOT (or -word inside a quoted query), (grouping), "
    "and field filters: "
    "type:위임장 office:서초구 date:2023-01-01..2023-12-31 (or date:2023, date:2023-03) retention:10년 "
    "receipt:2024-0001."
)


def search(
    words: Optional[list[str]] = typer.Argument(None, metavar="QUERY...", help=_QUERY_HELP),
    doc_type: Optional[str] = typer.Option(None, "--type", help=_("Only this document type (as type:).")),
    office: Optional[str] = typer.Option(None, "--office", help=_("Only documents addressed to this office.")),
    date_range: Optional[str] = typer.Option(None, "--date", help=_("Only these filing dates: 2023, 2023-03, "
                                             "2023-01-01..2023-06-30, ..2023-12-31.")),
    retention: Optional[str] = typer.Option(None, "--retention",
                                            help=_("Only this retention class (10년, 영구, 5y).")),
    receipt: Optional[str] = typer.Option(None, "--receipt", help=_("Only this receipt number (접수번호).")),
    sort: str = typer.Option("relevance", "--sort", help=_("relevance, newest or oldest (by filing date).")),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=1000, help=_("Results per page.")),
    page: int = typer.Option(1, "--page", "-p", min=1, help=_("Which page of results.")),
    as_json: bool = typer.Option(False, "--json", help=_("One JSON line per hit: the document object with rank, "
                                 "total, score and snippet (README: JSON output).")),
    rrn: Optional[str] = typer.Option(None, "--rrn", help=_("Exact lookup by 주민등록번호 (YYMMDD-NNNNNNN), "
                                      "through a keyed hash; every lookup is recorded in the audit trail.")),
) -> None:
    """Full-text search of the archive, with filters, sorting and paging.

    Examples: girok search 민원실 | girok search "토지 대장" --sort newest |
    girok search 전입 type:전입신고서 date:2024 | girok search 신고서 -혼인 --office 서초구 --json

    Exit code 1 (GENERAL) when nothing is found, with or without --json.
    """
    from ..app.documents import SearchRequest
    from ..app.documents import search as find

    for w in words or []:  # unknown options reach here as words (so that -혼인 can be a NOT): refuse the typos
        if w.startswith("--") or (len(w) > 1 and w[0] == "-" and w[1].isascii() and " " not in w):
            raise UsageError(_("no such option: {option}").format(option=w),
                             hint=_("See `girok search --help`. To leave out a Latin word, quote the query: "
                                    "girok search \"신고서 -AI\"."))
    arch = open_archive()
    if rrn is not None:
        return _search_rrn(arch, rrn, as_json=as_json)
    result = find(arch, SearchRequest(text=" ".join(words or []), doc_type=doc_type, office=office,
                                      date=date_range, retention=retention, receipt=receipt, sort=sort,
                                      limit=limit, page=page))
    if as_json:
        for row in result.rows():
            print_json(row)
        if not result.hits:  # as without --json: no hits is exit 1 (scripts test the code, not the output)
            raise typer.Exit(ExitCode.GENERAL)
        return
    if not result.hits:
        err.print(_("No documents found.") if result.total == 0 else
                  _("No results on page {page}: there are {total} in all.").format(page=page, total=result.total))
        if result.rrn_in_query:
            err.print(_("  -> 주민등록번호 is never in the search index: look it up with `girok search --rrn NUMBER` "
                        "(the look-up is recorded in the audit trail)."))
        raise typer.Exit(ExitCode.GENERAL)
    _hits_table(result.hits)
    more = _("; next: --page {page}").format(page=page + 1) if page < result.pages else ""
    err.print(_("{first}-{last} of {total} (page {page} of {pages}{more})").format(
        first=result.offset + 1, last=result.last, total=result.total, page=page, pages=result.pages, more=more))


def _hits_table(hits, snippet_lines: int = 2) -> None:
    """One line a hit with what an officer scans for (ID, date, receipt number, applicant, type, title), cut to
    the terminal's width but never the ID, and the hit's snippet under it (at most ``snippet_lines`` lines):
    a table with a snippet column wrapped each hit over many lines at 80 columns."""
    from rich.segment import Segments
    from rich.table import Column, Table
    from rich.text import Text

    def cut(**kw) -> dict:
        return {"no_wrap": True, "overflow": "ellipsis", **kw}

    t = Table(Column(pgettext("column", "ID"), no_wrap=True, min_width=max(len(h.reg_no) for h in hits)),
              Column(pgettext("column", "date"), no_wrap=True, min_width=10),
              Column(pgettext("column", "receipt 접수번호"), **cut(max_width=16)),
              Column(pgettext("column", "applicant"), **cut(max_width=10)),
              Column(pgettext("column", "type"), **cut(max_width=12)),
              Column(pgettext("column", "title"), **cut(ratio=1)), box=None, pad_edge=False, header_style="bold",
              expand=True)
    for h in hits:  # as Text: a title is not markup
        t.add_row(*(Text(v or "-") for v in (h.reg_no, h.date, h.receipt_no, h.applicant, h.doc_type, h.title)))
    lines = out.render_lines(t, pad=False, new_lines=True)
    out.print(Segments(lines[0]), end="")
    width = max(out.width - 2, 20)
    for line, h in zip(lines[1:], hits):
        out.print(Segments(line), end="")
        snippet = Text()
        for i, part in enumerate(re.split(r"\[\[|\]\]", h.snippet)):  # matches come in [[...]]
            snippet.append(part, style="bold yellow" if i % 2 else "")
        wrapped = snippet.wrap(out, width)
        if len(wrapped) > snippet_lines:
            wrapped = wrapped[:snippet_lines]
            wrapped[-1].truncate(width - 2)
            wrapped[-1].append(" …")
        for part in wrapped:
            out.print(Text("  ").append_text(part), soft_wrap=True)


def _search_rrn(arch, rrn: str, *, as_json: bool) -> None:
    from ..app.documents import rrn_lookup

    found = rrn_lookup(arch, rrn)
    if as_json:
        for row in found.json_rows():
            print_json(row)
        if not found.rows:
            raise typer.Exit(ExitCode.GENERAL)
        return
    if not found.rows:
        err.print(_("No document holds {rrn}.").format(rrn=found.masked))
        raise typer.Exit(ExitCode.GENERAL)
    from rich.table import Table

    t = Table(pgettext("column", "ID"), pgettext("column", "type"), pgettext("column", "date"),
              pgettext("column", "title"))
    for row in found.rows:
        t.add_row(row["id"], row["type"], row["date"] or "", row["title"])
    out.print(t)


def register(app: typer.Typer) -> None:
    app.command()(show)
    # `girok search 신고서 -혼인`: a word with a minus is the query's NOT, not an unknown option
    app.command(context_settings={"ignore_unknown_options": True})(search)
