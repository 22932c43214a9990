"""girok.archive.store (content-addressed files) and girok.catalog.repository (SQLite + alembic)."""

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
def cat(tmp_path, clock):
    c = Catalog(tmp_path / "catalog.sqlite")
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


def test_migrations_run_to_head(cat, tmp_path):
    from girok.catalog.repository import MIGRATIONS

    newest = max(p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("0*.py"))
    assert cat.head_revision() == newest
    assert cat.current_revision() == cat.head_revision()
    tables = set(inspect(cat.engine).get_table_names())
    assert {"captures", "documents", "pages", "events", "counters", "alembic_version"} <= tables
    with sqlite3.connect(tmp_path / "catalog.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_reopening_keeps_data_and_revision(tmp_path, clock):
    c = Catalog(tmp_path / "c.sqlite")
    c.commit_capture(new_capture(1), prefix="GR")
    c.close()
    c2 = Catalog(tmp_path / "c.sqlite")
    assert c2.current_revision() == c2.head_revision()
    assert c2.counts()["documents"] == 1
    assert c2.commit_capture(new_capture(2), prefix="GR") == ["GR-2026-000002"]
    c2.close()


def test_catalog_without_migration_has_no_revision(tmp_path):
    c = Catalog(tmp_path / "raw.sqlite", migrate=False)
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
