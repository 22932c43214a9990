"""The people who use the web front end (`girok serve`): users, roles, passwords, log-in and lock-out.

Roles and what each may do (checked by the server for every page and action; ``may(role, right)``):

- clerk (민원 담당): the status page, search and viewing documents;
- officer (기록물 담당): also downloads and exports, holds, quarantine actions, the retention and review pages;
- committee (기록물평가심의회): the retention review pages;
- admin (관리자): users.

Passwords are hashed with scrypt (memory-hard, standard library) with a random salt per user; the cost
parameters are stored with each hash, so that raising them later leaves older hashes verifiable. After
``LOCK_AFTER`` failed log-ins in a row a user is locked out for ``LOCK_FOR``. Every change of a user, every
log-in, failure, lock-out and log-out is an audit event.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..archive.layout import Archive
from ..catalog import repository as catalog
from ..errors import NotFound, UsageError
from ..i18n import _
from ..text.times import local_iso
from .acting import acting_as_web_user as acting_as, web_actor  # noqa: F401  (re-exported for the web front end)

ROLES = ("clerk", "officer", "committee", "admin")
RIGHTS = {
    "clerk": {"status", "search", "view"},
    "officer": {"status", "search", "view", "download", "export", "hold", "quarantine", "retention", "review"},
    "committee": {"review"},
    "admin": {"users"},
}
LOCK_AFTER = 5  # failed log-ins in a row
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 10
NAME_RE = re.compile(r"[^\W][\w.-]{0,31}")  # letters (Korean too), digits, . _ -; 1-32 characters

# scrypt cost: N=2^14, r=8, p=1 takes 16 MiB and ~50 ms: a guess costs an attacker as much
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
_DUMMY = None  # a hash to verify against for unknown names, so that they take as long as known ones


def may(role: str | None, right: str) -> bool:
    return right in RIGHTS.get(role or "", set())




# --- passwords ------------------------------------------------------------------------------------------------


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$N$r$p$salt$hash`` (salt and hash base64): what the catalog keeps."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=128 * 1024 * 1024, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (with the parameters stored beside it)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=128 * 1024 * 1024, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UsageError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD))
    if password.strip().lower() == name.lower():
        raise UsageError(_("the password must not be the user name"))


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME_RE.fullmatch(name):
        raise UsageError(_("{name!r} is not a usable user name").format(name=name),
                         hint=_("1 to 32 letters (Korean too), digits, '.', '_' or '-', starting with a letter or "
                                "digit."))
    return name


def check_role(role: str) -> str:
    role = role.strip().lower()
    if role not in ROLES:
        raise UsageError(_("{role!r} is not a role").format(role=role),
                         hint=_("Use one of {roles}.").format(roles=", ".join(ROLES)))
    return role


# --- managing users -------------------------------------------------------------------------------------------


@dataclass
class UserInfo:
    name: str
    role: str
    disabled: bool
    locked_until: str | None  # Korean time with its offset, while locked out
    failed_logins: int
    created_at: str
    changed_at: str
    last_login_at: str | None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _info(row, tz=None) -> UserInfo:
    now = catalog.now()
    locked = row.locked_until if row.locked_until and row.locked_until > now else None
    return UserInfo(name=row.name, role=row.role, disabled=bool(row.disabled),
                    locked_until=local_iso(locked, tz) if locked else None, failed_logins=row.failed_logins,
                    created_at=local_iso(row.created_at, tz), changed_at=local_iso(row.changed_at, tz),
                    last_login_at=local_iso(row.last_login_at, tz) if row.last_login_at else None)


def _no_user(name: str) -> NotFound:
    return NotFound(_("no user {name!r}").format(name=name), hint=_("See the users with `girok user list`."))


def add_user(arch: Archive, name: str, role: str, password: str) -> UserInfo:
    """A new user (audited: ``user-add``)."""
    name, role = check_name(name), check_role(role)
    check_password(name, password)
    hashed = hash_password(password)
    at = catalog.now()
    with arch.catalog.transaction("the new user") as tx:
        # Names that differ only in case would be two people to a reader of the audit trail ("Kim (web)",
        # "kim (web)"): compared here, as SQLite's lower() knows only ASCII and PostgreSQL's follows the server.
        same = next((u.name for u in tx.users() if u.name.casefold() == name.casefold()), None)
        if same is not None:
            raise UsageError(_("there is already a user {name!r}").format(name=same),
                             hint=_("Choose another name, or change the password with `girok user passwd`."))
        row = tx.add_user(name=name, role=role, password=hashed, at=at)
        tx.append_event(at=at, actor=catalog.actor(), action="user-add", reg_no=None,
                        detail={"user": name, "role": role})
        return _info(row, arch.tz)


def set_password(arch: Archive, name: str, password: str) -> UserInfo:
    """A new password (clears a lock-out; audited: ``user-passwd``)."""
    check_password(name, password)
    hashed = hash_password(password)
    at = catalog.now()
    with arch.catalog.transaction("the new password") as tx:
        if tx.user(name) is None:
            raise _no_user(name)
        row = tx.change_user(name, password=hashed, failed_logins=0, locked_until=None, changed_at=at)
        tx.append_event(at=at, actor=catalog.actor(), action="user-passwd", reg_no=None, detail={"user": name})
        return _info(row, arch.tz)


def set_disabled(arch: Archive, name: str, disabled: bool = True) -> UserInfo:
    """Disable a user (sessions end at their next request) or enable one again (audited)."""
    at = catalog.now()
    with arch.catalog.transaction("the user's state") as tx:
        row = tx.user(name)
        if row is None:
            raise _no_user(name)
        if bool(row.disabled) != disabled:
            row = tx.change_user(name, disabled=disabled, failed_logins=0, locked_until=None, changed_at=at)
            tx.append_event(at=at, actor=catalog.actor(), action="user-disable" if disabled else "user-enable",
                            reg_no=None, detail={"user": name})
        return _info(row, arch.tz)


def set_role(arch: Archive, name: str, role: str) -> UserInfo:
    """Give a user another role (audited: ``user-role``)."""
    role = check_role(role)
    at = catalog.now()
    with arch.catalog.transaction("the user's role") as tx:
        row = tx.user(name)
        if row is None:
            raise _no_user(name)
        if row.role != role:
            old = row.role
            row = tx.change_user(name, role=role, changed_at=at)
            tx.append_event(at=at, actor=catalog.actor(), action="user-role", reg_no=None,
                            detail={"user": name, "role": role, "was": old})
        return _info(row, arch.tz)


def list_users(arch: Archive) -> list[UserInfo]:
    with arch.catalog.reading() as tx:
        return [_info(u, arch.tz) for u in tx.users()]


# --- logging in -----------------------------------------------------------------------------------------------


@dataclass
class Login:
    """The outcome of a log-in: ``ok`` with the user's name and role, or why not (``bad``, ``locked``)."""

    outcome: str  # ok | bad | locked
    name: str = ""
    role: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def active_user(arch: Archive, name: str) -> UserInfo | None:
    """The user ``name`` if it may use a session now (exists, not disabled); else None. Read on every request,
    so that disabling a user or changing a role takes effect at once."""
    with arch.catalog.reading() as tx:
        row = tx.user(name)
        return None if row is None or row.disabled else _info(row, arch.tz)


