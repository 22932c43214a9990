"""What differs between database backends: connection set-up, the write lock, and what an error means.

Everything else in the catalog is written once, in SQLAlchemy, for any
backend. Here is only what cannot be:

- ``on_connect``: per-connection settings (SQLite: WAL, synchronous=FULL,
  foreign keys, how long to wait for a lock);
- ``begin``: the write lock taken at the start of every transaction. The
  audit chain appends to its last event, which must not change between
  reading and writing it, so two writers must never interleave;
- ``classify``: what a database error is (a duplicate, a full disk, a
  locked database, a refused login, a server gone for now, or something
  else), decided by the driver's error code, never by the words of its
  message;
- ``secure_delete`` and ``checkpoint``: making deleted content really go
  (disposal);
- ``reset_sequences``: after rows were copied in with their ids
  (``girok catalog migrate``), new rows must get ids past them.

Two backends: SQLite (the embedded default, one file in the archive
folder) and PostgreSQL through psycopg 3 (several machines on one
catalog). Read transactions (``Catalog.reading()``) and write transactions
(``Catalog.transaction()`` and every other write) begin differently: see
``begin``.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from ..config import is_postgresql_url, mask_password
from ..errors import ConfigError, UsageError
from ..i18n import _

# What an error is (``classify``); None: none of these.
DUPLICATE = "duplicate"  # a unique or primary key constraint refused a row
FULL = "full"  # the disk (or the database's size limit) is full
LOCKED = "locked"  # another connection held the lock longer than we wait
UNREACHABLE = "unreachable"  # the database server refused the login
LOST = "lost"  # the database server cannot be reached now, or cut the connection (a restart): try again later

# SQLite result codes (https://sqlite.org/rescode.html); the extended codes carry the primary one in the low byte.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_FULL = 13
SQLITE_CONSTRAINT_PRIMARYKEY = 1555
SQLITE_CONSTRAINT_UNIQUE = 2067

# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
PG_UNIQUE_VIOLATION = "23505"
PG_DISK_FULL = "53100"
PG_LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout ran out (our write lock, or a row lock)
PG_DEADLOCK = "40P01"
PG_UNREACHABLE_CLASSES = ("28",)  # invalid authorization (wrong password)
PG_LOST_CLASSES = ("08",)  # connection exception
# the server cut the connection (a fast or immediate shutdown, a restart), or is starting up or shutting down
PG_ADMIN_SHUTDOWN, PG_CRASH_SHUTDOWN, PG_CANNOT_CONNECT_NOW = "57P01", "57P02", "57P03"

# The key of the catalog's write lock on PostgreSQL (pg_advisory_xact_lock): "girok" in ASCII. One per
# database, so another application's advisory locks in the same database must not use it.
PG_WRITE_LOCK_KEY = 0x6769726F6B


class Dialect:
    """The interface; one subclass per backend."""

    name = ""

    def on_connect(self, dbapi_conn) -> None:  # noqa: ANN001
        """Settings for every new connection."""

    busy_timeout = 0.0  # seconds a connection waits for another's lock before LOCKED

    def engine_options(self) -> dict:
        """Keyword arguments for ``create_engine``."""
        return {}

    def begin(self, conn, *, write: bool = True) -> None:  # noqa: ANN001
        """Begin a transaction on ``conn`` (a SQLAlchemy connection): with ``write``, holding the catalog's
        write lock (the audit chain appends to its last event); without, a transaction that only reads."""
        raise NotImplementedError

    def classify(self, exc: BaseException) -> str | None:
        """DUPLICATE, FULL, LOCKED, UNREACHABLE, LOST or None, from the driver's error (``exc`` or the DBAPI error
        it wraps)."""
        return None

    @contextmanager
    def schema_change(self, conn) -> Iterator[None]:  # noqa: ANN001
        """Around the migrations' transaction on ``conn`` (a SQLAlchemy connection)."""
        yield

    def secure_delete(self, session) -> None:  # noqa: ANN001
        """From now on in this transaction, deleted content is overwritten, not left in free space."""

    def checkpoint(self, engine) -> None:  # noqa: ANN001
        """Move what the transaction log holds into the database and empty the log (best effort)."""

    def backup(self, engine, dest: Path) -> None:  # noqa: ANN001
        """A consistent copy of the whole database in the file ``dest``, made while others write."""
        raise NotImplementedError(f"backups of a {self.name} catalog")

    def reset_sequences(self, conn, tables) -> None:  # noqa: ANN001
        """After rows of ``tables`` were inserted with explicit ids: new rows get ids past the largest."""


