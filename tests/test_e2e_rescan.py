"""Issue 17.4 end to end (real OCR): a badly damaged page is announced as a re-scan with its pages and the
paper's receipt number and masked applicant, in `ingest --json` and on the console; a clean re-scan of the
same receipt number takes it off `status` and the re-scan list."""

from __future__ import annotations

import csv

import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import NANUM, json_lines, render_korean, run_girok

pytestmark = pytest.mark.e2e

FILLER = [
    "신청인은 아래와 같이 주민등록표 등본의 교부를 신청합니다.",
    "서초구청 민원여권과에서 접수하며 처리 기간은 즉시입니다.",
    "수수료는 한 통에 사백 원이며 무인발급기에서는 무료입니다.",
    "대리인이 신청하는 경우에는 위임장과 신분증을 함께 내야 합니다.",
    "동작구 상도로 일백이십 번지 행정복지센터 민원실",
    "접수 담당자는 신청서의 기재 사항을 확인한 뒤 등본을 교부합니다.",
]


def _page(path, receipt: str, name: str, *, damaged: bool, speck: int = 0):
    lines = ["주민등록표 등본 교부 신청서", f"접수번호 {receipt}", f"성명 {name}", *FILLER]
    png = render_korean(path, lines, size=(2480, 1800))
    if not damaged:
        return png
    with Image.open(png) as im:
        page = im.copy()
    d = ImageDraw.Draw(page)
    # a dark scanner streak over lines 4-6 (as in test_rescan_flag): the receipt number and name stay legible
    d.rectangle([0, 420, 2480, 710], fill=30)
    font = ImageFont.truetype(str(NANUM), int(300 * 14 / 72))
    for i, line in enumerate(lines[3:6]):
        d.text((120, 432 + 104 * i), line, font=font, fill=15)
    d.point((2400 + speck, 1700), fill=0)  # another file, the same paper
    page.save(png, dpi=(300, 300))
    return png


def _rows(path):
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_a_damaged_page_is_announced_for_rescan_until_a_clean_rescan_arrives(make_archive, tmp_path):
    archive = make_archive()
    damaged = _page(tmp_path / "damaged.png", "2024-동작-00001", "홍길동", damaged=True)
    console = run_girok(archive, "ingest", str(damaged))
    assert console.returncode == 0, console.stderr[-2000:]
    line = next(ln for ln in console.stderr.splitlines() if ln.startswith("archived"))
    assert "RE-SCAN page 1 (접수번호 2024-동작-00001, 신청인 홍*동" in line, console.stderr
    assert "홍길동" not in console.stderr

    again = _page(tmp_path / "damaged2.png", "2024-동작-00001", "홍길동", damaged=True, speck=1)
    clean = _page(tmp_path / "clean.png", "2024-동작-00002", "김철수", damaged=False)
    recs = {r["file"].rsplit("/", 1)[-1]: r
            for r in json_lines(run_girok(archive, "ingest", "--json", str(again), str(clean), check=True).stdout)}
    bad, ok = recs["damaged2.png"], recs["clean.png"]
    assert bad["status"] == "archived" and bad["rescan"] is True and bad["rescan_pages"] == [1]
    assert bad["receipt_no"] == "2024-동작-00001" and bad["applicant"] == "홍*동"
    assert ok["rescan"] is False and ok["rescan_pages"] == [] and ok["receipt_no"] == "2024-동작-00002"
    assert ok["applicant"] == "김*수"

    report = archive / "reports" / "rescan.csv"
    assert [r["receipt_no"] for r in _rows(report)] == ["2024-동작-00001"] * 2
    status = json_lines(run_girok(archive, "status", "--json", check=True).stdout)[0]
    assert status["rescan"]["count"] == 2
    assert status["rescan"]["newest"][0]["id"] == bad["id"] and status["rescan"]["newest"][0]["rescan_pages"] == [1]
    assert "2 document(s) awaiting a re-scan" in run_girok(archive, "status", check=True).stdout

    rescanned = _page(tmp_path / "rescanned.png", "2024-동작-00001", "홍길동", damaged=False)
    [rec] = json_lines(run_girok(archive, "ingest", "--json", str(rescanned), check=True).stdout)
    assert rec["rescan"] is False and rec["receipt_no"] == "2024-동작-00001"
    status = json_lines(run_girok(archive, "status", "--json", check=True).stdout)[0]
    assert status["rescan"] == {"count": 0, "newest": []}
    assert _rows(report) == [], "the re-scanned document left the list"
    assert "awaiting a re-scan" not in run_girok(archive, "status", check=True).stdout
