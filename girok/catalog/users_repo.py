"""The catalog's users of the web front end (migration 0009_users): the table and its statements.

Girok decides (girok.app.users: roles, password hashing, lock-out); these only read and write rows. Password
hashes arrive already made and are never logged or returned by a listing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base
from .unit import TxBase


class User(Base):
    """One person who logs in to ``girok serve``."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password: Mapped[str] = mapped_column(Text)  # scrypt$n$r$p$salt$hash
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column(nullable=True)


CHANGEABLE = {"role", "password", "disabled", "failed_logins", "locked_until", "changed_at", "last_login_at"}


class UsersTx(TxBase):
    def user(self, name: str) -> User | None:
        return self.s.scalars(select(User).where(User.name == name)).first()

    def users(self) -> list[User]:
        """Every user, by name ignoring case, the same on every backend: ORDER BY would follow the database's
        collation (SQLite: code points, upper case first; PostgreSQL: the server's locale, e.g. Hangul first
        under ko-KR)."""
        return sorted(self.s.scalars(select(User)), key=lambda u: (u.name.casefold(), u.name))

    def add_user(self, *, name: str, role: str, password: str, at: datetime) -> User:
        row = User(name=name, role=role, password=password, disabled=False, failed_logins=0, created_at=at,
                   changed_at=at)
        self.s.add(row)
        self.s.flush()
        return row

    def change_user(self, name: str, **values) -> User:
        """Set columns of the user ``name`` (only those in CHANGEABLE); the row must exist."""
        unknown = set(values) - CHANGEABLE
        if unknown:
            raise ValueError(f"not a changeable user column: {', '.join(sorted(unknown))}")
        row = self.user(name)
        if row is None:
            raise LookupError(name)
        for k, v in values.items():
            setattr(row, k, v)
        self.s.flush()
        return row
