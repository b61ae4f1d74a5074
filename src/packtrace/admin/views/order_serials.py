"""Packaging tab, one order's serial numbers: a page at a time, or all of them as the line's CSV (the
same file as ``GET packaging_order/serials?format=csv``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from packtrace.admin.rendering import render
from packtrace.admin.session import SignedIn, tab_guard
from packtrace.admin.views.orders import TAB, find_order
from packtrace.kit.deps import DbSession, app_context
from packtrace.kit.errors import ValidationError
from packtrace.kit.validation import NoNul
from packtrace.orders.endpoints import csv_filename, order_serials_csv
from packtrace.orders.service import order_service

router = APIRouter(prefix="/packaging", dependencies=[Depends(tab_guard(TAB))])

SERIALS_PER_PAGE = 200


@router.get("/orders/{pk:int}/serials")
def order_serials_page(
    pk: int,
    request: Request,
    viewer: SignedIn,
    session: DbSession,
    cursor: Annotated[str | None, Query(max_length=200), NoNul] = None,
) -> HTMLResponse:
    order = find_order(session, viewer, pk)
    try:
        _, serials, next_cursor = order_service.serial_page(
            session, viewer.principal.tenant_id, order.order_id, SERIALS_PER_PAGE, cursor
        )
    except ValidationError:
        # A cursor edited by hand: start again from the first page.
        _, serials, next_cursor = order_service.serial_page(
            session, viewer.principal.tenant_id, order.order_id, SERIALS_PER_PAGE, None
        )
    return render(
        request,
        "packaging/order_serials.html",
        viewer=viewer,
        tab=TAB,
        order=order,
        serials=serials,
        next_cursor=next_cursor,
        first_page=cursor is None,
    )


@router.get("/orders/{pk:int}/serials.csv")
def order_serials_download(pk: int, request: Request, viewer: SignedIn, session: DbSession) -> StreamingResponse:
    order = find_order(session, viewer, pk)
    return StreamingResponse(
        order_serials_csv(app_context(request).db, order),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_filename(order.order_id)}.csv"'},
    )
