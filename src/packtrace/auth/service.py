"""Rules for tenants, users, API keys, tokens and channels. Nothing here commits."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change, snapshot
from packtrace.auth import repository
from packtrace.kit import security
from packtrace.kit.errors import ChannelError, ConflictError, NotFoundError, ValidationError
from packtrace.models import ApiKey, Channel, Tenant, User
from packtrace.models.enums import ChannelSource, Role

SECRET_RULE = "at least 8 characters with an upper-case letter, a lower-case letter, a digit and a special character"
EMAIL_TAKEN = "this e-mail address cannot be used for a new user; choose another"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_secret_strength(field: str, value: str) -> None:
    strong = (
        len(value) >= 8
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
        and any(not c.isalnum() and not c.isspace() for c in value)
    )
    if not strong:
        raise ValidationError.on_field(field, f"must be {SECRET_RULE}")


def _check_name(field: str, value: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= 255:
        raise ValidationError.on_field(field, "must be 1-255 characters, not blank")
    return value


# What the audit trail records of each credential; of the secrets (hashes) only that they changed.
TENANT_FIELDS = ("name", "automatic_release", "digital_link_resolver")
USER_FIELDS = ("email", "name", "role", "active", "password_hash")
API_KEY_FIELDS = (
    "name",
    "key_hint",
    "active",
    "key_hash",
    "secret_hash",
    "static_token_hash",
    "static_token_created_at",
)
CHANNEL_FIELDS = ("name", "source", "enabled", "key_hint", "key_hash")
SECRETS = ("password_hash", "key_hash", "secret_hash", "static_token_hash")


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    key: str  # shown once; only its hash is stored


@dataclass(frozen=True)
class IssuedChannel:
    channel: Channel
    key: str  # shown once; only its hash is stored


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime | None


class TenantService:
    def create(self, session: Session, name: str) -> Tenant:
        name = _check_name("name", name)
        if repository.tenant_by_name(session, name) is not None:
            raise ConflictError.on_field("name", f"a tenant named {name!r} exists already")
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
        publish_change(session, tenant.id, "tenant", tenant.name, "created", None, snapshot(tenant, TENANT_FIELDS))
        return tenant

    def get_by_name(self, session: Session, name: str) -> Tenant:
        tenant = repository.tenant_by_name(session, name)
        if tenant is None:
            raise NotFoundError.on_field("tenant", f"no tenant named {name!r}")
        return tenant

    def get(self, session: Session, tenant_id: int) -> Tenant:
        tenant = repository.tenant_by_id(session, tenant_id)
        if tenant is None:
            raise NotFoundError.on_field("tenant", f"no tenant with id {tenant_id}")
        return tenant

    def list_all(self, session: Session) -> list[Tenant]:
        return list(repository.tenants(session))

    def set_automatic_release(
        self, session: Session, tenant: Tenant, enabled: bool, reason: str | None = None
    ) -> Tenant:
        """The tenant's "automatic release": orders that get their serials (and have a line) from now on
        go to the line at once; orders already waiting in Pending release stay there."""
        before = snapshot(tenant, TENANT_FIELDS)
        tenant.automatic_release = enabled
        session.flush()
        after = snapshot(tenant, TENANT_FIELDS)
        publish_change(session, tenant.id, "tenant", tenant.name, "changed", before, after, reason=reason)
        return tenant


class UserService:
    def create(
        self,
        session: Session,
        tenant_id: int,
        email: str,
        password: str,
        role: Role,
        name: str = "",
        reason: str | None = None,
    ) -> User:
        email = email.strip().lower()
        if not _EMAIL.match(email) or len(email) > 320:
            raise ValidationError.on_field("email", "not an e-mail address")
        check_secret_strength("password", password)
        if repository.user_by_email(session, email) is not None:
            # Addresses are unique across tenants (sign-in is by e-mail alone). The answer is the same
            # whether this tenant or another holds the address, and names neither user nor tenant.
            raise ConflictError.on_field("email", EMAIL_TAKEN)
        user = User(
            tenant_id=tenant_id,
            email=email,
            name=name.strip(),
            password_hash=security.hash_password(password),
            role=Role(role).value,
        )
        session.add(user)
        session.flush()
        after = snapshot(user, USER_FIELDS)
        publish_change(session, tenant_id, "user", email, "created", None, after, reason=reason, secrets=SECRETS)
        return user

    def get(self, session: Session, tenant_id: int, user_id: int) -> User:
        user = repository.user_by_id(session, tenant_id, user_id)
        if user is None:
            raise NotFoundError.on_field("user_id", f"no user with id {user_id}")
        return user

    def get_by_email(self, session: Session, tenant_id: int, email: str) -> User:
        user = repository.user_by_email(session, email.strip().lower())
        if user is None or user.tenant_id != tenant_id:
            raise NotFoundError.on_field("email", f"no user with e-mail {email}")
        return user

    def list_all(self, session: Session, tenant_id: int) -> list[User]:
        return list(repository.users(session, tenant_id))

    def update(
        self,
        session: Session,
        user: User,
        *,
        role: Role | None = None,
        active: bool | None = None,
        name: str | None = None,
        password: str | None = None,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> User:
        """``actor_id``: the user making the change, if a user makes it. Nobody can change their own role
        or disable themselves, so an administrator cannot lock the tenant out of administration."""
        if actor_id == user.id:
            if role is not None and Role(role).value != user.role:
                raise ConflictError.on_field("role", "you cannot change your own role; ask another administrator")
            if active is False and user.active:
                raise ConflictError.on_field("active", "you cannot disable yourself; ask another administrator")
        before = snapshot(user, USER_FIELDS)
        revoke = False
        if role is not None and Role(role).value != user.role:
            user.role, revoke = Role(role).value, True
        if active is not None and active != user.active:
            user.active, revoke = active, True
        if name is not None:
            user.name = name.strip()
        if password is not None:
            check_secret_strength("password", password)
            user.password_hash, revoke = security.hash_password(password), True
        if revoke:
            # Whoever held the old password or role keeps nothing of it: tokens and sessions die now.
            self.revoke_sessions(session, user)
        session.flush()
        after = snapshot(user, USER_FIELDS)
        action = "disabled" if before["active"] and not user.active else "changed"
        publish_change(
            session, user.tenant_id, "user", user.email, action, before, after, reason=reason, secrets=SECRETS
        )
        return user

    def issue_token(self, server_key: bytes, user: User, hours: int, kind: str = "user", **extra: str) -> IssuedToken:
        """A signed token for ``user`` of ``kind`` ("user": the management API; "admin": the admin UI's
        cookie), carrying the user's credentials epoch so that it dies with a change of credentials."""
        claims = {"sub": str(user.id), "typ": kind, "ep": user.credentials_epoch} | extra
        token, expires_at = security.encode_jwt(server_key, claims, timedelta(hours=hours))
        return IssuedToken(token, expires_at)

    def from_token(self, session: Session, server_key: bytes, token: str, kind: str) -> User | None:
        """The active user a valid token of ``kind`` names, else None. The user's row is read on every
        request anyway; comparing its epoch with the token's revokes tokens and sessions at no extra cost."""
        claims = security.decode_jwt(server_key, token)
        if claims is None or claims.get("typ") != kind or not str(claims.get("sub", "")).isdigit():
            return None
        user = repository.user_by_id_any_tenant(session, int(claims["sub"]))
        if user is None or not user.active or claims.get("ep", 0) != user.credentials_epoch:
            return None
        return user

    def revoke_sessions(self, session: Session, user: User) -> None:
        """Every token and admin session the user holds stops working at once."""
        user.credentials_epoch += 1
        session.flush()

    def authenticate(self, session: Session, email: str, password: str) -> User | None:
        user = repository.user_by_email(session, email.strip().lower())
        valid = security.verify_password(user.password_hash if user else None, password)
        return user if valid and user is not None and user.active else None


