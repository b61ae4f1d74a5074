"""The one error of label rendering."""

from __future__ import annotations

from packtrace.gs1.errors import GS1Error


class LabelError(GS1Error):
    """A label cannot be printed: `field` names the offending input ("batch", "serial", ...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
