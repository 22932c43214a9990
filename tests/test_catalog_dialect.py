"""The catalog seam: database errors recognized by type (dialect.py) and the catalog URL setting, on SQLite and
on PostgreSQL (tests marked postgresql: GIROK_TEST_POSTGRES_URL, set by `./girok.sh test`)."""

from __future__ import annotations

import sqlite3
import pytest

from girok.archive.layout import Archive
from girok.catalog import dialect
from girok.catalog.repository import Catalog, NewCapture, NewDocument
from girok.config import load_archive_config
from girok.errors import CatalogError, CatalogUnavailable, ConfigError, StorageError


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


@pytest.fixture
def pg_cat(pg_catalog_url):
    c = Catalog(pg_catalog_url, busy_timeout=0.2)
    yield c
    c.close()


@pytest.fixture
def any_cat(catalog_url):
    c = Catalog(catalog_url, busy_timeout=0.2)
    yield c
    c.close()


def test_duplicate_capture_is_file_exists_by_error_code(any_cat):
    assert any_cat.commit_capture(capture(), prefix="GR")
    with pytest.raises(FileExistsError):
        any_cat.commit_capture(capture(), prefix="GR")
    assert any_cat.counts()["captures"] == 1
    [reg] = any_cat.commit_capture(capture("c" * 64), prefix="GR")
    assert reg.endswith("-000002")  # the refused capture used up no number


def test_a_capture_committed_again_after_a_cut_connection_is_its_own_record(any_cat):
    """keep(again=True) after CatalogUnavailable: the first try may have committed before its connection was cut;
    the same capture found is that one (archived once, not a duplicate of itself); any other one is a duplicate."""
    from dataclasses import replace

    regs = any_cat.commit_capture(capture(), prefix="GR")
    assert any_cat.commit_capture(capture(), prefix="GR", again=True) == regs
    with pytest.raises(FileExistsError):  # not a retry: the same content again is a duplicate
        any_cat.commit_capture(capture(), prefix="GR")
    for other in (replace(capture(), source_path="/hot/other.pdf"),
                  replace(capture(), documents=[replace(capture().documents[0], archival_sha256="d" * 64)])):
        with pytest.raises(FileExistsError):  # the same content from elsewhere, or prepared otherwise
            any_cat.commit_capture(other, prefix="GR", again=True)
    assert any_cat.counts()["captures"] == 1 and any_cat.counts()["documents"] == 1
    verdict = any_cat.verify_audit()
    assert verdict.ok and [e.action for e in any_cat.iter_events()] == ["capture"]


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
        # a read takes no lock (WAL: it reads a snapshot), so it is not held up by the writer
        assert cat.counts()["documents"] == 0
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


@pytest.mark.parametrize("url", ["mysql://girok:secret@db/girok", "catalog.sqlite", "host=db password=secret"])
def test_catalog_url_other_than_sqlite_or_postgresql_is_a_config_error(tmp_path, monkeypatch, url):
    monkeypatch.delenv("GIROK_CATALOG_URL", raising=False)
    root = tmp_path / "arch"
    Archive.create(root).close()
    monkeypatch.setenv("GIROK_CATALOG_URL", url)
    with pytest.raises(ConfigError) as err:
        load_archive_config(root)
    assert err.value.exit_code == 3
    assert "secret" not in str(err.value)
    with pytest.raises(ConfigError) as err:
        Catalog(url)
    assert "secret" not in str(err.value)


def test_postgresql_url_from_the_environment_or_without_password_from_girok_toml(tmp_path, monkeypatch):
    monkeypatch.delenv("GIROK_CATALOG_URL", raising=False)
    root = tmp_path / "arch"
    Archive.create(root).close()
    toml = root / "girok.toml"
    base = toml.read_text(encoding="utf-8")
    toml.write_text(base.replace('[archive]\n', '[archive]\ncatalog = "postgresql://girok@db/girok"\n', 1),
                    encoding="utf-8")
    assert load_archive_config(root).catalog_url == "postgresql://girok@db/girok"
    monkeypatch.setenv("GIROK_CATALOG_URL", "postgresql+psycopg://girok:s3cr%40t@db:5433/girok")
    cfg = load_archive_config(root)
    assert cfg.catalog_url == "postgresql+psycopg://girok:s3cr%40t@db:5433/girok"
    assert "s3cr" not in repr(cfg)  # the config's repr never shows the URL


