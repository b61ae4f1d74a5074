"""packs containers and their histories

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:15:46.687966
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "pack_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_events")),
    )
    with op.batch_alter_table("pack_events", schema=None) as batch_op:
        batch_op.create_index("ix_pack_events_pack", ["tenant_id", "pack_id", "id"], unique=False)

    op.create_table(
        "packs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("batch", sa.String(length=20), nullable=False),
        sa.Column("expiry_date", sa.String(length=6), nullable=False),
        sa.Column("manufacturing_date", sa.String(length=6), nullable=True),
        sa.Column("order_pk", sa.Integer(), nullable=True),
        sa.Column("decommission_reason", sa.String(length=16), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("container_id", sa.Integer(), nullable=True),
        sa.Column("parent_pack_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packs")),
        sa.UniqueConstraint("tenant_id", "product_id", "serial", name=op.f("uq_packs_tenant_id_product_id_serial")),
    )
    with op.batch_alter_table("packs", schema=None) as batch_op:
        batch_op.create_index("ix_packs_batch", ["tenant_id", "product_id", "batch", "status"], unique=False)
        batch_op.create_index(
            "ix_packs_container",
            ["tenant_id", "container_id"],
            unique=False,
            postgresql_where=sa.text("container_id IS NOT NULL"),
            sqlite_where=sa.text("container_id IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_packs_parent_pack",
            ["tenant_id", "parent_pack_id"],
            unique=False,
            postgresql_where=sa.text("parent_pack_id IS NOT NULL"),
            sqlite_where=sa.text("parent_pack_id IS NOT NULL"),
        )

    op.create_table(
        "containers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sscc", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["containers.id"], name=op.f("fk_containers_parent_id_containers"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_containers_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_containers")),
        sa.UniqueConstraint("tenant_id", "sscc", name=op.f("uq_containers_tenant_id_sscc")),
    )
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.create_index("ix_containers_parent", ["tenant_id", "parent_id"], unique=False)
        batch_op.create_index("ix_containers_pool", ["tenant_id", "status", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_containers_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "container_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("container_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["container_id"],
            ["containers.id"],
            name=op.f("fk_container_events_container_id_containers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_container_events_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_container_events")),
    )
    with op.batch_alter_table("container_events", schema=None) as batch_op:
        batch_op.create_index("ix_container_events_container", ["tenant_id", "container_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_container_events_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("container_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_container_events_tenant_id"))
        batch_op.drop_index("ix_container_events_container")

    op.drop_table("container_events")
    with op.batch_alter_table("containers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_containers_tenant_id"))
        batch_op.drop_index("ix_containers_pool")
        batch_op.drop_index("ix_containers_parent")

    op.drop_table("containers")
    with op.batch_alter_table("packs", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_packs_parent_pack",
            postgresql_where=sa.text("parent_pack_id IS NOT NULL"),
            sqlite_where=sa.text("parent_pack_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "ix_packs_container",
            postgresql_where=sa.text("container_id IS NOT NULL"),
            sqlite_where=sa.text("container_id IS NOT NULL"),
        )
        batch_op.drop_index("ix_packs_batch")

    op.drop_table("packs")
    with op.batch_alter_table("pack_events", schema=None) as batch_op:
        batch_op.drop_index("ix_pack_events_pack")

    op.drop_table("pack_events")
