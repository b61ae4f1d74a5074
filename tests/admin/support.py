"""A browser-like client of the admin UI for server-side tests: signs in through the sign-in form and
sends every POST with the session's CSRF token, as the pages' forms do."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ADMIN = "/admin"


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class AdminUI:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf_token = ""

    def sign_in(self, email: str, password: str) -> Response:
        page = self.client.get(f"{ADMIN}/login")
        assert page.status_code == 200, page.text
        response = self.client.post(
            f"{ADMIN}/login",
            data={"email": email, "password": password, "csrf_token": csrf_of(page.text), "next": "/"},
            follow_redirects=False,
        )
        if response.status_code == 303:
            # Every page of a signed-in user has the sign-out form, with the session's token.
            self.csrf_token = csrf_of(self.client.get(f"{ADMIN}/", follow_redirects=True).text)
        return response

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.client.get(f"{ADMIN}{path}", **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Response:
        body = dict(data or {})
        if csrf:
            body["csrf_token"] = self.csrf_token
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(f"{ADMIN}{path}", data=body, **kwargs)


def field_error(html: str, field: str) -> str | None:
    """The error shown next to the form field ``field``, if any."""
    found = re.search(rf'<p class="field-error" id="e-{re.escape(field)}">([^<]*)</p>', html)
    return found.group(1) if found else None
