"""Kiwi's reading of each word of the archive (the search lexicon), so that a query word needs no Kiwi;
events by action (the last backup, the last verification: `girok status` asks on every run)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "word_readings",
        sa.Column("word", sa.Text, primary_key=True),
        sa.Column("stem", sa.Text, nullable=False),
        sa.Column("nouns", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_events_action", "events", ["action", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_action", "events")
    op.drop_table("word_readings")
