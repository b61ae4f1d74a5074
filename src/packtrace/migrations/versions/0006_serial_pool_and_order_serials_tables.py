"""serial pool and order serials tables

The pool's Available serials move from a status column of ``serial_numbers`` to a narrow table of their
own, ``serial_pool``, and serials drawn for an order are linked through ``order_serials``: drawing from
the pool then moves narrow rows instead of updating the registry (see ``models/serial_number.py``).
Serials already assigned to an order keep it in ``serial_numbers.order_pk``, which stays one of the two
places an order's serials are found.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AVAILABLE = sa.text("status = 'Available'")


def upgrade() -> None:
    op.create_table(
        "serial_pool",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("serial_id", sa.BigInteger(), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "product_id", "serial_id", name=op.f("pk_serial_pool")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "order_serials",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("serial_id", sa.BigInteger(), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "order_pk", "serial_id", name=op.f("pk_order_serials")),
        sa.UniqueConstraint("tenant_id", "serial_id", name=op.f("uq_order_serials_tenant_id_serial_id")),
        sqlite_with_rowid=False,
    )
    op.execute(
        """
        INSERT INTO serial_pool (tenant_id, product_id, serial_id, serial)
        SELECT tenant_id, product_id, id, serial FROM serial_numbers WHERE status = 'Available'
        """
    )
    with op.batch_alter_table("serial_numbers", schema=None) as batch_op:
        batch_op.drop_index("ix_serial_numbers_available", postgresql_where=_AVAILABLE, sqlite_where=_AVAILABLE)
        batch_op.drop_column("status")


def downgrade() -> None:
    with op.batch_alter_table("serial_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), server_default="Assigned", nullable=False))
    # Back into the single table: the pool's serials are Available again, drawn ones carry their order.
    op.execute(
        """
        UPDATE serial_numbers SET status = 'Available'
        WHERE EXISTS (SELECT 1 FROM serial_pool p
                      WHERE p.tenant_id = serial_numbers.tenant_id AND p.product_id = serial_numbers.product_id
                        AND p.serial_id = serial_numbers.id)
        """
    )
    op.execute(
        """
        UPDATE serial_numbers SET order_pk = (
            SELECT l.order_pk FROM order_serials l
            WHERE l.tenant_id = serial_numbers.tenant_id AND l.serial_id = serial_numbers.id)
        WHERE EXISTS (SELECT 1 FROM order_serials l
                      WHERE l.tenant_id = serial_numbers.tenant_id AND l.serial_id = serial_numbers.id)
        """
    )
    with op.batch_alter_table("serial_numbers", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.create_index(
            "ix_serial_numbers_available",
            ["tenant_id", "product_id", "id"],
            unique=False,
            postgresql_where=_AVAILABLE,
            sqlite_where=_AVAILABLE,
        )
    op.drop_table("order_serials")
    op.drop_table("serial_pool")
