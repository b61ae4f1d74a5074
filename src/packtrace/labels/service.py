"""Label orders: which labels to make, rendered into one document and kept with the order's record."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import validate_sscc
from packtrace.kit.errors import Detail, InvalidStateError, NotFoundError, ValidationError
from packtrace.labels import repository
from packtrace.labels.documents import render_pdf, render_png, render_png_zip, render_zpl
from packtrace.labels.schemas import MAX_LABELS, LabelOrderCreate
from packtrace.labels.templates import CaseLabel, Label, LabelError, PackLabel
from packtrace.models import LabelOrder, PackagingOrder, Product
from packtrace.models.enums import LabelOrderStatus, OrderStatus, SerialStatus, SsccStatus
from packtrace.orders.service import order_service
from packtrace.products.service import product_service
from packtrace.serials import repository as serials
from packtrace.serials.service import serial_service

# Label fields named as the request names them, so an error points at what the caller sent.
_REQUEST_FIELD = {
    "gtin": "product_code",
    "serial": "serials",
    "expiry": "expiry_date",
    "sscc": "ssccs",
    "label_size_mm": "label_width_mm",
}


def _refused(error: LabelError) -> ValidationError:
    # The field once, as the request names it: the error's own text already starts with its field.
    field = _REQUEST_FIELD.get(error.field, error.field)
    return ValidationError(f"{field}: {error.message}", [Detail(field, error.message)])


@dataclass(frozen=True)
class _Format:
    media_type: str
    extension: str
    render: Callable[[Iterable[Label], tuple[float, float] | None], bytes]


FORMATS = {
    "pdf": _Format("application/pdf", "pdf", render_pdf),
    "png": _Format("application/zip", "zip", render_png_zip),
    "zpl": _Format("text/plain; charset=utf-8", "zpl", lambda labels, size: render_zpl(labels, size).encode()),
}


def _one_of(request: LabelOrderCreate) -> str:
    """Which of the request's forms this is; a mix of forms is refused."""
    if request.template == "case":
        if request.ssccs is None:
            raise ValidationError.on_field("ssccs", "the case template needs ssccs")
        extras = [f for f in ("order_id", "product_code", "serials", "quantity") if getattr(request, f) is not None]
        if extras:
            raise ValidationError.on_field(extras[0], "not used by the case template")
        return "ssccs"
    if request.ssccs is not None:
        raise ValidationError.on_field("ssccs", "ssccs go with the case template")
    if request.order_id is not None:
        extras = [f for f in ("product_code", "serials", "batch", "expiry_date") if getattr(request, f)]
        if extras:
            raise ValidationError.on_field(extras[0], "an order's labels take the order's own data")
        return "order"
    if request.product_code is None:
        raise ValidationError.on_field("order_id", "name an order_id, or a product_code with serials or quantity")
    if (request.serials is None) == (request.quantity is None):
        raise ValidationError.on_field("serials", "give either serials or quantity with a product_code")
    return "serials" if request.serials is not None else "quantity"


