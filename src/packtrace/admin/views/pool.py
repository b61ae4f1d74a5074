"""SN / SSCC pool tab: serial pools per product (``pool_serials``), the SSCC pool (``pool_ssccs``),
pack history (``pool_history``) and the EPCIS events those histories link to (``pool_events``). Their
routes are gathered here, under the tab's guard: reading needs the tab's view access, generating its
change access."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from packtrace.admin.rendering import redirect
from packtrace.admin.session import tab_guard
from packtrace.admin.views import pool_events, pool_history, pool_serials, pool_ssccs
from packtrace.admin.views.pool_shared import TAB

router = APIRouter(prefix="/pool", dependencies=[Depends(tab_guard(TAB))])


@router.get("")
def pool(request: Request) -> Response:
    return redirect(request, "/pool/serials")


router.include_router(pool_serials.router)
router.include_router(pool_ssccs.router)
router.include_router(pool_history.router)
router.include_router(pool_events.router)
