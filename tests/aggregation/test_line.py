"""The issue's line, end to end: an order of 120 serials released to the line, 100 packs commissioned, 2
destroyed, 96 aggregated into 8 cases of 12, the cases onto a pallet; then a case moved to another pallet.

Packs are made directly (commissioning is its own feature, tested on its own)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from packtrace.demo import DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import Pack, PackagingOrder, PackEvent
from tests.aggregation.support import add_packs, aggregate, disaggregate, history, item, ok, request_ssccs, snapshot
from tests.support import ORDERS, assert_error, sample_order


def test_a_line_packs_an_order_into_cases_and_onto_pallets(
    client: TestClient, api_headers: dict[str, str], database: Database, demo: DemoCredentials, session: Session
) -> None:
    order = ok(client.post(ORDERS, json=sample_order(quantity=120, extra_percentage=0), headers=api_headers))
    assert order["serial_count"] == 120
    ok(client.patch(f"{ORDERS}/release", json={"order_id": "Order130"}, headers=api_headers))
    params = {"order_id": "Order130", "limit": 1000}
    serials: list[str] = ok(client.get(f"{ORDERS}/serials", params=params, headers=api_headers))["serials"]
    assert len(serials) == 120
    order_pk = session.scalar(select(PackagingOrder.id).where(PackagingOrder.order_id == "Order130"))
    produced = serials[:100]
    add_packs(database, produced, order_pk=order_pk)
    destroyed = produced[:2]
    with database.unit_of_work() as s:
        s.execute(update(Pack).where(Pack.serial.in_(destroyed)).values(status="Decommissioned"))
    packed = produced[2:98]  # 98 good packs; 96 fill the cases, 2 stay loose
    ssccs = request_ssccs(client, api_headers, 10)
    cases, pallet, other_pallet = ssccs[:8], ssccs[8], ssccs[9]

    for number, case in enumerate(cases):
        twelve = packed[number * 12 : (number + 1) * 12]
        added = ok(aggregate(client, api_headers, sscc=case, trade_items=[item(s) for s in twelve]))
        assert (added["trade_items_added"], added["child_count"]) == (12, 12)
    before = snapshot(session)
    refused = aggregate(client, api_headers, sscc=other_pallet, trade_items=[item(s) for s in destroyed])
    assert "pack status Decommissioned" in assert_error(refused, 409, "InvalidStateError", "trade_items")["message"]
    assert snapshot(session) == before
    ok(aggregate(client, api_headers, sscc=pallet, containers=cases))

    found = history(client, api_headers, pallet)
    assert (found["summary"]["child_count"], found["summary"]["pack_count"]) == (8, 96)
    assert [c["sscc"] for c in found["tree"]["children"]] == cases
    assert all(
        (c["child_count"], c["pack_count"], len(c["trade_items"])) == (12, 12, 12) for c in found["tree"]["children"]
    )
    in_tree = {t["serial"] for c in found["tree"]["children"] for t in c["trade_items"]}
    assert in_tree == set(packed)
    assert found["history"][-1]["detail"] == f"0 trade items, 8 containers: {', '.join(cases)}"

    moved = cases[3]
    ok(disaggregate(client, api_headers, sscc=pallet, containers=[moved]))
    ok(aggregate(client, api_headers, sscc=other_pallet, containers=[moved]))
    first = history(client, api_headers, pallet)
    second = history(client, api_headers, other_pallet)
    assert (first["summary"]["child_count"], first["summary"]["pack_count"]) == (7, 84)
    assert moved not in [c["sscc"] for c in first["tree"]["children"]]
    assert [e["event"] for e in first["history"]][-2:] == ["Children added", "Children removed"]
    assert first["history"][-1]["detail"] == f"0 trade items, 1 container: {moved}"
    assert (second["summary"]["child_count"], second["summary"]["pack_count"]) == (1, 12)
    assert [c["sscc"] for c in second["tree"]["children"]] == [moved]
    case_history = history(client, api_headers, moved)
    assert case_history["summary"]["parent"] == other_pallet
    assert [(e["event"], e["detail"]) for e in case_history["history"]][-4:] == [
        ("Children added", "12 trade items, 0 containers"),
        ("Aggregated", f"into container {pallet}"),
        ("Disaggregated", f"from container {pallet}"),
        ("Aggregated", f"into container {other_pallet}"),
    ]
    # The packs never left their case, and each has one Aggregated event.
    session.expire_all()
    events = session.scalars(select(PackEvent.event).join(Pack, Pack.id == PackEvent.pack_id)).all()
    assert events.count("Aggregated") == 96 and "Disaggregated" not in events
