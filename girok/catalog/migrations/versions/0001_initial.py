"""initial catalog: captures, documents, pages, events, counters

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("hot_folder", sa.Text, nullable=True),
        sa.Column("profile", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("original_relpath", sa.Text, nullable=False),
        sa.Column("captured_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reg_no", sa.String(32), nullable=False, unique=True),
        sa.Column("capture_id", sa.Integer, sa.ForeignKey("captures.id"), nullable=False),
        sa.Column("first_page", sa.Integer, nullable=False),
        sa.Column("page_count", sa.Integer, nullable=False),
        sa.Column("archival_sha256", sa.String(64), nullable=False),
        sa.Column("archival_relpath", sa.Text, nullable=False),
        sa.Column("archival_size", sa.Integer, nullable=False),
        sa.Column("pdfa", sa.String(16), nullable=False),
        sa.Column("conversion", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("doc_type", sa.Text, nullable=False),
        sa.Column("captured_at", sa.DateTime, nullable=False),
        sa.Column("indexed_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_documents_capture", "documents", ["capture_id"])
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("page_no", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_source", sa.String(16), nullable=False),
        sa.UniqueConstraint("document_id", "page_no"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("reg_no", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_events_reg_no", "events", ["reg_no"])
    op.create_table(
        "counters",
        sa.Column("prefix", sa.String(16), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for name in ("counters", "events", "pages", "documents", "captures"):
        op.drop_table(name)
