"""Benchmark: PackTrace against SerialBox, the open-source serial number server, side by side.

    python bench/serialbox.py [--postgres-url URL] [--runs 3] [--venv DIR]

SerialBox is not part of PackTrace and none of its code is kept here: this script installs it from PyPI
(``serialbox`` 3.0.17 with ``random-flavorpack`` and the versions of Django and the quartet packages
listed in SERIALBOX_PACKAGES, a set that installs and runs together on Python 3.11; two modules
the quartet packages import are missing from their requirements and listed here too) into a throwaway virtual
environment outside the repository (default ``$XDG_CACHE_HOME/packtrace-bench/serialbox``, else under
/tmp), writes a minimal Django project next to it, migrates it into a database of its own on the same
PostgreSQL server, makes one randomized pool (a ``RandomizedRegion`` of 1..999,999,999,999) and serves it
with gunicorn, 2 workers. PackTrace runs as ``packtrace serve --workers 2`` on a fresh schema of the same
server, its demo product's pool filled beforehand.

Timed, alternating A B A B (each pair in the same minute, so the machine's load hits both alike):
  A  SerialBox ``GET allocate/<pool>/110000/`` (110,000 random numbers, JSON)
  B  PackTrace ``POST serials/request`` of 110,000, and ``POST packaging_order`` of 100,000 + 10 %
Printed: every time, medians, and the pairwise ratios PackTrace / SerialBox; the target (PackTrace's
``serials/request`` faster than SerialBox's allocation, by the median of the pairwise ratios) with
PASS/MISS. If SerialBox cannot be installed or started, the script says why and stops. Run by hand;
never a test.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import DEFAULT_POSTGRES_URL, libpq_url, postgres_schema, prepare, print_targets

from lines import serve
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database, normalize_url

SIZE = 110_000
ORDER_QUANTITY, ORDER_EXTRA = 100_000, 10
V2 = "/v1/manufacturer/v2/api"
# Found by hand: serialbox 3.0.17 leaves its dependencies unpinned; these resolve together and run on
# Python 3.11 (Django 4 and later break quartet_capture's imports).
SERIALBOX_PACKAGES = [
    "serialbox==3.0.17",
    "random-flavorpack==3.0.6",
    "quartet_capture==4.1.0",
    "quartet_output==4.0.4",
    "quartet_templates==3.0.1",
    "django==3.2.25",
    "djangorestframework==3.15.1",
    "djangorestframework-csv==3.0.2",
    "djangorestframework-xml==2.0.0",
    # imported by quartet_capture and quartet_output, but not in their requirements
    "django-model-utils==4.3.1",
    "EPCPyYes==4.0.5",
    "gunicorn",
    "psycopg2-binary",
]
POOL = "bench-random-pool"
USER, PASSWORD = "bench", "bench-password-0123"
DATABASE = "serialbox_bench"


class SerialBoxUnavailable(Exception):
    """SerialBox could not be installed, configured or started; the message says which step and why."""


def default_home() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or "/tmp"
    return Path(cache) / "packtrace-bench" / "serialbox"


def run(step: str, command: list[str], **kwargs: object) -> str:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SerialBoxUnavailable(f"{step} failed ({' '.join(command[:4])} ...):\n{tail}")
    return str(result.stdout)


def install(home: Path) -> Path:
    """The virtual environment with SerialBox; made once and reused (its packages are pinned)."""
    venv = home / "venv"
    marker = venv / "packtrace-installed.txt"
    if marker.exists() and marker.read_text() == "\n".join(SERIALBOX_PACKAGES):
        return venv
    home.mkdir(parents=True, exist_ok=True)
    print(f"installing SerialBox into {venv} ...", flush=True)
    run("creating the virtual environment", [sys.executable, "-m", "venv", "--clear", str(venv)])
    run("pip install of SerialBox", [str(venv / "bin" / "pip"), "install", "-q", *SERIALBOX_PACKAGES])
    marker.write_text("\n".join(SERIALBOX_PACKAGES))
    return venv


def project(home: Path, postgres_url: str) -> Path:
    """A minimal Django project serving SerialBox's API (the settings of random-flavorpack's own tests,
    on PostgreSQL, without debug)."""
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    folder = home / "project"
    folder.mkdir(parents=True, exist_ok=True)
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE,
        "USER": url.username or "postgres",
        "PASSWORD": url.password or "",
        "HOST": url.host or "127.0.0.1",
        "PORT": str(url.port or 5432),
    }
    (folder / "sbbench_settings.py").write_text(
        textwrap.dedent(
            f"""
            SECRET_KEY = "packtrace-bench-serialbox-not-secret"
            DEBUG = False
            ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
            INSTALLED_APPS = (
                "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                "django.contrib.messages", "django.contrib.staticfiles", "quartet_capture", "quartet_output",
                "quartet_templates", "serialbox", "rest_framework", "random_flavorpack.apps.RandomFlavorpackConfig",
            )
            MIDDLEWARE = (
                "django.contrib.sessions.middleware.SessionMiddleware",
                "django.middleware.common.CommonMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
            )
            ROOT_URLCONF = "sbbench_urls"
            TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                          "OPTIONS": {{"context_processors": ["django.contrib.auth.context_processors.auth"]}}}}]
            DATABASES = {{"default": {database!r}}}
            DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
            USE_TZ = True
            STATIC_URL = "/static/"
            LOGGING_CONFIG = None
            from serialbox.serialbox_settings import REST_FRAMEWORK
            """
        )
    )
    (folder / "sbbench_urls.py").write_text(
        textwrap.dedent(
            """
            from random_flavorpack.api.urls import urlpatterns
            from serialbox.api.urls import urlpatterns as sb_patterns

            urlpatterns = urlpatterns + sb_patterns
            """
        )
    )
    (folder / "sbbench_setup.py").write_text(
        textwrap.dedent(
            f"""
            import django
            django.setup()
            from django.contrib.auth.models import User
            from serialbox.models import Pool
            from random_flavorpack.models import RandomizedRegion

            if not User.objects.filter(username={USER!r}).exists():
                User.objects.create_superuser({USER!r}, "bench@example.com", {PASSWORD!r})
            Pool.objects.filter(machine_name={POOL!r}).delete()
            pool = Pool.objects.create(readable_name="Bench random pool", machine_name={POOL!r}, active=True,
                                       request_threshold=1_000_000)
            RandomizedRegion.objects.create(readable_name="Bench random region", machine_name={POOL!r} + "-r",
                                            active=True, order=1, pool=pool, min=1, max=999_999_999_999)
            """
        )
    )
    return folder


def fresh_database(postgres_url: str) -> None:
    with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serialbox(home: Path, postgres_url: str) -> Iterator[str]:
    """SerialBox migrated, with its pool, served by gunicorn (2 workers); yields its base URL."""
    venv = install(home)
    folder = project(home, postgres_url)
    fresh_database(postgres_url)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sbbench_settings", "PYTHONPATH": str(folder)}
    python = str(venv / "bin" / "python")
    run("Django migrate", [python, "-m", "django", "migrate", "--noinput"], env=env, cwd=folder)
    run("making the user and the randomized pool", [python, "sbbench_setup.py"], env=env, cwd=folder)
    port = free_port()
    log = (home / "gunicorn.log").open("wb")
    command = [str(venv / "bin" / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "300"]
    process = subprocess.Popen([*command, "django.core.wsgi:get_wsgi_application()"], env=env, cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SerialBoxUnavailable(f"gunicorn exited: {(home / 'gunicorn.log').read_text()[-2000:]}")
            try:
                allocate(base, 1)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise SerialBoxUnavailable("SerialBox did not answer within 60 s") from None
                time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        with psycopg.connect(libpq_url(postgres_url), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


def allocate(base: str, size: int) -> float:
    credentials = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/allocate/{POOL}/{size}/?format=json", headers={"Authorization": f"Basic {credentials}"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        answer = json.load(response)
    seconds = time.perf_counter() - started
    # SerialBox's serializer renders the list as one string ("[395, 404]"); it is read back as a check.
    numbers = json.loads(answer["numbers"]) if isinstance(answer["numbers"], str) else answer["numbers"]
    if len(set(numbers)) != size or not answer["fulfilled"]:
        raise RuntimeError(f"SerialBox gave {len(set(numbers))} distinct numbers, asked {size}")
    return seconds


def packtrace_call(port: int, demo: DemoCredentials, path: str, body: object) -> tuple[float, dict[str, object]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{V2}/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "x-access-token": demo.static_token,
                 "x-channel-key": demo.channel_key},
        method="POST",
    )  # fmt: skip
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"PackTrace {path} answered {error.code}: {error.read()[:500]!r}") from None
    return time.perf_counter() - started, dict(answer["data"])


def fill_pool(url: str, count: int) -> None:
    from packtrace.auth.service import tenant_service
    from packtrace.products.service import product_service
    from packtrace.serials import service as serials_module
    from packtrace.serials.service import serial_service

    db = Database(url)
    try:
        made = 0
        while made < count:
            with db.unit_of_work() as session:
                product = product_service.get(
                    session, tenant_service.get_by_name(session, DEMO_TENANT).id, DEMO_PRODUCT_CODE
                )
                made += serial_service.generate_into_pool(
                    session, product, min(serials_module.BATCH_SIZE, count - made)
                )
        with db.unit_of_work() as session:
            from sqlalchemy import text

            session.execute(text("ANALYZE"))
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="default: %(default)s")
    parser.add_argument("--runs", type=int, default=3, help="A B pairs (default: %(default)s)")
    parser.add_argument("--venv", type=Path, default=default_home(), help="where SerialBox goes (default: %(default)s)")
    args = parser.parse_args()
    postgres_url = normalize_url(args.postgres_url)
    print(f"load average at start {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    times: dict[str, list[float]] = {"SerialBox allocate": [], "PackTrace serials/request": [], "PackTrace order": []}
    try:
        with serialbox(args.venv, postgres_url) as base, postgres_schema(postgres_url) as (url, _schema):
            demo = prepare(url)
            # each pair's request and order may both draw from the pool; one more serial for the warm-up
            fill_pool(url, 2 * SIZE * args.runs + 1)
            with serve(url, 2) as (port, _pid):
                allocate(base, 1000)  # both warmed alike: first requests import and connect
                one = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 1}
                packtrace_call(port, demo, "serials/request", one)
                print(f"load average before {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
                for number in range(1, args.runs + 1):
                    a = allocate(base, SIZE)
                    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": SIZE}
                    b, data = packtrace_call(port, demo, "serials/request", body)
                    assert len(data["serials"]) == SIZE  # type: ignore[arg-type]
                    order = {
                        "order_id": f"SB-{uuid.uuid4().hex[:10]}",
                        "product_code_schema": "GTIN",
                        "product_code": DEMO_PRODUCT_CODE,
                        "batch": "BATCH111",
                        "expiry_date": "281200",
                        "quantity": ORDER_QUANTITY,
                        "extra_percentage": ORDER_EXTRA,
                        "serialized": True,
                    }
                    c, data = packtrace_call(port, demo, "packaging_order", order)
                    assert data["serial_count"] == SIZE, data
                    for name, value in zip(times, (a, b, c), strict=True):
                        times[name].append(value)
                    print(f"  pair {number}: SerialBox {a:.2f} s | PackTrace request {b:.2f} s (x{b / a:.2f}), "
                          f"order {c:.2f} s (x{c / a:.2f})", flush=True)  # fmt: skip
    except SerialBoxUnavailable as error:
        print(f"SerialBox is unavailable, nothing compared: {error}")
        return 2
    print(f"load average after {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"\n{SIZE:,} serials, {args.runs} A B pairs; medians:")
    for name, values in times.items():
        print(f"  {name:<26} {statistics.median(values):6.2f} s  ({SIZE / statistics.median(values):,.0f}/s)")
    allocations = times["SerialBox allocate"]
    request_ratio = statistics.median(
        b / a for a, b in zip(allocations, times["PackTrace serials/request"], strict=True)
    )
    order_ratio = statistics.median(c / a for a, c in zip(allocations, times["PackTrace order"], strict=True))
    print(f"  pairwise ratio PackTrace / SerialBox: serials/request x{request_ratio:.2f}, order x{order_ratio:.2f}")
    print_targets(
        [
            (
                f"PackTrace serials/request of {SIZE:,} faster than SerialBox (x{request_ratio:.2f} < 1)",
                request_ratio < 1,
            ),
            (
                f"PackTrace order of {SIZE:,} faster than SerialBox's allocation (x{order_ratio:.2f} < 1)",
                order_ratio < 1,
            ),
        ]
    )
    return 0 if request_ratio < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
