"""SN / SSCC pool tab, the SSCC pool: generate SSCCs, search and list them with their place in a
hierarchy, and one SSCC's history with its contents as a tree."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin import pool_queries
from packtrace.admin.epcis_queries import sscc_links
from packtrace.admin.forms import Form, FormErrors, form_values, optional_int, text
from packtrace.admin.listing import ListParams, Page, parse_list_params
from packtrace.admin.rendering import is_htmx_partial, redirect, render, status_of
from packtrace.admin.session import SignedIn, Viewer
from packtrace.admin.views.pool_shared import MAX_ECHO, TAB, errors_at
from packtrace.admin.views.pool_trees import container_view
from packtrace.aggregation.service import MAX_GENERATE, Generated, aggregation_service, sscc_pool
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import SSCC_LENGTH, validate_sscc
from packtrace.kit.batches import ATOMIC_GENERATE, commit_in_batches
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError, NotFoundError
from packtrace.models.enums import SsccStatus
from packtrace.products.service import product_service

router = APIRouter()

FIELDS = ("gs1_company_prefix", "extension_digit", "count", "start_reference")
STATUSES = [s.value for s in SsccStatus]
SEARCH_HELP = "digits only: an SSCC (18 digits), its first digits, or a GS1 company prefix"


def _params(query: dict[str, str]) -> ListParams:
    params = parse_list_params(
        query, tuple(pool_queries.SSCC_SORTS), "created", default_descending=True, filters=("status",)
    )
    if params.filters.get("status") not in (None, *STATUSES):
        # A stale or hand-edited link shows every SSCC rather than an error.
        params = ListParams(params.search, params.sort, params.descending, params.page)
    return params


def _search_problem(search: str) -> str | None:
    if search and not (search.isascii() and search.isdigit() and len(search) <= SSCC_LENGTH):
        return SEARCH_HELP
    return None


def _prefixes(session: Session, tenant_id: int) -> list[str]:
    """The GS1 company prefixes of the tenant's products: the likely ones for its SSCCs."""
    products = [view.product for view in product_service.list_all(session, tenant_id)]
    return sorted({p.code[1 : 1 + p.company_prefix_length] for p in products})


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    params: ListParams,
    *,
    search_error: str | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    tenant_id = viewer.principal.tenant_id
    page = pool_queries.sscc_page(session, tenant_id, params) if search_error is None else Page([], 0, params)
    prefixes = _prefixes(session, tenant_id)
    shown_errors = dict(errors.fields) if errors else {}
    if search_error:
        shown_errors["q"] = search_error
    template = "pool/_ssccs_results.html" if is_htmx_partial(request, "results") else "pool/ssccs.html"
    return render(
        request,
        template,
        viewer=viewer,
        tab=TAB,
        status=status,
        page=page,
        statuses=STATUSES,
        prefixes=prefixes,
        max_generate=MAX_GENERATE,
        values=values or {"gs1_company_prefix": prefixes[0] if prefixes else "", "extension_digit": "0"},
        errors=shown_errors,
        message=errors.message if errors else None,
    )


@router.get("/ssccs")
def sscc_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    params = _params(dict(request.query_params))
    # Judged as typed: the list's own reading of the query drops what no SSCC can hold.
    problem = _search_problem(request.query_params.get("q", "").strip())
    if problem:
        return _page(request, viewer, session, params, search_error=problem, status=400)
    # A whole SSCC is a lookup: one the tenant does not have is "not found", not an empty list.
    whole = len(params.search) == SSCC_LENGTH and not is_htmx_partial(request, "results")
    if whole and not pool_queries.sscc_page(session, viewer.principal.tenant_id, params).total:
        return _not_found(request, viewer, session, params.search)
    return _page(request, viewer, session, params)


def _not_found(request: Request, viewer: Viewer, session: Session, sscc: str) -> HTMLResponse:
    params = _params({"q": sscc})
    return _page(request, viewer, session, params, search_error=f"not found: no SSCC {sscc}", status=404)


@router.post("/ssccs/generate")
def generate_ssccs(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    errors = FormErrors()
    prefix = text(form, "gs1_company_prefix")
    extension = optional_int(form, "extension_digit", errors)
    count = optional_int(form, "count", errors)
    start = optional_int(form, "start_reference", errors)
    if not prefix:
        errors.add("gs1_company_prefix", "required: 6 to 12 digits")
    if extension is None:
        errors.add("extension_digit", "required: a digit 0 to 9")
    if count is None:
        errors.add("count", "required: how many SSCCs to make")
    elif not 1 <= count <= MAX_GENERATE:
        errors.add("count", f"must be 1 to {MAX_GENERATE:,}")
    status = 400
    if not errors and extension is not None and count is not None:
        try:
            # Committed in batches as through the API: a large fill holds no write lock for long.
            batches, make = sscc_pool.batches(viewer.principal.tenant_id, prefix, extension, start, viewer.actor)
            total = commit_in_batches(session, count, ATOMIC_GENERATE, make, noun="SSCCs")
            made = Generated(total, batches[0].first, batches[-1].last)
        except DomainError as error:
            session.rollback()
            errors, status = errors_at(error, FIELDS, "count"), status_of(error)
        else:
            span = f": {made.first} to {made.last}" if made.count > 1 else f": {made.first}"
            return redirect(request, "/pool/ssccs", f"{made.count:,} SSCCs generated{span}.")
    values = {name: value[:MAX_ECHO] for name, value in form_values(form, FIELDS).items()}
    return _page(request, viewer, session, _params({}), values=values, errors=errors, status=status)


@router.get("/ssccs/{sscc}")
def sscc_history(sscc: str, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    tenant_id = viewer.principal.tenant_id
    try:
        validate_sscc(sscc)
    except GS1Error as error:
        params = _params({"q": sscc[:MAX_ECHO]})
        return _page(request, viewer, session, params, search_error=str(error)[:MAX_ECHO], status=400)
    try:
        found = aggregation_service.history(session, tenant_id, sscc)
    except NotFoundError:
        return _not_found(request, viewer, session, sscc)
    return render(
        request,
        "pool/sscc.html",
        viewer=viewer,
        tab=TAB,
        found=found,
        outer=pool_queries.container_path(session, tenant_id, sscc)[:-1],
        tree=container_view(found.tree, {sscc}),
        epcis=sscc_links(session, tenant_id, sscc),
    )
