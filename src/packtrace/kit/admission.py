"""Admission: at most ``limit`` requests are served at once; the others wait in a bounded queue, and one
that cannot be served soon gets a quick 503 + Retry-After instead of a long wait or an error.

Why: a request holds a database connection from its first statement until its unit of work commits, and
it hops between threads in between. When more requests ran than there were connections, those waiting
for a connection held threads that the ones holding connections needed to finish: with 48 lines calling
at once every request waited for the pool's 30 s timeout and failed. Admitting no more requests than the
pool has steady connections means an admitted request never waits for a connection, and it uses one
thread at a time, so the thread pool (sized to at least the limit) never starves either."""

from __future__ import annotations

import asyncio
import math

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from packtrace.kit.errors import BusyError
from packtrace.kit.http_errors import domain_error_response


class AdmissionMiddleware:
    def __init__(
        self, app: ASGIApp, limit: int, queue: int, timeout_seconds: float, exempt: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.limit = limit
        self.queue = queue
        self.timeout_seconds = timeout_seconds
        # Paths that touch no database (liveness) are answered even when every slot is taken.
        self.exempt = exempt
        self._slots: asyncio.Semaphore | None = None
        self._waiting = 0

    def _started_slots(self) -> asyncio.Semaphore:
        # Created on the first request, inside the server's event loop, where the thread pool's size can
        # be set too: never fewer threads than admitted requests.
        if self._slots is None:
            limiter = anyio.to_thread.current_default_thread_limiter()
            limiter.total_tokens = max(int(limiter.total_tokens), self.limit)
            self._slots = asyncio.Semaphore(self.limit)
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")) in self.exempt:
            await self.app(scope, receive, send)
            return
        slots = self._started_slots()
        if slots.locked() and self._waiting >= self.queue:
            await self._refuse(scope, receive, send, "The server is at its limit of waiting requests; retry shortly")
            return
        self._waiting += 1
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await slots.acquire()
        except TimeoutError:
            await self._refuse(scope, receive, send, "The server is busy; retry shortly")
            return
        finally:
            self._waiting -= 1
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, message: str) -> None:
        error = BusyError(message, retry_after=max(1, math.ceil(self.timeout_seconds)))
        await domain_error_response(error)(scope, receive, send)
