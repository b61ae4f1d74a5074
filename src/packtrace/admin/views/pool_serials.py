"""SN / SSCC pool tab, serial pools: every product's pool drawn as a chart, and a product's pool page
where Support and Administrators make new serials."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin import repository
from packtrace.admin.forms import Form, FormErrors, optional_int, text
from packtrace.admin.listing import parse_list_params
from packtrace.admin.rendering import is_htmx_partial, redirect, render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer
from packtrace.admin.views.pool_charts import nice_scale, pool_bar
from packtrace.admin.views.pool_shared import MAX_ECHO, TAB, errors_at
from packtrace.kit.batches import ATOMIC_GENERATE, commit_in_batches
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.models import Product
from packtrace.products.service import product_service
from packtrace.serials.service import serial_service

router = APIRouter()

# Serials one generation from this page makes, in one transaction (about 15 s per million here). The
# management API allows more in one request; a larger fill belongs to the CLI, which commits batch by
# batch with a progress bar, rather than to a browser waiting on one request.
MAX_GENERATE = 1_000_000
CHART_TICKS = 4


def find_product(session: Session, viewer: Viewer, code: str) -> Product:
    try:
        return product_service.get(session, viewer.principal.tenant_id, code)
    except DomainError:
        raise PageError(404, "Not found", f"There is no product {code[:MAX_ECHO]}.") from None


@router.get("/serials")
def serial_pools(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    params = parse_list_params(request.query_params, tuple(repository.PRODUCT_SORTS), "code")
    page = repository.product_page(session, viewer.principal.tenant_id, params)
    statuses = [serial_service.pool_status(session, product) for product in page.rows]
    # One scale for the page, so that the bars compare; the refill threshold is marked on it too.
    scale = max((max(s.total, s.threshold) for s in statuses), default=0)
    rows = [(product, status, pool_bar(status, scale)) for product, status in zip(page.rows, statuses, strict=True)]
    partial = is_htmx_partial(request, "results")
    return render(
        request,
        "pool/_serials_results.html" if partial else "pool/serials.html",
        viewer=viewer,
        tab=TAB,
        page=page,
        rows=rows,
        any_threshold=any(s.threshold for s in statuses),
    )


def _pool_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    product: Product,
    *,
    count: str = "",
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    pool = serial_service.pool_status(session, product)
    scale = nice_scale(max(pool.total, pool.threshold), CHART_TICKS)
    return render(
        request,
        "pool/serial_pool.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        product=product,
        pool=pool,
        bar=pool_bar(pool, scale, CHART_TICKS),
        room=max(0, pool.max_live - product.serial_count),
        max_generate=MAX_GENERATE,
        values={"count": count},
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )


@router.get("/serials/{code}")
def serial_pool(code: str, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _pool_page(request, viewer, session, find_product(session, viewer, code))


@router.post("/serials/{code}/generate")
def generate_serials(code: str, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    product = find_product(session, viewer, code)
    errors = FormErrors()
    count = optional_int(form, "count", errors)
    status = 400
    if count is None:
        errors.add("count", "required: how many serial numbers to make")
    elif not 1 <= count <= MAX_GENERATE:
        errors.add("count", f"must be 1 to {MAX_GENERATE:,} at a time here (more with the CLI: pool generate)")
    if not errors and count is not None:
        try:
            # The management API's steps: refused up front when the EU rule cannot allow the count, then
            # made and committed in batches (all or nothing up to the spec's 200,000), so a large fill
            # holds no write lock for long.
            product_service.check_room(product, count)
            found = product
            made = commit_in_batches(
                session, count, ATOMIC_GENERATE, lambda s, n: serial_service.generate_into_pool(s, found, n)
            )
        except DomainError as error:
            session.rollback()
            errors, status = errors_at(error, ("count",), "count"), status_of(error)
            product = find_product(session, viewer, code)
        else:
            return redirect(
                request, f"/pool/serials/{product.code}", f"{made:,} serial numbers generated for {product.code}."
            )
    return _pool_page(
        request, viewer, session, product, count=text(form, "count")[:MAX_ECHO], errors=errors, status=status
    )
