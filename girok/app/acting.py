"""Who the audit trail names as acting (see girok.catalog.actor), for the front ends: a claimed user of the CLI
(GIROK_USER) and the logged-in user of the web. Standard library only: the CLI calls this before any command."""

from __future__ import annotations

from ..catalog.actor import acting, claim


def claim_user(name: str | None) -> None:
    """A user name nobody checked (GIROK_USER), recorded as claimed beside the OS user; None withdraws it."""
    claim(name)


def web_actor(name: str) -> str:
    """How the audit trail names a web user who logged in with girok's own password: ``kim (web)``."""
    return f"{name} (web)"


def acting_as_web_user(name: str):
    """A block in which everything done is recorded as done by the logged-in web user ``name``."""
    return acting(web_actor(name))