class SQLiteDialect(Dialect):
    name = "sqlite"

    def __init__(self, busy_timeout: float = 30.0):
        self.busy_timeout = busy_timeout  # seconds a connection waits for another's lock before LOCKED

    def engine_options(self) -> dict:
        # Connections are opened when first needed, so a command pays for one; `girok serve` runs its pages in
        # up to 40 threads: keep that many open rather than open (WAL, pragmas) and close one per request.
        return {"pool_size": 16, "max_overflow": 32}

    def on_connect(self, dbapi_conn) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # transactions are begun by ``begin``, not by pysqlite
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        cur.close()

    def begin(self, conn, *, write: bool = True) -> None:  # noqa: ANN001
        # SQLite has one writer at a time: a transaction that may write takes its lock up front rather than
        # at the first write. A read takes no lock: in WAL mode it reads a snapshot while one writer writes
        # (it had taken the write lock too, so that `girok serve`'s page reads queued behind every audit event).
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def classify(self, exc: BaseException) -> str | None:
        orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps the sqlite3 error
        if not isinstance(orig, sqlite3.Error):
            return None
        code = getattr(orig, "sqlite_errorcode", None)
        if code is None:
            return None
        if code in (SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY):
            return DUPLICATE
        if code & 0xFF == SQLITE_FULL:
            return FULL
        if code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED):
            return LOCKED
        return None

    @contextmanager
    def schema_change(self, conn) -> Iterator[None]:  # noqa: ANN001
        # SQLite rebuilds a table to alter it; foreign keys must be off meanwhile
        # (this pragma has no effect inside a transaction, so it comes first).
        raw = conn.connection.driver_connection  # outside SQLAlchemy's transaction handling
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            yield
        finally:
            raw.execute("PRAGMA foreign_keys=ON")

    def secure_delete(self, session) -> None:  # noqa: ANN001
        session.connection().exec_driver_sql("PRAGMA secure_delete=ON")

    def checkpoint(self, engine) -> None:  # noqa: ANN001
        with engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup(self, engine, dest: Path) -> None:  # noqa: ANN001
        # SQLite's online backup API: a snapshot of one moment (it restarts if a writer changes a page
        # it has copied; in WAL mode readers never block writers), written to a plain rollback-journal
        # file so that the copy is one self-contained file.
        with engine.connect() as conn:
            src = conn.connection.driver_connection
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst, pages=1024)
                dst.execute("PRAGMA journal_mode=DELETE")
                dst.commit()
            finally:
                dst.close()


