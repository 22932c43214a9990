"""Who is acting: the name every audit event, hold, review and disposal records as its actor.

Three sources, first found wins:

1. ``acting(name)``: a context variable, set for the duration of a block. The web front end sets it to the
   logged-in user for each request (per request: concurrent requests of different users never mix).
2. ``claim(name)``: a process-wide claim, set once by the CLI from ``GIROK_USER``. Nothing checks a claim, so
   it is recorded as one, beside the operating-system user who made it: ``kim (claimed; os: root)``.
3. The operating-system user (``unknown`` in a minimal container without one).

Standard library only: the CLI imports this before any command runs (no SQLAlchemy then).
"""

from __future__ import annotations

import getpass
import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

MAX_ACTOR = 64  # events.actor, holds.placed_by, ...: VARCHAR(64) on SQLite (never enforced), text on PostgreSQL (0008)
_NAME_PART = 24  # a claimed name and the OS name each get this much of the 64

_acting: ContextVar[str | None] = ContextVar("girok_acting_user", default=None)
_claimed: str | None = None


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a minimal container: still record something
        return "unknown"


def _clean(name: str, limit: int = MAX_ACTOR) -> str:
    """One line, no control characters, at most ``limit`` characters."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", name).strip()[:limit]


def actor() -> str:
    """The name recorded as the actor of what happens now."""
    return _acting.get() or _claimed or os_user()


@contextmanager
def acting(name: str) -> Iterator[str]:
    """Record ``name`` as the actor of everything done in this block (this thread or task only)."""
    who = _clean(name)
    if not who:
        raise ValueError("an acting user needs a name")
    token = _acting.set(who)
    try:
        yield who
    finally:
        _acting.reset(token)


def claimed(name: str) -> str:
    """How a user name nobody checked is recorded: ``kim (claimed; os: root)``."""
    return f"{_clean(name, _NAME_PART)} (claimed; os: {_clean(os_user(), _NAME_PART)})"


def claim(name: str | None) -> None:
    """Claim ``name`` (unchecked, e.g. from GIROK_USER) for the rest of the process; None or blank: withdraw it."""
    global _claimed
    _claimed = claimed(name) if name and _clean(name) else None
