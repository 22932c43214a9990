"""The catalog seam: database errors recognized by type (dialect.py) and the catalog URL setting."""

from __future__ import annotations

import sqlite3
import pytest

from girok.archive.layout import Archive
from girok.catalog import dialect
from girok.catalog.repository import Catalog, NewCapture, NewDocument
from girok.config import load_archive_config
from girok.errors import CatalogError, ConfigError, StorageError


def capture(sha: str = "a" * 64, pages: int = 1, text: str = "") -> NewCapture:
    doc = NewDocument(first_page=1, page_count=pages, archival_sha256="b" * 64, archival_relpath=f"archival/{sha}.pdf",
                      archival_size=10, pdfa="2B", conversion={}, page_texts=[text] * pages)
    return NewCapture(sha256=sha, size=10, source_name="scan.pdf", source_path="/hot/scan.pdf", hot_folder=None,
                      profile="default", media_type="application/pdf", original_relpath=f"originals/{sha}.pdf",
                      documents=[doc])


@pytest.fixture
def cat(tmp_path):
    c = Catalog(tmp_path / "c.sqlite", busy_timeout=0.2)
    yield c
    c.close()


def test_duplicate_capture_is_file_exists_by_error_code(cat):
    assert cat.commit_capture(capture(), prefix="GR")
    with pytest.raises(FileExistsError):
        cat.commit_capture(capture(), prefix="GR")
    assert cat.counts()["captures"] == 1


def test_classify_by_sqlite_error_code():
    db = sqlite3.connect(":memory:")
    db.execute("create table t (a unique)")
    db.execute("insert into t values (1)")
    with pytest.raises(sqlite3.IntegrityError) as dup:
        db.execute("insert into t values (1)")
    d = dialect.SQLiteDialect()
    assert d.classify(dup.value) == dialect.DUPLICATE
    assert d.classify(sqlite3.OperationalError("database or disk is full")) is None  # words alone mean nothing
    assert d.classify(ValueError("disk is full")) is None


def test_full_catalog_is_storage_error(tmp_path, cat):
    cat.commit_capture(capture("1" * 64), prefix="GR")
    from sqlalchemy import event

    cat.engine.dispose()  # max_page_count is per connection: cap the catalog at its size on every new one

    @event.listens_for(cat.engine, "connect")
    def _small(dbapi_conn, _record):  # noqa: ANN001
        n = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count={n}")

    with pytest.raises(StorageError, match="could not record scan.pdf in the catalog: the disk is full"):
        cat.commit_capture(capture("2" * 64, pages=50, text="가" * 4000), prefix="GR")
    with pytest.raises(StorageError, match="the disk is full"):
        cat.add_event("note", text="x" * 200000)


def test_locked_catalog_is_catalog_error(tmp_path, cat):
    other = sqlite3.connect(tmp_path / "c.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(CatalogError, match="locked") as err:
            cat.add_event("note")
        assert err.value.hint
        with pytest.raises(CatalogError, match="could not read the catalog"):
            cat.counts()
    finally:
        other.execute("ROLLBACK")
        other.close()
    cat.add_event("note")  # free again


def test_catalog_url_default_relative_absolute_and_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("GIROK_CATALOG_URL", raising=False)
    root = tmp_path / "arch"
    Archive.create(root).close()
    assert load_archive_config(root).catalog_url == f"sqlite:///{root / 'catalog.sqlite'}"
    toml = root / "girok.toml"
    base = toml.read_text(encoding="utf-8")
    toml.write_text(base.replace('[archive]\n', '[archive]\ncatalog = "sqlite:///db/other.sqlite"\n', 1),
                    encoding="utf-8")
    (root / "db").mkdir()
    with Archive.open(root) as arch:
        assert arch.catalog.path == root / "db" / "other.sqlite"
        arch.catalog.add_event("note")
    assert (root / "db" / "other.sqlite").exists()
    monkeypatch.setenv("GIROK_CATALOG_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    assert load_archive_config(root).catalog_url == f"sqlite:///{tmp_path / 'env.sqlite'}"


@pytest.mark.parametrize("url", ["postgresql://girok:secret@db/girok", "catalog.sqlite"])
def test_catalog_url_other_than_sqlite_is_a_config_error(tmp_path, monkeypatch, url):
    monkeypatch.delenv("GIROK_CATALOG_URL", raising=False)
    root = tmp_path / "arch"
    Archive.create(root).close()
    monkeypatch.setenv("GIROK_CATALOG_URL", url)
    with pytest.raises(ConfigError) as err:
        load_archive_config(root)
    assert err.value.exit_code == 3
    assert "secret" not in str(err.value)
    if url.startswith("postgresql"):
        assert "PostgreSQL support comes with the multi-machine work" in str(err.value)
    with pytest.raises(ConfigError):
        Catalog(url)


def test_head_revision_constant_is_the_newest_migration(tmp_path):
    """Opening a catalog compares with HEAD_REVISION instead of loading alembic: it must name the newest script."""
    from girok.catalog.repository import HEAD_REVISION, Catalog

    cat = Catalog(tmp_path / "c.sqlite")
    try:
        assert cat.head_revision() == HEAD_REVISION == cat.current_revision()
    finally:
        cat.close()


def test_a_catalog_from_a_newer_girok_is_refused_with_a_clear_message(tmp_path):
    """An archive opened by a newer girok (another machine, or a rollback) gave alembic's traceback."""
    import sqlite3

    from girok.catalog.repository import HEAD_REVISION, Catalog
    from girok.errors import CatalogError

    Catalog(tmp_path / "c.sqlite").close()
    newer = f"{int(HEAD_REVISION) + 1:04d}"
    with sqlite3.connect(tmp_path / "c.sqlite") as db:
        db.execute("update alembic_version set version_num=?", (newer,))
    with pytest.raises(CatalogError) as err:
        Catalog(tmp_path / "c.sqlite")
    assert f"catalog schema {newer}" in str(err.value) and "newer girok" in str(err.value)
    assert "girok --version" in err.value.hint