class PostgreSQLDialect(Dialect):
    """A catalog on a PostgreSQL server (psycopg 3), shared by several machines.

    Writers take a transaction-level advisory lock on one fixed key as their first statement, so that
    they run one at a time across every machine, exactly like SQLite's BEGIN IMMEDIATE: the audit chain
    stays one linear chain and registration numbers stay gapless. Writers run in READ COMMITTED, so each
    statement after the lock sees everything committed before it was granted. Readers take no lock: each
    reading transaction is REPEATABLE READ and READ ONLY, one consistent snapshot that never waits.
    """

    name = "postgresql"

    def __init__(self, busy_timeout: float = 30.0):
        self.busy_timeout = busy_timeout  # seconds to wait for the write lock (lock_timeout) before LOCKED

    def engine_options(self) -> dict:
        # A pooled connection may have been closed by a server restart in the meantime (girok watch runs
        # for weeks): test it before use rather than fail the next document.
        return {"pool_pre_ping": True}

    def on_connect(self, dbapi_conn) -> None:  # noqa: ANN001
        # lock_timeout applies to every lock wait, the advisory lock included: LOCKED (55P03) after it.
        # TimeZone UTC: times are stored as naive UTC (timestamp without time zone); nothing converts them,
        # but a server function (now()) run by hand then agrees with them.
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {max(1, int(self.busy_timeout * 1000))}")
            cur.execute("SET TIME ZONE 'UTC'")
            cur.execute("SET application_name = 'girok'")
        dbapi_conn.commit()

    def begin(self, conn, *, write: bool = True) -> None:  # noqa: ANN001
        # psycopg begins a transaction with the first statement (SQLAlchemy sends no BEGIN): this one.
        if write:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK_KEY})")
        else:
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def classify(self, exc: BaseException) -> str | None:
        orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps the psycopg error
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg is a dependency
            return None
        if not isinstance(orig, psycopg.Error):
            return None
        code = orig.sqlstate
        if code is None:  # raised by the client: no connection could be made, or the one in use broke (libpq
            # gives no SQLSTATE for a failed connection attempt, a refused login included: that one is LOST too)
            return LOST if isinstance(orig, psycopg.OperationalError) else None
        if code == PG_UNIQUE_VIOLATION:
            return DUPLICATE
        if code == PG_DISK_FULL:
            return FULL
        if code in (PG_LOCK_NOT_AVAILABLE, PG_DEADLOCK):
            return LOCKED
        if code[:2] in PG_UNREACHABLE_CLASSES:
            return UNREACHABLE
        if code[:2] in PG_LOST_CLASSES or code in (PG_ADMIN_SHUTDOWN, PG_CRASH_SHUTDOWN, PG_CANNOT_CONNECT_NOW):
            return LOST
        return None

    def secure_delete(self, session) -> None:  # noqa: ANN001
        # Nothing to switch on: PostgreSQL has no equivalent of SQLite's secure_delete. A deleted row
        # stays in its table's pages until VACUUM frees the space and a new row overwrites it, and in the
        # write-ahead log (and any WAL archive and base backup) until those are recycled. What a disposal
        # deletes from a PostgreSQL catalog is gone for every query at once; that the bytes are gone from
        # the server's disks is the server's job (README: "The catalog on PostgreSQL").
        pass

    def checkpoint(self, engine) -> None:  # noqa: ANN001
        # Nothing to do: the server checkpoints on its own, and CHECKPOINT needs a privilege (superuser or
        # pg_checkpoint) that girok's role should not have.
        pass

    def backup(self, engine, dest: Path) -> None:  # noqa: ANN001
        raise UsageError("a PostgreSQL catalog is not copied by girok: it lives on the database server",
                         hint="Back it up with the server's tools, e.g. `pg_dump --format=custom --file "
                              "girok.dump DBNAME` (README: \"The catalog on PostgreSQL\").")

    def reset_sequences(self, conn, tables) -> None:  # noqa: ANN001
        # An id column filled from a sequence (SERIAL) goes on from its sequence, which knows nothing of
        # ids inserted explicitly: move each sequence past the largest id (or back to 1 if none).
        for table in tables:
            pk = list(table.primary_key.columns)
            if len(pk) != 1 or pk[0].autoincrement is False or not isinstance(pk[0].type, sa.Integer):
                continue
            col = pk[0].name
            seq = conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table.name}', '{col}')").scalar()
            if seq is None:
                continue
            conn.exec_driver_sql(f"SELECT setval('{seq}', COALESCE((SELECT MAX({col}) FROM {table.name}), 0) + 1, "
                                 "false)")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None: not a SQLite file URL)."""
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") and len(url) > len("sqlite:///") else None


def postgresql_url(url: str) -> str:
    """``url`` (postgresql://, postgres:// or postgresql+psycopg://) with girok's driver, psycopg 3."""
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def for_url(url: str, *, busy_timeout: float = 30.0) -> Dialect:
    """The dialect of a catalog URL; ConfigError for a backend girok cannot use."""
    if sqlite_path(url) is not None:
        return SQLiteDialect(busy_timeout)
    if is_postgresql_url(url):
        return PostgreSQLDialect(busy_timeout)
    raise unsupported(url)


def engine_url(url: str) -> str:
    """The URL SQLAlchemy opens for the catalog URL ``url`` (its driver made explicit)."""
    return postgresql_url(url) if is_postgresql_url(url) else url


def unsupported(url: str, where: str = "the catalog URL") -> ConfigError:
    scheme = url.split(":", 1)[0] if ":" in url else mask_password(url)
    return ConfigError(_("{where}: {scheme!r} catalogs are not supported; only SQLite files "
                         "(sqlite:///catalog.sqlite) and PostgreSQL databases (postgresql://girok@dbhost/girok)").format(
                             where=where, scheme=scheme),
                       hint=_("Remove the setting to use the archive's catalog.sqlite."))
