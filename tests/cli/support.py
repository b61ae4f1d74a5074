"""Running the ``packtrace`` command in-process and checking what it prints."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner, Result

from packtrace.cli import app
from tests.support import TEST_PREFIXES
from tests.support import sample_order as spec_sample_order

SERVER_KEY = "cli-test-server-key-0123456789abcdef0123456789"

# The spec's sample request, written out in the tests rather than taken from the code under test.
SAMPLE_REQUEST: dict[str, Any] = spec_sample_order()

STRONG_SECRET = "Str0ng-Secret!"


def sample_order(order_id: str) -> dict[str, Any]:
    return SAMPLE_REQUEST | {"order_id": order_id}


class Cli:
    """``packtrace`` as the operator runs it; stdout and stderr are captured apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def run(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)

    def tenant(self, name: str) -> None:
        """Create a tenant that owns the tests' GS1 company prefixes, as an operator would set one up."""
        self.ok("tenant", "create", name)
        for prefix in TEST_PREFIXES:
            self.ok("prefix", "add", "--tenant", name, prefix)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self.run(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        return result

    def json(self, *args: str, input: str | None = None) -> Any:
        """The command's ``--json`` output: the whole of stdout must be one JSON document."""
        return json.loads(self.ok(*args, "--json", input=input).stdout)

    def error(self, *args: str, exit_code: int = 1, input: str | None = None) -> str:
        """The one line a failing command prints on stderr (nothing on stdout)."""
        result = self.run(*args, input=input)
        assert result.exit_code == exit_code, (
            f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        )
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: "), lines[0]
        assert "Traceback" not in result.stderr
        return lines[0]
