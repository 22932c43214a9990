"""girok.archive.store (content-addressed files) and girok.catalog.repository (SQLite or PostgreSQL + alembic);
the catalog tests run on both backends (``catalog_url``; PostgreSQL with GIROK_TEST_POSTGRES_URL)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

import girok.catalog.repository as catalog_mod
from girok.catalog.repository import Catalog, NewCapture, NewDocument
from girok.archive.store import Store
from girok.errors import NotFound, StorageError


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def src_file(tmp_path: Path, data: bytes, name: str = "전입신고서.pdf") -> Path:
    p = tmp_path / "src" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


# --- Store ------------------------------------------------------------------------


def test_put_is_content_addressed(tmp_path):
    store = Store(tmp_path / "store")
    data = "%PDF-1.7 scanned 민원 form".encode()
    h = sha(data)
    st = store.put("originals", src_file(tmp_path, data), h, ".PDF")
    assert st.kind == "originals" and st.sha256 == h and st.size == len(data)
    assert st.relpath == f"originals/{h[:2]}/{h}.pdf"
    assert store.resolve(st.relpath).read_bytes() == data
    assert store.path_for("archival", h, ".pdf") == tmp_path / "store" / "archival" / h[:2] / f"{h}.pdf"


@pytest.mark.parametrize("ext, expected", [(".TIF", ".tif"), (".jpeg", ".jpeg"), ("", ""), ("pdf", ""),
                                           ("../../x", ""), (".toolongext", ""), (".p/f", "")])
def test_extension_is_sanitized(tmp_path, ext, expected):
    h = "ab" + "0" * 62
    assert Store(tmp_path).path_for("originals", h, ext).name == h + expected


def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(ValueError):
        Store(tmp_path).path_for("tmp", "ab" * 32, ".pdf")


def test_put_is_idempotent(tmp_path):
    store = Store(tmp_path / "store")
    data = b"II*\x00 some tiff bytes"
    h = sha(data)
    a = store.put("originals", src_file(tmp_path, data, "a.tif"), h, ".tif")
    b = store.put("originals", src_file(tmp_path, data, "b.tif"), h, ".tif")
    assert a == b
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert files == [store.resolve(a.relpath)]  # one file, no temp files left over
    assert list(store.iter_files()) == files


def test_put_never_overwrites_and_verifies_the_hash(tmp_path):
    store = Store(tmp_path / "store")
    data = b"%PDF-1.7 the real scan"
    h = sha(data)
    dest = store.path_for("originals", h, ".pdf")
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"bit rot")  # a damaged file already under this name
    before = dest.stat()
    with pytest.raises(StorageError) as ei:
        store.put("originals", src_file(tmp_path, data), h, ".pdf")
    assert h[:12] in str(ei.value) and "doctor" in str(ei.value)
    assert dest.read_bytes() == b"bit rot"  # not overwritten, even with the right content
    assert dest.stat().st_ino == before.st_ino


def test_put_with_wrong_hash_raises(tmp_path):
    store = Store(tmp_path / "store")
    with pytest.raises(StorageError, match="expected"):
        store.put("archival", src_file(tmp_path, b"content A"), sha(b"content B"), ".pdf")


def test_put_from_missing_source_is_a_storage_error(tmp_path):
    store = Store(tmp_path / "store")
    with pytest.raises(StorageError, match="gone.pdf"):
        store.put("originals", tmp_path / "gone.pdf", sha(b""), ".pdf")
    assert [p for p in (tmp_path / "store").rglob("*") if p.is_file()] == []


def test_iter_files_skips_temp_files(tmp_path):
    store = Store(tmp_path / "store")
    data = b"%PDF-1.7 x"
    st = store.put("archival", src_file(tmp_path, data), sha(data), ".pdf")
    (tmp_path / "store" / "archival" / "ab").mkdir(parents=True, exist_ok=True)
    (tmp_path / "store" / "archival" / "ab" / ".tmp-12345.pdf").write_bytes(b"half")
    assert list(store.iter_files()) == [store.resolve(st.relpath)]


# --- Catalog ----------------------------------------------------------------------

FIXED = datetime(2026, 3, 14, 9, 26, 53)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": FIXED}
    monkeypatch.setattr(catalog_mod, "now", lambda: state["now"])
    return state


@pytest.fixture
def cat(catalog_url, clock):
    c = Catalog(catalog_url)
    yield c
    c.close()


def new_doc(sha256: str, *, first_page: int = 1, texts=("서초구 민원실",), title: str = "") -> NewDocument:
    return NewDocument(first_page=first_page, page_count=len(texts), archival_sha256=sha256,
                       archival_relpath=f"archival/{sha256[:2]}/{sha256}.pdf", archival_size=1234, pdfa="2B",
                       conversion={"ocrmypdf": "17", "lang": "kor+eng", "메모": "한글"},
                       page_texts=list(texts), title=title)


def new_capture(n: int, docs: int = 1) -> NewCapture:
    h = sha(f"capture {n}".encode())
    return NewCapture(sha256=h, size=100 + n, source_name=f"스캔_{n:04d}.pdf", source_path=f"/hot/스캔_{n:04d}.pdf",
                      hot_folder="/hot", profile="default", media_type="application/pdf",
                      original_relpath=f"originals/{h[:2]}/{h}.pdf",
                      documents=[new_doc(sha(f"doc {n}.{i}".encode()), first_page=i + 1) for i in range(docs)])


def test_migrations_run_to_head(empty_catalog_url):
    from girok.catalog.repository import HEAD_REVISION, MIGRATIONS

    cat = Catalog(empty_catalog_url)
    try:
        newest = max(p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("0*.py"))
        assert cat.head_revision() == newest == HEAD_REVISION
        assert cat.current_revision() == cat.head_revision()
        tables = set(inspect(cat.engine).get_table_names())
        assert {"captures", "documents", "pages", "events", "counters", "alembic_version"} <= tables
        if cat.path is not None:
            with sqlite3.connect(cat.path) as db:
                assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        cat.close()


def test_reopening_keeps_data_and_revision(catalog_url, clock):
    c = Catalog(catalog_url)
    c.commit_capture(new_capture(1), prefix="GR")
    c.close()
    c2 = Catalog(catalog_url)
    assert c2.current_revision() == c2.head_revision()
    assert c2.counts()["documents"] == 1
    assert c2.commit_capture(new_capture(2), prefix="GR") == ["GR-2026-000002"]
    c2.close()


def test_catalog_without_migration_has_no_revision(empty_catalog_url):
    c = Catalog(empty_catalog_url, migrate=False)
    assert c.current_revision() is None
    c.upgrade()
    assert c.current_revision() == c.head_revision()
    c.close()


def test_registration_numbers_are_sequential(cat):
    assert cat.commit_capture(new_capture(1), prefix="GR") == ["GR-2026-000001"]
    assert cat.commit_capture(new_capture(2, docs=3), prefix="GR") == [
        "GR-2026-000002", "GR-2026-000003", "GR-2026-000004"]
    assert cat.commit_capture(new_capture(3), prefix="SC") == ["SC-2026-000001"]  # per prefix
    assert cat.commit_capture(new_capture(4), prefix="GR") == ["GR-2026-000005"]
    assert cat.counts() == {"captures": 4, "documents": 6, "pages": 6, "unindexed": 6}


def test_numbers_restart_each_year(cat, clock):
    assert cat.commit_capture(new_capture(1), prefix="GR") == ["GR-2026-000001"]
    clock["now"] = datetime(2027, 1, 1, 0, 0, 1)
    assert cat.commit_capture(new_capture(2), prefix="GR") == ["GR-2027-000001"]


def test_duplicate_sha_raises_file_exists_and_rolls_back(cat):
    cap = new_capture(1)
    cat.commit_capture(cap, prefix="GR")
    dup = new_capture(2, docs=2)
    dup.sha256 = cap.sha256
    with pytest.raises(FileExistsError) as ei:
        cat.commit_capture(dup, prefix="GR")
    assert cap.sha256 in str(ei.value)
    assert cat.counts()["captures"] == 1 and cat.counts()["documents"] == 1
    assert [e.action for e in cat.events()] == ["capture"]
    # no number was used up by the failed transaction
    assert cat.commit_capture(new_capture(3), prefix="GR") == ["GR-2026-000002"]


def test_capture_by_sha(cat):
    cap = new_capture(7, docs=2)
    regs = cat.commit_capture(cap, prefix="GR")
    row = cat.capture_by_sha(cap.sha256)
    assert row is not None
    assert row.source_name == "스캔_0007.pdf" and row.size == 107 and row.captured_at == FIXED
    assert [d.reg_no for d in row.documents] == regs
    assert cat.capture_by_sha("0" * 64) is None


def test_get_returns_document_with_pages_and_capture(cat):
    cap = new_capture(1)
    cap.documents = [new_doc(sha(b"d"), texts=("첫 쪽 서초구", "둘째 쪽 민원실"), title="전입신고서")]
    [reg] = cat.commit_capture(cap, prefix="GR")
    doc = cat.get(reg)
    assert doc.reg_no == reg and doc.title == "전입신고서" and doc.page_count == 2
    assert [(p.page_no, p.text) for p in doc.pages] == [(1, "첫 쪽 서초구"), (2, "둘째 쪽 민원실")]
    assert doc.capture.sha256 == cap.sha256
    assert json.loads(doc.conversion)["메모"] == "한글"
    assert doc.indexed_at is None


@pytest.mark.parametrize("reg", ["GR-2026-000099", "", "gr-2026-000001"])
def test_get_unknown_raises_not_found(cat, reg):
    cat.commit_capture(new_capture(1), prefix="GR")
    with pytest.raises(NotFound) as ei:
        cat.get(reg)
    assert repr(reg) in str(ei.value) and ei.value.exit_code == 6


def test_get_many(cat):
    cat.commit_capture(new_capture(1, docs=2), prefix="GR")
    found = cat.get_many(["GR-2026-000002", "GR-2026-000009"])
    assert list(found) == ["GR-2026-000002"]


def test_iter_documents_and_mark_indexed(cat):
    regs = cat.commit_capture(new_capture(1, docs=3), prefix="GR") + cat.commit_capture(new_capture(2), prefix="GR")
    assert [d.reg_no for d in cat.iter_documents(batch=2)] == regs
    assert [d.reg_no for d in cat.iter_documents(only_unindexed=True, batch=1)] == regs
    cat.mark_indexed([regs[0], regs[2]])
    cat.mark_indexed([])
    assert [d.reg_no for d in cat.iter_documents(only_unindexed=True, batch=1)] == [regs[1], regs[3]]
    assert cat.get(regs[0]).indexed_at == FIXED
    assert cat.counts()["unindexed"] == 2
    docs = list(cat.iter_documents(batch=3))
    assert len(docs) == 4 and all(d.pages and d.capture for d in docs)
    cat.mark_all_indexed()
    assert list(cat.iter_documents(only_unindexed=True)) == []
    cat.mark_all_unindexed()
    assert len(list(cat.iter_documents(only_unindexed=True))) == 4


def test_events_are_recorded(cat):
    cap = new_capture(1, docs=2)
    regs = cat.commit_capture(cap, prefix="GR")
    cat.add_event("search", query="민원실", hits=3)
    ev = cat.events()
    assert [e.action for e in ev] == ["search", "capture"]  # newest first
    capture_ev = ev[1]
    assert capture_ev.reg_no == ",".join(regs)
    assert capture_ev.at == FIXED
    assert capture_ev.actor
    assert json.loads(capture_ev.detail) == {"sha256": cap.sha256, "source": "스캔_0001.pdf", "profile": "default"}
    assert json.loads(ev[0].detail) == {"query": "민원실", "hits": 3}
    assert len(cat.events(limit=1)) == 1


def test_stored_relpaths(cat):
    cap = new_capture(1)
    cat.commit_capture(cap, prefix="GR")
    assert cat.stored_relpaths() == {cap.original_relpath, cap.documents[0].archival_relpath}


def test_catalog_file_is_created_in_place(tmp_path, clock):
    path = tmp_path / "sub dir 한글" / "catalog.sqlite"
    path.parent.mkdir()
    c = Catalog(path)
    c.commit_capture(new_capture(1), prefix="GR")
    c.close()
    assert path.exists() and os.path.getsize(path) > 0


# --- what SQLite lets through and PostgreSQL would not, and queries that differ between backends -------


def test_long_event_registration_lists_big_files_and_nul_characters(cat):
    """VARCHAR lengths and 32-bit integers are enforced by PostgreSQL, never by SQLite (migration 0008);
    PostgreSQL cannot store U+0000 in text at all: the catalog keeps U+FFFD on every backend."""
    cap = new_capture(1, docs=4)
    cap.size = 5 * 2**30  # a 5 GiB scan
    cap.documents[0].archival_size = 3 * 2**30
    cap.documents[0].page_texts = ["서초구\x00민원실"]
    cap.documents[0].title = "전입\x00신고서"
    regs = cat.commit_capture(cap, prefix="LONGPREF")
    assert len(",".join(regs)) > 64
    assert cat.events()[0].reg_no == ",".join(regs)
    assert cat.capture_by_sha(cap.sha256).size == 5 * 2**30
    doc = cat.get(regs[0])
    assert doc.archival_size == 3 * 2**30
    assert doc.pages[0].text == "서초구\ufffd민원실" and doc.title == "전입\ufffd신고서"
    cat.add_event("a-rather-long-action-name-over-32-characters", actor_note="x" * 100)
    assert cat.verify_audit().ok


def test_events_by_registration_number_and_time(cat, clock):
    regs = cat.commit_capture(new_capture(1, docs=2), prefix="GR")
    clock["now"] = datetime(2026, 3, 15, 0, 0, 0)
    cat.add_event("show", reg_no=regs[1])
    cat.add_event("note", reg_no="GR_2026%000002")  # LIKE wildcards in the data match only themselves
    assert [e.action for e in cat.iter_events(reg_no=regs[1])] == ["capture", "show"]
    assert [e.action for e in cat.iter_events(reg_no="GR_2026%000002")] == ["note"]
    assert [e.action for e in cat.iter_events(reg_no="gr-2026-000002")] in (["capture", "show"], [])  # case: caller
    assert [e.action for e in cat.iter_events(since=datetime(2026, 3, 15))] == ["show", "note"]
    assert cat.last_event("show").reg_no == regs[1] and cat.last_event("nothing") is None
    n, head = cat.audit_head()
    assert n == 3 and head == cat.events(limit=1)[0].hash


def test_reads_for_the_index_fixity_and_status(cat, clock):
    a = cat.commit_capture(new_capture(1, docs=2), prefix="GR")
    b = cat.commit_capture(new_capture(2), prefix="GR")
    rows = list(cat.iter_index_rows())
    assert [r["reg_no"] for r in rows] == a + b and rows[0]["pages_text"] == ["서초구 민원실"]
    assert rows[0]["retention_class"] is None
    assert [r["reg_no"] for r in cat.iter_index_rows(reg_nos=[b[0]])] == b
    assert list(cat.iter_index_rows(reg_nos=[])) == []
    assert [r["reg_no"] for r in cat.iter_index_rows(after_id=rows[0]["id"], batch=1)] == a[1:] + b
    originals, archival = cat.stored_files()
    assert sorted(o[2] for o in originals) == sorted([new_capture(1).sha256, new_capture(2).sha256])
    assert [x[1] for x in archival] == a + b
    assert cat.captured_since(datetime(2026, 1, 1)) == (3, 3, FIXED, FIXED)
    assert cat.captured_since(datetime(2027, 1, 1)) == (0, 0, None, None)
    assert cat.get_many([]) == {}
    cat.set_morphs({rows[0]["id"]: "v1:서초구 민원실"})
    assert cat.get(a[0]).morphs == "v1:서초구 민원실"
    cat.mark_indexed_upto(rows[1]["id"])
    assert cat.counts()["unindexed"] == 1


def test_rescans_and_rrn_lookups(cat):
    """Boolean columns compared both ways; a later clean scan of the same receipt supersedes a flagged one."""
    flagged = new_capture(1)
    flagged.documents[0].rescan_suggested = True
    flagged.documents[0].receipt_no, flagged.documents[0].doc_type = "2026-001", "전입신고서"
    flagged.documents[0].rrn_hmacs = ["h" * 64, "h" * 64]
    [old] = cat.commit_capture(flagged, prefix="GR")
    n, rows = cat.awaiting_rescan()
    assert n == 1 and rows[0]["reg_no"] == old and rows[0]["page_confidence"] == [None]
    clean = new_capture(2)
    clean.documents[0].receipt_no, clean.documents[0].doc_type = "2026-001", "전입신고서"
    [new] = cat.commit_capture(clean, prefix="GR")
    assert [r["reg_no"] for r in cat.rescans_superseded_by(new)] == [old]
    assert cat.rescans_superseded_by(old) == []
    assert cat.awaiting_rescan() == (0, [])
    assert cat.reg_nos_by_rrn_hmac("h" * 64) == [old] and cat.reg_nos_by_rrn_hmac("x") == []


def test_word_readings_lexicon(cat):
    assert cat.word_readings([], 1) == {} and cat.lexicon_size() == 0
    cat.add_word_readings({"민원실에서": ("민원실", "민원실"), "신고서를": ("신고서", "신고서")}, 1)
    cat.add_word_readings({}, 1)
    assert cat.word_readings(["민원실에서", "없는말"], 1) == {"민원실에서": ("민원실", "민원실")}
    assert cat.word_readings(["민원실에서"], 2) == {}
    cat.add_word_readings({"민원실에서": ("민원실", "민원 실")}, 2)  # replaced, not duplicated
    assert cat.word_readings(["민원실에서", "신고서를"], 2) == {"민원실에서": ("민원실", "민원 실")}
    assert cat.lexicon_size() == 2
    many = {f"낱말{i}": (f"낱말{i}", "") for i in range(cat.LEXICON_CHUNK + 10)}  # more than one statement
    cat.add_word_readings(many, 3)
    assert len(cat.word_readings(list(many), 3)) == len(many)
