"""Tombstones looked up by a file's SHA-256, so that ingest recognizes a destroyed record dropped in again

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tombstones_original_sha256", "tombstones", ["original_sha256"])
    op.create_index("ix_tombstones_archival_sha256", "tombstones", ["archival_sha256"])


def downgrade() -> None:
    op.drop_index("ix_tombstones_archival_sha256", "tombstones")
    op.drop_index("ix_tombstones_original_sha256", "tombstones")
