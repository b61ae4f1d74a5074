"""Reading HTML forms, and errors shown next to the field that caused them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

import pydantic
from fastapi import Depends, Request
from starlette.datastructures import FormData

from packtrace.audit.schemas import REASON_MAX
from packtrace.kit.errors import DomainError
from packtrace.kit.http_errors import validation_details

MAX_TEXT = 10_000


async def _form(request: Request) -> FormData:
    return await request.form()


# A sync view reads the form through this (parsed once; the CSRF check has read the same).
Form = Annotated[FormData, Depends(_form)]


@dataclass
class FormErrors:
    """Messages by form field, and one for the whole form when an error names no field of it."""

    fields: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    def __bool__(self) -> bool:
        return bool(self.fields or self.message)

    def add(self, name: str, text: str) -> None:
        self.fields.setdefault(name, text)

    @classmethod
    def of(cls, error: DomainError, form_fields: Iterable[str]) -> FormErrors:
        known = set(form_fields)
        errors = cls()
        for detail in error.details:
            if detail.field in known:
                errors.add(detail.field, detail.message)
        if not errors.fields or any(d.field not in known for d in error.details):
            errors.message = error.message
        return errors

    @classmethod
    def of_model(cls, error: pydantic.ValidationError, form_fields: Iterable[str]) -> FormErrors:
        known = set(form_fields)
        errors = cls()
        for detail in validation_details(error.errors()):
            name = detail.field.split(".")[0]
            if name in known:
                errors.add(name, detail.message)
            else:
                errors.message = f"{detail.field}: {detail.message}"
        return errors


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def reason(form: FormData) -> str | None:
    """The form's optional "reason for the change", recorded with it in the audit trail."""
    return text(form, "reason")[:REASON_MAX] or None


def optional_text(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def values(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def optional_int(form: FormData, name: str, errors: FormErrors) -> int | None:
    raw = text(form, name).replace(",", "").replace("_", "")
    if not raw:
        return None
    if not raw.lstrip("-").isdigit() or len(raw) > 12:
        errors.add(name, "must be a whole number")
        return None
    return int(raw)


def optional_float(form: FormData, name: str, errors: FormErrors) -> float | None:
    raw = text(form, name).replace(",", ".")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        errors.add(name, "must be a number")
        return None
    if number != number or number in (float("inf"), float("-inf")):
        errors.add(name, "must be a number")
        return None
    return int(number) if number.is_integer() else number


def form_values(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """What the user typed, to show again in a form that was refused."""
    return {name: text(form, name) for name in names}
