"""PostgreSQL: text columns without a length limit and 64-bit file sizes, as SQLite has them (no change there)

SQLite never enforces a VARCHAR's length and stores every integer in up to 64 bits; PostgreSQL enforces
both. The same girok must accept the same rows on either backend: an event names every registration
number of a capture (longer than 32 characters for three documents), and a file may be larger than 2 GiB.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Every String(n) column of migrations 0001-0007, by table.
LIMITED = {
    "captures": ["sha256", "profile", "media_type"],
    "documents": ["reg_no", "archival_sha256", "pdfa"],
    "pages": ["text_source"],
    "events": ["actor", "action", "reg_no", "prev_hash", "hash"],
    "counters": ["prefix"],
    "rrn_keys": ["hmac"],
    "retention": ["retention_class"],
    "holds": ["placed_by", "released_by"],
    "hold_items": ["reg_no"],
    "reviews": ["actor", "digest"],
    "review_items": ["reg_no", "retention_class"],
    "decisions": ["reg_no", "action", "new_class", "actor", "status"],
    "disposals": ["number", "actor"],
    "tombstones": ["reg_no", "retention_class", "original_sha256", "archival_sha256"],
}
SIZES = {"captures": ["size"], "documents": ["archival_size"]}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # varchar -> text and integer -> bigint keep every value; the first rewrites nothing (same storage).
    for table, columns in LIMITED.items():
        for col in columns:
            op.alter_column(table, col, type_=sa.Text)
    for table, columns in SIZES.items():
        for col in columns:
            op.alter_column(table, col, type_=sa.BigInteger)


def downgrade() -> None:
    pass  # the wider types hold whatever the narrower ones did
