"""The review file the committee edits: CSV (opens in Excel) or JSON, written by review, read by decide.

CSV: one row per line, the kind in column ``row``: ``group`` (class, type,
count), then ``due`` rows of that group (the committee fills ``decision``,
``new_class``, ``defer_until``, ``note``), then ``held`` and ``approved``
rows, listed apart and ignored by decide. Written as UTF-8 with a BOM so
Excel shows Korean; read back as UTF-8 or, as Korean Excel saves, CP949.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import RetentionRefused, UsageError
from ..fsutil import fsync_dir
from .review import ReviewList
from ..i18n import _, every_language, pgettext

COLUMNS = ["row", "review", "as_of", "reg_no", "class", "doc_type", "count", "title", "receipt_no", "applicant",
           "file_no", "file_title", "completed_on", "due_on", "captured_on", "hold", "decision", "new_class",
           "defer_until", "note"]
DECISION = ("decision", "new_class", "defer_until", "note")
REQUIRED = ("row", "review", "as_of", "reg_no", "class", "doc_type", "completed_on", "due_on", "decision")
FORMATS = (".csv", ".json")


def heading(column: str) -> str:
    """The CSV heading of ``column`` in the interface language (the committee reads Korean headings);
    the file is read back whichever language wrote it (:func:`column_of`)."""
    return {
        "row": pgettext("csv", "row"), "review": pgettext("csv", "review"), "as_of": pgettext("csv", "as_of"),
        "reg_no": pgettext("csv", "reg_no"), "class": pgettext("csv", "class"),
        "doc_type": pgettext("csv", "doc_type"), "count": pgettext("csv", "count"), "title": pgettext("csv", "title"),
        "completed_on": pgettext("csv", "completed_on"), "due_on": pgettext("csv", "due_on"),
        "captured_on": pgettext("csv", "captured_on"), "hold": pgettext("csv", "hold"),
        "decision": pgettext("csv", "decision"), "new_class": pgettext("csv", "new_class"),
        "defer_until": pgettext("csv", "defer_until"), "note": pgettext("csv", "note"),
        "receipt_no": pgettext("csv", "receipt_no"), "applicant": pgettext("csv", "applicant"),
        "file_no": pgettext("csv", "file_no"), "file_title": pgettext("csv", "file_title"),
    }[column]


def column_of() -> dict[str, str]:
    """Every heading a review file may have (in any language girok speaks) -> its column."""
    return {label: c for c in COLUMNS for label in every_language("csv", c)}


def review_dict(rl: ReviewList, archive_name: str) -> dict:
    blank = {"decision": "", "new_class": "", "defer_until": "", "note": ""}
    return {
        "review": rl.id, "as_of": rl.as_of.isoformat(), "archive": archive_name, "digest": rl.digest,
        "counts": {"due": len(rl.due), "held": len(rl.held), "approved": len(rl.approved)},
        "decisions": "dispose (폐기) | reset (재책정: give new_class) | defer (보류: give defer_until) | empty: undecided",
        "files": [{"file_no": no, "file_title": title, "class": items[0].retention_class, "count": len(items),
                   "due_on": items[0].due_on.isoformat(), "ids": [i.reg_no for i in items], **blank}
                  for no, title, items in rl.files()],
        "groups": [{"class": cls, "type": typ, "count": len(items),
                    "documents": [{**i.as_dict(), **blank} for i in items]} for cls, typ, items in rl.groups()],
        "held": [i.as_dict() for i in rl.held],
        "approved": [i.as_dict() for i in rl.approved],
    }


def cell(text: str) -> str:
    """Text from OCR or a clerk, made inert for spreadsheets: a leading = + - @ would start a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_item(i) -> dict:
    """An item in the CSV's columns (reg_no, doc_type: the spreadsheet's headings since the first girok)."""
    d = i.as_dict()
    d["reg_no"], d["doc_type"] = d.pop("id"), d.pop("type")
    return d


def _csv_rows(rl: ReviewList) -> list[dict]:
    head = {"review": rl.id, "as_of": rl.as_of.isoformat()}
    rows: list[dict] = []
    for no, title, items in rl.files():  # a decision here is every due item's of the file that has none of its own
        rows.append({**head, "row": "file", "file_no": no, "file_title": cell(title), "count": len(items),
                     "class": items[0].retention_class, "due_on": items[0].due_on.isoformat()})
    for cls, typ, items in rl.groups():
        rows.append({**head, "row": "group", "class": cls, "doc_type": typ, "count": len(items)})
        rows += [{**head, "row": "due", **_csv_item(i), "title": cell(i.title), "receipt_no": cell(i.receipt_no),
                  "file_title": cell(i.file_title)} for i in items]
    for kind, items in (("held", rl.held), ("approved", rl.approved)):
        for i in items:
            d = _csv_item(i)
            d["hold"] = cell("; ".join(f"hold {h['hold']}: {h['reason']}" for h in d.pop("holds", [])))
            rows.append({**head, "row": kind, **d, "title": cell(i.title)})
    return rows


