"""the documents each audit event names, one row each (a document's history without reading every event),
and documents by receipt number (the other documents of a receipt, on every document page)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "event_documents",  # derived from events.reg_no (a comma-separated list), written with each event
        sa.Column("reg_no", sa.String(32), primary_key=True),
        # no foreign key: the audit chain, not the database, is what shows an event removed (girok verify)
        sa.Column("event_id", sa.Integer, primary_key=True),
    )
    op.create_index("ix_documents_receipt_no", "documents", ["receipt_no"])
    conn = op.get_bind()
    events = sa.table("events", sa.column("id", sa.Integer), sa.column("reg_no", sa.String))
    links = sa.table("event_documents", sa.column("reg_no", sa.String), sa.column("event_id", sa.Integer))
    rows: list[dict] = []
    for event_id, reg_nos in conn.execute(sa.select(events.c.id, events.c.reg_no)
                                          .where(events.c.reg_no.is_not(None)).order_by(events.c.id)):
        rows += [{"reg_no": r, "event_id": event_id} for r in dict.fromkeys(reg_nos.split(",")) if r]
        if len(rows) >= BATCH:
            conn.execute(links.insert(), rows)
            rows = []
    if rows:
        conn.execute(links.insert(), rows)


def downgrade() -> None:
    op.drop_index("ix_documents_receipt_no", "documents")
    op.drop_table("event_documents")
