"""Sign-in, the session cookie and sign-out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from packtrace.auth.service import user_service
from packtrace.config import Settings
from packtrace.kit import security
from packtrace.kit.db import Database
from tests.admin.support import AdminUI, csrf_of
from tests.auth.people import PASSWORD, Person


def _set_cookie(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return next(h for h in headers if h.startswith(f"{name}="))


def test_pages_need_a_signed_in_user(client: TestClient) -> None:
    response = client.get("/admin/packaging/orders?status=Open", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login?next=%2Fpackaging%2Forders%3Fstatus%3DOpen"
    assert client.get("/admin/settings", follow_redirects=False).status_code == 303


def test_htmx_requests_of_a_signed_out_user_reload_the_window_on_the_sign_in_page(client: TestClient) -> None:
    response = client.get("/admin/packaging/orders", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["hx-redirect"].startswith("/admin/login")


def test_sign_in_sets_a_signed_http_only_session_cookie(client: TestClient, admin: Person, settings: Settings) -> None:
    page = client.get("/admin/login")
    assert page.status_code == 200 and "Sign in" in page.text
    response = client.post(
        "/admin/login",
        data={"email": admin.email, "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "/settings"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/settings"
    cookie = _set_cookie(response, "packtrace_admin")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/admin" in cookie
    assert f"Max-Age={settings.user_session_hours * 3600}" in cookie
    assert "Secure" not in cookie  # served over http here
    token = cookie.split(";")[0].split("=", 1)[1]
    claims = security.decode_jwt(settings.signing_key(), token)
    assert claims is not None and claims["sub"] == str(admin.user_id) and claims["typ"] == "admin"
    assert claims["exp"] - claims["iat"] == settings.user_session_hours * 3600
    # A new CSRF token after sign-in: the sign-in form's is worth nothing now.
    assert claims["csrf"] != csrf_of(page.text)
    assert client.get("/admin/settings").status_code == 200


def test_the_cookie_is_secure_over_https(settings: Settings, database: Database, admin: Person) -> None:
    from packtrace.app import create_app

    with TestClient(create_app(settings, database=database), base_url="https://testserver") as client:
        page = client.get("/admin/login")
        assert "Secure" in _set_cookie(page, "packtrace_admin")
        response = client.post(
            "/admin/login",
            data={"email": admin.email, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert "Secure" in _set_cookie(response, "packtrace_admin")


def test_a_wrong_password_is_refused_and_counted(client: TestClient, admin: Person) -> None:
    page = client.get("/admin/login")
    token = csrf_of(page.text)
    limiter = client.app.state.context.auth_failures  # type: ignore[attr-defined]
    limiter.limit = 3
    for _ in range(3):
        response = client.post("/admin/login", data={"email": admin.email, "password": "wrong", "csrf_token": token})
        assert response.status_code == 401
        assert "Sign-in failed: unknown e-mail or wrong password." in response.text
        assert "packtrace_admin=" not in response.headers.get("set-cookie", "")
    # Used up: even the right password is refused now, as the API's sign-in would be.
    response = client.post("/admin/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert "Too many failed authentications" in response.text


def test_the_api_and_the_ui_share_the_failure_count(client: TestClient, admin: Person) -> None:
    limiter = client.app.state.context.auth_failures  # type: ignore[attr-defined]
    limiter.limit = 2
    for _ in range(2):
        assert client.post("/api/login", json={"email": admin.email, "password": "wrong"}).status_code == 401
    token = csrf_of(client.get("/admin/login").text)
    response = client.post("/admin/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_after_sign_in_only_a_path_of_the_admin(client: TestClient, admin: Person) -> None:
    token = csrf_of(client.get("/admin/login").text)
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            "/admin/login",
            data={"email": admin.email, "password": PASSWORD, "csrf_token": token, "next": evil},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/admin/"
        token = csrf_of(client.get("/admin/login").text)


def test_sign_out_ends_the_session(admin_ui: AdminUI) -> None:
    response = admin_ui.post("/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"
    assert 'packtrace_admin=""' in _set_cookie(response, "packtrace_admin")
    assert admin_ui.get("/settings", follow_redirects=False).status_code == 303
    assert "You have signed out." in admin_ui.get("/login").text


def test_a_disabled_user_is_signed_out_at_once(admin_ui: AdminUI, database: Database, admin: Person) -> None:
    with database.unit_of_work() as s:
        user = user_service.get(s, admin.tenant_id, admin.user_id)
        user.active = False
    assert admin_ui.get("/products", follow_redirects=False).status_code == 303


def test_forged_and_expired_cookies_are_refused(client: TestClient, admin: Person, settings: Settings) -> None:
    forged, _ = security.encode_jwt(b"another key" * 4, {"typ": "admin", "sub": str(admin.user_id), "csrf": "x"}, None)
    client.cookies.set("packtrace_admin", forged, path="/admin")
    assert client.get("/admin/products", follow_redirects=False).status_code == 303
    expired, _ = security.encode_jwt(
        settings.signing_key(),
        {"typ": "admin", "sub": str(admin.user_id), "csrf": "x"},
        timedelta(hours=1),
        issued_at=security.utcnow() - timedelta(hours=2),
    )
    client.cookies.set("packtrace_admin", expired, path="/admin")
    assert client.get("/admin/products", follow_redirects=False).status_code == 303
    # An API token of the same user is not a session cookie.
    api_token, _ = security.encode_jwt(settings.signing_key(), {"sub": str(admin.user_id), "typ": "user"}, None)
    client.cookies.set("packtrace_admin", api_token, path="/admin")
    assert client.get("/admin/products", follow_redirects=False).status_code == 303


def test_each_role_starts_on_its_first_tab(
    ui_for: Callable[[Person], AdminUI], admin: Person, plain_user: Person
) -> None:
    for person in (admin, plain_user):
        response = ui_for(person).get("/", follow_redirects=False)
        assert response.headers["location"] == "/admin/products"


def test_signing_out_revokes_the_session_on_the_server(admin_ui: AdminUI) -> None:
    cookie = admin_ui.client.cookies.get("packtrace_admin")
    assert cookie and admin_ui.get("/settings", follow_redirects=False).status_code == 200
    assert admin_ui.post("/logout").status_code == 303
    # A copy of the cookie taken before signing out (a shared computer, a stolen cookie) is refused.
    admin_ui.client.cookies.set("packtrace_admin", cookie, path="/admin")
    assert admin_ui.get("/settings", follow_redirects=False).status_code == 303


def test_the_cookie_is_secure_and_hsts_sent_when_configured(
    settings: Settings, database: Database, admin: Person
) -> None:
    from packtrace.app import create_app

    secure = settings.model_copy(update={"cookie_secure": True})
    with TestClient(create_app(secure, database=database)) as client:  # plain http: TLS ends at a proxy
        page = client.get("/admin/login")
        assert "Secure" in _set_cookie(page, "packtrace_admin")
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert "strict-transport-security" in client.get("/health").headers
    with TestClient(create_app(settings, database=database)) as client:
        page = client.get("/admin/login")
        assert "Secure" not in _set_cookie(page, "packtrace_admin")
        assert "strict-transport-security" not in page.headers
