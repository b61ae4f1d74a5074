"""Products tab: the product list, register a product, a product's page (edit where the role may)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from packtrace.admin import repository
from packtrace.admin.forms import Form, FormErrors, form_values, optional_int, reason, text, values
from packtrace.admin.listing import parse_list_params
from packtrace.admin.rendering import is_htmx_partial, redirect, render, status_of
from packtrace.admin.session import SignedIn, Viewer, tab_guard
from packtrace.gs1.serials import DEFAULT_ALPHABET, DEFAULT_SERIAL_LENGTH
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.models import Product
from packtrace.models.enums import Market
from packtrace.products import regulatory
from packtrace.products.service import ProductSettings, product_service

TAB = "products"
router = APIRouter(prefix="/products", dependencies=[Depends(tab_guard(TAB))])

FIELDS = (
    "product_code",
    "name",
    "alias",
    "company_prefix_length",
    "serial_length",
    "serial_alphabet",
    "pool_threshold",
    "pool_refill_size",
    *regulatory.FIELDS,
)
MARKETS = [m.value for m in Market]


@router.get("")
def product_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    params = parse_list_params(request.query_params, tuple(repository.PRODUCT_SORTS), "code", filters=("market",))
    page = repository.product_page(session, viewer.principal.tenant_id, params)
    markets = repository.markets_by_product(session, viewer.principal.tenant_id, [p.id for p in page.rows])
    template = "products/_results.html" if is_htmx_partial(request, "results") else "products/list.html"
    return render(request, template, viewer=viewer, tab=TAB, page=page, markets=markets, market_choices=MARKETS)


def _form_page(
    request: Request,
    viewer: Viewer,
    *,
    product: Product | None,
    values_: dict[str, str],
    markets: list[str],
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "products/form.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        product=product,
        values=values_,
        chosen_markets=markets,
        market_choices=MARKETS,
        editable=viewer.may_change(TAB),
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )


@router.get("/new")
def new_product(request: Request, viewer: SignedIn) -> HTMLResponse:
    viewer.require_change(TAB)
    defaults = dict.fromkeys(FIELDS, "") | {
        "serial_length": str(DEFAULT_SERIAL_LENGTH),
        "serial_alphabet": DEFAULT_ALPHABET,
        "pool_threshold": "0",
        "pool_refill_size": "0",
    }
    return _form_page(request, viewer, product=None, values_=defaults, markets=[])


def _settings(form: FormData, errors: FormErrors) -> ProductSettings:
    return ProductSettings(
        name=text(form, "name"),
        alias=text(form, "alias"),
        markets=values(form, "markets"),
        company_prefix_length=optional_int(form, "company_prefix_length", errors),
        serial_length=optional_int(form, "serial_length", errors),
        serial_alphabet=text(form, "serial_alphabet") or None,
        pool_threshold=optional_int(form, "pool_threshold", errors),
        pool_refill_size=optional_int(form, "pool_refill_size", errors),
        regulatory=_regulatory(form, errors),
    )


def _regulatory(form: FormData, errors: FormErrors) -> dict[str, object]:
    """Every regulatory field of the form: an empty input clears its field."""
    found: dict[str, object] = {name: text(form, name) for name in (*regulatory.TEXT_FIELDS, "ndc")}
    found["pack_size"] = optional_int(form, "pack_size", errors) or 0
    found["target_markets"] = [c.strip().upper() for c in text(form, "target_markets").split(",") if c.strip()]
    return found


@router.post("")
def create_product(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    errors = FormErrors()
    settings = _settings(form, errors)
    code = text(form, "product_code")
    if not errors:
        try:
            created = product_service.create(session, viewer.principal.tenant_id, code, settings, reason(form))
        except DomainError as error:
            session.rollback()
            errors, status = FormErrors.of(error, (*FIELDS, "markets")), status_of(error)
        else:
            return redirect(request, f"/products/{created.product.code}", f"Product {created.product.code} registered.")
    else:
        status = 400
    return _form_page(
        request,
        viewer,
        product=None,
        values_=form_values(form, FIELDS),
        markets=values(form, "markets"),
        errors=errors,
        status=status,
    )


def _values_of(product: Product) -> dict[str, str]:
    return {
        "product_code": product.code,
        "name": product.name,
        "alias": product.alias or "",
        "company_prefix_length": str(product.company_prefix_length),
        "serial_length": str(product.serial_length),
        "serial_alphabet": product.serial_alphabet,
        "pool_threshold": str(product.pool_threshold),
        "pool_refill_size": str(product.pool_refill_size),
        "pack_size": str(product.pack_size or ""),
        "target_markets": ", ".join(regulatory.target_markets(product)),
    } | {name: getattr(product, name) or "" for name in (*regulatory.TEXT_FIELDS, "ndc")}


@router.get("/{code}")
def product_page(code: str, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    view = product_service.view(session, viewer.principal.tenant_id, code)
    return _form_page(request, viewer, product=view.product, values_=_values_of(view.product), markets=view.markets)


@router.post("/{code}")
def update_product(code: str, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    tenant_id = viewer.principal.tenant_id
    errors = FormErrors()
    settings = _settings(form, errors)
    if not errors:
        try:
            updated = product_service.update(session, tenant_id, code, settings, reason(form))
        except DomainError as error:
            session.rollback()
            errors, status = FormErrors.of(error, (*FIELDS, "markets")), status_of(error)
        else:
            return redirect(request, f"/products/{updated.product.code}", f"Product {updated.product.code} saved.")
    else:
        status = 400
    product = product_service.get(session, tenant_id, code)
    return _form_page(
        request,
        viewer,
        product=product,
        values_=form_values(form, FIELDS) | {"product_code": product.code},
        markets=values(form, "markets"),
        errors=errors,
        status=status,
    )
