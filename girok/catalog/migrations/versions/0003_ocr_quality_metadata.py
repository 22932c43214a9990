"""OCR confidence per page, re-scan flag, extracted metadata, keyed RRN lookups

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("confidence", sa.Float, nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("rescan_suggested", sa.Boolean(create_constraint=False), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("doc_date", sa.Date, nullable=True))
        batch.add_column(sa.Column("receipt_no", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("office", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("applicant", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("metadata_json", sa.Text, nullable=False, server_default="{}"))
    op.create_table(
        "rrn_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("hmac", sa.String(64), nullable=False),
    )
    op.create_index("ix_rrn_keys_hmac", "rrn_keys", ["hmac"])
    op.create_index("ix_documents_doc_date", "documents", ["doc_date"])


def downgrade() -> None:
    op.drop_index("ix_documents_doc_date", "documents")
    op.drop_table("rrn_keys")
    with op.batch_alter_table("documents") as batch:
        for col in ("metadata_json", "applicant", "office", "receipt_no", "doc_date", "rescan_suggested"):
            batch.drop_column(col)
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("confidence")
