"""`girok show` and `girok search`: render what girok.app.documents returns."""

from __future__ import annotations

from typing import Optional

import typer

from ..errors import ExitCode, UsageError

from .kit import err, open_archive, out, print_json


def show(
    reg_no: str = typer.Argument(..., metavar="ID", help="Registration number, e.g. GR-2026-000001."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    text: bool = typer.Option(False, "--text", help="Include the OCR text (RRNs masked)."),
) -> None:
    """Show a document: metadata, pages, hashes, PDF/A level, and (with --text) its text.

    A disposed document shows its tombstone; exit code 6 (NOT_FOUND), as for any document that is not there.
    """
    from rich.table import Table

    from ..app.documents import TombstoneView
    from ..app.documents import show as find

    shown = find(open_archive(), reg_no, with_text=text)
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
    for k in ("id", "title", "type", "date", "receipt_no", "applicant", "office", "captured_at", "pages",
              "pdfa"):
        if d[k] not in (None, ""):
            t.add_row(k, str(d[k]))
    if d["retention"]:
        r = d["retention"]
        t.add_row("retention", f"{r['class']}, completed {r['completed_on']}, due {r['due_on'] or 'never'}")
    if d["rrn_masked"]:
        t.add_row("RRN", ", ".join(d["rrn_masked"]))
    confs = ", ".join("-" if c is None else f"{c:.0f}" for c in d["page_confidence"])
    t.add_row("OCR confidence", confs + ("  [bold red]re-scan suggested[/bold red]" if d["rescan_suggested"] else ""))
    t.add_row("source", f"{d['source']['name']} ({d['source']['media_type']}, profile {d['source']['profile']})")
    t.add_row("original sha256", d["original"]["sha256"])
    t.add_row("archival sha256", d["archival"]["sha256"])
    tools = d["conversion"].get("tools", {})
    t.add_row("converted with", ", ".join(v if str(v).lower().startswith(k.lower()) else f"{k} {v}"
                                          for k, v in tools.items()))  # not "tesseract tesseract 5.3.0"
    if d["conversion"].get("digital_signature"):
        t.add_row("digital signature", d["conversion"]["digital_signature"])
    out.print(t)
    if text:
        for i, page in enumerate(d["text"], start=1):
            out.rule(f"page {i}")
            out.print(page, markup=False, highlight=False)


def _tombstone(reg_no: str, shown, *, as_json: bool) -> None:
    """Print a disposed document's tombstone, then report it as not there (exit 6)."""
    from rich.table import Table

    tomb = shown.data
    if as_json:
        print_json(tomb)
    else:
        t = Table(show_header=False, box=None, title=f"{reg_no}: disposed of (폐기)")
        for k in ("id", "type", "title", "disposed_at", "pages"):
            t.add_row(k, str(tomb[k]))
        for k in ("class", "completed_on", "due_on"):
            t.add_row(k, str(tomb["retention"][k]))
        t.add_row("original sha256", tomb["original"]["sha256"])
        t.add_row("archival sha256", tomb["archival"]["sha256"])
        dec = tomb["decision"]
        t.add_row("decision", f"{dec['id']} (review {dec['review']}{', ' + dec['meeting'] if dec['meeting'] else ''})")
        t.add_row("certificate", tomb["certificate"]["number"])
        out.print(t)
    gone = shown.error
    gone.hint = "The tombstone is above; the disposal certificate is in ARCHIVE/disposal/."
    raise gone


_QUERY_HELP = (
    "Words to find. Korean words match inside words with particles (민원실 finds 민원실에서) and across "
    "lost word spaces. \"quoted phrases\", AND (implied), OR, NOT (or -word inside a quoted query), (grouping), "
    "and field filters: "
    "type:위임장 office:서초구 date:2023-01-01..2023-12-31 (or date:2023, date:2023-03) retention:10년 "
    "receipt:2024-0001."
)


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
    as_json: bool = typer.Option(False, "--json", help="One JSON line per hit: the document object with rank, "
                                 "total, score and snippet (README: JSON output)."),
    rrn: Optional[str] = typer.Option(None, "--rrn", help="Exact lookup by 주민등록번호 (YYMMDD-NNNNNNN), "
                                      "through a keyed hash; every lookup is recorded in the audit trail."),
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
            raise UsageError(f"no such option: {w}",
                             hint="See `girok search --help`. To leave out a Latin word, quote the query: "
                                  "girok search \"신고서 -AI\".")
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
        err.print("No documents found." if result.total == 0 else
                  f"No results on page {page}: there are {result.total} in all.")
        if result.rrn_in_query:
            err.print("  -> 주민등록번호 is never in the search index: look it up with `girok search --rrn NUMBER` "
                      "(the look-up is recorded in the audit trail).")
        raise typer.Exit(ExitCode.GENERAL)
    from rich.table import Table

    rows = [(h.reg_no, h.doc_type or "-", h.date, h.receipt_no or "-", h.title,
             h.snippet.replace("[", "\\[").replace("\\[\\[", "[bold yellow]").replace("]]", "[/bold yellow]"))
            for h in result.hits]
    if out.width >= 120:
        from rich.table import Column, Table

        # What an officer scans for first stays on one line (ID, date, receipt number); title and snippet fold.
        t = Table(Column("ID", no_wrap=True), Column("type"), Column("date", no_wrap=True),
                  Column("receipt 접수번호", no_wrap=True), Column("title", ratio=1), Column("snippet", ratio=2))
        for row in rows:
            t.add_row(*row)
        out.print(t)
    else:  # a narrow terminal: one block per hit instead of a table each hit of which wraps over 20 lines
        from rich.markup import escape

        for reg_no, doc_type, date, receipt, title, snippet in rows:
            out.print(f"[bold]{reg_no}[/bold]  {date}  {escape(doc_type)}  접수번호 {escape(receipt)}", soft_wrap=True)
            out.print(f"  {escape(title)}")
            out.print(f"  {snippet}")
    more = f"; next: --page {page + 1}" if page < result.pages else ""
    err.print(f"{result.offset + 1}-{result.last} of {result.total} (page {page} of {result.pages}{more})")


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
        err.print(f"No document holds {found.masked}.")
        raise typer.Exit(ExitCode.GENERAL)
    from rich.table import Table

    t = Table("ID", "type", "date", "title")
    for row in found.rows:
        t.add_row(row["id"], row["type"], row["date"] or "", row["title"])
    out.print(t)


def register(app: typer.Typer) -> None:
    app.command()(show)
    # `girok search 신고서 -혼인`: a word with a minus is the query's NOT, not an unknown option
    app.command(context_settings={"ignore_unknown_options": True})(search)
