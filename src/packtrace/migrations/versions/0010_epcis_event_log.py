"""epcis event log, site GLNs and time-zone offset

The append-only EPCIS event log (``epcis_events``, one row per event, and ``epcis_event_epcs``, the narrow
index of the EPCs each event names), with triggers that refuse any UPDATE or DELETE of them on SQLite and
PostgreSQL (and TRUNCATE on PostgreSQL), whoever asks. Tenants get the site's GLN (+ extension) and
time-zone offset, packaging lines their GLN (+ extension). ``epcis_capture_jobs`` keeps the outcome
of each capture.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TABLES = ("epcis_events", "epcis_event_epcs")
_REFUSAL = "EPCIS events are append-only: they are never updated or deleted"


def upgrade() -> None:
    op.create_table(
        "epcis_events",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=True),
        sa.Column("biz_step", sa.String(length=255), nullable=True),
        sa.Column("disposition", sa.String(length=255), nullable=True),
        sa.Column("biz_location", sa.String(length=255), nullable=True),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("epc_count", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_events")),
        sa.UniqueConstraint("tenant_id", "event_id", name=op.f("uq_epcis_events_tenant_id_event_id")),
    )
    op.create_index("ix_epcis_events_tenant_time", "epcis_events", ["tenant_id", "event_time"])
    op.create_table(
        "epcis_event_epcs",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("epc", sa.String(length=255), nullable=False),
        sa.Column("event_pk", _BIG_ID, nullable=False),
        sa.Column("role", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "epc", "event_pk", name=op.f("pk_epcis_event_epcs")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "epcis_capture_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.String(length=40), nullable=False),
        sa.Column("error_behaviour", sa.String(length=8), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_capture_jobs")),
        sa.UniqueConstraint("tenant_id", "capture_id", name=op.f("uq_epcis_capture_jobs_tenant_id_capture_id")),
    )
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gln", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("gln_extension", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("time_zone_offset", sa.String(length=6), server_default="+00:00", nullable=False))
    with op.batch_alter_table("packaging_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gln", sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column("gln_extension", sa.String(length=20), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION epcis_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{_REFUSAL}' USING ERRCODE = 'insufficient_privilege'; END $$
            """
        )
        for table in _TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION epcis_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION epcis_append_only()"
            )
    else:
        for table in _TABLES:
            for what in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
                )


def downgrade() -> None:
    with op.batch_alter_table("packaging_lines", schema=None) as batch_op:
        batch_op.drop_column("gln_extension")
        batch_op.drop_column("gln")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("time_zone_offset")
        batch_op.drop_column("gln_extension")
        batch_op.drop_column("gln")
    op.drop_table("epcis_capture_jobs")
    op.drop_table("epcis_event_epcs")  # DROP TABLE takes its triggers with it
    op.drop_index("ix_epcis_events_tenant_time", table_name="epcis_events")
    op.drop_table("epcis_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION epcis_append_only()")
