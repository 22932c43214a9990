"""Server-side sessions of the one resident `girok serve` process.

The cookie holds only a random session id (256 bits); the user, role, CSRF token and a pending RRN look-up stay in
this process. A session ends after ``IDLE`` without a request, after ``LIFETIME`` in any case, at log-out, and
when the process restarts (everyone logs in again). Logging in always starts a new session id (no fixation).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

IDLE = 8 * 3600  # seconds
LIFETIME = 16 * 3600
MAX_SESSIONS = 10000  # the oldest go first beyond this (a flood of anonymous log-in pages)


@dataclass
class WebSession:
    id: str
    csrf: str
    user: str | None = None  # None: not logged in (the log-in page's session, for its CSRF token)
    role: str | None = None
    created: float = field(default_factory=time.monotonic)
    seen: float = field(default_factory=time.monotonic)
    pending_rrn: str | None = None  # an RRN typed in the search box, kept here so no page or URL carries it
    flash: list[str] = field(default_factory=list)

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(token.encode(), self.csrf.encode())


class SessionStore:
    def __init__(self, idle: float = IDLE, lifetime: float = LIFETIME, clock=time.monotonic):
        self.idle, self.lifetime, self.clock = idle, lifetime, clock
        self._s: dict[str, WebSession] = {}
        self._lock = threading.Lock()

    def new(self, user: str | None = None, role: str | None = None) -> WebSession:
        now = self.clock()
        s = WebSession(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), user=user, role=role,
                    created=now, seen=now)
        with self._lock:
            if len(self._s) >= MAX_SESSIONS:
                for sid in sorted(self._s, key=lambda k: self._s[k].seen)[:len(self._s) - MAX_SESSIONS + 1]:
                    del self._s[sid]
            self._s[s.id] = s
        return s

    def get(self, sid: str | None) -> tuple[WebSession | None, bool]:
        """(the live session of ``sid`` or None, whether it had just expired)."""
        if not sid:
            return None, False
        now = self.clock()
        with self._lock:
            s = self._s.get(sid)
            if s is None:
                return None, False
            if now - s.seen > self.idle or now - s.created > self.lifetime:
                del self._s[sid]
                return None, s.user is not None
            s.seen = now
            return s, False

    def drop(self, sid: str) -> None:
        with self._lock:
            self._s.pop(sid, None)

    def drop_user(self, name: str) -> None:
        with self._lock:
            for sid in [k for k, s in self._s.items() if s.user == name]:
                del self._s[sid]

    def __len__(self) -> int:
        return len(self._s)
