"""Packaging tab, one packaging order: its settings, progress and history, and the status actions.

A button is shown only where the order's status allows its action; the service refuses the action
anyway (InvalidStateError) when the status does not allow it, and the page shows why."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from packtrace.admin import order_queries
from packtrace.admin.forms import Form, FormErrors, optional_int, optional_text
from packtrace.admin.rendering import redirect, render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer, tab_guard
from packtrace.admin.views.orders import TAB, find_order
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.lines.service import line_service
from packtrace.models import PackagingOrder
from packtrace.models.enums import OrderStatus
from packtrace.orders.lifecycle import ALLOWED_FROM, EDITABLE, RESUMABLE, needed_for
from packtrace.orders.service import order_service

router = APIRouter(prefix="/packaging", dependencies=[Depends(tab_guard(TAB))])

Status = OrderStatus
ACTION_FIELDS = ("packaging_line_tag", "produced_quantity", "comment")
# Statuses whose orders still move: their page refreshes its progress by itself.
LIVE = frozenset({Status.PENDING_RELEASE, Status.IN_PROGRESS, Status.SUSPENDED})


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    shown_in: frozenset[OrderStatus]
    done: str
    style: str = ""
    confirm: str = ""


ACTIONS = {
    a.name: a
    for a in (
        Action("assign", "Assign serials", ALLOWED_FROM[Status.PENDING_RELEASE], "serial numbers assigned"),
        Action("release", "Release to line", ALLOWED_FROM[Status.IN_PROGRESS], "released", "primary"),
        Action("progress", "Report progress", frozenset({Status.IN_PROGRESS}), "progress reported"),
        Action("suspend", "Suspend", ALLOWED_FROM[Status.SUSPENDED], "suspended"),
        Action("resume", "Resume", RESUMABLE, "resumed", "primary"),
        Action("complete", "Complete", ALLOWED_FROM[Status.COMPLETED], "completed", "primary", "Complete this order?"),
        Action(
            "cancel",
            "Cancel order",
            ALLOWED_FROM[Status.CANCELLED],
            "cancelled",
            "danger",
            "Cancel this order? Its serial numbers go back to the pool.",
        ),
    )
}


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    order: PackagingOrder,
    *,
    failed: str | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    detail = order_service.detail(session, viewer.principal.tenant_id, order.order_id)
    current = Status(order.status)
    may_change = viewer.may_change(TAB)
    return render(
        request,
        "packaging/order.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        order=order,
        detail=detail,
        live=current in LIVE,
        serials_needed=needed_for(order),
        packs=order_queries.pack_counts(session, viewer.principal.tenant_id, order.id),
        ssccs=order_queries.order_ssccs(session, viewer.principal.tenant_id, order.id),
        actions=[a for a in ACTIONS.values() if current in a.shown_in] if may_change else [],
        editable=may_change and current in EDITABLE,
        lines=line_service.list_all(session, viewer.principal.tenant_id) if order.packaging_line_tag is None else [],
        failed=failed,
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )


@router.get("/orders/{pk:int}")
def order_page(pk: int, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _page(request, viewer, session, find_order(session, viewer, pk))


@router.get("/orders/{pk:int}/live")
def order_live(pk: int, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    """The status, progress and history alone, polled by the order's page (htmx) while the order moves."""
    order = find_order(session, viewer, pk)
    detail = order_service.detail(session, viewer.principal.tenant_id, order.order_id)
    return render(
        request,
        "packaging/_order_live.html",
        viewer=viewer,
        tab=TAB,
        order=order,
        detail=detail,
        live=Status(order.status) in LIVE,
        serials_needed=needed_for(order),
    )


def _run(session: Session, viewer: Viewer, order: PackagingOrder, action: str, form: FormData) -> None:
    tenant_id, actor, order_id = viewer.principal.tenant_id, viewer.actor, order.order_id
    errors = FormErrors()
    produced = optional_int(form, "produced_quantity", errors)
    if errors:
        raise _FormProblem(errors)
    comment = optional_text(form, "comment")
    if action == "assign":
        order_service.assign_serials(session, tenant_id, [order_id], actor)
    elif action == "release":
        order_service.release(session, tenant_id, order_id, optional_text(form, "packaging_line_tag"), actor)
    elif action == "cancel":
        order_service.cancel(session, tenant_id, order_id, actor)
    else:
        target = {"progress": Status.IN_PROGRESS, "suspend": Status.SUSPENDED, "resume": Status.IN_PROGRESS}.get(
            action, Status.COMPLETED
        )
        order_service.report_status(session, tenant_id, order_id, target.value, produced, comment, actor)


class _FormProblem(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__(errors.message)
        self.errors = errors


@router.post("/orders/{pk:int}/{action}")
def order_action(pk: int, action: str, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    if action not in ACTIONS:
        raise PageError(404, "Not found", f"There is no order action {action!r}.")
    order = find_order(session, viewer, pk)
    try:
        _run(session, viewer, order, action, form)
    except _FormProblem as problem:
        return _page(request, viewer, session, order, failed=action, errors=problem.errors, status=400)
    except DomainError as error:
        session.rollback()
        order = find_order(session, viewer, pk)
        errors = FormErrors.of(error, ACTION_FIELDS)
        return _page(request, viewer, session, order, failed=action, errors=errors, status=status_of(error))
    return redirect(request, f"/packaging/orders/{pk}", f"Order {order.order_id}: {ACTIONS[action].done}.")
