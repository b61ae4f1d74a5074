"""The README's commands, run as written, so that the docs cannot drift from the product.

The shell blocks are parsed out of README.md at test time: a step added there is run here. The harness
substitutes only what differs on a test machine: the host and port (``--port 0``, a free port, and the
URL the server then names), the database URL (a database of the test's own) and the answers to prompts
on standard input. Installing (``pip install``) is the environment's own step: the tests run in the
virtual environment that CI makes from a fresh clone the same way.

Every server here is a real ``packtrace`` process on an ephemeral port, stopped at the end."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from packtrace.kit.db import is_sqlite
from tests.conftest import DatabaseUnderTest
from tests.reporting.documents_support import valid_json
from tests.support import postgres_schema

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
PACKTRACE = str(BIN / "packtrace")
# What a person types when a command asks for a password or secret (twice: it asks to confirm).
ANSWER = "Readme-Passw0rd!"
STARTUP_SECONDS = 60
_LISTENING = re.compile(r"PackTrace on (http://127\.0\.0\.1:\d+)")


def section(title: str) -> str:
    """The text of the README's ``## title`` section, up to the next section of that level."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no section '## {title}'"
    return match.group(1)


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and blank lines left out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    # A trailing "# ..." after a command is a comment (the README's commands quote no '#').
    lines = [re.sub(r"\s+#[^'\"]*$", "", line).strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def json_documents(output: str) -> list[Any]:
    """The JSON documents that cURL printed one after the other (``-s`` adds no newline)."""
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while position < len(output):
        if output[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(output, position)
        documents.append(document)
    return documents


@pytest.fixture
def database_url(test_database: DatabaseUnderTest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own: what a reader's fresh installation has."""
    if is_sqlite(test_database.url):
        yield f"sqlite:///{tmp_path / 'packtrace.db'}"
        return
    with postgres_schema(test_database.url, "packtrace_readme") as url:
        yield url


@pytest.fixture
def environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACKTRACE_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PACKTRACE_DATABASE_URL"] = database_url
    env["PACKTRACE_SECRET_KEY_FILE"] = str(tmp_path / "packtrace-secret.key")
    return env


class Server:
    """A ``packtrace`` process that serves; its output goes to files, read to find its URL."""

    def __init__(self, command: str, env: dict[str, str], folder: Path) -> None:
        self.stdout_path, self.stderr_path = folder / "server.out", folder / "server.err"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                command, shell=True, cwd=folder, env=env, stdout=out, stderr=err, start_new_session=True
            )
        self.url = self._wait_until_answering()

    def _wait_until_answering(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server stopped: {self.output()}"
            found = _LISTENING.search(self.stderr_path.read_text(errors="replace"))
            if found:
                try:
                    if httpx.get(f"{found.group(1)}/health", timeout=2).status_code == 200:
                        return found.group(1)
                except httpx.TransportError:
                    pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not answer within {STARTUP_SECONDS} s: {self.output()}")

    def output(self) -> str:
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def on_a_free_port(command: str) -> str:
    """The command listening on 127.0.0.1 and a free port: the one substitution of host and port."""
    command = re.sub(r"\s--host\s+\S+", "", command)
    command = re.sub(r"\s--port\s+\S+", "", command)
    return f"{command} --host 127.0.0.1 --port 0"


def run_shell(script: str, env: dict[str, str], folder: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, (
        f"exit {result.returncode}\nscript:\n{script}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def test_quick_start_serves_the_demo_and_its_printed_curl_works(environment: dict[str, str], tmp_path: Path) -> None:
    (block,) = shell_blocks(section("Quick start"))[:1]
    *install, start = [step.strip() for step in commands(block)[0].split("&&")]
    assert install and all(re.match(r"^(python3 -m venv|\.venv/bin/pip install)", step) for step in install), install
    assert start.startswith(".venv/bin/packtrace demo"), start
    server = Server(on_a_free_port(start.replace(".venv/bin/packtrace", shlex.quote(PACKTRACE))), environment, tmp_path)
    try:
        assert httpx.get(f"{server.url}/docs", timeout=10).status_code == 200
        printed = server.output()
        # The ready-to-paste cURLs the demo prints, run as pasted.
        pasted = re.findall(r"^(curl -X POST .*?)(?=\n\n)", printed, re.M | re.S)
        assert len(pasted) == 2, printed
        answers = json_documents(run_shell("\n".join(pasted), environment, tmp_path).stdout)
        assert [a["success"] for a in answers] == [True, True], answers
        assert answers[0]["data"]["order_id"] == "Order130" and answers[1]["data"]["token"]
    finally:
        server.stop()


def _walkthrough_script(blocks: list[str], base: str, credentials: dict[str, str]) -> str:
    """The blocks as one script; the first names the credentials with placeholders, filled in here."""
    names = blocks[0]
    filled = []
    for line in names.splitlines():
        assignment = re.match(r'^(\w+)=\S*\s*(?:#\s*"(\w+)")?', line)
        assert assignment, f"not an assignment: {line!r}"
        name, field = assignment.groups()
        value = base if name == "BASE" else credentials[field]
        filled.append(f"{name}={shlex.quote(value)}")
    return "\n".join([*filled, *blocks[1:]])


def test_curl_walkthrough_against_a_real_server(environment: dict[str, str], tmp_path: Path) -> None:
    text = section("Walk-through with cURL")
    assert "packtrace seed-demo --json" in text
    seeded = subprocess.run(
        [PACKTRACE, "seed-demo", "--json"], cwd=tmp_path, env=environment, capture_output=True, text=True, check=True
    )
    credentials = json.loads(seeded.stdout)
    server = Server(f"{shlex.quote(PACKTRACE)} serve --host 127.0.0.1 --port 0", environment, tmp_path)
    try:
        script = _walkthrough_script(shell_blocks(text), server.url, credentials)
        answers = json_documents(run_shell(script, environment, tmp_path).stdout)
        requests = sum(len(re.findall(r"\bcurl\b", block)) for block in shell_blocks(text)) - 1  # the token's
        assert len(answers) == requests >= 3, answers
        failed = [a for a in answers if a.get("success") is not True]
        assert failed == [], failed
        assert answers[0]["data"]["serial_count"] == 11
    finally:
        server.stop()


def test_running_it_for_real(environment: dict[str, str], database_url: str, tmp_path: Path) -> None:
    (block,) = shell_blocks(section("Running it for real"))[:1]
    lines = commands(block)
    install, *steps, serve = lines
    assert install.startswith("pip install"), install
    assert serve.startswith("packtrace serve"), serve
    answers = tmp_path / "answers.txt"
    answers.write_text(f"{ANSWER}\n{ANSWER}\n")
    script = []
    for step in steps:
        if step.startswith("export PACKTRACE_DATABASE_URL="):
            step = f"export PACKTRACE_DATABASE_URL={shlex.quote(database_url)}"
        elif step.startswith("packtrace "):
            step = f"{step} < {shlex.quote(str(answers))}"
        script.append(step)
    # The server the block ends with, in the background with the block's environment, on a free port.
    script.append(f"{on_a_free_port(serve)} > server.out 2> server.err & echo $! > server.pid")
    run_shell("\n".join(script), environment, tmp_path)
    pid = int((tmp_path / "server.pid").read_text())
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        url = None
        while url is None:
            assert time.monotonic() < deadline, (tmp_path / "server.err").read_text()
            found = _LISTENING.search((tmp_path / "server.err").read_text(errors="replace"))
            url = found.group(1) if found else None
            time.sleep(0.2)
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, (tmp_path / "server.err").read_text()
                time.sleep(0.2)
        # The user the block created signs in with the password it was asked for.
        email = re.search(r"user create .*--email (\S+)", block)
        assert email, block
        signed_in = httpx.post(f"{url}/api/login", json={"email": email.group(1), "password": ANSWER}, timeout=10)
        assert signed_in.status_code == 200, signed_in.text
    finally:
        os.kill(pid, signal.SIGTERM)


def test_reports_to_markets_commands(environment: dict[str, str], tmp_path: Path) -> None:
    """The outbox section's block as written: destinations set and cleared, the worker's one pass (the EU
    Hub's host does not exist: the report stays Pending, its error kept), then show, document, retry and
    cancel of the report seeding the demo queued."""
    (block,) = shell_blocks(section("Reports to markets: the outbox"))
    steps = commands(block)
    assert steps[0] == "packtrace seed-demo" and "packtrace worker --once" in steps
    output = run_shell("\n".join(steps), environment, tmp_path).stdout
    assert "auth header set" in output and "hub-token" not in output
    assert "could not reach the receiver" in output
    assert output.rstrip().split("Report cancelled", 1)[1].count("Cancelled") == 1
    document = valid_json((tmp_path / "report-1.json").read_bytes())  # against the schema we publish
    assert document["report"] == "eu.master_data"
