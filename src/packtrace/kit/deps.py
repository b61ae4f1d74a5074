"""FastAPI dependencies for the infrastructure every endpoint uses: the unit of work and the settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from packtrace.config import Settings
from packtrace.kit.db import Database
from packtrace.kit.rate_limit import FailureLimiter


@dataclass
class AppContext:
    """What ``create_app`` builds once and every request shares."""

    settings: Settings
    db: Database
    server_key: bytes
    auth_failures: FailureLimiter


def app_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


# Methods that never change anything (HTTP's safe methods): their unit of work only reads.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _unit_of_work(request: Request) -> Iterator[Session]:
    # scope="function" below: committed after the endpoint returns and before the response is sent, so a
    # client never sees success for work that then failed to commit.
    writes = request.method not in READ_ONLY_METHODS
    with app_context(request).db.unit_of_work(writes=writes) as session:
        yield session


async def _context(request: Request) -> AppContext:
    # async: FastAPI runs a sync dependency on a worker thread, a hop (and a wake-up of the event loop)
    # for reading one attribute.
    return app_context(request)


DbSession = Annotated[Session, Depends(_unit_of_work, scope="function")]
Context = Annotated[AppContext, Depends(_context)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
