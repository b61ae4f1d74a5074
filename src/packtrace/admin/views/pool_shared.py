"""What the pages of the SN / SSCC pool tab share: the tab's key, and the turning of a service's refusal
into an error shown next to the field the user typed it in."""

from __future__ import annotations

from collections.abc import Iterable

from packtrace.admin.forms import FormErrors
from packtrace.kit.errors import DomainError, NotFoundError

TAB = "pool"
# Typed values shown again in a refused form are cut to this: a pasted page of text is not echoed whole.
MAX_ECHO = 255


def errors_at(error: DomainError, fields: Iterable[str], fallback: str) -> FormErrors:
    """The service's error next to the fields it names; one that names none of the form's fields goes
    next to ``fallback``, the field whose value it refused. "Not found" says so first."""
    errors = FormErrors.of(error, fields)
    if isinstance(error, NotFoundError):
        errors.fields = {name: f"not found: {text}" for name, text in errors.fields.items()}
    if not errors.fields:
        errors.add(fallback, error.message)
        errors.message = None
    return errors
