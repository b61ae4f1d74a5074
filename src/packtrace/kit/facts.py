"""Facts and their consequences commit together.

A service that changes what PackTrace knows (packs commissioned, a product renamed, a shipment sent)
publishes a *fact* into the session it works in. Every subscriber of that kind of fact (the EPCIS event
log, the audit trail, the reporting outbox) writes its own rows through the same session, so the fact and
everything it causes land in one transaction or not at all. Services never write another feature's
consequence rows by hand; they publish, and this module dispatches.

Subscribers are wired in one place, ``packtrace.subscribers``, imported on the first publish. Loading it
lazily keeps ``kit`` free of features and means no entry point (server, CLI, worker, test) can forget to
wire them: whoever publishes gets them.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

WIRING_MODULE = "packtrace.subscribers"

F = TypeVar("F", bound="Fact")
Handler = Callable[[Session, Any], None]


class Fact:
    """Base of every fact. A fact is a frozen dataclass named in the past tense (``PacksCommissioned``)."""


_subscribers: dict[type[Fact], list[Handler]] = {}
_wired = False
_wiring_lock = threading.Lock()


def subscribe(fact_type: type[F], handler: Callable[[Session, F], None]) -> None:
    """Make ``handler`` run, inside the publisher's transaction, for every fact of ``fact_type`` (or a
    subclass). Registering the same handler twice is a no-op, so wiring may safely run again."""
    handlers = _subscribers.setdefault(fact_type, [])
    if handler not in handlers:
        handlers.append(handler)


def _ensure_wired() -> None:
    global _wired
    if _wired:
        return
    with _wiring_lock:
        if not _wired:
            importlib.import_module(WIRING_MODULE)
            _wired = True


def handlers_for(fact_type: type[Fact]) -> list[Handler]:
    """The handlers a fact of this type reaches: its own and those of its base classes, base first."""
    _ensure_wired()
    found: list[Handler] = []
    for klass in reversed(fact_type.__mro__):
        found.extend(_subscribers.get(klass, ()))
    return found


def publish(session: Session, fact: Fact) -> None:
    """Hand ``fact`` to every subscriber now, in the caller's session and transaction. A subscriber's
    error propagates, so the caller's unit of work rolls back: a fact never lands without its
    consequences."""
    for handler in handlers_for(type(fact)):
        handler(session, fact)
