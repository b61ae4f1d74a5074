"""Settings, read from the environment (prefix ``PACKTRACE_``) or an ``.env`` file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from packtrace.kit.db import ConnectionLimits

_DEFAULT_SECRET_FILE = Path("packtrace-secret.key")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PACKTRACE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///packtrace.db"
    # Signs JWTs and keys the HMAC of API keys, channel keys and static tokens. When unset, a random key
    # is kept in ``secret_key_file`` so that tokens survive a restart of a single-node installation.
    secret_key: SecretStr | None = Field(default=None, min_length=32)
    secret_key_file: Path = _DEFAULT_SECRET_FILE
    dynamic_token_hours: int = Field(default=24, ge=1, le=24 * 7)
    user_session_hours: int = Field(default=8, ge=1, le=24 * 7)
    # A 100,000-serial commissioning call is about 1.5 MB (2.4 MB with 20-character serials).
    max_body_bytes: int = Field(default=4_194_304, ge=1024)
    # Failed authentications allowed per subject (address, API key, sign-in e-mail) in
    # ``auth_failure_window_seconds`` before the authentication endpoints answer 429.
    auth_failure_limit: int = Field(default=10, ge=1)
    auth_failure_window_seconds: int = Field(default=300, ge=1)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes (comma-separated addresses or
    # networks, "*" for any). Empty: none, so a client cannot choose the address its failures count on.
    trusted_proxies: str = ""
    # Secure cookies even when the server sees plain http (TLS ends at a proxy), and HSTS on every answer.
    cookie_secure: bool = False
    # The root of the reporting outbox's drop folders: a market's folder destination is a path under it.
    # Unset: folder destinations are refused.
    report_dir: Path | None = None
    # The outbox worker: how often it looks for due reports, how long a receiver may take to answer, and
    # how long a claimed report stays its own before another worker may take it over (longer than the
    # timeout, so that a slow delivery is never taken over while it still runs).
    worker_poll_seconds: float = Field(default=2.0, gt=0, le=3600)
    report_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    report_lease_seconds: float = Field(default=120.0, gt=0, le=86_400)
    page_size_default: int = Field(default=100, ge=1, le=10_000)
    log_level: str = "INFO"
    # Connections and admission, per server process (README, "Sizing workers and connections").
    db_pool_size: int = Field(default=20, ge=1, le=1000)
    db_max_overflow: int = Field(default=10, ge=0, le=1000)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    db_lock_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    # Requests served at once; the rest wait in a queue of ``admission_queue`` for at most
    # ``admission_timeout_seconds``, then get 503 + Retry-After. None: ``db_pool_size``.
    max_concurrent_requests: int | None = Field(default=None, ge=1, le=1000)
    admission_queue: int = Field(default=200, ge=0, le=100_000)
    admission_timeout_seconds: float = Field(default=5.0, ge=0, le=300)

    def connection_limits(self) -> ConnectionLimits:
        return ConnectionLimits(
            pool_size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            pool_timeout_seconds=self.db_pool_timeout_seconds,
            lock_timeout_seconds=self.db_lock_timeout_seconds,
        )

    def concurrent_requests(self) -> int:
        """Requests served at once: never more than the pool's steady connections, so that every admitted
        request finds a connection (its own unit of work) without waiting for another request's."""
        return self.max_concurrent_requests or self.db_pool_size

    def proxy_options(self) -> dict[str, Any]:
        """uvicorn's proxy settings: believe forwarded headers only from ``trusted_proxies``. uvicorn
        itself would believe 127.0.0.1 by default; with none named, forwarded headers are ignored."""
        trusted = [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]
        if not trusted:
            return {"proxy_headers": False}
        return {"proxy_headers": True, "forwarded_allow_ips": trusted}

    def signing_key(self) -> bytes:
        """The server secret; created once in ``secret_key_file`` when none is configured."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.secret_key_file
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()
