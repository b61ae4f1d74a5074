"""Packaging tab, packaging orders: the list, create and update. The order's page and its status
actions are in ``order_page``."""

from __future__ import annotations

from typing import Any

import pydantic
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from packtrace.admin import repository
from packtrace.admin.forms import Form, FormErrors, checked, form_values, optional_float, optional_int, optional_text
from packtrace.admin.listing import parse_list_params
from packtrace.admin.rendering import is_htmx_partial, redirect, render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer, tab_guard
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.lines.service import line_service
from packtrace.markets.service import market_service
from packtrace.models import PackagingOrder
from packtrace.models.enums import OrderStatus
from packtrace.orders.lifecycle import EDITABLE
from packtrace.orders.schemas import OrderCreate, OrderUpdate
from packtrace.orders.service import order_service
from packtrace.products.service import product_service

TAB = "packaging"
router = APIRouter(prefix="/packaging", dependencies=[Depends(tab_guard(TAB))])

# The form's fields, named as the service's errors name them.
FIELDS = (
    "order_id",
    "order_description",
    "product_code",
    "batch",
    "expiry_date",
    "quantity",
    "extra_percentage",
    "serialized",
    "packaging_line_tag",
    "market",
)
EDITABLE_FIELDS = FIELDS[1:]
STATUSES = [s.value for s in OrderStatus]


def find_order(session: Session, viewer: Viewer, pk: int) -> PackagingOrder:
    order = repository.order_by_pk(session, viewer.principal.tenant_id, pk)
    if order is None:
        raise PageError(404, "Not found", f"There is no packaging order {pk}.")
    return order


@router.get("")
def packaging(request: Request) -> Response:
    return redirect(request, "/packaging/orders")


@router.get("/orders")
def order_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    tenant_id = viewer.principal.tenant_id
    params = parse_list_params(
        request.query_params,
        tuple(repository.ORDER_SORTS),
        "created",
        default_descending=True,
        filters=("status", "product", "line"),
    )
    page = repository.order_page(session, tenant_id, params)
    if is_htmx_partial(request, "results"):
        return render(request, "packaging/_orders_results.html", viewer=viewer, tab=TAB, page=page)
    return render(
        request,
        "packaging/orders.html",
        viewer=viewer,
        tab=TAB,
        page=page,
        statuses=STATUSES,
        products=[v.product for v in product_service.list_all(session, tenant_id)],
        lines=line_service.list_all(session, tenant_id),
    )


def _form_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    order: PackagingOrder | None,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    tenant_id = viewer.principal.tenant_id
    return render(
        request,
        "packaging/order_form.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        order=order,
        values=values,
        product_options=[
            (v.product.code, f"{v.product.code} · {v.product.name}")
            for v in product_service.list_all(session, tenant_id)
        ],
        line_options=[
            (line.tag, f"{line.tag} · {line.name}" if line.name else line.tag)
            for line in line_service.list_all(session, tenant_id)
        ],
        market_options=[(p.market, p.market) for p in market_service.list_all(session, tenant_id)],
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )


def _typed(form: FormData, errors: FormErrors) -> dict[str, Any]:
    """The form's values as the API's request bodies type them; empty fields are None."""
    expiry = optional_text(form, "expiry_date")
    if expiry is not None and not (len(expiry) == 6 and expiry.isdigit()):
        errors.add("expiry_date", "six digits, YYMMDD (day 00: the last day of the month)")
    return {
        "order_description": optional_text(form, "order_description"),
        "product_code": optional_text(form, "product_code"),
        "batch": optional_text(form, "batch"),
        "expiry_date": expiry,
        "quantity": optional_int(form, "quantity", errors),
        "extra_percentage": optional_float(form, "extra_percentage", errors),
        "serialized": checked(form, "serialized"),
        "packaging_line_tag": optional_text(form, "packaging_line_tag"),
        "market": optional_text(form, "market"),
    }


@router.get("/orders/new")
def new_order(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    viewer.require_change(TAB)
    values = dict.fromkeys(FIELDS, "") | {"serialized": "on", "extra_percentage": "0"}
    return _form_page(request, viewer, session, order=None, values=values)


@router.post("/orders")
def create_order(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    errors = FormErrors()
    data = _typed(form, errors) | {"order_id": optional_text(form, "order_id") or "", "product_code_schema": "GTIN"}
    status = 400
    if not errors:
        try:
            body = OrderCreate.model_validate({k: v for k, v in data.items() if v is not None})
            result = order_service.create(session, viewer.principal.tenant_id, body, viewer.actor)
        except pydantic.ValidationError as error:
            errors = FormErrors.of_model(error, FIELDS)
        except DomainError as error:
            session.rollback()
            errors, status = FormErrors.of(error, FIELDS), status_of(error)
        else:
            done = "created" if result.created else "exists already with the same content"
            return redirect(request, f"/packaging/orders/{result.order.id}", f"Order {result.order.order_id} {done}.")
    return _form_page(
        request, viewer, session, order=None, values=form_values(form, FIELDS), errors=errors, status=status
    )


def _values_of(order: PackagingOrder) -> dict[str, str]:
    values = {f: "" if getattr(order, f) is None else str(getattr(order, f)) for f in FIELDS}
    values["serialized"] = "on" if order.serialized else ""
    if order.extra_percentage is not None and float(order.extra_percentage).is_integer():
        values["extra_percentage"] = str(int(order.extra_percentage))
    return values


@router.get("/orders/{pk:int}/edit")
def edit_order(pk: int, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    viewer.require_change(TAB)
    order = find_order(session, viewer, pk)
    if OrderStatus(order.status) not in EDITABLE:
        raise PageError(409, "Cannot be changed", f"Order {order.order_id} is {order.status}: it cannot be changed.")
    return _form_page(request, viewer, session, order=order, values=_values_of(order))


@router.post("/orders/{pk:int}/edit")
def update_order(pk: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    order = find_order(session, viewer, pk)
    errors = FormErrors()
    wanted = _typed(form, errors)
    # Only what the user changed is sent: the order's history then names the fields that changed.
    changes = {f: v for f, v in wanted.items() if v is not None and v != getattr(order, f)}
    if order.serialized is None and wanted["serialized"] is False:
        changes.pop("serialized", None)
    status = 400
    if not errors:
        if not changes:
            return redirect(request, f"/packaging/orders/{pk}", "Nothing was changed.")
        try:
            body = OrderUpdate.model_validate({"order_id": order.order_id, **changes})
            order_service.update(session, viewer.principal.tenant_id, body, viewer.actor)
        except pydantic.ValidationError as error:
            errors = FormErrors.of_model(error, FIELDS)
        except DomainError as error:
            session.rollback()
            errors, status = FormErrors.of(error, FIELDS), status_of(error)
            order = find_order(session, viewer, pk)
        else:
            return redirect(request, f"/packaging/orders/{pk}", f"Order {order.order_id} saved.")
    values = form_values(form, FIELDS) | {
        "order_id": order.order_id,
        "serialized": "on" if wanted["serialized"] else "",
    }
    return _form_page(request, viewer, session, order=order, values=values, errors=errors, status=status)
