"""Secrets: argon2 for what people choose (passwords, API secrets), HMAC-SHA256 under the server key for
the high-entropy keys and tokens we generate (so they can be looked up by their hash), JWTs, and HSTS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from starlette.types import ASGIApp, Receive, Scope, Send

from packtrace.kit.request_context import with_headers

_hasher = PasswordHasher()
JWT_ALGORITHM = "HS256"
# argon2 of a throwaway value, verified against when the account does not exist, so that timing does not
# tell an unknown key from a wrong secret.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def keyed_hash(server_key: bytes, value: str) -> str:
    return hmac.new(server_key, value.encode(), hashlib.sha256).hexdigest()


def generate_key(prefix: str, nbytes: int = 24) -> str:
    return f"{prefix}_{secrets.token_urlsafe(nbytes)}"


HINT_LENGTH = 4


def key_hint(key: str) -> str:
    """What is kept of a key to tell it apart from the tenant's others: its last 4 characters, which
    leave a guesser next to nothing (the first ones are the fixed ``ak_``/``ch_`` prefix)."""
    return key[-HINT_LENGTH:]


def derived_secret(server_key: bytes, purpose: str) -> str:
    """A value only this server can compute, stable across runs (the demo's credentials)."""
    return hmac.new(server_key, f"packtrace:{purpose}".encode(), hashlib.sha256).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


def encode_jwt(
    server_key: bytes, claims: dict[str, Any], lifetime: timedelta | None, issued_at: datetime | None = None
) -> tuple[str, datetime | None]:
    now = issued_at or utcnow()
    payload = dict(claims, iat=int(now.timestamp()))
    expires_at = None
    if lifetime is not None:
        expires_at = now + lifetime
        payload["exp"] = int(expires_at.timestamp())
    return jwt.encode(payload, server_key, algorithm=JWT_ALGORITHM), expires_at


def decode_jwt(server_key: bytes, token: str) -> dict[str, Any] | None:
    """The claims of a token we signed and that has not expired, else None."""
    try:
        claims: dict[str, Any] = jwt.decode(token, server_key, algorithms=[JWT_ALGORITHM])
    except jwt.PyJWTError:
        return None
    return claims


# One year, as browsers' HSTS preload lists expect.
HSTS_HEADER = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class HstsMiddleware:
    """Sends ``Strict-Transport-Security`` with every answer, so that a browser that once reached the
    server over https never falls back to http (``settings.cookie_secure``). Pure ASGI, so that streamed
    answers stay streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, with_headers(send, [HSTS_HEADER]) if scope["type"] == "http" else send)


def _fernet(server_key: bytes, purpose: str) -> Fernet:
    # A key of its own per purpose, derived from the server key: a value encrypted for one use cannot be
    # passed off as another's, and rotating the server key makes every stored secret unreadable at once.
    derived = hmac.new(server_key, f"packtrace:encrypt:{purpose}".encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(server_key: bytes, purpose: str, value: str) -> str:
    """``value`` encrypted and authenticated (Fernet: AES-CBC with HMAC-SHA256) under the server key."""
    return _fernet(server_key, purpose).encrypt(value.encode()).decode()


def decrypt_secret(server_key: bytes, purpose: str, token: str) -> str | None:
    """The value ``encrypt_secret`` encrypted, or None when the token was made under another key (the
    server key changed) or tampered with."""
    try:
        return _fernet(server_key, purpose).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
