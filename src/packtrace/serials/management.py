"""Management API (``/api/``) for serial pools: everyone reads a product's pool, Support and
Administrators fill it.

The bodies are here rather than in ``schemas.py``, which holds the Manufacturer V2 API's."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.batches import ATOMIC_GENERATE, commit_in_batches
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.products.service import product_service
from packtrace.serials.service import PoolStatus, serial_service

router = APIRouter(tags=["Management: serial pools"])

# One request makes at most this many, committed in batches of ATOMIC_GENERATE (DESIGN.md, contention).
MAX_GENERATE = 10_000_000


class PoolRead(BaseModel):
    product_code: str
    available: int = Field(description="serials in the pool, free to be drawn")
    assigned: int = Field(description="serials drawn: for an order, or handed out by serials/request")
    total: int = Field(description="available + assigned")
    max_live: int = Field(description="the most serials the product's format allows under the EU rule")
    threshold: int = Field(description="a draw that leaves fewer Available serials refills the pool (0: never)")
    refill_size: int = Field(description="serials made per refill")


class PoolGenerate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    count: Annotated[int, Field(ge=1, le=MAX_GENERATE, description="new Available serials to make")]


def pool_read(status: PoolStatus) -> PoolRead:
    return PoolRead(**asdict(status))


@router.get("/products/{code}/pool", summary="A product's serial pool: Available and Assigned serials")
def get_pool(code: str, user: AnyUser, session: DbSession) -> Envelope[PoolRead]:
    product = product_service.get(session, user.tenant_id, code)
    return Envelope(message="Serial pool", data=pool_read(serial_service.pool_status(session, product)))


@router.post("/products/{code}/pool/generate", summary="Make new serials for a product's pool (Support, Administrator)")
def generate_pool(code: str, body: PoolGenerate, user: SupportUser, session: DbSession) -> Envelope[PoolRead]:
    """Up to 200,000 serials all or nothing, in one transaction; a larger count is made and committed in
    batches of 200,000, so that it holds no lock for long, and a failure keeps the batches already made
    (the error says how many). A count the EU rule does not allow for the product's serial format is
    refused (409 InsufficientSerialsError) and nothing is made."""
    product = product_service.get(session, user.tenant_id, code)
    product_service.check_room(product, body.count)
    commit_in_batches(
        session, body.count, ATOMIC_GENERATE, lambda s, n: serial_service.generate_into_pool(s, product, n)
    )
    serial_service.refresh_statistics(session, body.count)
    return Envelope(message="Serial numbers generated", data=pool_read(serial_service.pool_status(session, product)))
