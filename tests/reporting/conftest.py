from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from packtrace.demo import DemoCredentials
from packtrace.kit.db import Database
from tests.auth.people import Person, admin, expect_ok, outsider, plain_user, support
from tests.packs.support import in_progress
from tests.reporting.support import cancel_seeded_reports

__all__ = ["admin", "in_progress", "outsider", "plain_user", "support"]


@pytest.fixture
def client_support(client: TestClient, support: Person) -> dict[str, Callable[[int], Any]]:
    """Retry and cancel through the API, as a Support user."""

    def act(action: str) -> Callable[[int], Any]:
        return lambda report_id: expect_ok(client.post(f"/api/reports/{report_id}/{action}", headers=support.headers))

    return {"retry": act("retry"), "cancel": act("cancel")}


@pytest.fixture
def seeded_reports_cancelled(database: Database, demo: DemoCredentials) -> None:
    cancel_seeded_reports(database)
