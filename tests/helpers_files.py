"""Records-management test archives (issue 16): helpers_retention's ``env`` with an office code and filing rules
in girok.toml, and documents given the type, receipt number and applicant a batch scan would have."""

from __future__ import annotations

import pytest

from helpers_retention import BACKENDS, SCHEDULE, make_env, sql

RECORDS = """
[records]
office_code = "3210000"
paper_keep_months = 6

[files]
volume_size = 3
[files.types]
"전입신고서" = "00890120"
"위임장" = "00890120"
"주민등록표 등본" = "00890120"
"개인정보동의서" = "00890999"
[files.titles]
"00890120" = "전입신고"
"""

TABLE = "단위과제코드,단위과제명,보존기간,보존기간 책정사유\n" \
        "00890120,전입신고,10년,주민등록법 시행령 (예시)\n" \
        "00890999,개인정보 동의,3년,개인정보 보호법 (예시)\n"


def paper(env, reg_no: str, *, doc_type: str, receipt_no: str = "", applicant: str = "") -> None:
    """What OCR would have read on the paper: its type, receipt number (접수번호) and applicant (신청인)."""
    sql(env.root, "update documents set doc_type=?, receipt_no=?, applicant=?, title=? where reg_no=?",
        (doc_type, receipt_no, applicant, doc_type, reg_no))


@pytest.fixture
def rec(make_archive, monkeypatch, env_backend, request):
    """``env`` with the retention schedule of helpers_retention, the office code and the filing rules above."""
    url = request.getfixturevalue("pg_catalog_url") if env_backend == "postgresql" else None
    e = make_env(make_archive, monkeypatch, schedule=SCHEDULE + RECORDS, catalog_url=url)
    yield e
    e.arch.close()


__all__ = ["BACKENDS", "RECORDS", "TABLE", "paper", "rec"]
