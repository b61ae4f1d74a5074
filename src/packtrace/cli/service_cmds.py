"""Running the service: ``migrate``, ``serve``, ``seed-demo`` and ``demo`` (seed, show how to call it,
serve). These four migrate the database themselves; every other command expects it migrated."""

from __future__ import annotations

import json
import shlex
import socket
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from packtrace.app import MANUFACTURER_V2_PREFIX, create_app
from packtrace.cli.context import display_url, load_settings, migrate, unit_of_work
from packtrace.cli.errors import CliError
from packtrace.cli.output import JsonOption, print_json, print_record
from packtrace.cli.reports import start_worker_thread
from packtrace.config import Settings
from packtrace.demo import DemoCredentials, seed_demo

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0: every interface).")]
PortOption = Annotated[
    int, typer.Option("--port", min=0, max=65535, help="TCP port to listen on (0: any free port, then shown).")
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        "-w",
        min=1,
        max=64,
        envvar="PACKTRACE_WORKERS",
        help="Server processes; they share only the database (README: sizing workers and connections).",
    ),
]

# The spec's sample request; product and line are the demo's (the same values).
SAMPLE_ORDER: dict[str, Any] = {
    "batch": "BATCH111",
    "expiry_date": "221115",
    "extra_percentage": 10,
    "market": "EU",
    "order_description": "Packaging Order 130",
    "order_id": "Order130",
    "packaging_line_tag": "test-packaging-line-1",
    "product_code_schema": "GTIN",
    "product_code": "01234512345901",
    "quantity": 10,
    "serialized": True,
}


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed, so that what is printed names the real
    port (with ``--port 0`` the system picks a free one).

    The protocol is named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    connections whose socket says IPPROTO_TCP. Without it a response written in two parts (head, then
    body) waited for the client's delayed ACK: 40 ms added to every answer."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise CliError(f"cannot listen on {host} port {port}: {error.strerror}") from None
    return sock


NoWorkerOption = Annotated[
    bool, typer.Option("--no-worker", help="Do not deliver reports here (run `packtrace worker` elsewhere).")
]


def run_server(
    settings: Settings,
    sock: socket.socket,
    *,
    workers: int = 1,
    migrate_first: bool = True,
    outbox_worker: bool = True,
) -> None:
    """Serve ``create_app(settings)`` with uvicorn on ``sock`` until stopped; ``serve`` and ``demo`` both
    use it. With several workers, that many processes serve the one socket, each building its app from
    the environment (``app_from_environment``): the settings read here are those the workers read.

    The outbox worker runs on a thread of this process, the one that supervises the server processes:
    one per server whatever ``workers`` is. Several servers on one database each run theirs; their
    claims keep them apart."""
    if migrate_first:
        migrate(settings)
    # Made (or read) once here: workers starting together would otherwise race to create the key file.
    settings.signing_key()
    url = client_url(*sock.getsockname()[:2])
    database = display_url(settings.database_url)
    typer.echo(f"PackTrace on {url}, {workers} worker(s) (database {database}); API docs at {url}/docs", err=True)
    options: dict[str, Any] = {"log_level": settings.log_level.lower(), **settings.proxy_options()}
    stop, thread = start_worker_thread(settings) if outbox_worker else (None, None)
    try:
        if workers == 1:
            config = uvicorn.Config(create_app(settings), **options)
            uvicorn.Server(config).run(sockets=[sock])
        else:
            config = uvicorn.Config(f"{__name__}:app_from_environment", factory=True, workers=workers, **options)
            Multiprocess(config, sockets=[sock]).run()
    finally:
        if stop is not None and thread is not None:
            stop.set()  # a delivery under way finishes and is recorded first
            thread.join(settings.report_timeout_seconds + 5)


def app_from_environment() -> FastAPI:
    """The app of one worker process, from the same environment the ``serve`` command read."""
    return create_app(load_settings())


def client_url(host: str, port: int) -> str:
    """The URL a client on this machine uses: a wildcard listen address is not one to connect to."""
    if host in {"", "0.0.0.0"}:  # noqa: S104 (recognizing the wildcard, not binding to it)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def curl_post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> str:
    """A ready-to-paste POSIX-shell cURL command."""
    parts = [f"curl -X POST {shlex.quote(url)}", "-H 'Content-Type: application/json'"]
    parts += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in (headers or {}).items()]
    parts.append(f"-d {shlex.quote(json.dumps(body))}")
    return " \\\n  ".join(parts)


def sample_order(credentials: DemoCredentials) -> dict[str, Any]:
    return SAMPLE_ORDER | {
        "product_code": credentials.product_code,
        "packaging_line_tag": credentials.packaging_line_tag,
    }


def demo_guide(credentials: DemoCredentials, base_url: str) -> str:
    order_curl = curl_post(
        f"{base_url}{MANUFACTURER_V2_PREFIX}/packaging_order",
        sample_order(credentials),
        {"x-access-token": credentials.static_token, "x-channel-key": credentials.channel_key},
    )
    token_curl = curl_post(
        f"{base_url}/v1/api_auth", {"api_key": credentials.api_key, "api_secret": credentials.api_secret}
    )
    return "\n".join(
        [
            "Create the spec's sample packaging order (static token and channel key of the demo):",
            "",
            order_curl,
            "",
            "Get a dynamic token (valid one day) for the demo API key, to send as x-access-token:",
            "",
            token_curl,
            "",
            f"Swagger UI: {base_url}/docs",
            f"Administrator sign-in: {credentials.admin_email} / {credentials.admin_password}",
        ]
    )


def migrate_cmd(as_json: JsonOption = False) -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    settings = load_settings()
    revision = migrate(settings)
    database = display_url(settings.database_url)
    if as_json:
        print_json({"database": database, "revision": revision})
    else:
        typer.echo(f"Database {database} is at revision {revision}.")


def serve_cmd(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
    no_worker: NoWorkerOption = False,
) -> None:
    """Migrate the database, then serve the API (and its docs at /docs) and deliver due reports."""
    run_server(load_settings(), listen(host, port), workers=workers, outbox_worker=not no_worker)


def seed_demo_cmd(as_json: JsonOption = False) -> None:
    """Migrate, create the demo tenant (idempotent) and print its credentials."""
    settings = load_settings()
    server_key = settings.signing_key()
    migrate(settings)
    with unit_of_work(settings) as session:
        credentials = seed_demo(session, server_key)
    if as_json:
        print_json(credentials.as_dict())
    else:
        print_record(credentials.as_dict(), "Demo credentials")


def demo_cmd(host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Migrate, seed the demo tenant, show how to call the API, then serve it."""
    settings = load_settings()
    server_key = settings.signing_key()
    migrate(settings)
    with unit_of_work(settings) as session:
        credentials = seed_demo(session, server_key)
    sock = listen(host, port)
    print_record(credentials.as_dict(), "Demo credentials")
    typer.echo(demo_guide(credentials, client_url(*sock.getsockname()[:2])))
    typer.echo("")
    run_server(settings, sock, migrate_first=False)
