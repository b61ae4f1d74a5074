"""Label orders: which labels to make, rendered into one document and kept with the order's record."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change, snapshot
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import validate_sscc
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import Detail, InvalidStateError, NotFoundError, ValidationError
from packtrace.labels import repository
from packtrace.labels.digital_link_label import DigitalLinkPackLabel
from packtrace.labels.documents import render_pdf, render_png, render_png_zip, render_zpl
from packtrace.labels.errors import LabelError
from packtrace.labels.layouts import Label
from packtrace.labels.logistic import A5_SIZE_MM, A6_SIZE_MM, LogisticLabel, content_of
from packtrace.labels.schemas import MAX_LABELS, LabelOrderCreate
from packtrace.labels.templates import CaseLabel, PackLabel
from packtrace.models import LabelOrder, PackagingOrder, Product
from packtrace.models.enums import LabelOrderStatus, Market, OrderStatus, SerialStatus, SsccStatus
from packtrace.orders.service import order_service
from packtrace.packs.rules import expired_problem
from packtrace.products import repository as product_repository
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


# Templates of logistic units, named by SSCC; the logistic ones have their paper size.
_SSCC_TEMPLATES = {"case": None, "logistic_a6": A6_SIZE_MM, "logistic_a5": A5_SIZE_MM}


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
    if request.template in _SSCC_TEMPLATES:
        if request.ssccs is None:
            raise ValidationError.on_field("ssccs", f"the {request.template} template needs ssccs")
        extras = [f for f in ("order_id", "product_code", "serials", "quantity") if getattr(request, f) is not None]
        if extras:
            raise ValidationError.on_field(extras[0], f"not used by the {request.template} template")
        return "ssccs"
    if request.ssccs is not None:
        raise ValidationError.on_field("ssccs", "ssccs go with the case and logistic templates")
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


# What the audit trail records of a label order (not the document itself).
AUDITED_FIELDS = ("template", "format", "status", "label_count", "source", "file_name")


def _size(request: LabelOrderCreate) -> tuple[float, float] | None:
    """The label size asked for: width and height together, or neither (the template's own size)."""
    width, height = request.label_width_mm, request.label_height_mm
    if width is None and height is None:
        return None
    if width is None or height is None:
        missing = "label_width_mm" if width is None else "label_height_mm"
        raise ValidationError.on_field(missing, "label_width_mm and label_height_mm go together: give both or neither")
    return (width, height)


class LabelService:
    def create(self, session: Session, tenant_id: int, request: LabelOrderCreate, actor: str) -> LabelOrder:
        form = _one_of(request)
        size = _size(request)
        labels, source, product = self._labels(session, tenant_id, request, form)
        printed = [label.serial for label in labels if isinstance(label, PackLabel)]
        if request.template == "pack_qr":
            resolver = repository.digital_link_resolver(session, tenant_id)
            labels = [DigitalLinkPackLabel(label, resolver) for label in labels if isinstance(label, PackLabel)]
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
        if product is not None:
            # Printed: these serials are out in the world and never go back to the pool.
            repository.record_printed(session, tenant_id, product.id, order.id, printed)
        after = snapshot(order, AUDITED_FIELDS)
        publish_change(session, tenant_id, "label_order", public_id, "created", None, after)
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
    ) -> tuple[list[Label], str, Product | None]:
        """The labels, what they were made for, and the product whose serials they print (pack labels)."""
        try:
            if form == "ssccs":
                return self._case_labels(session, tenant_id, request.ssccs or [], request.template), "SSCCs", None
            if form == "order":
                order = order_service.get(session, tenant_id, request.order_id or "")
                labels = self._order_labels(session, order, request.quantity)
                product = product_service.get(session, tenant_id, order.product_code)
                self._check_lot(session, product, order.market, order.batch, order.expiry_date, "order_id")
                if request.quantity is None or len(labels) == order.serial_count:
                    return labels, f"order {order.order_id}", product
                first = f"first {len(labels):,} of {order.serial_count:,} serials"
                return labels, f"order {order.order_id}: {first}", product
            product = product_service.registered(session, tenant_id, request.product_code or "")
            self._check_lot(session, product, None, request.batch, request.expiry_date, None)
            if form == "quantity":
                drawn = serial_service.request(session, product, request.quantity or 0)
                return self._pack_labels(product, drawn, request), f"{len(drawn)} serials drawn from the pool", product
            chosen = self._assigned_serials(session, product, request.serials or [])
            return self._pack_labels(product, chosen, request), "serials of product " + product.code, product
        except LabelError as exc:
            raise _refused(exc) from None

    @staticmethod
    def _check_lot(
        session: Session,
        product: Product,
        market: str | None,
        batch: str | None,
        expiry_date: str | None,
        order_field: str | None,
    ) -> None:
        """A pack label must carry what its markets ask for and must not print expired product. The EU
        (2016/161 Art. 4) asks for product code, serial, batch and expiry: an EU label without batch or
        expiry is refused, naming what is missing. The markets are the order's, or all the product's
        when the order names none (or there is no order). An expiry already past (today, UTC) is refused."""
        markets = [market] if market else product_repository.markets_of(session, product.tenant_id, product.id)
        details: list[Detail] = []
        if Market.EU.value in markets:
            for field, value in (("batch", batch), ("expiry_date", expiry_date)):
                if value is None:
                    missing = f"the order has no {field}" if order_field else f"{field} is missing"
                    rule = "EU labels need batch and expiry (2016/161 Art. 4)"
                    details.append(Detail(order_field or field, f"{missing}: {rule}"))
        if expiry_date is not None and (problem := expired_problem(expiry_date, transaction_time(session).date())):
            details.append(Detail(order_field or "expiry_date", f"expiry_date {problem}: no label for expired product"))
        if details:
            raise ValidationError("Labels refused: " + "; ".join(d.message for d in details), details)

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

    def _case_labels(self, session: Session, tenant_id: int, ssccs: list[str], template: str) -> list[Label]:
        for sscc in ssccs:
            try:
                validate_sscc(sscc)
            except GS1Error as exc:
                raise ValidationError.on_field("ssccs", str(exc)) from None
        found = repository.containers(session, tenant_id, ssccs)
        unknown = [s for s in ssccs if s not in found or found[s].status != SsccStatus.ASSIGNED.value]
        if unknown:
            raise ValidationError.on_field("ssccs", f"not Assigned SSCCs of yours: {', '.join(unknown[:20])}")
        paper = _SSCC_TEMPLATES[template]
        if paper is not None:  # what a logistic label says the unit holds comes from the aggregation
            contents = {s: content_of(repository.content(session, tenant_id, found[s].id)) for s in set(ssccs)}
            return [LogisticLabel(s, *contents[s], paper) for s in ssccs]
        counts = repository.child_counts(session, tenant_id, [c.id for c in found.values()])
        return [CaseLabel(s, counts[found[s].id] or None) for s in ssccs]


label_service = LabelService()