@pytest.mark.parametrize("url", ["postgresql://girok:secret@db/girok", "postgres://girok:secret@db/girok",
                                 "postgresql://girok@db/girok?password=secret"])
def test_a_password_in_girok_toml_is_refused_and_never_shown(tmp_path, monkeypatch, url):
    """girok.toml is copied with the archive and into every backup: the password belongs elsewhere."""
    monkeypatch.delenv("GIROK_CATALOG_URL", raising=False)
    root = tmp_path / "arch"
    Archive.create(root).close()
    toml = root / "girok.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('[archive]\n', f'[archive]\ncatalog = "{url}"\n', 1),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_archive_config(root)
    assert err.value.exit_code == 3 and "password" in str(err.value) and "GIROK_CATALOG_URL" in err.value.hint
    assert "secret" not in str(err.value) and "***" in str(err.value)


@pytest.mark.parametrize("text, masked", [
    ("postgresql://girok:secret@db/girok", "postgresql://girok:***@db/girok"),
    ("postgresql+psycopg://girok:p%40ss:word@db:5432/girok", "postgresql+psycopg://girok:***@db:5432/girok"),
    ("could not open postgresql://u:secret@h/d (timeout)", "could not open postgresql://u:***@h/d (timeout)"),
    ("postgresql://girok@db/girok?sslmode=require&password=secret", "postgresql://girok@db/girok?sslmode=require&password=***"),
    ("postgresql://db:5432/girok", "postgresql://db:5432/girok"),
    ("sqlite:////srv/girok/catalog.sqlite", "sqlite:////srv/girok/catalog.sqlite"),
])
def test_mask_password(text, masked):
    from girok.config import mask_password

    assert mask_password(text) == masked


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


# --- PostgreSQL ---------------------------------------------------------------------------------------


def test_postgresql_urls_get_the_psycopg_driver():
    assert dialect.engine_url("postgresql://g@h/d") == "postgresql+psycopg://g@h/d"
    assert dialect.engine_url("postgres://g@h/d") == "postgresql+psycopg://g@h/d"
    assert dialect.engine_url("postgresql+psycopg://g@h/d") == "postgresql+psycopg://g@h/d"
    assert isinstance(dialect.for_url("postgresql://g@h/d"), dialect.PostgreSQLDialect)
    with pytest.raises(ConfigError):
        dialect.for_url("postgresql+psycopg2://g:secret@h/d")


def test_classify_by_postgresql_sqlstate():
    import psycopg
    import psycopg.errors as pe

    d = dialect.PostgreSQLDialect()
    assert d.classify(pe.UniqueViolation("whatever the words")) == dialect.DUPLICATE
    assert d.classify(pe.DiskFull("x")) == dialect.FULL
    assert d.classify(pe.LockNotAvailable("x")) == dialect.LOCKED
    assert d.classify(pe.DeadlockDetected("x")) == dialect.LOCKED
    assert d.classify(pe.InvalidPassword("x")) == dialect.UNREACHABLE  # a wrong password: waiting will not help
    assert d.classify(pe.AdminShutdown("x")) == dialect.LOST  # pg_ctl restart -m fast cut the connection
    assert d.classify(pe.CrashShutdown("x")) == dialect.LOST
    assert d.classify(pe.CannotConnectNow("x")) == dialect.LOST  # starting up, shutting down
    assert d.classify(pe.ConnectionFailure("x")) == dialect.LOST  # class 08
    assert d.classify(psycopg.OperationalError("server closed the connection unexpectedly")) == dialect.LOST
    assert d.classify(psycopg.ProgrammingError("no sqlstate, not a connection")) is None
    assert d.classify(pe.ForeignKeyViolation("duplicate key value violates unique constraint")) is None
    assert d.classify(pe.DataError("could not extend file: No space left on device")) is None  # words mean nothing
    assert d.classify(ValueError("duplicate")) is None
    assert d.classify(sqlite3.IntegrityError("UNIQUE constraint failed")) is None