def login(arch: Archive, name: str, password: str, *, via: str = "web") -> Login:
    """Check a name and password; count failures and lock out after LOCK_AFTER in a row (all audited).

    A locked-out, disabled or unknown user is refused like a wrong password (the page does not say which), and
    the check costs the same time, so that names cannot be found by trying."""
    global _DUMMY
    name = name.strip()[:64]
    at = catalog.now()
    with arch.catalog.reading() as tx:
        row = tx.user(name)
        stored = row.password if row is not None else None
    if stored is None:
        _DUMMY = _DUMMY or hash_password(secrets.token_hex(8))
        verify_password(_DUMMY, password)
        good = False
    else:
        good = verify_password(stored, password)
    detail = {"user": name, "via": via}
    with arch.catalog.transaction("the log-in") as tx:
        row = tx.user(name)
        if row is None:
            tx.append_event(at=at, actor=catalog.actor(), action="login-failed", reg_no=None,
                            detail={**detail, "why": "unknown user"})
            return Login("bad")
        if row.disabled:
            tx.append_event(at=at, actor=catalog.actor(), action="login-failed", reg_no=None,
                            detail={**detail, "why": "disabled"})
            return Login("bad")
        if row.locked_until is not None and row.locked_until > at:
            tx.append_event(at=at, actor=catalog.actor(), action="login-failed", reg_no=None,
                            detail={**detail, "why": "locked out", "until": local_iso(row.locked_until, arch.tz)})
            return Login("locked")
        if not good:
            failed = row.failed_logins + 1
            if failed >= LOCK_AFTER:
                until = at + LOCK_FOR
                tx.change_user(name, failed_logins=0, locked_until=until)
                tx.append_event(at=at, actor=catalog.actor(), action="login-locked", reg_no=None,
                                detail={**detail, "failures": failed, "until": local_iso(until, arch.tz)})
                return Login("locked")
            tx.change_user(name, failed_logins=failed)
            tx.append_event(at=at, actor=catalog.actor(), action="login-failed", reg_no=None,
                            detail={**detail, "why": "wrong password", "failures": failed})
            return Login("bad")
        tx.change_user(name, failed_logins=0, locked_until=None, last_login_at=at)
        tx.append_event(at=at, actor=web_actor(name) if via == "web" else catalog.actor(), action="login",
                        reg_no=None, detail=detail)
        return Login("ok", name=row.name, role=row.role)


def logout(arch: Archive, name: str, *, why: str = "logout") -> None:
    """The end of a session (``why``: logout, expired), audited."""
    arch.catalog.add_event("logout", user=name, why=why)


def lock_remaining(until: datetime) -> int:
    """Whole minutes (at least 1) until ``until`` (naive UTC)."""
    return max(1, int((until - catalog.now()).total_seconds() + 59) // 60)
