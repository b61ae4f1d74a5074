"""All SQL for tenants and credentials."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.models import ApiKey, Channel, Tenant, User


def tenant_by_name(session: Session, name: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.name == name))


def tenant_by_id(session: Session, tenant_id: int) -> Tenant | None:
    return session.get(Tenant, tenant_id)


def tenants(session: Session) -> Sequence[Tenant]:
    return session.scalars(select(Tenant).order_by(Tenant.id)).all()


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


def user_by_id(session: Session, tenant_id: int, user_id: int) -> User | None:
    return session.scalar(select(User).where(User.tenant_id == tenant_id, User.id == user_id))


def user_by_id_any_tenant(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def users(session: Session, tenant_id: int) -> Sequence[User]:
    return session.scalars(select(User).where(User.tenant_id == tenant_id).order_by(User.id)).all()


def api_key_by_hash(session: Session, key_hash: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))


def api_key_by_id(session: Session, tenant_id: int, api_key_id: int) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.id == api_key_id))


def api_key_by_id_any_tenant(session: Session, api_key_id: int) -> ApiKey | None:
    """Only for token checks: the token names its key, and the key names the tenant."""
    return session.get(ApiKey, api_key_id)


def api_key_by_name(session: Session, tenant_id: int, name: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.name == name))


def api_keys(session: Session, tenant_id: int) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.id)).all()


def api_key_with_channel(
    session: Session, api_key_id: int, channel_hash: str | None
) -> tuple[ApiKey | None, Channel | None]:
    """Only for token checks: the key a token names and the channel whose key hashes to
    ``channel_hash``, in one round trip (every V2 request needs both; they were two lookups). The
    channel is found by its key alone, whatever its tenant, as ``channel_by_hash`` finds it: the caller
    compares the tenants, so a key of another tenant's channel is refused, not unknown."""
    if channel_hash is None:
        return api_key_by_id_any_tenant(session, api_key_id), None
    statement = (
        select(ApiKey, Channel).outerjoin(Channel, Channel.key_hash == channel_hash).where(ApiKey.id == api_key_id)
    )
    row = session.execute(statement).first()
    return (None, None) if row is None else (row[0], row[1])


def channel_by_hash(session: Session, key_hash: str) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.key_hash == key_hash))


def channel_by_id(session: Session, tenant_id: int, channel_id: int) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.tenant_id == tenant_id, Channel.id == channel_id))


def channel_by_name(session: Session, tenant_id: int, name: str) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.tenant_id == tenant_id, Channel.name == name))


def channels(session: Session, tenant_id: int) -> Sequence[Channel]:
    return session.scalars(select(Channel).where(Channel.tenant_id == tenant_id).order_by(Channel.id)).all()
