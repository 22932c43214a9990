"""Server-side sessions of `girok serve`, shared by its worker processes (``--workers``).

Here with the catalog because every SQL statement of girok is in this package; the sessions are not in the
catalog database but in their own file (they are no record, and their writes must not wait for the audit chain's
lock).

The cookie holds only a random session id (256 bits). What the server keeps of a session (the user, the role as
last read, the CSRF token, messages for the next page, a pending RRN look-up as its keyed hash and masked form,
never the number) is in a small SQLite file of the archive (``web/sessions.sqlite``, mode 0600), under the SHA-256
of the id: the file holds no id a browser could present. A session ends after ``IDLE`` without a request, after
``LIFETIME`` in any case, and at log-out; a disabled user's sessions end at once. Logging in always starts a new
session id (no fixation). Sessions are not records: the file is written without waiting for the disk (a power cut
may log people out), and it is not part of a backup.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

IDLE = 8 * 3600  # seconds
LIFETIME = 16 * 3600
MAX_SESSIONS = 10000  # the least recently seen go first beyond this (a flood of anonymous log-in pages)
TOUCH_EVERY = 60  # seconds: how stale "last seen" may get before a request writes it (reads are free)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    key TEXT PRIMARY KEY,          -- SHA-256 of the session id
    csrf TEXT NOT NULL,
    user TEXT,                     -- NULL: not logged in (the log-in page's session, for its CSRF token)
    role TEXT,
    created REAL NOT NULL,         -- wall clock (time.time): the same in every worker process
    seen REAL NOT NULL,
    rrn_hmac TEXT,                 -- a pending RRN look-up: the number's keyed hash and masked form only
    rrn_masked TEXT,
    flash TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS ix_sessions_seen ON sessions (seen);
CREATE INDEX IF NOT EXISTS ix_sessions_user ON sessions (user);
"""


@dataclass
class PendingRrn:
    hmac: str
    masked: str


@dataclass
class WebSession:
    id: str
    csrf: str
    user: str | None = None
    role: str | None = None
    created: float = 0.0
    seen: float = 0.0
    pending_rrn: PendingRrn | None = None  # an RRN typed in the search box: no page or URL carries it
    flash: list[str] = field(default_factory=list)
    _saved: tuple = ()  # (pending_rrn, flash) as last read or written: save() writes only a change

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.csrf.encode())

    def _state(self) -> tuple:
        return (self.pending_rrn, tuple(self.flash))


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    """The sessions of one archive's web front end, in ``path`` (created on first use)."""

    def __init__(self, path: Path, idle: float = IDLE, lifetime: float = LIFETIME, clock=time.time):
        self.path = path
        self.idle, self.lifetime, self.clock = idle, lifetime, clock
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._db().executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=True)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            self._local.db = db
        return db

    def new(self, user: str | None = None, role: str | None = None) -> WebSession:
        now = self.clock()
        s = WebSession(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), user=user, role=role,
                       created=now, seen=now)
        s._saved = s._state()
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM sessions WHERE seen < ? OR created < ?", (now - self.idle, now - self.lifetime))
            (n,) = db.execute("SELECT count(*) FROM sessions").fetchone()
            if n >= MAX_SESSIONS:
                db.execute("DELETE FROM sessions WHERE key IN (SELECT key FROM sessions ORDER BY seen LIMIT ?)",
                           (n - MAX_SESSIONS + 1,))
            db.execute("INSERT INTO sessions (key, csrf, user, role, created, seen) VALUES (?, ?, ?, ?, ?, ?)",
                       (_key(s.id), s.csrf, user, role, now, now))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return s

    def get(self, sid: str | None) -> tuple[WebSession | None, bool]:
        """(the live session of ``sid`` or None, whether it had just expired)."""
        if not sid or len(sid) > 200:
            return None, False
        key, now = _key(sid), self.clock()
        db = self._db()
        row = db.execute("SELECT csrf, user, role, created, seen, rrn_hmac, rrn_masked, flash FROM sessions "
                         "WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None, False
        csrf, user, role, created, seen, rrn_hmac, rrn_masked, flash = row
        if now - seen > self.idle or now - created > self.lifetime:
            db.execute("DELETE FROM sessions WHERE key = ?", (key,))
            return None, user is not None
        if now - seen > TOUCH_EVERY:
            db.execute("UPDATE sessions SET seen = ? WHERE key = ?", (now, key))
            seen = now
        s = WebSession(id=sid, csrf=csrf, user=user, role=role, created=created, seen=seen,
                       pending_rrn=PendingRrn(rrn_hmac, rrn_masked) if rrn_hmac else None, flash=json.loads(flash))
        s._saved = s._state()
        return s, False

    def save(self, s: WebSession) -> None:
        """Keep what a request changed of ``s`` (its messages, its pending look-up); nothing if nothing changed."""
        if s._state() == s._saved:
            return
        rrn = s.pending_rrn
        self._db().execute("UPDATE sessions SET rrn_hmac = ?, rrn_masked = ?, flash = ? WHERE key = ?",
                           (rrn.hmac if rrn else None, rrn.masked if rrn else None,
                            json.dumps(s.flash, ensure_ascii=False), _key(s.id)))
        s._saved = s._state()

    def drop(self, sid: str) -> None:
        self._db().execute("DELETE FROM sessions WHERE key = ?", (_key(sid),))

    def drop_user(self, name: str) -> None:
        self._db().execute("DELETE FROM sessions WHERE user = ?", (name,))

    def __len__(self) -> int:
        return self._db().execute("SELECT count(*) FROM sessions").fetchone()[0]