@pytest.mark.postgresql
def test_a_real_unique_violation_on_postgresql_is_duplicate(pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("create table t (a int unique)")
        db.execute("insert into t values (1)")
        with pytest.raises(psycopg.Error) as dup:
            db.execute("insert into t values (1)")
    assert dialect.PostgreSQLDialect().classify(dup.value) == dialect.DUPLICATE


@pytest.mark.postgresql
def test_migrations_run_to_head_on_an_empty_postgresql_database(pg_url):
    from sqlalchemy import inspect

    from girok.catalog.repository import HEAD_REVISION

    c = Catalog(pg_url)
    try:
        assert c.dialect.name == "postgresql" and c.path is None
        assert c.head_revision() == HEAD_REVISION == c.current_revision()
        tables = set(inspect(c.engine).get_table_names())
        assert {"captures", "documents", "pages", "events", "counters", "retention", "tombstones",
                "word_readings", "alembic_version"} <= tables
        c.upgrade()  # at head: nothing to do
        assert c.current_revision() == HEAD_REVISION
    finally:
        c.close()


@pytest.mark.postgresql
def test_postgresql_writers_wait_for_the_write_lock_readers_do_not(pg_cat):
    import psycopg

    pg_cat.add_event("note")
    with psycopg.connect(pg_cat.url) as other:  # a transaction holding girok's write lock
        other.execute(f"SELECT pg_advisory_xact_lock({dialect.PG_WRITE_LOCK_KEY})")
        with pytest.raises(CatalogError, match="another process kept it locked") as err:
            pg_cat.add_event("note")
        assert err.value.hint
        with pytest.raises(CatalogError, match="could not record scan.pdf"):
            pg_cat.commit_capture(capture(), prefix="GR")
        assert pg_cat.counts()["captures"] == 0  # reading takes no lock
        assert pg_cat.verify_audit().ok and pg_cat.audit_head()[0] == 1
        with pg_cat.reading() as tx:
            assert tx.document("GR-2026-000001") is None
        other.rollback()
    pg_cat.add_event("note")  # free again
    assert pg_cat.audit_head()[0] == 2


@pytest.mark.postgresql
def test_reading_on_postgresql_is_read_only(pg_cat):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="read-only"):
        with pg_cat.reading() as tx:
            tx.s.execute(text("insert into counters (prefix, year, last) values ('X', 2026, 1)"))


@pytest.mark.postgresql
def test_unreachable_server_or_wrong_password_is_a_catalog_error_without_the_password(pg_url):
    from sqlalchemy.engine import make_url

    from girok.errors import ExitCode

    refused = "postgresql://girok:secret-pw@127.0.0.1:9/girok"  # nothing listens on port 9
    wrong = make_url(pg_url).set(password="secret-pw").render_as_string(hide_password=False)
    for url in (refused, wrong):
        with pytest.raises(CatalogError) as err:
            Catalog(url)
        assert "could not connect to the catalog database" in str(err.value), str(err.value)
        assert "secret-pw" not in str(err.value) and "***" in str(err.value)
        assert err.value.__cause__ is None and err.value.__context__ is not None
        assert "secret-pw" not in str(err.value.hint)
        assert err.value.exit_code == ExitCode.CATALOG
        # a server not answering may come back: girok watch waits for it (a refused login looks the same when
        # connecting: libpq gives no SQLSTATE then; a command starting says it at once, as before)
        assert isinstance(err.value, CatalogUnavailable)


@pytest.mark.postgresql
def test_a_postgresql_catalog_is_backed_up_with_pg_dump(pg_cat, tmp_path):
    from girok.errors import UsageError

    with pytest.raises(UsageError) as err:
        pg_cat.backup_to(tmp_path / "copy.sqlite")
    assert "pg_dump" in err.value.hint
    assert not (tmp_path / "copy.sqlite").exists()


def test_catalog_repr_masks_the_password():
    c = Catalog("postgresql://girok:secret@127.0.0.1:9/girok", migrate=False)
    assert "secret" not in repr(c) and "secret" not in c.masked_url
    c.close()


@pytest.mark.postgresql
def test_a_catalog_from_a_newer_girok_is_refused_on_postgresql(pg_catalog_url):
    import psycopg

    from girok.catalog.repository import HEAD_REVISION

    newer = f"{int(HEAD_REVISION) + 1:04d}"
    with psycopg.connect(pg_catalog_url, autocommit=True) as db:
        db.execute("update alembic_version set version_num=%s", (newer,))
    with pytest.raises(CatalogError, match=f"catalog schema {newer}"):
        Catalog(pg_catalog_url)
