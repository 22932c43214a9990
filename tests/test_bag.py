"""BagIt export and import: the bag validates with the bagit tool, a fresh archive gets the same records
back (registration numbers, hashes, metadata, search results), and a bad bag imports nothing."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import bagit
import pytest

from conftest import json_lines, render_korean, run_girok
from girok.archive.bag import folder_name
from girok.archive.layout import Archive
from girok.retention.schedule import reclassify
from girok.errors import BagRejected, FixityFailed
from helpers_records import add_document, girok, sql

BAGIT_TOOL = Path(sys.executable).parent / "bagit.py"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def bagit_validate(bag: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BAGIT_TOOL), "--validate", str(bag)], capture_output=True, text=True)


def show(archive, reg_no) -> dict:
    return json_lines(girok(archive, "show", "--json", "--text", reg_no, check=True).stdout)[0]


def hits(archive, query) -> list[tuple]:
    return [(h["id"], h["title"], h["snippet"]) for h in json_lines(girok(archive, "search", "--json", query).stdout)]


def store_files(archive) -> dict[str, bytes]:
    return {str(p.relative_to(archive)): p.read_bytes() for p in (archive / "store").rglob("*") if p.is_file()}


def sha_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def source(make_archive):
    root = make_archive("source")
    regs = [add_document(root, ["서초구 민원실 전입신고서", "신청인 870501-1196406"], name="전입신고.png"),
            add_document(root, ["토지대장 발급 신청서"], name="토지대장.tif")]
    return root, regs


@pytest.fixture
def bag(source, tmp_path):
    root, regs = source
    out = tmp_path / "bag"
    girok(root, "export", "--id", regs[0], "--id", regs[1], "--out", str(out), check=True)
    return out


def documents_in(archive) -> int:
    return sql(archive, "select count(*) from documents")[0][0]


# --- export ---------------------------------------------------------------------------


def test_exported_bag_validates_with_the_bagit_tool(source, bag):
    root, regs = source
    proc = bagit_validate(bag)
    assert proc.returncode == 0, proc.stderr
    assert "is valid" in proc.stderr
    files = sorted(str(p.relative_to(bag)) for p in bag.rglob("*") if p.is_file())
    assert files == sorted(["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
                            *(f"data/{r}/{n}" for r in regs for n in ("archival.pdf", "metadata.json")),
                            f"data/{regs[0]}/original.png", f"data/{regs[1]}/original.tif"])
    info = bagit.Bag(str(bag)).info
    assert info["Girok-Bag-Format"] == "girok-bag/1" and info["Girok-Documents"] == "2"
    assert info["Source-Organization"] == "test archive" and info["Payload-Oxum"].endswith(".6")
    for r in regs:  # the files are the stored ones, byte for byte
        d = show(root, r)
        assert (bag / "data" / r / "archival.pdf").read_bytes() == (root / d["archival"]["path"]).read_bytes()
    [ev] = [e for e in json_lines(girok(root, "audit", "log", "--json").stdout) if e["action"] == "export"]
    assert ev["ids"] == regs and ev["detail"]["documents"] == 2
    assert ev["detail"]["tagmanifest_sha256"] == sha_file(bag / "tagmanifest-sha256.txt")


def test_a_bag_without_retention_leaves_classing_to_the_schedule(source, bag, make_archive):
    _, regs = source
    assert '"retention": null' in (bag / "data" / regs[0] / "metadata.json").read_text(encoding="utf-8")
    target = make_archive("target")
    girok(target, "import", str(bag), check=True)
    assert retention_rows(target) == []  # classified by the target's own schedule at its next retention step


def test_export_by_query(source, tmp_path):
    root, regs = source
    proc = girok(root, "export", "--query", "토지대장", "--out", str(tmp_path / "q"), "--json", check=True)
    [d] = json_lines(proc.stdout)
    assert [x["id"] for x in d["documents"]] == [regs[1]] and (tmp_path / "q" / "data" / regs[1] / "metadata.json").exists()
    nothing = girok(root, "export", "--query", "건축물대장", "--out", str(tmp_path / "none"))
    assert nothing.returncode == 6 and not (tmp_path / "none").exists()
    assert girok(root, "export", "--out", str(tmp_path / "x")).returncode == 2  # neither --id nor --query


def test_export_refuses_a_folder_that_is_not_empty(source, tmp_path):
    root, regs = source
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("someone's file")
    proc = girok(root, "export", "--id", regs[0], "--out", str(out))
    assert proc.returncode == 2 and "not an empty folder" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"] and (out / "keep.txt").read_text() == "someone's file"
    inside = girok(root, "export", "--id", regs[0], "--out", str(root / "exports"))
    assert inside.returncode == 2 and "inside the archive" in inside.stderr
    assert not any(e["action"] == "export" for e in json_lines(girok(root, "audit", "log", "--json").stdout))


def test_export_refuses_a_damaged_file_and_leaves_nothing(source, tmp_path):
    root, regs = source
    archival = root / show(root, regs[1])["archival"]["path"]
    archival.write_bytes(archival.read_bytes().replace(b"%PDF", b"%PDX"))
    out = tmp_path / "empty"
    out.mkdir()
    proc = girok(root, "export", "--id", regs[0], "--id", regs[1], "--out", str(out))
    assert proc.returncode == FixityFailed.exit_code
    assert f"archival copy of {regs[1]}" in proc.stderr and "nothing was exported" in proc.stderr
    assert list(out.iterdir()) == []


def test_names_in_the_bag_are_safe_whatever_the_metadata_holds(source, tmp_path, make_archive):
    root, regs = source
    hostile = "../../CON\n<..>*?:|\\x"
    d = show(root, regs[0])
    odd = Path(d["original"]["path"]).with_suffix(".png;rm -rf ~")  # an extension no one should trust
    (root / d["original"]["path"]).rename(root / odd)
    sql(root, "update documents set reg_no=?, title='../../제목\n2' where reg_no='" + regs[0] + "'", params=(hostile,))
    sql(root, "update captures set source_name='../../etc/passwd', original_relpath=? where sha256=?",
        params=(str(odd.relative_to("store")), d["original"]["sha256"]))
    out = tmp_path / "hostile"
    girok(root, "export", "--id", hostile, "--id", regs[1], "--out", str(out), check=True)
    assert bagit_validate(out).returncode == 0
    for p in out.rglob("*"):
        assert SAFE_NAME.match(p.name), p
        assert out in p.resolve().parents
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(["CON__.______x", regs[1]])
    assert (out / "data" / "CON__.______x" / "original").exists()
    # such a record is not imported: its registration number is not one
    assert_refused(make_archive, out, "is not a registration number")


def test_folder_names():
    taken: set[str] = set()
    names = ("GR-2026-000001", "a/b", "a_b", "A_B", "", "..", "con", "NUL.txt", "x..y", "é" * 100)
    assert [folder_name(r, taken) for r in names] == [
        "GR-2026-000001", "a_b", "a_b-2", "A_B-3", "document", "document-2", "doc-con", "doc-NUL.txt", "x.y", "document-3"]


# --- round trip -----------------------------------------------------------------------


def retention_rows(archive) -> list[tuple]:
    return sql(archive, "select d.reg_no, r.retention_class, r.completed_on, r.due_on, r.deferred_until, r.basis, "
                        "r.classified_at from retention r join documents d on d.id = r.document_id order by d.reg_no")


def test_round_trip_restores_numbers_hashes_metadata_and_search(source, make_archive, tmp_path):
    root, regs = source
    with Archive.open(root) as arch:  # the first by the schedule, the second re-classified by the officer
        reclassify(arch, [regs[1]], new_class="3년", completed_on=date(2020, 5, 1), reason="기준표 개정")
    bag = tmp_path / "bag"
    girok(root, "export", "--id", regs[0], "--id", regs[1], "--out", str(bag), check=True)
    target = make_archive("target")
    proc = girok(target, "import", str(bag), "--json")
    assert proc.returncode == 0, proc.stderr
    [d] = json_lines(proc.stdout)
    assert sorted(d["imported"]) == sorted(regs) and d["already_present"] == [] and d["unknown_fields"] == []
    for r in regs:
        assert show(target, r) == show(root, r)  # every field: hashes, paths, times, conversion, text
    for q in ("민원실", "토지대장", "신청", "870501-1196406"):
        assert hits(target, q) == hits(root, q), q
    assert store_files(target) == store_files(root)
    assert retention_rows(target) == retention_rows(root) and retention_rows(root)[1][1:3] == ("3년", "2020-05-01")
    # the next registration number in the target follows the imported ones: none is issued twice
    prefix, year, _ = regs[1].rsplit("-", 2)
    assert add_document(target, ["건축물대장"], name="new.png") == f"{prefix}-{year}-{int(regs[1][-6:]) + 1:06d}"
    [ev] = [e for e in json_lines(girok(target, "audit", "log", "--json").stdout) if e["action"] == "import"]
    assert sorted(ev["ids"]) == sorted(regs) and ev["detail"]["imported"] == 2
    assert ev["detail"]["tagmanifest_sha256"] == sha_file(bag / "tagmanifest-sha256.txt")
    assert girok(target, "audit", "verify").returncode == 0
    assert girok(target, "fixity", "check").returncode == 0
    # importing the same bag again changes nothing
    again = json_lines(girok(target, "import", str(bag), "--json", check=True).stdout)[0]
    assert again["imported"] == [] and sorted(again["already_present"]) == sorted(regs)
    assert documents_in(target) == 3


# --- bad bags import nothing ----------------------------------------------------------


def assert_refused(make_archive, bag, *phrases):
    """Importing ``bag`` into a fresh archive fails with a message holding ``phrases``, and imports nothing."""
    target = make_archive("target")
    proc = girok(target, "import", str(bag))
    assert proc.returncode == BagRejected.exit_code, proc.stdout + proc.stderr
    for phrase in (*phrases, "nothing was imported"):
        assert phrase in proc.stderr
    assert documents_in(target) == 0 and store_files(target) == {}
    assert [a for (a,) in sql(target, "select action from events")] == ["init"]


def rewrite_tagmanifest(bag: Path) -> None:
    lines = [f"{sha_file(bag / name)}  {name}\n" for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")]
    (bag / "tagmanifest-sha256.txt").write_text("".join(lines))


def test_a_tampered_payload_is_refused(source, bag, make_archive):
    _, regs = source
    pdf = bag / "data" / regs[1] / "archival.pdf"
    data = bytearray(pdf.read_bytes())
    data[5] ^= 0x01
    pdf.write_bytes(bytes(data))
    assert_refused(make_archive, bag, f"data/{regs[1]}/archival.pdf sha256 validation failed")
    assert bagit_validate(bag).returncode != 0


@pytest.mark.parametrize("entry, why", [
    ("data/../../outside.txt", "is unsafe"),  # bagit itself refuses it
    ("data/../evil.txt", "'data/../evil.txt' is not where a girok bag keeps files"),  # bagit alone accepts it
])
def test_a_path_traversal_name_is_refused(bag, make_archive, entry, why):
    (bag / "evil.txt").write_text("outside the payload")
    with (bag / "manifest-sha256.txt").open("a") as fh:
        fh.write(f"{sha_file(bag / 'evil.txt')}  {entry}\n")
    rewrite_tagmanifest(bag)
    assert_refused(make_archive, bag, why)


def test_a_symbolic_link_in_the_bag_is_refused(source, bag, make_archive, tmp_path):
    _, regs = source
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the archive")
    os.symlink(secret, bag / "data" / regs[0] / "original.txt")
    with (bag / "manifest-sha256.txt").open("a") as fh:
        fh.write(f"{sha_file(secret)}  data/{regs[0]}/original.txt\n")
    rewrite_tagmanifest(bag)
    assert_refused(make_archive, bag, "symbolic link")


def test_a_valid_bag_whose_record_does_not_match_its_files_is_refused(source, bag, make_archive):
    _, regs = source
    meta = bag / "data" / regs[0] / "metadata.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"pdfa": "2B"', '"pdfa": "2B", "x": 1', 1)
                    .replace('"archival_size": ', '"archival_size": 1', 1), encoding="utf-8")
    b = bagit.Bag(str(bag))
    b.save(manifests=True)  # a valid bag again: only girok's own checks can tell
    assert bagit_validate(bag).returncode == 0
    assert_refused(make_archive, bag, "the size of archival.pdf is not the record's")


def test_a_registration_number_taken_by_other_content_is_refused(source, bag, make_archive):
    _, regs = source
    target = make_archive("target")
    mine = add_document(target, ["다른 문서"], name="other.png")
    assert mine == regs[0]
    before = store_files(target)
    proc = girok(target, "import", str(bag))
    assert proc.returncode == BagRejected.exit_code and f"{regs[0]} already exists" in proc.stderr
    assert documents_in(target) == 1 and store_files(target) == before


def test_not_a_bag(make_archive, tmp_path):
    (tmp_path / "plain").mkdir()
    assert_refused(make_archive, tmp_path / "plain", "not a valid bag")


# --- end to end with real scans -------------------------------------------------------


@pytest.mark.e2e
def test_round_trip_of_ocred_documents(make_archive, tmp_path):
    src = make_archive("source")
    scans = [render_korean(tmp_path / "a.png", ["서초구 민원실에서 접수한 전입신고서"]),
             render_korean(tmp_path / "b.png", ["토지대장을 발급합니다"])]
    recs = json_lines(run_girok(src, "ingest", "--json", *map(str, scans), check=True).stdout)
    regs = [r["id"] for r in recs]
    out = tmp_path / "bag"
    run_girok(src, "export", "--query", "민원실 OR 토지대장", "--out", str(out), check=True)
    assert bagit_validate(out).returncode == 0
    target = make_archive("target")
    run_girok(target, "import", str(out), check=True)
    for r in regs:
        assert show(target, r) == show(src, r)
    for q in ("민원실", "토지대장", "전입"):
        assert hits(target, q) == hits(src, q) and hits(src, q)
    assert store_files(target) == store_files(src)


def test_a_disposed_document_does_not_come_back(make_archive, monkeypatch, tmp_path):
    from girok.retention.disposal import dispose
    from helpers_retention import approve, make_env

    env = make_env(make_archive, monkeypatch)
    [kept] = env.add("전입신고서", captured=datetime(2024, 5, 1))  # 5년: due from 2030
    [gone] = env.add("전입신고서", captured=datetime(2019, 5, 1))  # due from 2025
    env.clock.set(2026, 3, 2)
    bag = tmp_path / "bag"
    girok(env.root, "export", "--id", kept, "--id", gone, "--out", str(bag), check=True)
    approve(env, [gone])
    assert dispose(env.arch).disposed == [gone]
    assert girok(env.root, "fixity", "check").returncode == 0  # disposal left no missing or orphan file
    proc = girok(env.root, "import", str(bag))
    assert proc.returncode == BagRejected.exit_code and f"{gone} was disposed of" in proc.stderr
    assert sql(env.root, "select reg_no from documents") == [(kept,)]
    env.arch.close()
