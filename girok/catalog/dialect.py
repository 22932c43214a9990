"""What differs between database backends: connection set-up, the write lock, and what an error means.

Everything else in the catalog is written once, in SQLAlchemy, for any
backend. Here is only what cannot be:

- ``on_connect``: per-connection settings (SQLite: WAL, synchronous=FULL,
  foreign keys, how long to wait for a lock);
- ``begin``: the write lock taken at the start of every transaction. The
  audit chain appends to its last event, which must not change between
  reading and writing it, so two writers must never interleave;
- ``classify``: what a database error is (a duplicate, a full disk, a
  locked database, or something else), decided by the driver's error
  code, never by the words of its message;
- ``secure_delete`` and ``checkpoint``: making deleted content really go
  (disposal).

Only SQLite is implemented. A later issue adds PostgreSQL; see the notes
marked "PostgreSQL" for where it goes.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import ConfigError
from ..i18n import _

# What an error is (``classify``); None: none of these.
DUPLICATE = "duplicate"  # a unique or primary key constraint refused a row
FULL = "full"  # the disk (or the database's size limit) is full
LOCKED = "locked"  # another connection held the lock longer than we wait

# SQLite result codes (https://sqlite.org/rescode.html); the extended codes carry the primary one in the low byte.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_FULL = 13
SQLITE_CONSTRAINT_PRIMARYKEY = 1555
SQLITE_CONSTRAINT_UNIQUE = 2067


class Dialect:
    """The interface; one subclass per backend."""

    name = ""

    def on_connect(self, dbapi_conn) -> None:  # noqa: ANN001
        """Settings for every new connection."""

    def begin(self, conn) -> None:  # noqa: ANN001
        """Begin a transaction holding the catalog's write lock (``conn``: a SQLAlchemy connection)."""
        raise NotImplementedError

    def classify(self, exc: BaseException) -> str | None:
        """DUPLICATE, FULL, LOCKED or None, from the driver's error (``exc`` or the DBAPI error it wraps)."""
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
        raise NotImplementedError(f"backups of a {self.name} catalog")  # PostgreSQL: pg_dump


class SQLiteDialect(Dialect):
    name = "sqlite"

    def __init__(self, busy_timeout: float = 30.0):
        self.busy_timeout = busy_timeout  # seconds a connection waits for another's lock before LOCKED

    def on_connect(self, dbapi_conn) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # transactions are begun by ``begin``, not by pysqlite
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        cur.close()

    def begin(self, conn) -> None:  # noqa: ANN001
        # SQLite has one writer at a time: take its lock up front rather than at the first write.
        # PostgreSQL: a plain BEGIN, then `SELECT pg_advisory_xact_lock(<girok's key>)` as the first
        # statement: the same one-writer-at-a-time for the audit chain, released at commit/rollback.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

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


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None: not a SQLite file URL)."""
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") and len(url) > len("sqlite:///") else None


def for_url(url: str, *, busy_timeout: float = 30.0) -> Dialect:
    """The dialect of a catalog URL; ConfigError for a backend girok cannot use (yet)."""
    if sqlite_path(url) is not None:
        return SQLiteDialect(busy_timeout)
    raise unsupported(url)


def unsupported(url: str, where: str = "the catalog URL") -> ConfigError:
    scheme = url.split(":", 1)[0] if ":" in url else url
    # PostgreSQL: accept postgresql+psycopg://..., return a PostgreSQLDialect (advisory lock, SQLSTATE
    # 23505 unique_violation, 53100 disk_full, 55P03 lock_not_available, no secure_delete/checkpoint).
    return ConfigError(_("{where}: {scheme!r} catalogs are not supported; only SQLite files "
                         "(sqlite:///catalog.sqlite) for now").format(where=where, scheme=scheme),
                       hint=_("PostgreSQL support comes with the multi-machine work. Remove the setting to use the "
                              "archive's catalog.sqlite."))
