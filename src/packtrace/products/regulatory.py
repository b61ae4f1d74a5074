"""A product's regulatory master data: what the markets' reports say about it (the EU Hub's master data,
DSCSA's EPCIS master data, BPOM's registration number). Every field is optional; a market's report
carries what it needs of them.

Values come as a mapping of the fields a caller set: text ``""`` clears a field, ``pack_size`` 0 clears
it, an empty ``target_markets`` list clears it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from packtrace.kit.errors import ValidationError
from packtrace.models import Product

TEXT_FIELDS: dict[str, int] = {
    "common_name": 255,
    "pharmaceutical_form": 100,
    "dosage_form": 100,
    "strength": 100,
    "pack_type": 100,
    "mah_name": 255,
    "mah_id": 64,
    "nie": 64,
}
FIELDS = (*TEXT_FIELDS, "pack_size", "target_markets", "ndc")
MAX_PACK_SIZE = 1_000_000
MAX_TARGET_MARKETS = 60

# The NDC's three segments (labeler-product-package): the FDA's 10-digit forms and the 11-digit 5-4-2.
_NDC_FORMS = re.compile(r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d|\d{5}-\d{4}-\d{2})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def ndc_ten_digit_forms(ndc: str) -> set[str]:
    """The 10-digit NDCs an NDC stands for: itself unhyphenated, or for a 5-4-2 NDC each 10-digit form
    whose zero-padding gives it (a leading 0 of labeler, product or package)."""
    labeler, product, package = ndc.split("-")
    digits = labeler + product + package
    if len(digits) == 10:
        return {digits}
    forms = set()
    if labeler.startswith("0"):
        forms.add(labeler[1:] + product + package)
    if product.startswith("0"):
        forms.add(labeler + product[1:] + package)
    if package.startswith("0"):
        forms.add(labeler + product + package[1:])
    return forms


def ndc_in_gtin(gtin14: str) -> str | None:
    """The 10-digit NDC a GTIN-14 carries when it was derived from one (GS1 US: a GTIN-12 starting with 3,
    i.e. ``x03`` + NDC + check digit); None for other GTINs."""
    return gtin14[3:13] if gtin14[1:3] == "03" else None


def check_ndc(ndc: str, gtin14: str) -> str:
    ndc = ndc.strip()
    if not _NDC_FORMS.match(ndc):
        raise ValidationError.on_field(
            "ndc", "must be an NDC of 10 or 11 digits in the form 4-4-2, 5-3-2, 5-4-1 or 5-4-2 (e.g. 12345-678-90)"
        )
    derived = ndc_in_gtin(gtin14)
    forms = ndc_ten_digit_forms(ndc)
    if derived is not None and derived not in forms:
        raise ValidationError.on_field(
            "ndc", f"the product code {gtin14} is derived from NDC {derived}; {ndc} is another NDC"
        )
    if not forms:
        raise ValidationError.on_field("ndc", f"{ndc} has no 10-digit form (a 5-4-2 NDC pads one segment with 0)")
    return ndc


def _check_text(field_name: str, value: object) -> str | None:
    if not isinstance(value, str):
        raise ValidationError.on_field(field_name, "must be text")
    value = value.strip()
    if not value:
        return None
    limit = TEXT_FIELDS[field_name]
    if len(value) > limit:
        raise ValidationError.on_field(field_name, f"must be at most {limit} characters")
    if _CONTROL.search(value):
        raise ValidationError.on_field(field_name, "must not contain control characters")
    return value


def _check_pack_size(value: object) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError.on_field("pack_size", "must be a whole number")
    if value == 0:
        return None
    if not 1 <= value <= MAX_PACK_SIZE:
        raise ValidationError.on_field("pack_size", f"must be 1 to {MAX_PACK_SIZE:,} (0 clears it)")
    return value


def _check_target_markets(value: object) -> str | None:
    if not isinstance(value, list | tuple):
        raise ValidationError.on_field("target_markets", "must be a list of ISO 3166 country codes")
    codes: list[str] = []
    for code in value:
        if not isinstance(code, str) or not _COUNTRY.match(code.strip().upper()):
            raise ValidationError.on_field("target_markets", f"{code!r} is not an ISO 3166 alpha-2 country code")
        if code.strip().upper() not in codes:
            codes.append(code.strip().upper())
    if len(codes) > MAX_TARGET_MARKETS:
        raise ValidationError.on_field("target_markets", f"at most {MAX_TARGET_MARKETS} countries")
    return ",".join(sorted(codes)) or None


def apply(product: Product, values: Mapping[str, object]) -> None:
    """Check and set the regulatory fields present in ``values`` (None: left as it is)."""
    for name, value in values.items():
        if value is None:
            continue
        if name in TEXT_FIELDS:
            setattr(product, name, _check_text(name, value))
        elif name == "pack_size":
            product.pack_size = _check_pack_size(value)
        elif name == "target_markets":
            product.target_markets = _check_target_markets(value)
        elif name == "ndc":
            text = _check_text_any("ndc", value)
            product.ndc = check_ndc(text, product.code) if text else None
        else:
            raise ValidationError.on_field(name, "is not a regulatory field")


def _check_text_any(field_name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError.on_field(field_name, "must be text")
    return value.strip()


def target_markets(product: Product) -> list[str]:
    return product.target_markets.split(",") if product.target_markets else []


def values_of(product: Product) -> dict[str, object]:
    """The regulatory fields as the API shows them (and the audit trail records them)."""
    values: dict[str, object] = {name: getattr(product, name) for name in TEXT_FIELDS}
    values["pack_size"] = product.pack_size
    values["target_markets"] = target_markets(product)
    values["ndc"] = product.ndc
    return values


def from_text(assignments: list[str]) -> dict[str, object]:
    """``NAME=VALUE`` texts (the CLI's ``--field``, a form's inputs) as values for ``apply``: pack_size a
    number, target_markets comma-separated country codes; an empty value clears the field."""
    values: dict[str, object] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or name not in FIELDS:
            raise ValidationError.on_field(
                "field", f"{assignment!r}: expected NAME=VALUE with NAME one of {', '.join(FIELDS)}"
            )
        if name == "pack_size":
            if text.strip() and not text.strip().isdigit():
                raise ValidationError.on_field("pack_size", "must be a whole number")
            values[name] = int(text.strip() or 0)
        elif name == "target_markets":
            values[name] = [c.strip().upper() for c in text.split(",") if c.strip()]
        else:
            values[name] = text
    return values
