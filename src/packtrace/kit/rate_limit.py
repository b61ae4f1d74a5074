"""Counts failed authentications per client and refuses a client that fails too often.

Kept in the process's memory: it slows down guessing against one server; several servers behind a
balancer each count their own."""

from __future__ import annotations

import threading
import time
from collections import deque

from packtrace.kit.errors import RateLimitError


class FailureLimiter:
    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, client: str) -> None:
        """Raise ``RateLimitError`` when the client has used up its failures in the window."""
        with self._lock:
            if len(self._recent(client, time.monotonic())) >= self.limit:
                raise RateLimitError(
                    f"Too many failed authentications from this client; try again in {int(self.window)} seconds"
                )

    def record_failure(self, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent(client, now).append(now)
            if len(self._failures) > 100_000:
                # Bound memory under a spray of addresses: forget clients whose failures have all aged out.
                for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
                    del self._failures[key]
