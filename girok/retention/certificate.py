"""The disposal certificate (기록물 폐기 확인서): what was destroyed, when, on whose decision.

Two files per disposal run in ARCHIVE/disposal/: ``certificate-YYYY-NNNN.csv``
(one row per document, for spreadsheets and scripts) and ``.txt`` (to read,
print and sign). Their SHA-256s are recorded in the catalog and the audit
chain, so an edited certificate can be told from the one girok wrote.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .schedule import KST
from .reviewfile import cell

FOLDER = "disposal"
COLUMNS = ["certificate", "disposed_at", "reg_no", "doc_type", "title", "class", "completed_on", "due_on",
           "doc_date", "captured_at", "pages", "original_sha256", "original_file", "archival_sha256",
           "archival_file", "index", "review", "decision", "decided_at", "meeting", "record_no", "file_no",
           "file_title"]
METHOD = ("Files were deleted (unlinked) from the file system; they were not overwritten. "
          "See README, 'Retention, holds and disposal', for what that guarantees on which storage.\n"
          "파일은 파일 시스템에서 삭제(unlink)되었으며 덮어쓰기(완전 삭제)는 하지 않았습니다. "
          "저장 매체별 보장 범위는 README 'Retention, holds and disposal'을 보십시오.")


@dataclass
class Line:
    """One destroyed document, as the certificate lists it."""

    reg_no: str
    doc_type: str
    title: str
    retention_class: str
    completed_on: str
    due_on: str
    doc_date: str
    captured_at: str
    pages: int
    original_sha256: str
    original_file: str
    archival_sha256: str
    archival_file: str
    index: str
    review: int
    decision: int
    decided_at: str
    meeting: str
    record_no: str = ""  # the standard registration number (issue 16) and the record file it was filed in
    file_no: str = ""
    file_title: str = ""


def kst(at: datetime) -> str:
    return at.replace(tzinfo=timezone.utc).astimezone(KST).strftime("%Y-%m-%d %H:%M:%S KST")


def render_csv(number: str, at: datetime, lines: list[Line]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for ln in lines:
        w.writerow([number, kst(at), ln.reg_no, ln.doc_type, cell(ln.title), ln.retention_class, ln.completed_on,
                    ln.due_on, ln.doc_date, ln.captured_at, ln.pages, ln.original_sha256, ln.original_file,
                    ln.archival_sha256, ln.archival_file, ln.index, ln.review, ln.decision, ln.decided_at,
                    cell(ln.meeting), ln.record_no, ln.file_no, cell(ln.file_title)])
    return buf.getvalue()


def render_text(number: str, at: datetime, actor: str, archive_name: str, archive_root: Path,
                lines: list[Line]) -> str:
    out = [
        "기록물 폐기 확인서 / Certificate of records disposal",
        "=" * 52,
        f"기록관 / Archive:            {archive_name} ({archive_root})",
        f"확인서 번호 / Certificate:   {number}",
        f"폐기 일시 / Disposed at:     {kst(at)} ({at.isoformat(timespec='seconds')}Z)",
        f"집행자 / Carried out by:     {actor}",
        f"건수 / Documents:            {len(lines)}  (쪽수 / pages: {sum(ln.pages for ln in lines)})",
        "",
    ]
    for n, ln in enumerate(lines, start=1):
        out += [
            f"{n}. {ln.reg_no}  {ln.doc_type or '(유형 없음 / no type)'}  {ln.title}",
            f"   보존기간 / class {ln.retention_class}; 완료 / completed {ln.completed_on}; "
            f"폐기 가능 / due {ln.due_on}; 등록 / captured {ln.captured_at}",
            f"   결정 / decision {ln.decision} (review {ln.review}, {ln.decided_at}"
            + (f", {ln.meeting})" if ln.meeting else ")"),
            *([f"   등록번호 / registration {ln.record_no or '-'}; 기록물철 / file {ln.file_no} {ln.file_title}"]
              if ln.file_no or ln.record_no else []),
            f"   원본 / original  sha256 {ln.original_sha256}: {ln.original_file}",
            f"   보존본 / archival sha256 {ln.archival_sha256}: {ln.archival_file}",
            f"   검색 색인 / index: {ln.index}",
        ]
    out += ["", METHOD, "", "확인자 / Verified by: ____________________   서명 / Signature: ____________", ""]
    return "\n".join(out)

