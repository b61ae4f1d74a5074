"""tab permissions of the admin UI

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 02:28:34.230674
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tab_permissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("tab", sa.String(length=32), nullable=False),
        sa.Column("access", sa.String(length=16), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tab_permissions_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tab_permissions")),
        sa.UniqueConstraint("tenant_id", "role", "tab", name=op.f("uq_tab_permissions_tenant_id_role_tab")),
    )
    with op.batch_alter_table("tab_permissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tab_permissions_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tab_permissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tab_permissions_tenant_id"))

    op.drop_table("tab_permissions")
