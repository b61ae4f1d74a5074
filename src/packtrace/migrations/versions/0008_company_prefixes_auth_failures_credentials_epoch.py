"""company prefixes, shared failed-authentication counts, per-user credentials epoch, 4-character key hints

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HINT_LENGTH = 4


def upgrade() -> None:
    op.create_table(
        "company_prefixes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("partner", sa.String(length=255), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_company_prefixes_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_prefixes")),
        sa.UniqueConstraint("tenant_id", "prefix", name=op.f("uq_company_prefixes_tenant_id_prefix")),
    )
    with op.batch_alter_table("company_prefixes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_prefixes_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "auth_failures",
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_auth_failures")),
    )
    with op.batch_alter_table("auth_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_failures_window_started_at"), ["window_started_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credentials_epoch", sa.Integer(), server_default=sa.text("0"), nullable=False))

    # Keys and channel keys kept their first 10 characters as a hint; 4 are enough to tell keys apart
    # and give a guesser next to nothing.
    for table in ("api_keys", "channels"):
        rows = op.get_bind().execute(sa.text(f"SELECT id, key_hint FROM {table}")).all()  # noqa: S608
        for row_id, hint in rows:
            op.get_bind().execute(
                sa.text(f"UPDATE {table} SET key_hint = :hint WHERE id = :id"),  # noqa: S608
                {"hint": hint[-HINT_LENGTH:], "id": row_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("credentials_epoch")
    with op.batch_alter_table("auth_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_failures_window_started_at"))
    op.drop_table("auth_failures")
    with op.batch_alter_table("company_prefixes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_prefixes_tenant_id"))
    op.drop_table("company_prefixes")
