"""``packtrace partners`` and ``packtrace batches``, on a database of their own."""

from __future__ import annotations

import json
import re
import shlex

from fastapi.testclient import TestClient

from packtrace.demo import DEMO_PRODUCT_CODE
from tests.cli.support import Cli
from tests.packs.support import COMMISSION, commission_body
from tests.shipments.support import DOCK, PARTNER_GLN, STORE
from tests.test_readme_commands import commands, section, shell_blocks


def test_partners_round_trip(cli: Cli) -> None:
    cli.tenant("acme")
    added = cli.json(
        "partners", "add", "--tenant", "acme", PARTNER_GLN, "--name", "Wholesale",
        "--location", f"{DOCK};Dock 1;Hafenstr. 1, Hamburg", "--location", f"{STORE};Store",
        "--us-state-license", "NY-1",
    )  # fmt: skip
    assert added["locations"] == [
        {"sgln": DOCK, "name": "Dock 1", "address": "Hafenstr. 1, Hamburg"},
        {"sgln": STORE, "name": "Store", "address": ""},
    ]
    assert [p["gln"] for p in cli.json("partners", "list", "--tenant", "acme")] == [PARTNER_GLN]
    assert "Wholesale" in cli.ok("partners", "list", "--tenant", "acme").stdout
    assert cli.json("partners", "show", "--tenant", "acme", PARTNER_GLN)["us_state_license"] == "NY-1"
    assert "check digit" in cli.error("partners", "add", "--tenant", "acme", "4012345000008", "--name", "X")
    assert "SGLN;name" in cli.error(
        "partners", "add", "--tenant", "acme", "9520000000011", "--name", "X", "--location", DOCK
    )
    assert cli.json("partners", "remove", "--tenant", "acme", PARTNER_GLN) == {"gln": PARTNER_GLN, "removed": True}
    assert cli.json("partners", "list", "--tenant", "acme") == []


def test_batches_recall(cli: Cli, api: TestClient) -> None:
    demo = cli.json("seed-demo")
    headers = {"x-access-token": demo["static_token"], "x-channel-key": demo["channel_key"]}
    assert api.post(COMMISSION, json=commission_body(["EXT1"]), headers=headers).status_code == 200
    recalled = cli.json(
        "batches",
        "recall",
        "--tenant",
        "demo",
        DEMO_PRODUCT_CODE,
        "BATCH111",
        "--kind",
        "withdrawal",
        "--reason",
        "label error",
    )
    assert (recalled["kind"], recalled["reason"]) == ("withdrawal", "label error")
    assert "irreversible" in cli.error(
        "batches", "recall", "--tenant", "demo", DEMO_PRODUCT_CODE, "BATCH111", "--reason", "x"
    )
    assert [r["batch"] for r in cli.json("batches", "recalls", "--tenant", "demo")] == ["BATCH111"]


def test_the_readme_commands_of_shipping_and_recalls_run(cli: Cli, api: TestClient) -> None:
    demo = cli.json("seed-demo")
    headers = {"x-access-token": demo["static_token"], "x-channel-key": demo["channel_key"]}
    assert api.post(COMMISSION, json=commission_body(["EXT1"]), headers=headers).status_code == 200
    text = section("Shipping, trading partners and recalls")
    (block,) = shell_blocks(text)
    for command in commands(block):
        program, *args = shlex.split(command)
        assert program == "packtrace", command
        cli.ok(*args)
    bodies = re.findall(r"-d '(.*?)'", text, re.S)
    assert len(bodies) == 2 and all(json.loads(body) for body in bodies)
