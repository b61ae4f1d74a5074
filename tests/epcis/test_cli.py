"""``packtrace epcis site | line | export``, on a database of their own."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.cli.conftest import api, cli, database_url, raw_cli
from tests.cli.support import Cli
from tests.epcis.support import check
from tests.packs.support import COMMISSION, commission_body, start_order

__all__ = ["api", "cli", "database_url", "raw_cli"]


def test_site_and_line_locations_go_into_events_and_export_streams_them(cli: Cli, api: TestClient) -> None:
    demo = cli.json("seed-demo")
    headers = {"x-access-token": demo["static_token"], "x-channel-key": demo["channel_key"]}
    site = cli.json(
        "epcis",
        "site",
        "--tenant",
        "demo",
        "--gln",
        "4012345000009",
        "--gln-extension",
        "H2",
        "--offset",
        "-05:00",
        "--json",
    )
    assert site == {"gln": "4012345000009", "gln_extension": "H2", "time_zone_offset": "-05:00"}
    cli.ok("epcis", "line", "--tenant", "demo", "--line", "test-packaging-line-1", "--gln", "4012345000016")
    order = start_order(api, headers)
    response = api.post(COMMISSION, json=commission_body(order.serials[:3], order_id=order.order_id), headers=headers)
    assert response.status_code == 200, response.text
    exported = json.loads(cli.ok("epcis", "export", "--tenant", "demo").stdout)
    (event,) = exported["epcisBody"]["eventList"]
    check([event])
    assert event["bizLocation"]["id"] == "https://id.gs1.org/414/4012345000009/254/H2"
    assert event["readPoint"]["id"] == "https://id.gs1.org/414/4012345000016"
    assert event["eventTimeZoneOffset"] == "-05:00"
    later = json.loads(cli.ok("epcis", "export", "--tenant", "demo", "--since", "2999-01-01T00:00:00Z").stdout)
    assert later["epcisBody"]["eventList"] == []


def test_bad_locations_and_offsets_are_one_line_errors(cli: Cli) -> None:
    cli.json("seed-demo")
    assert "gln" in cli.error("epcis", "site", "--tenant", "demo", "--gln", "4012345000008")
    assert "time_zone_offset" in cli.error("epcis", "site", "--tenant", "demo", "--offset", "+25:00")
    assert "gln_extension" in cli.error("epcis", "site", "--tenant", "demo", "--gln-extension", "X")
    cli.ok("epcis", "site", "--tenant", "demo", "--gln", "4012345000009")
    assert "gln_extension" in cli.error("epcis", "site", "--tenant", "demo", "--gln-extension", "é")
    assert "--since" in cli.error("epcis", "export", "--tenant", "demo", "--since", "soon")


def test_backfill_command_runs_and_a_second_run_writes_nothing(cli: Cli) -> None:
    cli.json("seed-demo")
    written = cli.json("epcis", "backfill", "--tenant", "demo")
    assert written == {"commissioning_events": 0, "aggregation_events": 0, "decommissioning_events": 0}
