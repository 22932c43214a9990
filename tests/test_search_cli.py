"""`girok search` as a records officer and a script use it: query language, options, paging, JSON,
exit codes, audit, and `girok reindex` switching under a reader."""

from __future__ import annotations

import json

import pytest

from helpers_records import add_document, girok, sql

RRN = "870501-1196406"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from girok.archive.layout import Archive

    root = tmp_path_factory.mktemp("cli") / "archive"
    Archive.create(root, name="search cli").close()
    regs = [
        add_document(root, ["전입신고서", f"서초구 민원실에서 접수. 신고인 {RRN}"], name="a.png"),
        add_document(root, ["위임장", "대리인 서초구는 토지 대장 열람을 위임함"], name="b.png"),
        add_document(root, ["건축허가신청서", "강남구 건축과 민원"], name="c.png"),
    ]
    sql(root, "UPDATE documents SET doc_type='위임장', doc_date='2023-05-01' WHERE reg_no=?", params=(regs[1],))
    sql(root, "UPDATE documents SET doc_date='2024-02-01' WHERE reg_no=?", params=(regs[0],))
    assert girok(root, "reindex").returncode == 0
    return root, regs


def hits(proc) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_words_filters_and_json(archive):
    root, (a, b, c) = archive
    r = girok(root, "search", "--json", "서초구")
    assert r.returncode == 0, r.stderr
    got = hits(r)
    assert {h["id"] for h in got} == {a, b}
    assert {"rank", "total", "score", "id", "type", "date", "title", "snippet", "captured_at", "source"} <= set(got[0])
    assert "reg_no" not in got[0] and isinstance(got[0]["source"], dict)
    assert got[0]["total"] == 2 and [h["rank"] for h in got] == [1, 2]
    assert [h["id"] for h in hits(girok(root, "search", "--json", "서초구", "type:위임장"))] == [b]
    assert [h["id"] for h in hits(girok(root, "search", "--json", "서초구", "--type", "위임장"))] == [b]
    assert [h["id"] for h in hits(girok(root, "search", "--json", "--date", "2024"))] == [a]
    assert [h["id"] for h in hits(girok(root, "search", "--json", "민원 -서초구"))] == [c]
    assert [h["id"] for h in hits(girok(root, "search", "--json", '"토지 대장"'))] == [b]


def test_sort_and_pages(archive):
    root, (a, b, c) = archive
    newest = hits(girok(root, "search", "--json", "--sort", "newest", "민원 OR 대리인"))
    assert [h["id"] for h in newest][:2] == [c, a]  # c: captured today (no filing date), a: 2024, b: 2023
    page2 = girok(root, "search", "--json", "--sort", "oldest", "-n", "2", "--page", "2", "민원 OR 대리인")
    assert [h["id"] for h in hits(page2)] == [c] and hits(page2)[0]["rank"] == 3
    r = girok(root, "search", "-n", "1", "서초구")
    assert r.returncode == 0 and "1-1 of 2" in r.stderr and "--page 2" in r.stderr
    r = girok(root, "search", "--page", "9", "서초구")
    assert r.returncode == 1 and "there are 2" in r.stderr


def test_table_masks_rrns_and_nothing_found_exits_1(archive):
    root, _ = archive
    r = girok(root, "search", "신고인")
    assert r.returncode == 0 and RRN not in r.stdout and "1196406" not in r.stdout
    r = girok(root, "search", "부산광역시")
    assert r.returncode == 1 and "No documents found" in r.stderr


@pytest.mark.parametrize("args,says", [
    (["민원 OR"], "OR needs"), (["date:2024-13"], "not a valid date"), (["retention:7년"], "retention class"),
    (["--sort", "size", "민원"], "unknown sort"), ([], "give words"),
])
def test_bad_queries_exit_2_with_a_hint(archive, args, says):
    root, _ = archive
    r = girok(root, "search", *args)
    assert r.returncode == 2 and says in r.stderr


def test_searches_are_in_the_audit_trail_without_rrns(archive):
    root, _ = archive
    girok(root, "search", "--json", RRN)
    [(detail,)] = sql(root, "SELECT detail FROM events WHERE action='search' ORDER BY id DESC LIMIT 1")
    assert RRN not in detail and "870501-1******" in detail


def test_an_old_index_asks_for_reindex_and_reindex_fixes_it(tmp_path):
    from girok.archive.layout import Archive

    root = tmp_path / "archive"
    Archive.create(root, name="old").close()
    add_document(root, ["서초구 민원실"], name="a.png")
    meta = next((root / "index").glob("whoosh-*/girok-index.json"))
    meta.write_text(json.dumps({"engine": "whoosh", "schema_version": 1}))
    r = girok(root, "search", "민원실")
    assert r.returncode == 8 and "girok reindex" in r.stderr
    r = girok(root, "reindex")
    assert r.returncode == 0 and "Indexed 1 document" in r.stderr
    assert girok(root, "search", "민원실").returncode == 0


def test_kiwi_nouns_are_kept_for_the_next_reindex(archive):
    root, _ = archive
    rows = sql(root, "SELECT morphs FROM documents ORDER BY id")
    assert all(m and m.startswith("v1:") for (m,) in rows)
    assert "민원실" in rows[0][0].split() and RRN not in rows[0][0]


def test_a_reclassified_document_is_found_under_its_new_class(tmp_path):
    from girok.archive.layout import Archive
    from girok.retention.schedule import reclassify

    root = tmp_path / "archive"
    Archive.create(root, name="classes").close()
    reg = add_document(root, ["서초구 민원실"], name="a.png")
    before = [h["retention"] for h in hits(girok(root, "search", "--json", "민원실"))]
    assert before and before[0] != "준영구"
    with Archive.open(root) as arch:
        reclassify(arch, [reg], new_class="준영구", reason="test")
    assert [h["id"] for h in hits(girok(root, "search", "--json", "retention:준영구"))] == [reg]
    assert hits(girok(root, "search", "--json", f"retention:{before[0]}")) == []
    assert girok(root, "reindex").returncode == 0  # a full rebuild reads the class from the catalog too
    assert [h["id"] for h in hits(girok(root, "search", "--json", "retention:준영구"))] == [reg]


def test_doctor_reports_and_repairs_the_index(tmp_path):
    from girok.archive.layout import Archive

    root = tmp_path / "archive"
    Archive.create(root, name="doctor").close()
    add_document(root, ["서초구 민원실"], name="a.png")
    assert girok(root, "doctor").returncode == 0
    half = root / "index" / "whoosh-v2-20260101000000-1-abcdef"  # what a killed reindex leaves
    half.mkdir()
    meta = next(p for p in (root / "index").glob("whoosh-*/girok-index.json") if p.parent != half)
    meta.write_text(json.dumps({"engine": "whoosh", "schema_version": 1}))
    r = girok(root, "doctor")
    assert r.returncode == 1 and "half-built search index folder" in r.stdout and "unusable" in r.stdout
    r = girok(root, "doctor", "--fix")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not half.exists()
    assert girok(root, "doctor").stdout.strip().endswith("No problems found.")
    assert girok(root, "search", "민원실").returncode == 0
