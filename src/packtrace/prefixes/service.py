"""Rules for GS1 company prefixes. Nothing here commits.

GS1 keys are global: a GTIN or an SSCC is unique in the world only when made under a prefix GS1 licensed
to its maker. A tenant registers its own prefixes (products and SSCCs) and, for a contract packer, the
prefixes of the partners it packs for (products only: an SSCC names who ships the container, so it is
always made under the tenant's own prefix)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from packtrace.gs1.gtin import company_prefix_length_is_valid
from packtrace.kit.errors import ConflictError, NotFoundError, ValidationError
from packtrace.models import CompanyPrefix
from packtrace.prefixes import repository

REGISTER_HINT = "register it first (POST /api/company_prefixes or `packtrace prefix add`)"


def check_prefix(field: str, prefix: str) -> str:
    if not (prefix.isascii() and prefix.isdigit() and company_prefix_length_is_valid(len(prefix))):
        raise ValidationError.on_field(field, "must be a GS1 company prefix: 6 to 12 digits 0-9")
    return prefix


class CompanyPrefixService:
    def register(self, session: Session, tenant_id: int, prefix: str, partner: str | None = None) -> CompanyPrefix:
        """``partner``: None for the tenant's own prefix, else the name of the partner who owns it."""
        prefix = check_prefix("prefix", prefix)
        if partner is not None:
            partner = partner.strip()
            if not 1 <= len(partner) <= 255:
                raise ValidationError.on_field("partner", "must be 1-255 characters, not blank (or left out)")
        if repository.by_prefix(session, tenant_id, prefix) is not None:
            raise ConflictError.on_field("prefix", f"GS1 company prefix {prefix} is registered already")
        row = CompanyPrefix(tenant_id=tenant_id, prefix=prefix, partner=partner)
        session.add(row)
        session.flush()
        return row

    def list_all(self, session: Session, tenant_id: int) -> list[CompanyPrefix]:
        return list(repository.all_prefixes(session, tenant_id))

    def remove(self, session: Session, tenant_id: int, prefix: str) -> CompanyPrefix:
        """Refused while products are registered under the prefix; SSCCs already made stay valid."""
        row = repository.by_prefix(session, tenant_id, prefix)
        if row is None:
            raise NotFoundError.on_field("prefix", f"no GS1 company prefix {prefix}")
        products = repository.products_under(session, tenant_id, prefix)
        if products:
            raise ConflictError.on_field("prefix", f"{products:,} products are registered under {prefix}")
        session.delete(row)
        session.flush()
        return row

    def check_product_code(self, session: Session, tenant_id: int, gtin: str, prefix_length: int) -> None:
        """A product is registered only under the tenant's own prefix or a registered partner's: the GTIN's
        company prefix (``prefix_length`` digits after the indicator digit) must be one of them."""
        prefix = gtin[1 : 1 + prefix_length]
        if repository.by_prefix(session, tenant_id, prefix) is None:
            raise ValidationError.on_field(
                "product_code",
                f"GS1 company prefix {prefix} (the first {prefix_length} digits after the indicator digit of "
                f"{gtin}) is not registered for your tenant; {REGISTER_HINT}",
            )

    def check_sscc_prefix(self, session: Session, tenant_id: int, prefix: str) -> None:
        """SSCCs are minted only under the tenant's own prefixes, never a partner's."""
        row = repository.by_prefix(session, tenant_id, prefix)
        if row is None:
            raise ValidationError.on_field(
                "gs1_company_prefix", f"GS1 company prefix {prefix} is not registered for your tenant; {REGISTER_HINT}"
            )
        if row.partner is not None:
            raise ValidationError.on_field(
                "gs1_company_prefix",
                f"GS1 company prefix {prefix} is {row.partner}'s: SSCCs are made only under your own prefixes",
            )


company_prefix_service = CompanyPrefixService()
