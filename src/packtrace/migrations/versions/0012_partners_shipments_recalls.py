"""trading partners, shipments and batch recalls

``trading_partners`` and their ``partner_locations`` (SGLN: GLN + extension), ``shipments`` (what left
for which location; packs and containers get ``shipment_pk``), ``batch_recalls`` (irreversible).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def _tenant(table: str) -> sa.Column[int]:
    return sa.Column("tenant_id", sa.Integer(), nullable=False)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "trading_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        _tenant("trading_partners"),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("gln", sa.String(length=13), nullable=False),
        sa.Column("us_state_license", sa.String(length=64), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        _tenant_fk("trading_partners"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_partners")),
        sa.UniqueConstraint("tenant_id", "gln", name=op.f("uq_trading_partners_tenant_id_gln")),
    )
    op.create_index(op.f("ix_trading_partners_tenant_id"), "trading_partners", ["tenant_id"])
    op.create_table(
        "partner_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        _tenant("partner_locations"),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("gln", sa.String(length=13), nullable=False),
        sa.Column("extension", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        _tenant_fk("partner_locations"),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partners.id"],
            name=op.f("fk_partner_locations_partner_id_trading_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_locations")),
        sa.UniqueConstraint("tenant_id", "gln", "extension", name=op.f("uq_partner_locations_tenant_id_gln_extension")),
    )
    op.create_index(op.f("ix_partner_locations_tenant_id"), "partner_locations", ["tenant_id"])
    op.create_index(op.f("ix_partner_locations_partner_id"), "partner_locations", ["partner_id"])
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        _tenant("shipments"),
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ship_to_id", sa.Integer(), nullable=False),
        sa.Column("sold_to_partner_id", sa.Integer(), nullable=True),
        sa.Column("sold_to_location_id", sa.Integer(), nullable=True),
        sa.Column("po_number", sa.String(length=64), nullable=True),
        sa.Column("despatch_advice", sa.String(length=64), nullable=True),
        sa.Column("ssccs", sa.Text(), nullable=False),
        sa.Column("trade_items", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("voided_at", _TIME, nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        _tenant_fk("shipments"),
        sa.ForeignKeyConstraint(
            ["ship_to_id"],
            ["partner_locations.id"],
            name=op.f("fk_shipments_ship_to_id_partner_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sold_to_partner_id"],
            ["trading_partners.id"],
            name=op.f("fk_shipments_sold_to_partner_id_trading_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sold_to_location_id"],
            ["partner_locations.id"],
            name=op.f("fk_shipments_sold_to_location_id_partner_locations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("tenant_id", "shipment_id", name=op.f("uq_shipments_tenant_id_shipment_id")),
    )
    op.create_index(op.f("ix_shipments_tenant_id"), "shipments", ["tenant_id"])
    op.create_index(op.f("ix_shipments_ship_to_id"), "shipments", ["ship_to_id"])
    op.create_index(op.f("ix_shipments_sold_to_partner_id"), "shipments", ["sold_to_partner_id"])
    op.create_table(
        "batch_recalls",
        sa.Column("id", sa.Integer(), nullable=False),
        _tenant("batch_recalls"),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        _tenant_fk("batch_recalls"),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_batch_recalls_product_id_products"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_recalls")),
        sa.UniqueConstraint(
            "tenant_id", "product_id", "batch", name=op.f("uq_batch_recalls_tenant_id_product_id_batch")
        ),
    )
    op.create_index(op.f("ix_batch_recalls_tenant_id"), "batch_recalls", ["tenant_id"])
    op.create_index(op.f("ix_batch_recalls_product_id"), "batch_recalls", ["product_id"])
    op.create_index("ix_batch_recalls_listing", "batch_recalls", ["tenant_id", "id"])
    for table in ("packs", "containers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("shipment_pk", sa.Integer(), nullable=True))
        op.create_index(
            f"ix_{table}_shipment",
            table,
            ["tenant_id", "shipment_pk"],
            postgresql_where=sa.text("shipment_pk IS NOT NULL"),
            sqlite_where=sa.text("shipment_pk IS NOT NULL"),
        )


def downgrade() -> None:
    for table in ("containers", "packs"):
        op.drop_index(f"ix_{table}_shipment", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("shipment_pk")
    op.drop_index("ix_batch_recalls_listing", table_name="batch_recalls")
    op.drop_index(op.f("ix_batch_recalls_product_id"), table_name="batch_recalls")
    op.drop_index(op.f("ix_batch_recalls_tenant_id"), table_name="batch_recalls")
    op.drop_table("batch_recalls")
    op.drop_index(op.f("ix_shipments_sold_to_partner_id"), table_name="shipments")
    op.drop_index(op.f("ix_shipments_ship_to_id"), table_name="shipments")
    op.drop_index(op.f("ix_shipments_tenant_id"), table_name="shipments")
    op.drop_table("shipments")
    op.drop_index(op.f("ix_partner_locations_partner_id"), table_name="partner_locations")
    op.drop_index(op.f("ix_partner_locations_tenant_id"), table_name="partner_locations")
    op.drop_table("partner_locations")
    op.drop_index(op.f("ix_trading_partners_tenant_id"), table_name="trading_partners")
    op.drop_table("trading_partners")
