"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 01:59:33.997241
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "serial_numbers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serial_numbers")),
        sa.UniqueConstraint(
            "tenant_id", "product_id", "serial", name=op.f("uq_serial_numbers_tenant_id_product_id_serial")
        ),
    )
    with op.batch_alter_table("serial_numbers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_serial_numbers_available",
            ["tenant_id", "product_id", "id"],
            unique=False,
            postgresql_where=sa.text("status = 'Available'"),
            sqlite_where=sa.text("status = 'Available'"),
        )
        batch_op.create_index("ix_serial_numbers_order", ["tenant_id", "order_pk", "id"], unique=False)

    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("name", name=op.f("uq_tenants_name")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_hint", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("static_token_hash", sa.String(length=64), nullable=True),
        sa.Column("static_token_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_api_keys_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.UniqueConstraint("static_token_hash", name=op.f("uq_api_keys_static_token_hash")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_api_keys_tenant_id_name")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_hint", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_channels_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_channels_key_hash")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_channels_tenant_id_name")),
    )
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channels_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "market_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_market_profiles_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_profiles")),
        sa.UniqueConstraint("tenant_id", "market", name=op.f("uq_market_profiles_tenant_id_market")),
    )
    with op.batch_alter_table("market_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_market_profiles_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "packaging_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_packaging_lines_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packaging_lines")),
        sa.UniqueConstraint("tenant_id", "tag", name=op.f("uq_packaging_lines_tenant_id_tag")),
    )
    with op.batch_alter_table("packaging_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packaging_lines_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=14), nullable=False),
        sa.Column("code_schema", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alias", sa.String(length=255), nullable=True),
        sa.Column("company_prefix_length", sa.Integer(), nullable=False),
        sa.Column("serial_length", sa.Integer(), nullable=False),
        sa.Column("serial_alphabet", sa.String(length=82), nullable=False),
        sa.Column("serial_count", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_products_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_products_tenant_id_code")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_users_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "packaging_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=255), nullable=False),
        sa.Column("order_description", sa.String(length=255), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("product_code", sa.String(length=14), nullable=False),
        sa.Column("product_code_schema", sa.String(length=16), nullable=False),
        sa.Column("batch", sa.String(length=255), nullable=True),
        sa.Column("expiry_date", sa.String(length=6), nullable=True),
        sa.Column("expiry_on", sa.Date(), nullable=True),
        sa.Column("extra_percentage", sa.Double(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("serialized", sa.Boolean(), nullable=True),
        sa.Column("packaging_line_id", sa.Integer(), nullable=True),
        sa.Column("packaging_line_tag", sa.String(length=255), nullable=True),
        sa.Column("market", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("serial_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["packaging_line_id"],
            ["packaging_lines.id"],
            name=op.f("fk_packaging_orders_packaging_line_id_packaging_lines"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_packaging_orders_product_id_products"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_packaging_orders_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packaging_orders")),
        sa.UniqueConstraint("tenant_id", "order_id", name=op.f("uq_packaging_orders_tenant_id_order_id")),
    )
    with op.batch_alter_table("packaging_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packaging_orders_packaging_line_id"), ["packaging_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_packaging_orders_product_id"), ["product_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_packaging_orders_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_packaging_orders_tenant_status", ["tenant_id", "status", "id"], unique=False)

    op.create_table(
        "product_markets",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=8), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_product_markets_product_id_products"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_product_markets_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("product_id", "market", name=op.f("pk_product_markets")),
    )
    with op.batch_alter_table("product_markets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_markets_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "order_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_pk", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_pk"],
            ["packaging_orders.id"],
            name=op.f("fk_order_events_order_pk_packaging_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_order_events_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_events_order_pk"), ["order_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_events_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_events_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_order_events_order_pk"))

    op.drop_table("order_events")
    with op.batch_alter_table("product_markets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_markets_tenant_id"))

    op.drop_table("product_markets")
    with op.batch_alter_table("packaging_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_packaging_orders_tenant_status")
        batch_op.drop_index(batch_op.f("ix_packaging_orders_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_packaging_orders_product_id"))
        batch_op.drop_index(batch_op.f("ix_packaging_orders_packaging_line_id"))

    op.drop_table("packaging_orders")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_tenant_id"))

    op.drop_table("users")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_products_tenant_id"))

    op.drop_table("products")
    with op.batch_alter_table("packaging_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_packaging_lines_tenant_id"))

    op.drop_table("packaging_lines")
    with op.batch_alter_table("market_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_profiles_tenant_id"))

    op.drop_table("market_profiles")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channels_tenant_id"))

    op.drop_table("channels")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_tenant_id"))

    op.drop_table("api_keys")
    op.drop_table("tenants")
    with op.batch_alter_table("serial_numbers", schema=None) as batch_op:
        batch_op.drop_index("ix_serial_numbers_order")
        batch_op.drop_index(
            "ix_serial_numbers_available",
            postgresql_where=sa.text("status = 'Available'"),
            sqlite_where=sa.text("status = 'Available'"),
        )

    op.drop_table("serial_numbers")
