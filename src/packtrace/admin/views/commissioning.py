"""Commissioning tab: commission packs from a CSV file (the management API's import), see each row's
result and download the failed rows; capture an EPCIS document; commission a batch to the market; the
batches of packs with the count of their packs in each status.

The routes of the CSV import are in ``commissioning_import`` and those of the EPCIS upload in
``commissioning_epcis``, included here under this router's guard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from packtrace.admin.forms import Form, FormErrors, form_values, text
from packtrace.admin.rendering import redirect, status_of
from packtrace.admin.session import SignedIn, tab_guard
from packtrace.admin.views import commissioning_epcis, commissioning_import
from packtrace.admin.views.commissioning_page import MARKET_FIELDS, TAB, index_page
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.models.enums import Market
from packtrace.packs.service import pack_service

router = APIRouter(prefix="/commissioning", dependencies=[Depends(tab_guard(TAB))])

MAX_BATCH = 255  # as the management API's body allows
MARKETS = frozenset(m.value for m in Market)


@router.get("")
def commissioning(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return index_page(request, viewer, session)


@router.post("/market")
def market_commission(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    """What ``POST /api/products/{code}/market_commission`` does: every Active pack of the batch becomes
    Commissioned."""
    errors = FormErrors()
    code, batch, market = text(form, "product_code"), text(form, "batch"), text(form, "market")
    if not code:
        errors.add("product_code", "choose a product")
    if not batch:
        errors.add("batch", "the batch is required")
    elif len(batch) > MAX_BATCH or "\x00" in batch:
        errors.add("batch", f"must be 1-{MAX_BATCH} characters, without NUL")
    if market and market not in MARKETS:
        errors.add("market", f"{market!r} is not a market; use one of {', '.join(sorted(MARKETS))}")
    status = 400
    if not errors:
        try:
            done = pack_service.market_commission(
                session, viewer.principal.tenant_id, code, batch, market or None, viewer.actor
            )
        except DomainError as error:
            session.rollback()
            errors, status = FormErrors.of(error, MARKET_FIELDS), status_of(error)
        else:
            where = f" to the market {done.market}" if done.market else " to the market"
            if done.commissioned:
                packs = "1 pack" if done.commissioned == 1 else f"{done.commissioned:,} packs"
                flash = f"Batch {done.batch} of {done.product.code}: {packs} commissioned{where}."
            else:
                flash = f"Batch {done.batch} of {done.product.code}: no Active pack left to commission."
            return redirect(request, "/commissioning", flash)
    values = form_values(form, MARKET_FIELDS)
    return index_page(request, viewer, session, section="market", values=values, errors=errors, status=status)


router.include_router(commissioning_import.router)
router.include_router(commissioning_epcis.router)
