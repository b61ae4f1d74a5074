"""Labels tab."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from packtrace.admin.rendering import render
from packtrace.admin.session import SignedIn, tab_guard

TAB = "labels"
router = APIRouter(prefix="/labels", dependencies=[Depends(tab_guard(TAB))])


@router.get("")
def index(request: Request, viewer: SignedIn) -> HTMLResponse:
    return render(request, "labels/index.html", viewer=viewer, tab=TAB)
