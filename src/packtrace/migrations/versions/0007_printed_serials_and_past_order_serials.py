"""printed serials and past order serials

``printed_serials`` records which label orders printed which serials, so that a printed serial never goes
back to the pool; ``past_order_serials`` records the orders a serial left (cancelled or shrunk), so that
its history still shows them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "printed_serials",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("serial_id", sa.BigInteger(), nullable=False),
        sa.Column("label_order_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "serial_id", "label_order_id", name=op.f("pk_printed_serials")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "past_order_serials",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("serial_id", sa.BigInteger(), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "serial_id", "order_pk", name=op.f("pk_past_order_serials")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("past_order_serials")
    op.drop_table("printed_serials")
