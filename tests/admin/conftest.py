from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.kit.db import Database
from tests.admin.support import AdminUI
from tests.auth.people import PASSWORD, Person, admin, outsider, plain_user, support

__all__ = ["admin", "outsider", "plain_user", "support"]


@pytest.fixture
def ui_for(settings: Settings, database: Database) -> Iterator[Callable[[Person], AdminUI]]:
    """A signed-in admin UI client for a person, each with a cookie jar of its own."""
    clients: list[TestClient] = []

    def sign_in(person: Person) -> AdminUI:
        client = TestClient(create_app(settings, database=database), raise_server_exceptions=False)
        clients.append(client)
        ui = AdminUI(client)
        response = ui.sign_in(person.email, PASSWORD)
        assert response.status_code == 303, response.text
        return ui

    yield sign_in
    for client in clients:
        client.close()


@pytest.fixture
def admin_ui(ui_for: Callable[[Person], AdminUI], admin: Person) -> AdminUI:
    return ui_for(admin)


@pytest.fixture
def support_ui(ui_for: Callable[[Person], AdminUI], support: Person) -> AdminUI:
    return ui_for(support)


@pytest.fixture
def user_ui(ui_for: Callable[[Person], AdminUI], plain_user: Person) -> AdminUI:
    return ui_for(plain_user)
