"""audit chain: events carry the hash of the event before them and their own

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=False, server_default="0" * 64))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    # Chain the events an older girok wrote, in the order they were written.
    from girok.catalog.audit import GENESIS, event_hash

    conn = op.get_bind()
    prev = GENESIS
    events = sa.table("events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                      sa.column("actor", sa.String), sa.column("action", sa.String),
                      sa.column("reg_no", sa.String), sa.column("detail", sa.Text))
    rows = conn.execute(sa.select(events).order_by(events.c.id)).fetchall()
    for row in rows:
        h = event_hash(prev, row.at, row.actor, row.action, row.reg_no, row.detail)
        conn.execute(sa.text("update events set prev_hash=:p, hash=:h where id=:i"), {"p": prev, "h": h, "i": row.id})
        prev = h


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
