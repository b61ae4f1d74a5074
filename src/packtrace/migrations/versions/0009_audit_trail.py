"""audit trail: append-only, hash-chained audit records and each tenant's chain head

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit records are append-only"

# PostgreSQL: one function refuses every UPDATE, DELETE and TRUNCATE of the audit records, whoever asks
# (the owner included, unless the owner disables the trigger on purpose, which itself needs the owner).
POSTGRES_UP = (
    f"""CREATE FUNCTION audit_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER audit_records_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_refuse_change()""",
    """CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_refuse_change()""",
)
POSTGRES_DOWN = (
    "DROP TRIGGER audit_records_no_truncate ON audit_records",
    "DROP TRIGGER audit_records_no_update_or_delete ON audit_records",
    "DROP FUNCTION audit_records_refuse_change()",
)
# SQLite has no roles: whoever can write the file can drop these triggers. They stop mistakes; the hash
# chain (``packtrace audit verify``) is what makes tampering evident there.
SQLITE_UP = (
    f"""CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
)
SQLITE_DOWN = ("DROP TRIGGER audit_records_no_delete", "DROP TRIGGER audit_records_no_update")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=600), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_audit_records_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
        sa.UniqueConstraint("tenant_id", "sequence", name=op.f("uq_audit_records_tenant_id_sequence")),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_records_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_audit_records_tenant_id_entity_entity_id", ["tenant_id", "entity", "entity_id"], unique=False
        )
    op.create_table(
        "audit_chain_heads",
        sa.Column("tenant_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_audit_chain_heads_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_audit_chain_heads")),
    )
    for statement in POSTGRES_UP if _is_postgres() else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in POSTGRES_DOWN if _is_postgres() else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("audit_chain_heads")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_records_tenant_id_entity_entity_id")
        batch_op.drop_index(batch_op.f("ix_audit_records_tenant_id"))
    op.drop_table("audit_records")
