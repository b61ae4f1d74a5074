"""Bodies of the serial-number requests of the Manufacturer V2 API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from packtrace.kit.validation import NoNul
from packtrace.serials.service import MAX_REQUEST

ProductCode = Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
Serial = Annotated[str, StringConstraints(min_length=1, max_length=20), NoNul]


class SerialsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: ProductCode
    product_code_schema: Literal["GTIN"]
    quantity: Annotated[int, Field(ge=1, le=MAX_REQUEST)]


class SerialsRelease(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: ProductCode
    product_code_schema: Literal["GTIN"] = "GTIN"
    serials: Annotated[list[Serial], Field(min_length=1, max_length=MAX_REQUEST)]


class SerialList(BaseModel):
    product_code: str
    serials: list[str]


class ReleasedSerials(BaseModel):
    product_code: str
    released: int
