"""The registers an office keeps and reports: 기록물 등록대장 and 기록물철 대장 (CSV for Excel), and the yearly
생산현황 통보 (production report) in the text layout records management systems (RMS) exchange.

Registers (``export_registry``): UTF-8 with a byte-order mark (Excel shows Korean), CRLF line ends, Korean
headings, one row per item (등록대장) or per file volume (기록물철 대장) of the year's files; items disposed of
stay listed (상태 폐기) from what the catalog keeps of them.

The production report (``production_report``) follows the layout of the govdocs RMS integration published in
the GitHub repository ju1LEE/Covision (``RecordProductMgr``, ``TxtHandler``, the value objects
``RecordGfileVO``, ``RecordDocVO``, ``RecordPageVO``, ``RecordGfileHistVO``): one text file per kind of record,

- named ``{office}_{KIND}_{yyMMddHHmmss}.txt`` with KIND ``PROD_GFILE`` (record files), ``PROD_DOC`` (items),
  ``PROD_PAGE`` (each item's electronic file and its page count), ``PROD_GFILEHIST`` (changes of file titles
  and kinds: girok has none to report, so the file is empty, as that implementation writes it);
- EUC-KR text, one record a line (lines end in CRLF; no line end after the last), fields separated by NUL
  (U+0000), in the value object's field order, every field present (empty when girok has nothing for it);
- and ``{office}_PROD_REPORT_{yyMMddHHmmss}.xml`` (EUC-KR): ``<exchange year=.. orgCode=.. workCode="PROD_REPORT"
  workDiv="product" ...>`` with a ``<fileList>`` naming each text file with its size.

Field counts: PROD_GFILE 27, PROD_DOC 27, PROD_PAGE 5, PROD_GFILEHIST 12 (``FIELDS``). Codes girok chose
where that source shows none: 보존기간 ``01 03 05 10 30`` years, ``40`` 준영구, ``50`` 영구; 기록물형태
``1`` (일반문서); dates ``YYYYMMDD`` (등록일자 ``YYYYMMDDhhmm``). A character EUC-KR cannot hold (a Hangul
syllable outside KS X 1001, for one) is written as ``?`` and counted. An office must check the layout and codes
with its records centre (기록관) before sending the files: see README.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..catalog import repository as catalog
from ..errors import UsageError
from ..fsutil import fsync_dir
from ..i18n import _
from ..text.pii import mask_name, mask_rrn
from ..text.times import KST, local
from .recordsconf import load_records_config
from .reviewfile import cell, write_text
from .schedule import korean_date

REGISTRY_COLUMNS = ["생산등록번호", "girok 등록번호", "등록일자", "제목", "문서유형", "접수번호", "신청인", "쪽수",
                    "기록물철 분류번호", "기록물철 제목", "보존기간", "처리완료일", "검수", "재스캔 대체",
                    "종이원본 폐기일", "상태"]
FILE_COLUMNS = ["분류번호", "처리과기관코드", "단위과제코드", "생산연도", "철 일련번호", "권호수", "기록물철 제목",
                "보존기간", "등록 건수", "쪽수", "종결 여부", "종결일자", "생성일자", "생성자"]

FIELDS = {
    "PROD_GFILE": ["recordDeptCode", "recordProductName", "productYear", "seriesCode", "recordSeq", "recordCount",
                   "recordSubject", "recordType", "endYear", "keepPeriod", "keepMethod", "keepPlace",
                   "provideEndDate", "provideReason", "workCharger", "oldRecordClassNum", "recordClass", "editCheck",
                   "recordRegisteredCount", "recordPageCount", "recordFileCount", "takeOverCheck",
                   "transRecordDeptCode", "transSeriesCode", "transProductYear", "transRecordSeq",
                   "transRecordCount"],
    "PROD_DOC": ["recordDeptCode", "recordProductName", "registCheck", "productDate", "productNum", "oldProductNum",
                 "attachNum", "recordSubject", "recordPageCount", "approvalName", "proposalName", "completeDate",
                 "receiptName", "distNum", "recordSeq", "recordCheck", "recordClassNum", "recordClassNum_Tran",
                 "specialRecord", "releaseCheck", "releaseRestriction", "keepPeriod", "contentSummary",
                 "recordType", "recordClass", "modifyCheck", "rejectCheck"],
    "PROD_PAGE": ["recordDeptCode", "productYear", "productNum", "fileSeq", "filePageCount"],
    "PROD_GFILEHIST": ["recordDeptCode", "seriesCode", "productYear", "recordSeq", "recordCount",
                       "recordSubjectBefore", "recordSubjectAfter", "recordTypeBefore", "recordTypeAfter",
                       "modifyDate", "modifyReason", "modifyName"],
}
KEEP_PERIOD = {"1년": "01", "3년": "03", "5년": "05", "10년": "10", "30년": "30", "준영구": "40", "영구": "50"}
SEPARATOR, NEWLINE, ENCODING = "\x00", "\r\n", "euc_kr"


def _check_year(year: int) -> None:
    if not 1900 <= year <= 9999:
        raise UsageError(_("{year} is not a year").format(year=year))


def _out_dir(out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    if not out_dir.is_dir():
        raise UsageError(_("{path} is not a folder").format(path=out_dir))
    return out_dir


def _year_data(arch, year: int) -> tuple[list, list, dict]:
    """(files of the year, their items, facts by reg_no: inspection, supersession, paper)."""
    with arch.catalog.reading() as tx:
        files = tx.record_files(year=year)
        items = tx.item_rows(year=year)
        regs = [i.reg_no for i in items]
        last = tx.last_inspections(regs)
        by, _of = tx.supersessions(regs)
        paper = tx.paper_destroyed(regs)
    return files, items, {"inspection": last, "superseded_by": by, "paper": paper}


def _item(i) -> dict:
    """What the registers say of one item, live or disposed of (from its tombstone)."""
    doc, ret, tomb = i[3], i[4], i[5]
    if doc is not None:
        return {"title": mask_rrn(doc.title or ""), "type": doc.doc_type or "", "receipt_no": mask_rrn(doc.receipt_no or ""),
                "applicant": mask_name(doc.applicant or ""), "pages": doc.page_count,
                "captured_at": doc.captured_at, "class": ret.retention_class if ret else "",
                "completed_on": ret.completed_on if ret else None, "state": "보존", "live": True}
    if tomb is not None:
        return {"title": tomb.title, "type": tomb.doc_type, "receipt_no": "", "applicant": "",
                "pages": tomb.page_count, "captured_at": tomb.captured_at, "class": tomb.retention_class,
                "completed_on": tomb.completed_on, "state": f"폐기 {korean_date(tomb.disposed_at)}", "live": False}
    return {"title": "", "type": "", "receipt_no": "", "applicant": "", "pages": 0, "captured_at": None,
            "class": "", "completed_on": None, "state": "?", "live": False}


def _csv(columns: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([cell(v) if isinstance(v, str) else v for v in r])
    return buf.getvalue()


def export_registry(arch, *, year: int, out_dir: Path) -> dict:
    """Write 기록물등록대장-YEAR.csv and 기록물철대장-YEAR.csv for the files of ``year``; audited (registry-export)."""
    _check_year(year)
    out = _out_dir(out_dir)
    files, items, facts = _year_data(arch, year)
    by_id = {f.id: f for f in files}
    rows, pages = [], {}
    for i in items:
        f, d = by_id[i.file_id], _item(i)
        if not facts["superseded_by"].get(i.reg_no):
            pages[f.id] = pages.get(f.id, 0) + d["pages"]
        ins, paper = facts["inspection"].get(i.reg_no), facts["paper"].get(i.reg_no)
        rows.append([i[6] or "", i.reg_no, korean_date(d["captured_at"]).isoformat() if d["captured_at"] else "",
                     d["title"], d["type"], d["receipt_no"], d["applicant"], d["pages"], f.number, f.title, d["class"],
                     d["completed_on"].isoformat() if d["completed_on"] else "",
                     {"pass": "합격", "fail": "불합격"}.get(ins.result, "") if ins else "미검수",
                     facts["superseded_by"].get(i.reg_no, ""),
                     korean_date(paper.at).isoformat() if paper else "", d["state"]])
    counts = {}
    for i in items:
        if not facts["superseded_by"].get(i.reg_no):
            counts[i.file_id] = counts.get(i.file_id, 0) + 1
    frows = [[f.number, f.office_code, f.unit_task, f.year, f"{f.serial:06d}", f"{f.volume:03d}", f.title,
              f.retention_class or "", counts.get(f.id, 0), pages.get(f.id, 0), "종결" if f.closed else "진행",
              korean_date(f.closed_at).isoformat() if f.closed_at else "", korean_date(f.created_at).isoformat(),
              f.created_by] for f in files]
    reg_path, file_path = out / f"기록물등록대장-{year}.csv", out / f"기록물철대장-{year}.csv"
    write_text(reg_path, _csv(REGISTRY_COLUMNS, rows), encoding="utf-8-sig")
    write_text(file_path, _csv(FILE_COLUMNS, frows), encoding="utf-8-sig")
    arch.catalog.add_event("registry-export", reg_no=None, year=year, items=len(rows), files=len(frows),
                           out=[reg_path.name, file_path.name])
    return {"year": year, "items": len(rows), "files": len(frows), "registry": str(reg_path),
            "file_registry": str(file_path)}


# --- the production report --------------------------------------------------------------------------------------


def _field(value) -> str:
    """A value as one field: no separator or line break inside it."""
    text = "" if value is None else str(value)
    return " ".join(text.replace(SEPARATOR, " ").split()) if any(c in text for c in "\x00\r\n\t") else text


def euc_kr(text: str, unencodable: list[int]) -> bytes:
    """``text`` in EUC-KR as KS X 1001 defines it: a character it cannot hold becomes ``?`` (counted). Python's
    codec writes a Hangul syllable outside KS X 1001 (똠) as an 8-byte jamo sequence that other readers (Java's
    EUC-KR) do not decode: that is written as ``?`` too."""
    out = bytearray()
    for ch in text:
        try:
            b = ch.encode(ENCODING)
        except UnicodeEncodeError:
            b = b""
        if not b or len(b) > 2:
            b = b"?"
            unencodable[0] += 1
        out += b
    return bytes(out)


def _encode(records: list[list], unencodable: list[int]) -> bytes:
    return NEWLINE.encode("ascii").join(euc_kr(SEPARATOR.join(_field(v) for v in rec), unencodable)
                                        for rec in records)


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    fsync_dir(path.parent)


def _ymd(day) -> str:
    return day.strftime("%Y%m%d") if day else ""


def production_report(arch, *, year: int, out_dir: Path) -> dict:
    """Write the 생산현황 통보 files of ``year`` (the files produced that year and their items) into ``out_dir``;
    audited (production-report, with each file's SHA-256)."""
    import hashlib

    _check_year(year)
    office = load_records_config(arch.root).need_office_code()
    out = _out_dir(out_dir)
    files, items, facts = _year_data(arch, year)
    name = arch.config.name
    by_file: dict[int, list] = {}
    for i in items:
        if not facts["superseded_by"].get(i.reg_no):  # a re-scan counts once: the superseded copy is left out
            by_file.setdefault(i.file_id, []).append(i)
    gfile, doc, page = [], [], []
    for f in files:
        mine = by_file.get(f.id, [])
        described = [_item(i) for i in mine]
        gfile.append([office, name, year, f.unit_task, f"{f.serial:06d}", f"{f.volume:03d}", f.title, "1", year,
                      KEEP_PERIOD.get(f.retention_class or "", ""), "", "", "", "", f.created_by, "", "", "",
                      len(mine), sum(d["pages"] for d in described), len(mine), "", "", "", "", "", ""])
        for i, d in zip(mine, described):
            number = i[6] or ""
            product_num = number[:7] + number[11:17] if len(number) == 19 else ""
            split = number[17:19] if len(number) == 19 else ""
            registered = local(d["captured_at"], KST).strftime("%Y%m%d%H%M") if d["captured_at"] else ""
            doc.append([office, name, "2", registered, product_num, "", split,
                        d["title"], d["pages"], "", "", _ymd(d["completed_on"]), d["applicant"], "",
                        f"{f.serial:06d}", "", f.number, "", "", "", "", KEEP_PERIOD.get(d["class"], ""), "",
                        "1", "", "", ""])
            page.append([office, number[7:11] if number else year, product_num, "1", d["pages"]])
    stamp = local(catalog.now(), KST).strftime("%y%m%d%H%M%S")
    unencodable = [0]
    written = []
    for kind, records in (("PROD_GFILE", gfile), ("PROD_DOC", doc), ("PROD_PAGE", page), ("PROD_GFILEHIST", [])):
        assert all(len(r) == len(FIELDS[kind]) for r in records), kind
        path = out / f"{office}_{kind}_{stamp}.txt"
        data = _encode(records, unencodable)
        _write_bytes(path, data)
        written.append((kind, path, len(data), len(records), hashlib.sha256(data).hexdigest()))
    entries = "".join(f"        <file path={quoteattr(str(out))} name={quoteattr(p.name)} size=\"{size}\"/>\r\n"
                      for _k, p, size, _n, _h in written)
    xml = ("<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\r\n"
           "<!DOCTYPE exchange SYSTEM \"../../../../conf/exchange.dtd\">\r\n"
           f"<exchange year=\"{year}\" key=\"\" orgCode={quoteattr(office)} onePlatformYN=\"N\" onLineYN=\"Y\" "
           "rcCode=\"\" workCode=\"PROD_REPORT\" workDiv=\"product\">\r\n"
           f"    <fileList>\r\n{entries}    </fileList>\r\n</exchange>\r\n")
    xml_path = out / f"{office}_PROD_REPORT_{stamp}.xml"
    xml_data = euc_kr(xml, unencodable)
    _write_bytes(xml_path, xml_data)
    sums = {p.name: h for _k, p, _s, _n, h in written} | {xml_path.name: hashlib.sha256(xml_data).hexdigest()}
    arch.catalog.add_event("production-report", reg_no=None, year=year, office=office, files=sums,
                           records={k: n for k, _p, _s, n, _h in written}, unencodable=unencodable[0])
    return {"year": year, "office": office, "envelope": str(xml_path),
            "files": [{"kind": k, "path": str(p), "records": n, "size": s, "sha256": h} for k, p, s, n, h in written],
            "unencodable": unencodable[0]}