class ApiKeyService:
    def create(
        self,
        session: Session,
        server_key: bytes,
        tenant_id: int,
        name: str,
        secret: str,
        key: str | None = None,
        reason: str | None = None,
    ) -> IssuedApiKey:
        """``key`` is generated unless given (the demo derives its own so it can print it again)."""
        name = _check_name("name", name)
        check_secret_strength("secret", secret)
        if repository.api_key_by_name(session, tenant_id, name) is not None:
            raise ConflictError.on_field("name", f"an API key named {name!r} exists already")
        key = key or security.generate_key("ak")
        api_key = ApiKey(
            tenant_id=tenant_id,
            name=name,
            key_hash=security.keyed_hash(server_key, key),
            key_hint=security.key_hint(key),
            secret_hash=security.hash_password(secret),
        )
        session.add(api_key)
        session.flush()
        after = snapshot(api_key, API_KEY_FIELDS)
        publish_change(session, tenant_id, "api_key", name, "created", None, after, reason=reason, secrets=SECRETS)
        return IssuedApiKey(api_key, key)

    def get(self, session: Session, tenant_id: int, name: str) -> ApiKey:
        api_key = repository.api_key_by_name(session, tenant_id, name)
        if api_key is not None:
            return api_key
        raise NotFoundError.on_field("api_key", f"no API key named {name!r}")

    def list_all(self, session: Session, tenant_id: int) -> list[ApiKey]:
        return list(repository.api_keys(session, tenant_id))

    def set_active(self, session: Session, api_key: ApiKey, active: bool, reason: str | None = None) -> ApiKey:
        before = snapshot(api_key, API_KEY_FIELDS)
        api_key.active = active
        session.flush()
        self._publish(session, api_key, "enabled" if active else "disabled", before, reason)
        return api_key

    @staticmethod
    def _publish(session: Session, api_key: ApiKey, action: str, before: dict[str, Any], reason: str | None) -> None:
        after = snapshot(api_key, API_KEY_FIELDS)
        publish_change(
            session, api_key.tenant_id, "api_key", api_key.name, action, before, after, reason=reason, secrets=SECRETS
        )

    def authenticate(self, session: Session, server_key: bytes, key: str, secret: str) -> ApiKey | None:
        api_key = repository.api_key_by_hash(session, security.keyed_hash(server_key, key))
        valid = security.verify_password(api_key.secret_hash if api_key else None, secret)
        return api_key if valid and api_key is not None and api_key.active else None

    def issue_dynamic_token(self, server_key: bytes, api_key: ApiKey, hours: int) -> IssuedToken:
        token, expires_at = security.encode_jwt(server_key, self._claims(api_key, "dynamic"), timedelta(hours=hours))
        return IssuedToken(token, expires_at)

    def generate_static_token(
        self,
        session: Session,
        server_key: bytes,
        api_key: ApiKey,
        token_id: str | None = None,
        reason: str | None = None,
    ) -> IssuedToken:
        """A new static token for the key; the previous one, if any, stops working. ``token_id`` makes
        the token reproducible (the demo's); otherwise it is random."""
        claims = self._claims(api_key, "static") | {"jti": token_id or secrets.token_urlsafe(16)}
        issued_at = api_key.created_at if token_id else None
        token, _ = security.encode_jwt(server_key, claims, None, issued_at=issued_at)
        before = snapshot(api_key, API_KEY_FIELDS)
        api_key.static_token_hash = security.keyed_hash(server_key, token)
        api_key.static_token_created_at = security.utcnow()
        session.flush()
        self._publish(session, api_key, "static token generated", before, reason)
        return IssuedToken(token, None)

    def revoke_static_token(self, session: Session, api_key: ApiKey, reason: str | None = None) -> None:
        if api_key.static_token_hash is None:
            raise NotFoundError.on_field("api_key", f"API key {api_key.name!r} has no static token")
        before = snapshot(api_key, API_KEY_FIELDS)
        api_key.static_token_hash = None
        api_key.static_token_created_at = None
        session.flush()
        self._publish(session, api_key, "static token revoked", before, reason)

    def verify_token(self, session: Session, server_key: bytes, token: str) -> ApiKey | None:
        """The active API key a valid token belongs to, else None. Checked on every request, so a
        revoked static token or a deactivated key stops working at once."""
        return self.verify_token_and_channel(session, server_key, token, None)[0]

    def verify_token_and_channel(
        self, session: Session, server_key: bytes, token: str, channel_key: str | None
    ) -> tuple[ApiKey | None, Channel | None]:
        """``verify_token`` and the channel ``channel_key`` names (unchecked: see ``ChannelService.check``),
        read in one query. Nothing is cached across requests: revoking a key, a static token or a channel
        takes effect on the next request."""
        claims = security.decode_jwt(server_key, token)
        if claims is None or claims.get("typ") not in {"dynamic", "static"}:
            return None, None
        key_id = claims.get("_id")
        if not isinstance(key_id, str) or not key_id.isdigit():
            return None, None
        channel_hash = security.keyed_hash(server_key, channel_key) if channel_key else None
        api_key, channel = repository.api_key_with_channel(session, int(key_id), channel_hash)
        if api_key is None or not api_key.active:
            return None, None
        if claims["typ"] == "static":
            stored = api_key.static_token_hash
            if stored is None or not hmac.compare_digest(stored, security.keyed_hash(server_key, token)):
                return None, None
        return api_key, channel

    @staticmethod
    def _claims(api_key: ApiKey, kind: str) -> dict[str, Any]:
        # `key` and `_id` as in the vendor's sample token; `typ` tells dynamic from static.
        return {"key": api_key.key_hint, "_id": str(api_key.id), "typ": kind}


