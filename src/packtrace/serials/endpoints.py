"""Manufacturer V2 API: serial numbers straight from the pool (label printing, lines that serialize
without an order)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from packtrace.auth.principal import ApiCaller
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.products.service import product_service
from packtrace.serials.schemas import ReleasedSerials, SerialList, SerialsRelease, SerialsRequest
from packtrace.serials.service import serial_service

router = APIRouter(tags=["Serial numbers"])


@router.post("/serials/request", summary="Request serials", response_model=Envelope[SerialList])
def request_serials(body: SerialsRequest, caller: ApiCaller, session: DbSession) -> Response:
    """Draws `quantity` serials from the product's pool: Available -> Assigned. All or nothing."""
    product = product_service.registered(session, caller.tenant_id, body.product_code)
    serials = serial_service.request_json(session, product, body.quantity)
    # The envelope around the database's JSON array: the document Envelope[SerialList] would
    # write, without parsing and encoding up to 200,000 serials again.
    data = f'{{"product_code":{json.dumps(product.code)},"serials":{serials}}}'
    return Response(
        f'{{"success":true,"message":"Serial numbers assigned","data":{data}}}', media_type="application/json"
    )


@router.post("/serials/release", summary="Release serials")
def release_serials(body: SerialsRelease, caller: ApiCaller, session: DbSession) -> Envelope[ReleasedSerials]:
    """Assigned -> Available. Refused whole, naming the serials, for unknown, external, not Assigned
    ones and those of a packaging order (an order's serials go back when it is resized or cancelled)."""
    product = product_service.registered(session, caller.tenant_id, body.product_code)
    released = serial_service.release(session, product, body.serials)
    return Envelope(
        message="Serial numbers released", data=ReleasedSerials(product_code=product.code, released=released)
    )