def render(rl: ReviewList, archive_name: str, suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(review_dict(rl, archive_name), ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    w.writerow({c: heading(c) for c in COLUMNS})
    w.writerows(_csv_rows(rl))
    return buf.getvalue()


def write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Write via a temp file, fsync and rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding=encoding, newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    fsync_dir(path.parent)


def check_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(_("{name}: the review file must end in .csv or .json").format(name=path.name))
    return suffix


def write_review(rl: ReviewList, archive_name: str, path: Path) -> None:
    suffix = check_format(path)
    write_text(path, render(rl, archive_name, suffix), encoding="utf-8-sig" if suffix == ".csv" else "utf-8")


# --- reading the edited file back ---------------------------------------------------


@dataclass
class Row:
    where: str  # "line 7" or the registration number, for messages
    review: str
    as_of: str
    reg_no: str
    retention_class: str
    doc_type: str
    completed_on: str
    due_on: str
    decision: str
    new_class: str
    defer_until: str
    note: str
    file_no: str = ""


_DATE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?")


def loose_date(text: str) -> date | None:
    """2025-01-01, 2025/1/1 or 2025. 1. 1. (as spreadsheets re-write dates); None if not a date."""
    m = _DATE.fullmatch(text.strip())
    try:
        return date(*map(int, m.groups())) if m else None
    except ValueError:
        return None


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(_("{path}: cannot read ({strerror})").format(path=path, strerror=exc.strerror)) from None
    for enc in ("utf-8-sig", "cp949"):  # Korean Excel saves CSV as CP949
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise RetentionRefused(_("{name}: neither UTF-8 nor CP949 text").format(name=path.name))


def _read_csv(path: Path, text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    known = column_of()
    reader.fieldnames = [known.get(f.strip(), f) for f in reader.fieldnames or []]  # headings -> columns
    missing = [c for c in REQUIRED if c not in reader.fieldnames]
    if missing:
        raise RetentionRefused(_("{name}: not a girok review file (no column {value!r})").format(
                                   name=path.name, value=missing[0]))
    rows, files = [], {}
    for rec in reader:
        kind = (rec.get("row") or "").strip()
        g = {k: (rec.get(k) or "").strip() for k in COLUMNS}
        where = _("line {n}").format(n=reader.line_num)
        if kind == "file" and any(g[k] for k in DECISION):
            files[g["file_no"]] = (where, {k: g[k] for k in DECISION})
        if kind != "due":
            continue
        rows.append(Row(where, g["review"], g["as_of"], g["reg_no"], g["class"], g["doc_type"],
                        g["completed_on"], g["due_on"], g["decision"], g["new_class"], g["defer_until"], g["note"],
                        g["file_no"]))
    return by_file(rows, files)


def by_file(rows: list[Row], files: dict[str, tuple[str, dict]]) -> list[Row]:
    """Each due row of a file the committee decided as a whole takes the file's decision, unless it has one
    of its own; an item decided otherwise than its file is refused (the committee must say which holds)."""
    problems = []
    for r in rows:
        if r.file_no not in files:
            continue
        where, d = files[r.file_no]
        own = r.decision.strip()
        if not own:
            r.decision, r.new_class, r.defer_until = d["decision"], d["new_class"], d["defer_until"]
            r.note = r.note or d["note"]
        elif own.lower() != d["decision"].strip().lower():
            problems.append(_("{where} ({reg_no}): decision {decision!r} differs from its file's ({file_where}, "
                              "{file_no}: {file_decision!r})").format(
                                where=r.where, reg_no=r.reg_no, decision=own, file_where=where, file_no=r.file_no,
                                file_decision=d["decision"]))
    if problems:
        raise RetentionRefused(_("the decisions on files and on their items disagree; nothing was recorded:")
                               + "\n  " + "\n  ".join(problems[:5]))
    return rows


def _read_json(path: Path, text: str) -> list[Row]:
    try:
        data = json.loads(text)
        rows = []
        for grp in data["groups"]:
            for d in grp["documents"]:
                def g(k: str, src: dict = d, old: str = "") -> str:
                    v = src.get(k, src.get(old)) if old else src.get(k)  # old: a file from girok before "id"
                    return "" if v is None else str(v).strip()
                reg = g("id", old="reg_no")
                rows.append(Row(reg, str(data["review"]), str(data["as_of"]), reg, g("class", grp),
                                g("type", grp, "doc_type"), g("completed_on"), g("due_on"), g("decision"),
                                g("new_class"), g("defer_until"), g("note"), g("file_no")))
        files = {}
        for f in data.get("files", []):
            d = {k: "" if f.get(k) is None else str(f.get(k)).strip() for k in DECISION}
            if any(d.values()):
                files[str(f.get("file_no", ""))] = (str(f.get("file_no", "")), d)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RetentionRefused(_("{name}: not a girok review file ({error}: {exc})").format(
                                   name=path.name, error=type(exc).__name__, exc=exc)) from None
    return by_file(rows, files)


def read_rows(path: Path) -> list[Row]:
    suffix = check_format(path)
    text = _decode(path)
    return _read_json(path, text) if suffix == ".json" else _read_csv(path, text)
