"""Manufacturer V2 API: serial numbers straight from the pool (label printing, lines that serialize
without an order)."""

from __future__ import annotations

from fastapi import APIRouter

from packtrace.auth.principal import ApiCaller
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.products.service import product_service
from packtrace.serials.schemas import ReleasedSerials, SerialList, SerialsRelease, SerialsRequest
from packtrace.serials.service import serial_service

router = APIRouter(tags=["Serial numbers"])


@router.post("/serials/request", summary="Request serials")
def request_serials(body: SerialsRequest, caller: ApiCaller, session: DbSession) -> Envelope[SerialList]:
    """Draws `quantity` serials from the product's pool: Available -> Assigned. All or nothing."""
    product = product_service.registered(session, caller.tenant_id, body.product_code)
    serials = serial_service.request(session, product, body.quantity)
    return Envelope(message="Serial numbers assigned", data=SerialList(product_code=product.code, serials=serials))


@router.post("/serials/release", summary="Release serials")
def release_serials(body: SerialsRelease, caller: ApiCaller, session: DbSession) -> Envelope[ReleasedSerials]:
    """Assigned -> Available. Refused whole, naming the serials, for unknown, external, not Assigned
    ones and those of a packaging order (an order's serials go back when it is resized or cancelled)."""
    product = product_service.registered(session, caller.tenant_id, body.product_code)
    released = serial_service.release(session, product, body.serials)
    return Envelope(
        message="Serial numbers released", data=ReleasedSerials(product_code=product.code, released=released)
    )
