"""product regulatory master data

Optional product columns the market reports carry: common name, pharmaceutical and dosage form,
strength, pack type and size, marketing authorisation holder, target markets, NDC (US) and NIE (IDN).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("common_name", sa.String(length=255)),
    ("pharmaceutical_form", sa.String(length=100)),
    ("dosage_form", sa.String(length=100)),
    ("strength", sa.String(length=100)),
    ("pack_type", sa.String(length=100)),
    ("pack_size", sa.Integer()),
    ("mah_name", sa.String(length=255)),
    ("mah_id", sa.String(length=64)),
    ("target_markets", sa.String(length=255)),
    ("ndc", sa.String(length=13)),
    ("nie", sa.String(length=64)),
)


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        for name, type_ in _COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
