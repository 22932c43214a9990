"""records management as records officers practise it (issue 16): record files (기록물철) and their items,
the office's 기록관리기준표 in versions, digitization inspection (검수), re-scans that supersede a document,
paper originals destroyed after inspection, and the standard registration number of every item

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Portable types only (Integer, String, Text, Boolean, Date, DateTime): SQLite and PostgreSQL alike. Who did it
    # is Text (no length PostgreSQL would enforce: see 0008); numbers and codes have their standard lengths.
    # The standard registration number (생산등록번호: office code, year, serial, split; 19 characters) beside
    # girok's PREFIX-YEAR-NNNNNN, which stays: NULL for documents archived before this migration until
    # `girok file auto` gives them one.
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("record_no", sa.String(19), nullable=True))
    op.create_index("ix_documents_record_no", "documents", ["record_no"], unique=True)
    op.create_table(
        "record_files",  # 기록물철
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(28), nullable=False, unique=True),  # 분류번호: office+unit task+year+serial+volume
        sa.Column("office_code", sa.String(7), nullable=False),
        sa.Column("unit_task", sa.String(8), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("serial", sa.Integer, nullable=False),
        sa.Column("volume", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("closed_at", sa.DateTime, nullable=True),
        sa.Column("retention_class", sa.String(8), nullable=True),  # from the unit task; NULL: not in the table
        sa.Column("retention_basis", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.UniqueConstraint("office_code", "year", "serial", "volume"),
    )
    op.create_index("ix_record_files_task_year", "record_files", ["unit_task", "year"])
    op.create_table(
        "file_items",  # each document in exactly one file; by registration number, as holds (kept after disposal)
        sa.Column("reg_no", sa.String(32), primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("record_files.id"), nullable=False),
        sa.Column("record_no", sa.String(19), nullable=True),  # the item's standard number, kept after disposal
        sa.Column("filed_at", sa.DateTime, nullable=False),
        sa.Column("filed_by", sa.Text, nullable=False),
    )
    op.create_index("ix_file_items_file", "file_items", ["file_id"])
    op.create_table(
        "schedule_versions",  # 기록관리기준표, as loaded
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
        sa.Column("loaded_by", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("tasks", sa.Integer, nullable=False),
    )
    op.create_table(
        "unit_tasks",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("schedule_versions.id"), primary_key=True),
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("retention_class", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),  # 보존기간 책정 사유
    )
    op.create_table(
        "inspections",  # 검수
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reg_no", sa.String(32), nullable=False),
        sa.Column("result", sa.String(8), nullable=False),  # pass | fail
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
    )
    op.create_index("ix_inspections_reg_no", "inspections", ["reg_no", "id"])
    op.create_table(
        "supersessions",  # a re-scan replaces a failed or flagged document; both stay archived
        sa.Column("reg_no", sa.String(32), primary_key=True),
        sa.Column("by_reg_no", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_supersessions_by", "supersessions", ["by_reg_no"])
    op.create_table(
        "paper_destructions",  # the paper original of a digitized document, destroyed after inspection
        sa.Column("reg_no", sa.String(32), primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("paper_destructions", "supersessions", "inspections", "unit_tasks", "schedule_versions",
                  "file_items", "record_files"):
        op.drop_table(table)
    op.drop_index("ix_documents_record_no", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("record_no")
