"""What a failed authentication counts against (see ``kit.rate_limit``): the address it came from, and
the API key or sign-in e-mail it tried. Keys and e-mails are kept only as keyed hashes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from fastapi import Request
from sqlalchemy.orm import Session

from packtrace.kit import security
from packtrace.kit.deps import AppContext, client_address
from packtrace.kit.errors import DomainError
from packtrace.kit.rate_limit import Subject


def address(request: Request) -> Subject:
    return Subject("address", client_address(request))


def api_key(key_hash: str) -> Subject:
    """An API key by the hash it is stored under (the same for ``api_auth`` and for channel failures)."""
    return Subject("api_key", key_hash)


def api_key_sent(context: AppContext, key: str) -> Subject:
    return api_key(security.keyed_hash(context.server_key, key))


def email(context: AppContext, value: str) -> Subject:
    return Subject("email", security.keyed_hash(context.server_key, value.strip().lower()))


def check(session: Session, context: AppContext, subjects: Sequence[Subject]) -> None:
    """Refuse (429) before an authentication endpoint spends a password hash on a blocked subject."""
    context.auth_failures.check(session, subjects)


def fail(session: Session, context: AppContext, subjects: Sequence[Subject], error: DomainError) -> NoReturn:
    """Count a failure against ``subjects`` and raise ``error``; a subject that has used up its failures
    gets 429 instead (and the failure is not counted again, so waiting out the window is enough)."""
    context.auth_failures.check(session, subjects)
    context.auth_failures.record_failure(session, subjects)
    raise error
