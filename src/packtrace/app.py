"""``create_app(settings)``: the whole HTTP service."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse

from packtrace import __version__
from packtrace.admin.mount import ADMIN_PATH, mount_admin
from packtrace.aggregation import management as aggregation_management
from packtrace.aggregation.endpoints import router as aggregation_router
from packtrace.audit import management as audit_management
from packtrace.auth import management as auth_management
from packtrace.auth.endpoints import router as api_auth_router
from packtrace.batches import management as batches_management
from packtrace.config import Settings
from packtrace.epcis.endpoints import CAPTURE_PATH
from packtrace.epcis.endpoints import router as epcis_router
from packtrace.epcis.endpoints import v2_router as epcis_v2_router
from packtrace.kit.admission import AdmissionMiddleware
from packtrace.kit.api_docs import install_api_docs
from packtrace.kit.db import Database
from packtrace.kit.deps import AppContext
from packtrace.kit.http_errors import install_error_handlers
from packtrace.kit.json_body import JsonBodyMiddleware
from packtrace.kit.rate_limit import FailureLimiter
from packtrace.kit.request_context import BodySizeLimitMiddleware, RequestIdMiddleware
from packtrace.kit.security import HstsMiddleware
from packtrace.labels.endpoints import router as labels_router
from packtrace.lines import management as lines_management
from packtrace.markets import management as markets_management
from packtrace.openapi import install_openapi
from packtrace.orders.endpoints import router as orders_router
from packtrace.packs import management as packs_management
from packtrace.packs.endpoints import router as packs_router
from packtrace.partners import management as partners_management
from packtrace.prefixes import management as prefixes_management
from packtrace.products import management as products_management
from packtrace.reporting import management as reports_management
from packtrace.reporting import schema_endpoints as report_schemas
from packtrace.serials import management as serials_management
from packtrace.serials.endpoints import router as serials_router
from packtrace.shipments.endpoints import router as shipments_router

MANUFACTURER_V2_PREFIX = "/v1/manufacturer/v2/api"
MANAGEMENT_FEATURES = (
    auth_management,
    audit_management,
    markets_management,
    prefixes_management,
    products_management,
    lines_management,
    serials_management,
    packs_management,
    aggregation_management,
    partners_management,
    batches_management,
    report_schemas,
    reports_management,
)

DESCRIPTION = """
PackTrace's **Manufacturer V2 API** for ERP and shopfloor systems, wire-compatible with the
Movilitas.Cloud API of the same name, and the **management API** (`/api/`) for master data and
credentials.

Manufacturer V2 API requests carry an access token (`x-access-token: <token>` or
`Authorization: Bearer <token>`, from `POST /v1/api_auth` or a static token) and a shopfloor channel
key (`x-channel-key`). Every answer is `{"success", "message", "data"}`, or on error
`{"success": false, "message", "error": {"type", "details": [{"field", "message"}]}}`.
"""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    db = database or Database(settings.database_url, limits=settings.connection_limits())
    app = FastAPI(
        title="PackTrace",
        version=__version__,
        description=DESCRIPTION,
        # Served by install_api_docs, from local assets.
        docs_url=None,
        redoc_url=None,
    )
    install_api_docs(app)
    app.state.context = AppContext(
        settings=settings,
        db=db,
        server_key=settings.signing_key(),
        auth_failures=FailureLimiter(settings.auth_failure_limit, settings.auth_failure_window_seconds),
    )
    install_error_handlers(app)
    # Innermost: it reads the body through the size limit further out. Capture parses its own (large)
    # JSON-LD under its own limit.
    app.add_middleware(JsonBodyMiddleware, skip_prefixes=(ADMIN_PATH + "/", CAPTURE_PATH))
    # A request refused for load still gets its request id.
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.concurrent_requests(),
        queue=settings.admission_queue,
        timeout_seconds=settings.admission_timeout_seconds,
        exempt=("/health",),
    )
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        answered_by_app=(ADMIN_PATH + "/",),
        own_limit=(CAPTURE_PATH,),
    )
    app.add_middleware(RequestIdMiddleware)
    if settings.cookie_secure:
        app.add_middleware(HstsMiddleware)

    manufacturer_api = APIRouter(prefix=MANUFACTURER_V2_PREFIX)
    manufacturer_api.include_router(orders_router)
    manufacturer_api.include_router(serials_router)
    manufacturer_api.include_router(aggregation_router)
    manufacturer_api.include_router(packs_router)
    manufacturer_api.include_router(labels_router)
    manufacturer_api.include_router(shipments_router)
    manufacturer_api.include_router(epcis_v2_router)
    app.include_router(api_auth_router)
    app.include_router(manufacturer_api)
    app.include_router(epcis_router)
    management_api = APIRouter(prefix="/api")
    for feature in MANAGEMENT_FEATURES:
        management_api.include_router(feature.router)
    app.include_router(management_api)
    # The admin web UI: server-rendered pages under /admin/, on the same services and context.
    mount_admin(app)
    install_openapi(app, MANUFACTURER_V2_PREFIX)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    @app.get("/health", tags=["Service"], summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
