"""Domain errors. They know nothing of HTTP: ``kit.http_errors`` maps them to status codes, the CLI and
the admin UI render them their own way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Detail:
    """One thing wrong with the input: the field it concerns and what is wrong with it."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error a user can cause. ``details`` names the fields at fault."""

    def __init__(self, message: str, details: list[Detail] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    @classmethod
    def on_field(cls, field: str, message: str) -> DomainError:
        return cls(message, [Detail(field, message)])


class ValidationError(DomainError):
    """The input breaks a rule: wrong type, out of range, unknown to the tenant."""


class NotFoundError(DomainError):
    """The object does not exist for this tenant (another tenant's object counts as not existing)."""


class ConflictError(DomainError):
    """The request contradicts what exists, e.g. an order id reused with different content."""


class InvalidStateError(DomainError):
    """The object's status does not allow the operation; the message names the status."""


class InsufficientSerialsError(DomainError):
    """The serial pool cannot supply the quantity asked for."""


class NoTokenError(DomainError):
    """No access token was sent."""


class AuthenticationError(DomainError):
    """Credentials or token rejected. Never says which part was wrong."""


class NoChannelKeyError(DomainError):
    """No shopfloor channel key was sent."""


class ChannelError(DomainError):
    """The channel key is unknown, disabled, of another tenant or of another source."""


class PermissionDeniedError(DomainError):
    """The user's role does not allow the operation."""


class PayloadTooLargeError(DomainError):
    """The request body is above the configured limit."""


class RateLimitError(DomainError):
    """Too many failed authentications of one subject; ``retry_after``: seconds until it may try again."""

    def __init__(self, message: str, details: list[Detail] | None = None, *, retry_after: int = 1) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after


class BusyError(DomainError):
    """The server cannot take the work now (the database's write lock or every connection is held by
    others); nothing was done and the same request may be sent again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