class ChannelService:
    def create(
        self,
        session: Session,
        server_key: bytes,
        tenant_id: int,
        name: str,
        source: ChannelSource = ChannelSource.MANUFACTURER_V2_API,
        key: str | None = None,
        reason: str | None = None,
    ) -> IssuedChannel:
        name = _check_name("name", name)
        if repository.channel_by_name(session, tenant_id, name) is not None:
            raise ConflictError.on_field("name", f"a channel named {name!r} exists already")
        key = key or security.generate_key("ch")
        channel = Channel(
            tenant_id=tenant_id,
            name=name,
            source=ChannelSource(source).value,
            key_hash=security.keyed_hash(server_key, key),
            key_hint=security.key_hint(key),
        )
        session.add(channel)
        session.flush()
        after = snapshot(channel, CHANNEL_FIELDS)
        publish_change(session, tenant_id, "channel", name, "created", None, after, reason=reason, secrets=SECRETS)
        return IssuedChannel(channel, key)

    def get(self, session: Session, tenant_id: int, name: str) -> Channel:
        channel = repository.channel_by_name(session, tenant_id, name)
        if channel is not None:
            return channel
        raise NotFoundError.on_field("channel", f"no channel named {name!r}")

    def list_all(self, session: Session, tenant_id: int) -> list[Channel]:
        return list(repository.channels(session, tenant_id))

    def set_enabled(self, session: Session, channel: Channel, enabled: bool, reason: str | None = None) -> Channel:
        before = snapshot(channel, CHANNEL_FIELDS)
        channel.enabled = enabled
        session.flush()
        after = snapshot(channel, CHANNEL_FIELDS)
        action = "enabled" if enabled else "disabled"
        publish_change(
            session, channel.tenant_id, "channel", channel.name, action, before, after, reason=reason, secrets=SECRETS
        )
        return channel

    def verify(self, session: Session, server_key: bytes, key: str, tenant_id: int, source: ChannelSource) -> Channel:
        return self.check(repository.channel_by_hash(session, security.keyed_hash(server_key, key)), tenant_id, source)

    @staticmethod
    def check(channel: Channel | None, tenant_id: int, source: ChannelSource) -> Channel:
        """The channel a key found, if it may be used by ``tenant_id`` for ``source``."""
        if channel is None or channel.tenant_id != tenant_id:
            raise ChannelError("The channel key is not valid for this tenant")
        if not channel.enabled:
            raise ChannelError("The channel is disabled")
        if channel.source != source.value:
            raise ChannelError(f"The channel's source is {channel.source!r}, not {source.value!r}")
        return channel


tenant_service = TenantService()
user_service = UserService()
api_key_service = ApiKeyService()
channel_service = ChannelService()
