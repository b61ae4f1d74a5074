"""reporting outbox and market destinations

``reports`` (the transactional outbox: each report with its document, state, attempts and lease) and
``report_attempts`` (each delivery attempt and the receiver's answer); market profiles get a destination
(an HTTP endpoint with an encrypted auth header, or a drop folder).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("stream", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("document_size", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", _TIME, nullable=True),
        sa.Column("sent_at", _TIME, nullable=True),
        sa.Column("answered_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reports_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reports_idempotency_key")),
    )
    op.create_index(op.f("ix_reports_tenant_id"), "reports", ["tenant_id"])
    op.create_index("ix_reports_due", "reports", ["state", "next_attempt_at"])
    op.create_index("ix_reports_stream", "reports", ["tenant_id", "market", "stream", "id"])
    op.create_table(
        "report_attempts",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("report_id", _BIG_ID, nullable=False),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_report_attempts_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_attempts_report_id_reports"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_attempts")),
    )
    op.create_index(op.f("ix_report_attempts_tenant_id"), "report_attempts", ["tenant_id"])
    op.create_index("ix_report_attempts_report", "report_attempts", ["report_id", "id"])
    with op.batch_alter_table("market_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("destination_kind", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("destination_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("destination_path", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("destination_auth_encrypted", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("market_profiles", schema=None) as batch_op:
        for column in ("destination_auth_encrypted", "destination_path", "destination_url", "destination_kind"):
            batch_op.drop_column(column)
    op.drop_index("ix_report_attempts_report", table_name="report_attempts")
    op.drop_index(op.f("ix_report_attempts_tenant_id"), table_name="report_attempts")
    op.drop_table("report_attempts")
    op.drop_index("ix_reports_stream", table_name="reports")
    op.drop_index("ix_reports_due", table_name="reports")
    op.drop_index(op.f("ix_reports_tenant_id"), table_name="reports")
    op.drop_table("reports")
