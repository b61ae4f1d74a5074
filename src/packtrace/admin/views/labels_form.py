"""Labels tab: the form that renders labels, read into the label service's request.

Pack labels (with or without a Digital Link QR code) are for a packaging order's serials: all of them,
or the first N. Case and GS1 logistic labels are for SSCCs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pydantic
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from packtrace.admin.forms import FormErrors, optional_float, optional_int, text
from packtrace.kit.errors import DomainError
from packtrace.kit.http_errors import validation_details
from packtrace.labels.schemas import MAX_LABELS, LabelOrderCreate
from packtrace.labels.service import FORMATS, label_service
from packtrace.models import LabelOrder

# The form's fields, named as the service's errors name them where they are the same.
FIELDS = ("template", "order_id", "count", "ssccs", "format", "label_width_mm", "label_height_mm")
TEMPLATES = {
    "pack": "Pack labels",
    "pack_qr": "Pack labels with a Digital Link QR code",
    "case": "Case labels",
    "logistic_a6": "Logistic labels A6",
    "logistic_a5": "Logistic labels A5",
}
# (template, what it prints) in the order the form offers them.
TEMPLATE_HELP = {
    "pack": "GS1 DataMatrix with product code, serial, batch and expiry, for a packaging order's serial numbers",
    "pack_qr": "The same, with a QR code of the pack's GS1 Digital Link on your resolver beside the "
    "DataMatrix (the DataMatrix stays the identifier)",
    "case": "GS1-128 of an SSCC with its content count, for cases and pallets",
    "logistic_a6": "GS1 logistic label, 105 x 148 mm: the SSCC and, for one GTIN, batch and expiry inside, "
    "the content as GS1-128",
    "logistic_a5": "The same at 148 x 210 mm, for long batches and large counts",
}
SSCC_TEMPLATES = ("case", "logistic_a6", "logistic_a5")
FORMAT_NAMES = {"pdf": "PDF", "zpl": "ZPL", "png": "PNG (zip)"}
FORMAT_CHOICES = [
    ("pdf", "PDF: one label a page"),
    ("zpl", "ZPL: for Zebra printers"),
    ("png", "PNG: one image a label, in a zip"),
]
# What separates SSCCs pasted into the form: lines, spaces, commas or semicolons.
_SSCC_SEPARATORS = re.compile(r"[\s,;]+")
# Errors about the order's own data (its batch, expiry, serials) belong beside the order the user chose;
# a label size the barcode does not fit in, beside the size; the request's quantity is the form's count.
_FORM_FIELD = {"label_size_mm": "label_width_mm", "quantity": "count", "digital_link_resolver": "template"}


@dataclass(frozen=True)
class LabelChoice:
    template: str
    order_id: str
    count: int | None
    ssccs: list[str]
    format: str
    width_mm: float | None
    height_mm: float | None

    @property
    def subject(self) -> str:
        """The field that names what is labelled: errors about it go there."""
        return "ssccs" if self.template in SSCC_TEMPLATES else "order_id"


def read_choice(form: FormData, errors: FormErrors) -> LabelChoice:
    template = text(form, "template") or "pack"
    if template not in TEMPLATES:
        errors.add("template", f"choose one of: {', '.join(TEMPLATES.values()).lower()}")
    format_ = text(form, "format") or "pdf"
    if format_ not in FORMATS:
        errors.add("format", f"choose one of {', '.join(FORMAT_NAMES.values())}")
    width, height = optional_float(form, "label_width_mm", errors), optional_float(form, "label_height_mm", errors)
    if (width is None) != (height is None):
        errors.add("label_height_mm" if height is None else "label_width_mm", "give both width and height, or neither")
    order_id = text(form, "order_id")
    count = optional_int(form, "count", errors)
    ssccs = [s for s in _SSCC_SEPARATORS.split(text(form, "ssccs")) if s]
    if template in SSCC_TEMPLATES:
        if not ssccs:
            errors.add("ssccs", "enter the SSCCs to label, one a line")
    else:
        if not order_id:
            errors.add("order_id", "choose a packaging order")
        if count is not None and not 1 <= count <= MAX_LABELS:
            errors.add("count", f"from 1 to {MAX_LABELS:,} labels; leave empty for all of the order's serials")
    return LabelChoice(template, order_id, count, ssccs, format_, width, height)


def render_labels(session: Session, tenant_id: int, actor: str, choice: LabelChoice) -> LabelOrder:
    """Render the labels through the label service, as ``POST label_orders`` does. Raises
    pydantic.ValidationError for input the API's schema refuses, DomainError for what the service
    refuses; nothing is written then."""
    common: dict[str, Any] = {"format": choice.format, "template": choice.template}
    if choice.width_mm is not None and choice.height_mm is not None:
        common |= {"label_width_mm": float(choice.width_mm), "label_height_mm": float(choice.height_mm)}
    if choice.template in SSCC_TEMPLATES:
        body = LabelOrderCreate.model_validate(common | {"ssccs": choice.ssccs})
        return label_service.create(session, tenant_id, body, actor)
    # Validated before the order is looked up: an id the API refuses (too long, NUL) is never queried.
    body = LabelOrderCreate.model_validate(common | {"order_id": choice.order_id, "quantity": choice.count})
    return label_service.create(session, tenant_id, body, actor)


def errors_of(error: DomainError, choice: LabelChoice) -> FormErrors:
    """The service's error beside the field it concerns; one about the order's data, or naming no
    field, beside the order (or the SSCCs)."""
    errors = FormErrors()
    for detail in error.details:
        errors.add(_form_field(detail.field, choice), detail.message)
    if not errors:
        errors.add(choice.subject, error.message)
    return errors


def errors_of_model(error: pydantic.ValidationError, choice: LabelChoice) -> FormErrors:
    errors = FormErrors()
    for detail in validation_details(error.errors()):
        errors.add(_form_field(detail.field.split(".")[0], choice), detail.message)
    return errors


def _form_field(name: str, choice: LabelChoice) -> str:
    name = _FORM_FIELD.get(name, name)
    return name if name in FIELDS else choice.subject
