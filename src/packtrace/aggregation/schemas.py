"""Bodies of the SSCC and aggregation requests of the Manufacturer V2 API (ours: the vendor documents the
paths only), in the spec's style: snake_case, ``sscc`` / ``product_code`` / ``serial`` as field names."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from packtrace.aggregation.service import MAX_CONTAINERS, MAX_REQUEST, MAX_TRADE_ITEMS
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import validate_sscc
from packtrace.kit.validation import NoNul


def _valid_sscc(value: str) -> str:
    try:
        return validate_sscc(value)
    except GS1Error as error:
        raise ValueError(str(error)) from None


SsccCheck = AfterValidator(_valid_sscc)
Sscc = Annotated[
    str,
    StringConstraints(min_length=18, max_length=18),
    SsccCheck,
    Field(description="18 digits with a valid GS1 check digit", examples=["340123450000000017"]),
]
CompanyPrefix = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{6,12}$"), Field(description="GS1 company prefix, 6 to 12 digits")
]
ExtensionDigit = Annotated[int, Field(ge=0, le=9, description="the SSCC's first digit, 0 to 9")]
ProductCode = Annotated[str, StringConstraints(min_length=1, max_length=255), NoNul]
Serial = Annotated[str, StringConstraints(min_length=1, max_length=20), NoNul]


class TradeItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: ProductCode
    serial: Serial


TradeItems = Annotated[list[TradeItem], Field(max_length=MAX_TRADE_ITEMS)]
Containers = Annotated[list[Sscc], Field(max_length=MAX_CONTAINERS)]


class SsccsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    quantity: Annotated[int, Field(ge=1, le=MAX_REQUEST)]
    extension_digit: ExtensionDigit
    gs1_company_prefix: CompanyPrefix


class SsccsRelease(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    ssccs: Annotated[list[Sscc], Field(min_length=1, max_length=MAX_REQUEST)]


class ContainerAggregate(BaseModel):
    """``POST aggregate/container``: trade items, containers or both into the container ``sscc``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    sscc: Sscc
    trade_items: TradeItems | None = None
    containers: Containers | None = None


class ContainerDisaggregate(ContainerAggregate):
    """``DELETE aggregate/container``: the listed children out of ``sscc``, or with ``all`` every one."""

    all: bool | None = Field(default=None, description="true: remove every child (then list none)")


class TradeItemAggregate(BaseModel):
    """``POST aggregate/trade_item``: packs into the pack ``product_code`` + ``serial``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    product_code: ProductCode
    serial: Serial
    trade_items: TradeItems | None = None


class TradeItemDisaggregate(TradeItemAggregate):
    all: bool | None = Field(default=None, description="true: remove every pack it holds (then list none)")


class SsccList(BaseModel):
    gs1_company_prefix: str
    extension_digit: int
    ssccs: list[str]
    generated: int = Field(description="how many of them were generated for this request (the pool was short)")


class ReleasedSsccs(BaseModel):
    released: int


class ContainerAggregation(BaseModel):
    sscc: str
    status: str
    trade_items_added: int
    containers_added: int
    unchanged: int = Field(description="children listed that were in this container already")
    child_count: int = Field(description="the container's direct children (containers and trade items)")


class ContainerDisaggregation(BaseModel):
    sscc: str
    status: str
    trade_items_removed: int
    containers_removed: int
    child_count: int


class TradeItemAggregation(BaseModel):
    product_code: str
    serial: str
    pack_status: str
    trade_items_added: int
    unchanged: int
    child_count: int


class TradeItemDisaggregation(BaseModel):
    product_code: str
    serial: str
    pack_status: str
    trade_items_removed: int
    child_count: int


class SsccSummary(BaseModel):
    sscc: str
    status: str
    source: str
    parent: str | None = Field(description="the SSCC of the container it is in")
    child_count: int = Field(description="direct children: containers and trade items")
    pack_count: int = Field(description="every pack below it, in sub-containers and inside packs included")


class ContainerEventRead(BaseModel):
    event: str
    detail: str | None
    actor: str
    at: datetime


class TreeTradeItem(BaseModel):
    product_code: str
    serial: str
    pack_status: str
    child_count: int = Field(description="packs directly inside this pack")


class TreeContainer(BaseModel):
    sscc: str
    status: str
    child_count: int
    pack_count: int
    children: list[TreeContainer]
    trade_items: list[TreeTradeItem]


class SsccHistoryRead(BaseModel):
    summary: SsccSummary
    history: list[ContainerEventRead]
    tree: TreeContainer
