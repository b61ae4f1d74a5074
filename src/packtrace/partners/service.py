"""Rules for trading partners. Nothing here commits.

A location is accepted in one form only, the GS1 Digital Link URI of an SGLN
(``https://id.gs1.org/414/{gln}[/254/{extension}]``): the form EPCIS 2.0 events name it by, so what an
operator types is what the shipping event carries. GLN and extension are stored apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from packtrace.audit.facts import Json, publish_change
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gln import parse_sgln, sgln_uri, validate_gln
from packtrace.kit.errors import ConflictError, Detail, NotFoundError, ValidationError
from packtrace.kit.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor
from packtrace.models import PartnerLocation, TradingPartner
from packtrace.partners import repository


@dataclass(frozen=True)
class LocationInput:
    sgln: str
    name: str
    address: str = ""


@dataclass(frozen=True)
class PartnerView:
    partner: TradingPartner
    locations: list[PartnerLocation]


def location_uri(location: PartnerLocation) -> str:
    return sgln_uri(location.gln, location.extension or None)


def check_gln(field: str, gln: str) -> str:
    try:
        return validate_gln(gln.strip())
    except GS1Error as error:
        raise ValidationError.on_field(field, str(error)) from None


def parse_location(field: str, sgln: str) -> tuple[str, str]:
    """(GLN, extension; "" for none) of an SGLN URI."""
    try:
        gln, extension = parse_sgln(sgln.strip())
    except GS1Error as error:
        raise ValidationError.on_field(field, str(error)) from None
    return gln, extension or ""


def _snapshot(view: PartnerView) -> dict[str, Json]:
    partner = view.partner
    locations: list[Json] = [
        {"sgln": location_uri(loc), "name": loc.name, "address": loc.address} for loc in view.locations
    ]
    return {
        "name": partner.name,
        "gln": partner.gln,
        "us_state_license": partner.us_state_license,
        "locations": locations,
    }


def _checked_locations(locations: Sequence[LocationInput]) -> dict[tuple[str, str], LocationInput]:
    found: dict[tuple[str, str], LocationInput] = {}
    details: list[Detail] = []
    for index, location in enumerate(locations):
        field = f"locations[{index}].sgln"
        try:
            key = parse_location(field, location.sgln)
        except ValidationError as error:
            details.extend(error.details)
            continue
        if key in found:
            details.append(Detail(field, f"{location.sgln} is listed more than once"))
        if not location.name.strip():
            details.append(Detail(f"locations[{index}].name", "must not be blank"))
        found[key] = location
    if details:
        raise ValidationError("Locations refused: " + "; ".join(d.message for d in details), details)
    return found


def _name(field: str, name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 255:
        raise ValidationError.on_field(field, "must be 1-255 characters, not blank")
    return name


class PartnerService:
    def create(
        self,
        session: Session,
        tenant_id: int,
        *,
        name: str,
        gln: str,
        locations: Sequence[LocationInput],
        us_state_license: str | None,
        reason: str | None = None,
    ) -> PartnerView:
        name, gln = _name("name", name), check_gln("gln", gln)
        wanted = _checked_locations(locations)
        if repository.by_gln(session, tenant_id, gln) is not None:
            raise ConflictError.on_field("gln", f"a trading partner with GLN {gln} exists already")
        self._check_free(session, tenant_id, wanted, None)
        partner = TradingPartner(
            tenant_id=tenant_id, name=name, gln=gln, us_state_license=(us_state_license or "").strip() or None
        )
        session.add(partner)
        session.flush()
        rows = self._add_locations(session, partner, wanted)
        view = PartnerView(partner, rows)
        publish_change(session, tenant_id, "partner", gln, "created", None, _snapshot(view), reason=reason)
        return view

    def update(
        self,
        session: Session,
        tenant_id: int,
        gln: str,
        *,
        name: str | None,
        locations: Sequence[LocationInput] | None,
        us_state_license: str | None,
        reason: str | None = None,
    ) -> PartnerView:
        partner = self._get(session, tenant_id, gln, lock=True)
        before_view = self._view(session, partner)
        before = _snapshot(before_view)
        if name is not None:
            partner.name = _name("name", name)
        if us_state_license is not None:
            partner.us_state_license = us_state_license.strip() or None
        rows = before_view.locations
        if locations is not None:
            wanted = _checked_locations(locations)
            current = {(row.gln, row.extension): row for row in rows}
            dropped = [row for key, row in current.items() if key not in wanted]
            if dropped and repository.shipments_naming(session, tenant_id, -1, [row.id for row in dropped]):
                shown = ", ".join(location_uri(row) for row in dropped)
                raise ConflictError.on_field("locations", f"shipments went to {shown}: it cannot be dropped")
            for row in dropped:
                session.delete(row)
            session.flush()
            self._check_free(session, tenant_id, {k: v for k, v in wanted.items() if k not in current}, partner.id)
            for key, location in wanted.items():
                if key in current:
                    current[key].name, current[key].address = location.name.strip(), location.address.strip()
            self._add_locations(session, partner, {k: v for k, v in wanted.items() if k not in current})
            rows = repository.locations_of(session, tenant_id, [partner.id])[partner.id]
        session.flush()
        view = PartnerView(partner, rows)
        publish_change(session, tenant_id, "partner", partner.gln, "changed", before, _snapshot(view), reason=reason)
        return view

    def remove(self, session: Session, tenant_id: int, gln: str, reason: str | None = None) -> PartnerView:
        """Refused once a shipment names the partner or one of its locations."""
        partner = self._get(session, tenant_id, gln, lock=True)
        view = self._view(session, partner)
        used = repository.shipments_naming(session, tenant_id, partner.id, [row.id for row in view.locations])
        if used:
            raise ConflictError.on_field(
                "gln", f"{used} shipment(s) name trading partner {partner.gln}: it cannot be deleted"
            )
        before = _snapshot(view)
        for row in view.locations:
            session.delete(row)
        session.delete(partner)
        session.flush()
        publish_change(session, tenant_id, "partner", partner.gln, "deleted", before, None, reason=reason)
        return view

    def view(self, session: Session, tenant_id: int, gln: str) -> PartnerView:
        return self._view(session, self._get(session, tenant_id, gln))

    def page(
        self, session: Session, tenant_id: int, limit: int, cursor: str | None
    ) -> tuple[list[PartnerView], str | None]:
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationError.on_field("limit", f"must be 1 to {MAX_PAGE_SIZE}")
        rows = list(repository.page(session, tenant_id, decode_cursor(cursor), limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        locations = repository.locations_of(session, tenant_id, [row.id for row in rows])
        views = [PartnerView(row, locations[row.id]) for row in rows]
        return views, encode_cursor(rows[-1].id) if more else None

    def location(
        self, session: Session, tenant_id: int, field: str, sgln: str
    ) -> tuple[TradingPartner, PartnerLocation]:
        """The registered partner location an SGLN URI names (a shipment's ship-to)."""
        gln, extension = parse_location(field, sgln)
        row = repository.location(session, tenant_id, gln, extension)
        if row is None:
            raise ValidationError.on_field(field, f"{sgln} is not a location of a registered trading partner")
        partner = repository.partner_by_id(session, tenant_id, row.partner_id)
        assert partner is not None  # locations go with their partner
        return partner, row

    def party(
        self, session: Session, tenant_id: int, field: str, value: str
    ) -> tuple[TradingPartner, PartnerLocation | None]:
        """A partner named by its GLN, or one of its locations by its SGLN URI (a shipment's sold-to)."""
        if value.strip().isdigit():
            partner = repository.by_gln(session, tenant_id, check_gln(field, value))
            if partner is None:
                raise ValidationError.on_field(field, f"{value.strip()} is not the GLN of a registered trading partner")
            return partner, None
        return self.location(session, tenant_id, field, value)

    def _get(self, session: Session, tenant_id: int, gln: str, *, lock: bool = False) -> TradingPartner:
        partner = repository.by_gln(session, tenant_id, gln.strip(), lock=lock)
        if partner is None:
            raise NotFoundError.on_field("gln", f"no trading partner with GLN {gln}")
        return partner

    def _view(self, session: Session, partner: TradingPartner) -> PartnerView:
        return PartnerView(partner, repository.locations_of(session, partner.tenant_id, [partner.id])[partner.id])

    def _check_free(
        self, session: Session, tenant_id: int, wanted: dict[tuple[str, str], LocationInput], partner_id: int | None
    ) -> None:
        for (gln, extension), location in wanted.items():
            row = repository.location(session, tenant_id, gln, extension)
            if row is not None and row.partner_id != partner_id:
                raise ConflictError.on_field("locations", f"{location.sgln} is another partner's location already")

    def _add_locations(
        self, session: Session, partner: TradingPartner, wanted: dict[tuple[str, str], LocationInput]
    ) -> list[PartnerLocation]:
        rows = [
            PartnerLocation(
                tenant_id=partner.tenant_id,
                partner_id=partner.id,
                gln=gln,
                extension=extension,
                name=location.name.strip(),
                address=location.address.strip(),
            )
            for (gln, extension), location in wanted.items()
        ]
        session.add_all(rows)
        session.flush()
        return rows


partner_service = PartnerService()