class LabelService:
    def create(self, session: Session, tenant_id: int, request: LabelOrderCreate, actor: str) -> LabelOrder:
        form = _one_of(request)
        size = (
            (request.label_width_mm, request.label_height_mm)
            if request.label_width_mm is not None and request.label_height_mm is not None
            else None
        )
        labels, source = self._labels(session, tenant_id, request, form)
        output = FORMATS[request.format]
        try:
            document = output.render(labels, size)
        except LabelError as exc:
            raise _refused(exc) from None
        count = len(labels)
        public_id = uuid.uuid4().hex
        order = LabelOrder(
            tenant_id=tenant_id,
            public_id=public_id,
            template=request.template,
            format=request.format,
            status=LabelOrderStatus.EXECUTED.value,
            label_count=count,
            source=source,
            media_type=output.media_type,
            file_name=f"labels-{public_id[:12]}.{output.extension}",
            created_by=actor,
            document=document,
        )
        session.add(order)
        session.flush()
        return order

    def preview(self, session: Session, tenant_id: int, order_id: str) -> bytes:
        """The order's first pack label as a PNG, rendered and not kept: to check it before printing many."""
        order = order_service.get(session, tenant_id, order_id)
        try:
            return render_png(self._order_labels(session, order, 1)[0])
        except LabelError as exc:
            raise _refused(exc) from None

    def get(self, session: Session, tenant_id: int, public_id: str) -> LabelOrder:
        order = repository.by_public_id(session, tenant_id, public_id)
        if order is None:
            raise NotFoundError.on_field("id", f"no label order {public_id!r}")
        return order

    def _labels(
        self, session: Session, tenant_id: int, request: LabelOrderCreate, form: str
    ) -> tuple[list[Label], str]:
        try:
            if form == "ssccs":
                return self._case_labels(session, tenant_id, request.ssccs or []), "SSCCs"
            if form == "order":
                order = order_service.get(session, tenant_id, request.order_id or "")
                labels = self._order_labels(session, order, request.quantity)
                if request.quantity is None or len(labels) == order.serial_count:
                    return labels, f"order {order.order_id}"
                return labels, f"order {order.order_id}: first {len(labels):,} of {order.serial_count:,} serials"
            product = product_service.registered(session, tenant_id, request.product_code or "")
            if form == "quantity":
                drawn = serial_service.request(session, product, request.quantity or 0)
                return self._pack_labels(product, drawn, request), f"{len(drawn)} serials drawn from the pool"
            chosen = self._assigned_serials(session, product, request.serials or [])
            return self._pack_labels(product, chosen, request), "serials of product " + product.code
        except LabelError as exc:
            raise _refused(exc) from None

    def _order_labels(self, session: Session, order: PackagingOrder, first: int | None) -> list[Label]:
        """The labels of the order's serials, in the order the line gets them; only the ``first`` ones
        when given (a trial print, or the start of an order too large for one label order)."""
        if order.status == OrderStatus.CANCELLED.value:
            raise InvalidStateError(f"Packaging order {order.order_id!r} is Cancelled: it has no labels to print")
        if not order.serial_count:
            raise InvalidStateError(f"Packaging order {order.order_id!r} is {order.status} without serial numbers")
        if first is not None and first > order.serial_count:
            raise ValidationError.on_field(
                "quantity", f"the order has {order.serial_count:,} serials: at most that many labels"
            )
        wanted = order.serial_count if first is None else first
        if wanted > MAX_LABELS:
            raise ValidationError.on_field(
                "order_id",
                f"the order has {order.serial_count:,} serials; one label order prints at most {MAX_LABELS:,}"
                " (a quantity prints its first ones)",
            )
        labels: list[Label] = []
        for chunk in order_service.serial_chunks(session, order, 5_000):
            labels += [PackLabel(order.product_code, s, order.batch, order.expiry_date) for s in chunk]
            if len(labels) >= wanted:
                break
        return labels[:wanted]

    def _assigned_serials(self, session: Session, product: Product, wanted: list[str]) -> list[str]:
        found = {row.serial: row for row in serials.find(session, product.tenant_id, product.id, wanted)}
        unknown = [s for s in wanted if s not in found]
        available = [s for s in wanted if s in found and found[s].status != SerialStatus.ASSIGNED.value]
        details = []
        if unknown:
            details.append(Detail("serials", f"not serials of {product.code}: {', '.join(unknown[:20])}"))
        if available:
            details.append(
                Detail("serials", f"still Available in the pool (request them first): {', '.join(available[:20])}")
            )
        if details:
            raise ValidationError("; ".join(d.message for d in details), details)
        return wanted

    @staticmethod
    def _pack_labels(product: Product, chosen: Iterable[str], request: LabelOrderCreate) -> list[Label]:
        return [PackLabel(product.code, s, request.batch, request.expiry_date) for s in chosen]

    def _case_labels(self, session: Session, tenant_id: int, ssccs: list[str]) -> list[Label]:
        for sscc in ssccs:
            try:
                validate_sscc(sscc)
            except GS1Error as exc:
                raise ValidationError.on_field("ssccs", str(exc)) from None
        found = repository.containers(session, tenant_id, ssccs)
        unknown = [s for s in ssccs if s not in found or found[s].status != SsccStatus.ASSIGNED.value]
        if unknown:
            raise ValidationError.on_field("ssccs", f"not Assigned SSCCs of yours: {', '.join(unknown[:20])}")
        counts = repository.child_counts(session, tenant_id, [c.id for c in found.values()])
        return [CaseLabel(s, counts[found[s].id] or None) for s in ssccs]


label_service = LabelService()
