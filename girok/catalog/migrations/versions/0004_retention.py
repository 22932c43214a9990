"""retention: a class and completion date per document, holds, reviews, decisions, disposals, tombstones

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("retention_class", sa.String(8), nullable=False),
        sa.Column("completed_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=True),  # NULL: never due (영구, 준영구)
        sa.Column("deferred_until", sa.Date, nullable=True),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("classified_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_retention_due_on", "retention", ["due_on"])
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=True),
        sa.Column("placed_at", sa.DateTime, nullable=False),
        sa.Column("placed_by", sa.String(64), nullable=False),
        sa.Column("released_at", sa.DateTime, nullable=True),
        sa.Column("released_by", sa.String(64), nullable=True),
        sa.Column("release_reason", sa.Text, nullable=True),
    )
    op.create_table(
        "hold_items",
        sa.Column("hold_id", sa.Integer, sa.ForeignKey("holds.id"), primary_key=True),
        sa.Column("reg_no", sa.String(32), primary_key=True),
    )
    op.create_index("ix_hold_items_reg_no", "hold_items", ["reg_no"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    )
    op.create_index("ix_reviews_digest", "reviews", ["digest"])
    op.create_table(
        "review_items",
        sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id"), primary_key=True),
        sa.Column("reg_no", sa.String(32), primary_key=True),
        sa.Column("doc_type", sa.Text, nullable=False),
        sa.Column("retention_class", sa.String(8), nullable=False),
        sa.Column("completed_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id"), nullable=False),
        sa.Column("reg_no", sa.String(32), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),  # dispose | reset | defer
        sa.Column("new_class", sa.String(8), nullable=True),
        sa.Column("defer_until", sa.Date, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("meeting", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),  # pending | done | void
        sa.Column("executed_at", sa.DateTime, nullable=True),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.UniqueConstraint("review_id", "reg_no"),
    )
    op.create_index("ix_decisions_reg_no", "decisions", ["reg_no"])
    op.create_table(
        "disposals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(16), nullable=False, unique=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("completed_at", sa.DateTime, nullable=True),
        sa.Column("certificate", sa.Text, nullable=True),  # JSON: file names and SHA-256s
    )
    op.create_table(
        "tombstones",
        sa.Column("reg_no", sa.String(32), primary_key=True),
        sa.Column("doc_type", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("retention_class", sa.String(8), nullable=False),
        sa.Column("completed_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("doc_date", sa.Date, nullable=True),
        sa.Column("captured_at", sa.DateTime, nullable=False),
        sa.Column("page_count", sa.Integer, nullable=False),
        sa.Column("original_sha256", sa.String(64), nullable=False),
        sa.Column("archival_sha256", sa.String(64), nullable=False),
        sa.Column("original_relpath", sa.Text, nullable=True),  # NULL: kept (other documents of the capture remain)
        sa.Column("archival_relpath", sa.Text, nullable=True),
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), nullable=False),
        sa.Column("disposal_id", sa.Integer, sa.ForeignKey("disposals.id"), nullable=False),
        sa.Column("disposed_at", sa.DateTime, nullable=False),
        sa.Column("purged_at", sa.DateTime, nullable=True),
        sa.Column("outcome", sa.Text, nullable=False),  # JSON: what happened to each file and the index entry
    )
    op.create_index("ix_tombstones_disposal", "tombstones", ["disposal_id"])


def downgrade() -> None:
    for name in ("tombstones", "disposals", "decisions", "review_items", "reviews", "hold_items", "holds",
                 "retention"):
        op.drop_table(name)
