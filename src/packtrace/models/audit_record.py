"""The audit trail: who changed what, when and why, one row a change, chained per tenant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, TenantScoped


class AuditRecord(TenantScoped, Base):
    """One change to a record. Append-only: triggers refuse UPDATE and DELETE (on PostgreSQL the server's
    role is also granted only INSERT and SELECT). ``hash`` covers every column and ``previous_hash``, the
    hash of the tenant's row before it, so removing or altering a row breaks the chain at that row."""

    __tablename__ = "audit_records"
    __table_args__ = (
        UniqueConstraint("tenant_id", "sequence"),
        Index("ix_audit_records_tenant_id_entity_entity_id", "tenant_id", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # 1, 2, 3... per tenant: the position in the tenant's chain.
    sequence: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime]
    # "user:<e-mail>", "api_key:<name> channel:<name>" or "cli:<operating-system user>".
    actor: Mapped[str] = mapped_column(String(600))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    # JSON: {"field": {"old": ..., "new": ...}}; a secret shows only {"changed": true}.
    changes: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(1000))
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The last link of a tenant's chain. Writers lock this row (PostgreSQL ``FOR UPDATE``; SQLite has one
    writer) before appending, so two concurrent changes never both follow the same row."""

    __tablename__ = "audit_chain_heads"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="RESTRICT"), primary_key=True, autoincrement=False
    )
    sequence: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
