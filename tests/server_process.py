"""A real PackTrace server process (``python -m packtrace serve``) on an ephemeral port of 127.0.0.1, for
the tests of contention and crashes. Its output goes to a file (a pipe nobody reads would fill and stall
it); the port is read from uvicorn's start-up line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from packtrace.config import Settings
from packtrace.demo import DemoCredentials, seed_demo
from packtrace.kit.db import Database
from packtrace.kit.migrations import upgrade
from tests.support import postgres_schema

SECRET = "server-process-secret-0123456789abcdefghij"
# The real port is in PackTrace's own line (uvicorn, handed a bound socket, names its default port).
_STARTED = re.compile(r"PackTrace on http://127\.0\.0\.1:(\d+)")
_READY = "Application startup complete"


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def committed_database(test_database_url: str, is_postgres: bool) -> Iterator[tuple[str, DemoCredentials]]:
    """A database of its own with committed data (a PostgreSQL schema or a SQLite file), migrated and
    seeded with the demo tenant (keys derived from ``SECRET``): its URL and the demo's credentials."""
    with tempfile.TemporaryDirectory() as folder:
        if is_postgres:
            with postgres_schema(test_database_url, "packtrace_srv") as url:
                yield url, _seeded(url)
        else:
            url = f"sqlite:///{Path(folder) / 'server.db'}"
            yield url, _seeded(url)


def _seeded(url: str) -> DemoCredentials:
    upgrade(url)
    db = Database(url)
    try:
        with db.unit_of_work() as session:
            return seed_demo(session, Settings(secret_key=SECRET).signing_key(), with_pool=False)
    finally:
        db.dispose()


def start_server(database_url: str, log: Path, workers: int = 1, **settings: str) -> ServerProcess:
    """Start ``packtrace serve`` with the given ``PACKTRACE_*`` settings and wait until it listens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACKTRACE_")}
    env |= {"PACKTRACE_DATABASE_URL": database_url, "PACKTRACE_SECRET_KEY": SECRET, "PACKTRACE_LOG_LEVEL": "INFO"}
    env |= {f"PACKTRACE_{name.upper()}": value for name, value in settings.items()}
    command = [sys.executable, "-m", "packtrace", "serve", "--port", "0", "--workers", str(workers)]
    with log.open("ab") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        found = _STARTED.search(text)
        if found and text.count(_READY) >= workers:
            return ServerProcess(process, f"http://127.0.0.1:{found.group(1)}", log)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    stop_server(process)
    raise AssertionError(f"the server did not start:\n{log.read_text(errors='replace')}")


def stop_server(process: subprocess.Popen[bytes], *, crash: bool = False) -> None:
    """Stop it: SIGKILL for a crash (nothing flushed, no shutdown), else SIGTERM, SIGKILL if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if crash else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


@contextmanager
def running_server(database_url: str, log: Path, workers: int = 1, **settings: str) -> Iterator[ServerProcess]:
    server = start_server(database_url, log, workers, **settings)
    try:
        yield server
    finally:
        stop_server(server.process)
