"""users of the web front end (girok serve): role, scrypt password hash with its salt and parameters,
disabled flag, failed logins and lock-out, created and changed times

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Portable types only (Integer, String, Text, Boolean, DateTime): SQLite and PostgreSQL alike.
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(32), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),  # clerk | officer | committee | admin
        sa.Column("password", sa.Text, nullable=False),  # scrypt$n$r$p$salt$hash (base64): see app/users.py
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime, nullable=True),  # naive UTC, as every catalog time
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.Column("last_login_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("users")
