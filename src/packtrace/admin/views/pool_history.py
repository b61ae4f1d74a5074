"""SN / SSCC pool tab, pack history: one serial of a product, as ``GET pack/history`` tells it (its
status in the pool and as a pack, its order, batch and expiry, both histories) and where it sits: the
containers and packs it is in up to the top, and the packs inside it."""

from __future__ import annotations

import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from packtrace.admin.epcis_queries import pack_links
from packtrace.admin.forms import FormErrors
from packtrace.admin.rendering import render, status_of
from packtrace.admin.session import SignedIn
from packtrace.admin.views.pool_shared import MAX_ECHO, TAB, errors_at
from packtrace.admin.views.pool_trees import element_string, hierarchy
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.expiry import parse_expiry
from packtrace.gs1.serials import MAX_SERIAL_LENGTH, is_valid_serial
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.orders.service import order_service
from packtrace.packs.history import serial_history
from packtrace.products.service import product_service

router = APIRouter()

FIELDS = ("product_code", "serial")
GTIN_MAX = 14


def _expiry(yymmdd: str | None) -> datetime.date | None:
    try:
        return parse_expiry(yymmdd) if yymmdd else None
    except GS1Error:
        return None


def _check(code: str, serial: str) -> FormErrors:
    errors = FormErrors()
    if not code:
        errors.add("product_code", "required: the product code (GTIN)")
    elif len(code) > GTIN_MAX:
        errors.add("product_code", "must be a GTIN: 8, 12, 13 or 14 digits")
    if not serial:
        errors.add("serial", "required: the serial number")
    elif not is_valid_serial(serial):
        errors.add("serial", f"must be 1 to {MAX_SERIAL_LENGTH} characters of GS1 character set 82 (AI 21)")
    return errors


@router.get("/history")
def pack_history(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    tenant_id = viewer.principal.tenant_id
    # Taken as typed (not stripped): a serial with a space is not the serial without it.
    code = request.query_params.get("product_code", "")
    serial = request.query_params.get("serial", "")
    products = [view.product for view in product_service.list_all(session, tenant_id)]
    context: dict[str, Any] = {
        "products": products,
        "values": {"product_code": code[:MAX_ECHO], "serial": serial[:MAX_ECHO]},
        "found": None,
    }
    searched = "product_code" in request.query_params or "serial" in request.query_params
    if not searched:
        return render(request, "pool/history.html", viewer=viewer, tab=TAB, **context)
    errors = _check(code.strip(), serial)
    status = 400
    if not errors:
        try:
            found = serial_history(session, tenant_id, code.strip(), serial)
            order = order_service.get(session, tenant_id, found.order_id) if found.order_id else None
            tree = hierarchy(session, tenant_id, found)
        except DomainError as error:
            session.rollback()
            errors, status = errors_at(error, FIELDS, "serial"), status_of(error)
        else:
            return render(
                request,
                "pool/history.html",
                viewer=viewer,
                tab=TAB,
                **context
                | {
                    "found": found,
                    "label": element_string(found.product_code, found.serial),
                    "order": order,
                    "expiry": _expiry(found.expiry_date),
                    "tree": tree,
                    "epcis": pack_links(session, tenant_id, found.product_code, found.serial),
                },
            )
    return render(
        request,
        "pool/history.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        errors=errors.fields,
        message=errors.message,
        **context,
    )
