"""``epcis``: where the site's events happen (GLN, line GLN, time-zone offset), and the event log
exported for an archive."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import USER_ERROR, fail
from packtrace.cli.output import JsonOption, print_message
from packtrace.epcis import query
from packtrace.epcis.backfill import backfill
from packtrace.epcis.events import document
from packtrace.epcis.service import epcis_service
from packtrace.lines.service import line_service, site_service

epcis_app = typer.Typer(help="EPCIS 2.0: where events happen, and the event log exported.", no_args_is_help=True)

GlnOption = Annotated[
    str | None, typer.Option("--gln", help="13-digit GLN; an empty value removes it.", show_default=False)
]
ExtensionOption = Annotated[
    str | None, typer.Option("--gln-extension", help="GLN extension (AI 254), e.g. a hall.", show_default=False)
]
_EXPORT_PAGE = 1000


@epcis_app.command("site")
def site(
    tenant: TenantOption,
    gln: GlnOption = None,
    gln_extension: ExtensionOption = None,
    offset: Annotated[
        str | None, typer.Option("--offset", help="The site's offset from UTC, +HH:MM or -HH:MM.", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set the site's GLN (+ extension), the bizLocation of its events, and its time-zone offset."""
    with unit_of_work(load_settings()) as session:
        done = site_service.set_site(session, tenant_named(session, tenant), gln, gln_extension, offset)
        row = {"gln": done.gln, "gln_extension": done.gln_extension, "time_zone_offset": done.time_zone_offset}
    where = f"GLN {row['gln']}" + (f" extension {row['gln_extension']}" if row["gln_extension"] else "")
    print_message(
        f"Site of {tenant}: {where if row['gln'] else 'no GLN'}, offset {row['time_zone_offset']}.", as_json, row
    )


@epcis_app.command("line")
def line(
    tenant: TenantOption,
    tag: Annotated[str, typer.Option("--line", "-l", help="The packaging line's tag.", show_default=False)],
    gln: Annotated[str, typer.Option("--gln", help="13-digit GLN; empty removes it.", show_default=False)],
    gln_extension: ExtensionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set a packaging line's GLN (+ extension), the readPoint of the events of what it produces."""
    with unit_of_work(load_settings()) as session:
        found = line_service.get(session, tenant_named(session, tenant).id, tag)
        line_service.set_location(session, found, gln, gln_extension)
        row = {"line": tag, "gln": found.gln, "gln_extension": found.gln_extension}
    print_message(f"Line {tag}: GLN {row['gln'] or '(none)'}.", as_json, row)


@epcis_app.command("export")
def export(
    tenant: TenantOption,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events recorded from this ISO date-time.", show_default=False)
    ] = None,
) -> None:
    """Stream the tenant's events, in the order stored, as one EPCISDocument (JSON-LD) on stdout."""
    try:
        found = query.parse({"GE_recordTime": since} if since else {})
    except query.QueryParameterError as error:
        fail(str(error).replace("GE_recordTime", "--since"), USER_ERROR)
    head = json.dumps(document([], datetime.now(UTC)))
    opening, closing = head.rsplit("[]", 1)  # the empty eventList: events are written in between
    out = sys.stdout
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        out.write(opening + "[")
        after, first = 0, True
        while True:
            page = epcis_service.page(session, tenant_id, found, after, _EXPORT_PAGE)
            for event in page.events:
                out.write(("" if first else ",") + "\n" + json.dumps(event))
                first = False
            if page.next_after is None:
                break
            after = page.next_after
        out.write("\n]" + closing + "\n")


@epcis_app.command("backfill")
def backfill_cmd(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """Write, once and at their original times, the events of commissioning, aggregation (packing and
    unpacking) and decommissioning recorded before the event log existed. A second run writes nothing."""
    with unit_of_work(load_settings()) as session:
        done = backfill(session, tenant_named(session, tenant).id)
        row = {
            "commissioning_events": done.commissioning,
            "aggregation_events": done.aggregation,
            "decommissioning_events": done.decommissioning,
        }
    message = (
        f"{done.commissioning:,} commissioning, {done.aggregation:,} aggregation and {done.decommissioning:,}"
        " decommissioning events written."
    )
    print_message(message, as_json, row)
