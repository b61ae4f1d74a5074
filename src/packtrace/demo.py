"""The demo tenant: everything needed to send the spec's sample request, created idempotently.

Its credentials are derived from the server key, so a second run prints the same working credentials
instead of new ones (only hashes are stored, so stored ones could not be shown again)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from packtrace.auth import repository as auth_repository
from packtrace.auth.service import api_key_service, channel_service, tenant_service, user_service
from packtrace.kit.errors import NotFoundError
from packtrace.kit.security import derived_secret, hash_password, keyed_hash
from packtrace.lines.service import line_service
from packtrace.markets.service import market_service
from packtrace.models.enums import Market, Role
from packtrace.prefixes.service import company_prefix_service
from packtrace.products.service import ProductSettings, product_service
from packtrace.serials.service import serial_service

DEMO_TENANT = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.packtrace.local"
DEMO_PRODUCT_CODE = "01234512345901"
DEMO_COMPANY_PREFIX_LENGTH = 7
# The demo product's GS1 company prefix, which the demo tenant owns: its products and SSCCs use it.
DEMO_COMPANY_PREFIX = DEMO_PRODUCT_CODE[1 : 1 + DEMO_COMPANY_PREFIX_LENGTH]
DEMO_LINE_TAG = "test-packaging-line-1"
DEMO_API_KEY_NAME = "demo-erp"
DEMO_CHANNEL_NAME = "demo-line-middleware"
# The demo product's pool: filled when the product is made and refilled by itself, so that
# serials/request, assign_serials and pool-drawn label orders work on the demo out of the box.
DEMO_POOL_SIZE = 10_000
DEMO_POOL_THRESHOLD = 1_000


@dataclass(frozen=True)
class DemoCredentials:
    tenant: str
    admin_email: str
    admin_password: str
    api_key: str
    api_secret: str
    static_token: str
    channel_key: str
    product_code: str
    packaging_line_tag: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _derived(server_key: bytes, purpose: str) -> str:
    return derived_secret(server_key, f"demo:{purpose}")


def seed_demo(session: Session, server_key: bytes, *, with_pool: bool = True) -> DemoCredentials:
    """Seed the demo tenant. ``with_pool=False`` leaves the product's pool empty and without refill (the
    tests count serials exactly from there)."""
    admin_password = f"Demo-{_derived(server_key, 'admin')[:12]}-A1"
    api_key = f"ak_demo{_derived(server_key, 'api-key')[:32]}"
    api_secret = f"Secret-{_derived(server_key, 'api-secret')[:12]}-S1"
    channel_key = f"ch_demo{_derived(server_key, 'channel')[:32]}"

    try:
        tenant = tenant_service.get_by_name(session, DEMO_TENANT)
    except NotFoundError:
        tenant = tenant_service.create(session, DEMO_TENANT)
    tid = tenant.id

    if auth_repository.user_by_email(session, DEMO_ADMIN_EMAIL) is None:
        user_service.create(session, tid, DEMO_ADMIN_EMAIL, admin_password, Role.ADMINISTRATOR, "Demo administrator")

    existing_keys = {k.name: k for k in api_key_service.list_all(session, tid)}
    key_row = existing_keys.get(DEMO_API_KEY_NAME)
    if key_row is None:
        key_row = api_key_service.create(session, server_key, tid, DEMO_API_KEY_NAME, api_secret, key=api_key).api_key
    elif key_row.key_hash != keyed_hash(server_key, api_key):
        # The server key changed since the demo was seeded: re-key, or the printed credentials would fail.
        key_row.key_hash = keyed_hash(server_key, api_key)
        key_row.secret_hash = hash_password(api_secret)
    static = api_key_service.generate_static_token(session, server_key, key_row, token_id=_derived(server_key, "jti"))

    channel = next((c for c in channel_service.list_all(session, tid) if c.name == DEMO_CHANNEL_NAME), None)
    if channel is None:
        channel_service.create(session, server_key, tid, DEMO_CHANNEL_NAME, key=channel_key)
    else:
        channel.key_hash = keyed_hash(server_key, channel_key)

    profiles = {p.market for p in market_service.list_all(session, tid)}
    for market in Market:
        if market.value not in profiles:
            market_service.add(session, tid, market.value)

    if DEMO_COMPANY_PREFIX not in {p.prefix for p in company_prefix_service.list_all(session, tid)}:
        company_prefix_service.register(session, tid, DEMO_COMPANY_PREFIX)
    if DEMO_PRODUCT_CODE not in {v.product.code for v in product_service.list_all(session, tid)}:
        product = product_service.create(
            session,
            tid,
            DEMO_PRODUCT_CODE,
            ProductSettings(
                name="Demo product 10 tablets",
                markets=[m.value for m in Market],
                company_prefix_length=DEMO_COMPANY_PREFIX_LENGTH,
                pool_threshold=DEMO_POOL_THRESHOLD if with_pool else 0,
                pool_refill_size=DEMO_POOL_SIZE if with_pool else 0,
            ),
        )
        if with_pool:
            serial_service.generate_into_pool(session, product.product, DEMO_POOL_SIZE)
    if line_service.find(session, tid, DEMO_LINE_TAG) is None:
        line_service.create(session, tid, DEMO_LINE_TAG, "Demo packaging line 1")

    return DemoCredentials(
        tenant=DEMO_TENANT,
        admin_email=DEMO_ADMIN_EMAIL,
        admin_password=admin_password,
        api_key=api_key,
        api_secret=api_secret,
        static_token=static.token,
        channel_key=channel_key,
        product_code=DEMO_PRODUCT_CODE,
        packaging_line_tag=DEMO_LINE_TAG,
    )
