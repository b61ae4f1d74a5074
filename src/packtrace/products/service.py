"""Rules for products. The code (GTIN-14) is the product's identity and never changes; settings that
orders and serials already depend on change only where that cannot alter them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from packtrace.audit.facts import Json, publish_change, snapshot
from packtrace.gs1 import serials as serial_rules
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import company_prefix_length_is_valid, normalize_gtin
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import ConflictError, InsufficientSerialsError, NotFoundError, ValidationError
from packtrace.kit.facts import publish
from packtrace.markets.service import parse_market
from packtrace.models import Product
from packtrace.models.enums import ProductCodeSchema
from packtrace.prefixes.service import company_prefix_service
from packtrace.products import regulatory, repository
from packtrace.products.facts import ProductMasterDataChanged

# The most serials one order can hold: quantity 100,000 with 100 % extra. A product's serial space must
# keep even such an order within the EU rule (guessing chance below 1 in 10,000).
LARGEST_ORDER_SERIALS = 200_000
# Bounds of the pool replenishment settings: a refill is made inside the draw that triggers it, so it
# is kept to what one request can make in reasonable time.
MAX_POOL_THRESHOLD = 10_000_000
MAX_POOL_REFILL_SIZE = 1_000_000


@dataclass
class ProductSettings:
    """What a user may set on a product; ``None`` on update means "leave as it is"."""

    name: str | None = None
    alias: str | None = None
    markets: Sequence[str] | None = None
    company_prefix_length: int | None = None
    serial_length: int | None = None
    serial_alphabet: str | None = None
    # Replenishment: a draw that leaves fewer than ``pool_threshold`` Available serials makes
    # ``pool_refill_size`` more. A threshold of 0 turns it off.
    pool_threshold: int | None = None
    pool_refill_size: int | None = None
    # Regulatory master data (products/regulatory.py): the fields set, by name.
    regulatory: dict[str, object] = field(default_factory=dict)


# What the audit trail records of a product (with its markets).
AUDITED_FIELDS = (
    "name",
    "alias",
    "company_prefix_length",
    "serial_length",
    "serial_alphabet",
    "pool_threshold",
    "pool_refill_size",
    *regulatory.FIELDS,
)


def _audited(product: Product, markets: Sequence[str]) -> dict[str, Json]:
    return snapshot(product, AUDITED_FIELDS) | {"markets": list(markets)}


@dataclass
class ProductView:
    product: Product
    markets: list[str] = field(default_factory=list)


def parse_product_code(code: str, field_name: str = "product_code") -> str:
    try:
        return normalize_gtin(code)
    except GS1Error as exc:
        raise ValidationError.on_field(field_name, str(exc)) from None


def _check_serial_format(length: int, alphabet: str) -> None:
    try:
        serial_rules.validate_serial_format(length, alphabet)
    except GS1Error as exc:
        field_name = "serial_length" if "length" in str(exc) else "serial_alphabet"
        raise ValidationError.on_field(field_name, str(exc)) from None
    space = serial_rules.serial_space(length, alphabet)
    needed = serial_rules.MIN_GUESS_FACTOR * LARGEST_ORDER_SERIALS
    if space < needed:
        raise ValidationError.on_field(
            "serial_length",
            f"{len(alphabet)} characters over {length} positions give {space:,} serials, fewer than the "
            f"{needed:,} the EU rule needs for an order of {LARGEST_ORDER_SERIALS:,} "
            f"(10,000 x live serials); use a longer serial or a larger alphabet",
        )


def _check_markets(markets: Sequence[str]) -> list[str]:
    return sorted({parse_market(m, "markets").value for m in markets})


def _check_text(field_name: str, value: str, required: bool) -> str | None:
    value = value.strip()
    if not value:
        if required:
            raise ValidationError.on_field(field_name, "must not be blank")
        return None
    if len(value) > 255:
        raise ValidationError.on_field(field_name, "must be at most 255 characters")
    return value


def _check_pool_settings(product: Product, threshold: int, refill_size: int) -> tuple[int, int]:
    """The replenishment settings, checked against the product's serial format and the serials it has."""
    if not 0 <= threshold <= MAX_POOL_THRESHOLD:
        raise ValidationError.on_field("pool_threshold", f"must be 0 to {MAX_POOL_THRESHOLD:,} (0: no replenishment)")
    if not 0 <= refill_size <= MAX_POOL_REFILL_SIZE:
        raise ValidationError.on_field("pool_refill_size", f"must be 0 to {MAX_POOL_REFILL_SIZE:,}")
    if threshold > 0 and refill_size == 0:
        raise ValidationError.on_field(
            "pool_refill_size",
            f"must be above 0 while the pool threshold is {threshold:,} (a threshold of 0 turns replenishment off)",
        )
    room = _room_left(product)
    if refill_size > room:
        raise ValidationError.on_field(
            "pool_refill_size",
            f"a refill of {refill_size:,} would break the EU rule: the product has {product.serial_count:,} serial "
            f"numbers and its format allows {room + product.serial_count:,} (10,000 x live serials)",
        )
    return threshold, refill_size


