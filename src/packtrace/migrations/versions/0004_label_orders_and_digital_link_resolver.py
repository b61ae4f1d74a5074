"""label orders and digital link resolver

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 02:22:54.436350
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "label_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("template", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("label_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_label_orders_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_orders")),
        sa.UniqueConstraint("public_id", name=op.f("uq_label_orders_public_id")),
    )
    with op.batch_alter_table("label_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_orders_tenant_id"), ["tenant_id"], unique=False)

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "digital_link_resolver", sa.String(length=255), server_default="https://id.gs1.org", nullable=False
            )
        )


def downgrade() -> None:

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("digital_link_resolver")

    with op.batch_alter_table("label_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_orders_tenant_id"))

    op.drop_table("label_orders")
