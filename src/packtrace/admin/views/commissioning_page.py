"""Commissioning tab, its page: the CSV upload, the market commissioning form and the batches of packs.
Both forms post elsewhere and come back here, with the error next to its field, when refused."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from packtrace.admin.commissioning_queries import BATCH_SORTS, STATES, batch_page
from packtrace.admin.forms import FormErrors
from packtrace.admin.listing import MAX_SEARCH, parse_list_params
from packtrace.admin.rendering import is_htmx_partial, render
from packtrace.admin.session import Viewer
from packtrace.kit.deps import app_context
from packtrace.markets.service import market_service
from packtrace.models.enums import Role
from packtrace.packs.csv_import import COLUMNS
from packtrace.products.service import product_service

TAB = "commissioning"
# Who captures EPCIS documents, whatever the tab's settings give the User role (as /epcis/capture).
CAPTURING_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPPORT})
BEHAVIOUR_OPTIONS = [
    ("rollback", "All or nothing: one refused event undoes the document"),
    ("proceed", "Leave refused events out"),
]
MARKET_FIELDS = ("product_code", "batch", "market")
# Room in the upload's request body for the CSRF field and the multipart framing (a few hundred bytes),
# so that a file under the limit the page states also passes the server's body limit.
FORM_RESERVE = 16 * 1024


def file_limit(request: Request) -> int:
    """The largest CSV file the page takes: the management API's limit (the server's body limit), less
    the room the form needs."""
    return app_context(request).settings.max_body_bytes - FORM_RESERVE


def index_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    section: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    """``section``: the form ("import", "epcis" or "market") an error belongs to, so it is shown there."""
    tenant_id = viewer.principal.tenant_id
    params = parse_list_params(
        request.query_params, tuple(BATCH_SORTS), "active", default_descending=True, filters=("product", "state")
    )
    page = batch_page(session, tenant_id, params)
    if request.method == "GET" and is_htmx_partial(request, "results"):
        return render(request, "commissioning/_batches.html", viewer=viewer, tab=TAB, page=page)
    products = [v.product for v in product_service.list_all(session, tenant_id)]
    if values is None:
        # A batch's "Commission" link fills in the market form.
        values = {name: request.query_params.get(name, "").strip()[:MAX_SEARCH] for name in MARKET_FIELDS}
    limit = file_limit(request)
    return render(
        request,
        "commissioning/index.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        page=page,
        products=products,
        states=STATES,
        product_options=[(p.code, f"{p.code} · {p.name}") for p in products],
        market_options=[(p.market, p.market) for p in market_service.list_all(session, tenant_id)],
        may_change=viewer.may_change(TAB),
        may_capture=viewer.may_change(TAB) and viewer.role in CAPTURING_ROLES,
        behaviour_options=BEHAVIOUR_OPTIONS,
        columns=COLUMNS,
        file_limit=limit,
        file_limit_mb=f"{limit / 1_000_000:.1f}",
        section=section,
        values=values,
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )
