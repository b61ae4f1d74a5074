"""Management API (``/api/``) for products: everyone reads them, Support and Administrators change them."""

from __future__ import annotations

from fastapi import APIRouter

from packtrace.audit.schemas import ReasonQuery
from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.products import regulatory
from packtrace.products.schemas import ProductCreate, ProductRead, ProductUpdate
from packtrace.products.service import ProductSettings, ProductView, product_service

router = APIRouter(tags=["Management: products"])


def product_read(view: ProductView) -> ProductRead:
    product = view.product
    return ProductRead(
        product_code=product.code,
        product_code_schema=product.code_schema,
        name=product.name,
        alias=product.alias,
        markets=view.markets,
        company_prefix_length=product.company_prefix_length,
        serial_length=product.serial_length,
        serial_alphabet=product.serial_alphabet,
        serial_count=product.serial_count,
        pool_threshold=product.pool_threshold,
        pool_refill_size=product.pool_refill_size,
        **regulatory.values_of(product),
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def _settings(body: ProductCreate | ProductUpdate) -> ProductSettings:
    return ProductSettings(
        name=body.name,
        alias=body.alias,
        markets=body.markets,
        company_prefix_length=body.company_prefix_length,
        serial_length=body.serial_length,
        serial_alphabet=body.serial_alphabet,
        pool_threshold=body.pool_threshold,
        pool_refill_size=body.pool_refill_size,
        regulatory=body.model_dump(include=set(regulatory.FIELDS), exclude_none=True),
    )


@router.get("/products", summary="List the tenant's products with their markets")
def list_products(user: AnyUser, session: DbSession) -> Envelope[list[ProductRead]]:
    views = product_service.list_all(session, user.tenant_id)
    return Envelope(message="Products", data=[product_read(v) for v in views])


@router.get("/products/{code}", summary="One product")
def get_product(code: str, user: AnyUser, session: DbSession) -> Envelope[ProductRead]:
    return Envelope(message="Product", data=product_read(product_service.view(session, user.tenant_id, code)))


@router.post("/products", summary="Register a product (Support, Administrator)")
def create_product(body: ProductCreate, user: SupportUser, session: DbSession) -> Envelope[ProductRead]:
    view = product_service.create(session, user.tenant_id, body.product_code, _settings(body), body.reason)
    return Envelope(message="Product created", data=product_read(view))


@router.patch("/products/{code}", summary="Change a product's settings (Support, Administrator)")
def update_product(code: str, body: ProductUpdate, user: SupportUser, session: DbSession) -> Envelope[ProductRead]:
    """The code never changes. The company prefix length cannot change once orders exist, and a market
    that unfinished orders are for cannot be dropped."""
    view = product_service.update(session, user.tenant_id, code, _settings(body), body.reason)
    return Envelope(message="Product updated", data=product_read(view))


@router.delete("/products/{code}", summary="Delete a product (Support, Administrator)")
def delete_product(
    code: str, user: SupportUser, session: DbSession, reason: ReasonQuery = None
) -> Envelope[ProductRead]:
    """Refused once the product has orders or serial numbers."""
    data = product_read(product_service.view(session, user.tenant_id, code))
    product_service.delete(session, user.tenant_id, code, reason)
    return Envelope(message="Product deleted", data=data)
