"""Labels tab: render the labels of a packaging order (or case labels for SSCCs) through the label
service, as the API's label orders do, and download them; the tenant's label orders, newest first."""

from __future__ import annotations

import re
from typing import Any

import pydantic
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin import labels_queries
from packtrace.admin.forms import Form, FormErrors, form_values
from packtrace.admin.listing import parse_list_params
from packtrace.admin.rendering import is_htmx_partial, redirect, render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer, tab_guard
from packtrace.admin.views.labels_form import (
    FIELDS,
    FORMAT_CHOICES,
    FORMAT_NAMES,
    SSCC_TEMPLATES,
    TEMPLATE_HELP,
    TEMPLATES,
    errors_of,
    errors_of_model,
    read_choice,
    render_labels,
)
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError, NotFoundError
from packtrace.labels.service import label_service
from packtrace.labels.templates import CASE_SIZE_MM, PACK_SIZE_MM
from packtrace.models import LabelOrder, PackagingOrder
from packtrace.orders.service import order_service

TAB = "labels"
router = APIRouter(prefix="/labels", dependencies=[Depends(tab_guard(TAB))])

# The service's public ids are 32 hex digits; anything else is no label order, and is never queried.
_PUBLIC_ID = re.compile(r"[0-9a-f]{32}")
# What a download's file name keeps of what the labels were made for: header-safe ASCII.
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_ORDER_ID = 255
DEFAULTS = dict.fromkeys(FIELDS, "") | {"template": "pack", "format": "pdf"}


def _chosen_order(session: Session, tenant_id: int, order_id: str) -> PackagingOrder | None:
    """The order an id names, to show what its labels will carry; None for an id no order can have."""
    if not order_id or len(order_id) > _MAX_ORDER_ID or "\x00" in order_id:
        return None
    try:
        return order_service.get(session, tenant_id, order_id)
    except NotFoundError:
        return None


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    values: dict[str, str],
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    tenant_id = viewer.principal.tenant_id
    params = parse_list_params(
        request.query_params,
        tuple(labels_queries.LABEL_ORDER_SORTS),
        "created",
        default_descending=True,
        filters=("template", "format"),
    )
    page = labels_queries.label_order_page(session, tenant_id, params)
    listing: dict[str, Any] = {"page": page, "templates": TEMPLATES, "format_names": FORMAT_NAMES}
    if request.method == "GET" and is_htmx_partial(request, "results"):
        return render(request, "labels/_results.html", viewer=viewer, tab=TAB, **listing)
    may_change = viewer.may_change(TAB)
    return render(
        request,
        "labels/index.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        **listing,
        may_change=may_change,
        values=values,
        order_choices=labels_queries.orders_with_serials(session, tenant_id) if may_change else [],
        chosen=_chosen_order(session, tenant_id, values.get("order_id", "")),
        format_choices=FORMAT_CHOICES,
        template_help=TEMPLATE_HELP,
        sscc_templates=SSCC_TEMPLATES,
        pack_size=PACK_SIZE_MM,
        case_size=CASE_SIZE_MM,
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )


@router.get("")
def index(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    # ``?order_id=`` opens the form on that order (a link from elsewhere, or a reload).
    order_id = request.query_params.get("order_id", "").replace("\x00", "").strip()[:_MAX_ORDER_ID]
    return _page(request, viewer, session, values=DEFAULTS | {"order_id": order_id})


@router.get("/order")
def order_summary(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    """What the labels of the order typed so far will carry, shown beside the field (htmx)."""
    order_id = request.query_params.get("order_id", "").strip()
    return render(
        request,
        "labels/_order_info.html",
        viewer=viewer,
        tab=TAB,
        typed=order_id,
        chosen=_chosen_order(session, viewer.principal.tenant_id, order_id),
    )


@router.get("/preview.png")
def preview(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    """The first label of an order as it will print, before hundreds are rendered."""
    chosen = _chosen_order(session, viewer.principal.tenant_id, request.query_params.get("order_id", "").strip())
    if chosen is None:
        raise PageError(404, "Not found", "There is no such packaging order.")
    try:
        png = label_service.preview(session, viewer.principal.tenant_id, chosen.order_id)
    except DomainError as error:
        raise PageError(status_of(error), "No preview", error.message) from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("")
def create_label_order(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    errors = FormErrors()
    choice = read_choice(form, errors)
    status = 400
    if not errors:
        try:
            created = render_labels(session, viewer.principal.tenant_id, viewer.actor, choice)
        except pydantic.ValidationError as error:
            errors = errors_of_model(error, choice)
        except DomainError as error:
            session.rollback()
            errors, status = errors_of(error, choice), status_of(error)
        else:
            count = created.label_count
            kind = TEMPLATES[created.template].split()[0].lower()
            done = f"Rendered {count:,} {kind} label{'' if count == 1 else 's'} as {FORMAT_NAMES[created.format]}"
            return redirect(request, f"/labels/{created.public_id}", f"{done} for {created.source}.")
    return _page(request, viewer, session, values=form_values(form, FIELDS), errors=errors, status=status)


def _label_order(session: Session, viewer: Viewer, public_id: str) -> LabelOrder:
    if _PUBLIC_ID.fullmatch(public_id):
        try:
            return label_service.get(session, viewer.principal.tenant_id, public_id)
        except NotFoundError:
            pass
    raise PageError(404, "Not found", "There is no such label order.")


def download_name(order: LabelOrder) -> str:
    """``labels-order-PO-1-<id>.pdf``: what the labels were made for, and which label order (the same
    order may be printed more than once)."""
    extension = order.file_name.rsplit(".", 1)[-1]
    subject = _FILE_NAME_UNSAFE.sub("-", order.source).strip("-.")[:80].rstrip("-.") or "labels"
    return f"labels-{subject}-{order.public_id[:8]}.{extension}"


@router.get("/{public_id}")
def label_order_page(public_id: str, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    order = _label_order(session, viewer, public_id)
    return render(
        request,
        "labels/label_order.html",
        viewer=viewer,
        tab=TAB,
        order=order,
        download_name=download_name(order),
        templates=TEMPLATES,
        format_names=FORMAT_NAMES,
    )


@router.get("/{public_id}/download")
def download(public_id: str, viewer: SignedIn, session: DbSession) -> Response:
    order = _label_order(session, viewer, public_id)
    return Response(
        order.document,
        media_type=order.media_type,
        headers={"Content-Disposition": f'attachment; filename="{download_name(order)}"'},
    )