def _room_left(product: Product) -> int:
    """How many more serials the product's format allows under the EU rule."""
    allowed = serial_rules.max_live_serials(product.serial_length, product.serial_alphabet)
    return max(0, allowed - product.serial_count)


def _check_prefix_length(length: int) -> int:
    if not company_prefix_length_is_valid(length):
        raise ValidationError.on_field("company_prefix_length", "must be 6 to 12 digits")
    return length


class ProductService:
    def create(
        self, session: Session, tenant_id: int, code: str, settings: ProductSettings, reason: str | None = None
    ) -> ProductView:
        gtin = parse_product_code(code)
        if repository.by_code(session, tenant_id, gtin) is not None:
            raise ConflictError.on_field("product_code", f"product {gtin} is registered already")
        if settings.company_prefix_length is None:
            raise ValidationError.on_field("company_prefix_length", "required: the GS1 company prefix length")
        # `is None`, not `or`: a length of 0 or an empty alphabet is refused, not replaced by the default.
        length = serial_rules.DEFAULT_SERIAL_LENGTH if settings.serial_length is None else settings.serial_length
        alphabet = serial_rules.DEFAULT_ALPHABET if settings.serial_alphabet is None else settings.serial_alphabet
        _check_serial_format(length, alphabet)
        product = Product(
            tenant_id=tenant_id,
            code=gtin,
            code_schema=ProductCodeSchema.GTIN.value,
            name=_check_text("name", settings.name or "", required=True),
            alias=_check_text("alias", settings.alias or "", required=False),
            company_prefix_length=_check_prefix_length(settings.company_prefix_length),
            serial_length=length,
            serial_alphabet=alphabet,
            serial_count=0,
        )
        product.pool_threshold, product.pool_refill_size = _check_pool_settings(
            product, settings.pool_threshold or 0, settings.pool_refill_size or 0
        )
        regulatory.apply(product, settings.regulatory)
        markets = _check_markets(settings.markets or [])
        # Last of the checks: a form's other mistakes are shown first, each at its field.
        company_prefix_service.check_product_code(session, tenant_id, gtin, product.company_prefix_length)
        session.add(product)
        session.flush()
        repository.set_markets(session, tenant_id, product.id, markets)
        publish_change(session, tenant_id, "product", gtin, "created", None, _audited(product, markets), reason=reason)
        at = transaction_time(session)
        publish(session, ProductMasterDataChanged(tenant_id, gtin, tuple(markets), created=True, at=at))
        return ProductView(product, markets)

    def get(self, session: Session, tenant_id: int, code: str) -> Product:
        product = repository.by_code(session, tenant_id, parse_product_code(code))
        if product is None:
            raise NotFoundError.on_field("product_code", f"no product {code}")
        return product

    def get_for_change(self, session: Session, tenant_id: int, code: str) -> Product:
        """``get``, with the product's row locked for the change or delete that follows."""
        product = repository.by_code_for_update(session, tenant_id, parse_product_code(code))
        if product is None:
            raise NotFoundError.on_field("product_code", f"no product {code}")
        return product

    def registered(self, session: Session, tenant_id: int, code: str) -> Product:
        """The product behind a code in an API request: an unknown code is bad input (400), as the spec's
        error table says for codes unknown to the tenant."""
        product = repository.by_code(session, tenant_id, parse_product_code(code))
        if product is None:
            raise ValidationError.on_field("product_code", f"{code} is not a product code registered by you")
        return product

    def view(self, session: Session, tenant_id: int, code: str) -> ProductView:
        product = self.get(session, tenant_id, code)
        return ProductView(product, repository.markets_of(session, tenant_id, product.id))

    def list_all(self, session: Session, tenant_id: int) -> list[ProductView]:
        markets = repository.markets_by_product(session, tenant_id)
        return [ProductView(p, markets.get(p.id, [])) for p in repository.all_products(session, tenant_id)]

    def check_room(self, product: Product, count: int) -> None:
        """Refuse up front to make ``count`` more serials where the EU rule would refuse them after the
        fact. The serial service's count, under the product's row lock, stays the authority: this only
        spares writing (and undoing) a large generation that cannot succeed."""
        room = _room_left(product)
        if count > room:
            allowed = room + product.serial_count
            raise InsufficientSerialsError(
                f"Product {product.code} would have {product.serial_count + count:,} serial numbers; its serial "
                f"space allows {allowed:,} under the EU rule (guessing chance below 1 in 10,000). "
                "Lengthen its serials or widen their alphabet."
            )

    def markets_of(self, session: Session, product: Product) -> list[str]:
        return repository.markets_of(session, product.tenant_id, product.id)

    def update(
        self, session: Session, tenant_id: int, code: str, settings: ProductSettings, reason: str | None = None
    ) -> ProductView:
        product = self.get_for_change(session, tenant_id, code)
        before = _audited(product, repository.markets_of(session, tenant_id, product.id))
        if settings.name is not None:
            product.name = _check_text("name", settings.name, required=True) or product.name
        if settings.alias is not None:
            product.alias = _check_text("alias", settings.alias, required=False)
        if settings.serial_length is not None or settings.serial_alphabet is not None:
            # Serials already made keep their format; only new ones follow the new settings.
            length = product.serial_length if settings.serial_length is None else settings.serial_length
            alphabet = product.serial_alphabet if settings.serial_alphabet is None else settings.serial_alphabet
            _check_serial_format(length, alphabet)
            allowed = serial_rules.max_live_serials(length, alphabet)
            if allowed < product.serial_count:
                raise ValidationError.on_field(
                    "serial_length",
                    f"the product has {product.serial_count:,} serial numbers already; the new format allows "
                    f"{allowed:,} under the EU rule (10,000 x live serials)",
                )
            product.serial_length, product.serial_alphabet = length, alphabet
        if settings.company_prefix_length is not None:
            new_length = _check_prefix_length(settings.company_prefix_length)
            if new_length != product.company_prefix_length and repository.order_count(session, tenant_id, product.id):
                raise ConflictError.on_field(
                    "company_prefix_length", "orders exist for this product; its EPC identifiers depend on it"
                )
            company_prefix_service.check_product_code(session, tenant_id, product.code, new_length)
            product.company_prefix_length = new_length
        format_changed = settings.serial_length is not None or settings.serial_alphabet is not None
        if settings.pool_threshold is not None or settings.pool_refill_size is not None or format_changed:
            # Checked again after a change of format too: a smaller space may not hold the refill any more.
            product.pool_threshold, product.pool_refill_size = _check_pool_settings(
                product,
                product.pool_threshold if settings.pool_threshold is None else settings.pool_threshold,
                product.pool_refill_size if settings.pool_refill_size is None else settings.pool_refill_size,
            )
        regulatory.apply(product, settings.regulatory)
        markets = repository.markets_of(session, tenant_id, product.id)
        if settings.markets is not None:
            markets = self._replace_markets(session, product, _check_markets(settings.markets), markets)
        session.flush()
        after = _audited(product, markets)
        publish_change(session, tenant_id, "product", product.code, "changed", before, after, reason=reason)
        if after != before:
            at = transaction_time(session)
            publish(session, ProductMasterDataChanged(tenant_id, product.code, tuple(markets), created=False, at=at))
        return ProductView(product, markets)

    def _replace_markets(self, session: Session, product: Product, new: list[str], old: list[str]) -> list[str]:
        in_use = repository.open_orders_by_market(session, product.tenant_id, product.id)
        dropped = [m for m in old if m not in new and in_use.get(m)]
        if dropped:
            raise ConflictError.on_field(
                "markets",
                f"unfinished orders of this product are for {', '.join(dropped)}; it stays registered",
            )
        repository.set_markets(session, product.tenant_id, product.id, new)
        return new

    def delete(self, session: Session, tenant_id: int, code: str, reason: str | None = None) -> None:
        product = self.get_for_change(session, tenant_id, code)
        before = _audited(product, repository.markets_of(session, tenant_id, product.id))
        if repository.order_count(session, tenant_id, product.id) or repository.has_serials(
            session, tenant_id, product.id
        ):
            raise ConflictError.on_field(
                "product_code", f"product {product.code} has orders or serial numbers; it cannot be deleted"
            )
        repository.set_markets(session, tenant_id, product.id, [])
        session.delete(product)
        session.flush()
        publish_change(session, tenant_id, "product", product.code, "deleted", before, None, reason=reason)


product_service = ProductService()
