"""pool and order lifecycle

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 02:09:27.684532
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("packaging_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("produced_quantity", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pool_threshold", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("pool_refill_size", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("automatic_release", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("automatic_release")

    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("pool_refill_size")
        batch_op.drop_column("pool_threshold")

    with op.batch_alter_table("packaging_orders", schema=None) as batch_op:
        batch_op.drop_column("produced_quantity")
