"""A real HTTP receiver on 127.0.0.1 for the outbox's tests: it records every request with its
Idempotency-Key, stores each key's document once (as a receiver honouring the key does), and answers as
the test tells it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def key(self) -> str:
        return self.headers.get("idempotency-key", "")


# (request, already stored) -> (status, answer); the default stores and acknowledges.
Answer = Callable[[Request, bool], tuple[int, str]]


def acknowledge(request: Request, duplicate: bool) -> tuple[int, str]:
    return 200, '{"status": "duplicate"}' if duplicate else '{"status": "stored"}'


@dataclass
class Receiver:
    answer: Answer = acknowledge
    requests: list[Request] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)  # idempotency key -> document
    # Set when a request arrives; while ``hold`` is clear, the answer waits for it.
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event = field(default_factory=threading.Event)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.hold.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/reports"

    def keys(self) -> list[str]:
        return [r.key for r in self.requests]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with receiver.lock:
                    receiver.requests.append(request)
                    duplicate = request.key in receiver.stored
                    receiver.stored.setdefault(request.key, body)
                status, text = receiver.answer(request, duplicate)
                receiver.arrived.set()
                receiver.hold.wait(60)
                payload = text.encode()
                with contextlib.suppress(OSError):  # the worker may be gone (killed mid-delivery)
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            def log_message(self, *_: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: connections to its port are refused until ``start`` again (same port)."""
        assert self._server is not None
        self.hold.set()
        self._server.shutdown()
        self._server.server_close()
        self._server = None


@contextmanager
def running(answer: Answer = acknowledge) -> Iterator[Receiver]:
    receiver = Receiver(answer)
    receiver.start()
    try:
        yield receiver
    finally:
        if receiver._server is not None:
            receiver.stop()
