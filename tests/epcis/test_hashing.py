"""The CBV 2.0 event hash: the standard's test vectors, and the reference implementation on events we
build (odd serials, offsets, ILMD, locations)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from packtrace.epcis import identifiers as ids
from packtrace.epcis.events import Where, aggregation_event, document, lot_ilmd, object_event
from packtrace.epcis.hashing import canonical_time, context_namespaces, event_hash
from tests.epcis.support import reference_hashes
from tests.support import standards

# What our hash does not cover: we never write these (sensor data, certificationInfo, on which
# implementations disagree, comments) nor identifiers other than SGTIN, SSCC, SGLN, PGLN and LGTIN.
UNCOVERED = (
    "sensorElementList",
    "certificationInfo",
    "rdfs:comment",
    "urn:epc:id:gdti",
    "urn:epc:id:giai",
    "urn:epc:id:cpi",
    "example.com/gtin",
    "example:captureID",
    "TransformationEvent",
)


def _vector_events() -> list[tuple[str, dict[str, object], dict[str, str], str]]:
    cases = []
    for path in sorted(standards("epcis", "hash-vectors").glob("*.jsonld")):
        hashes_file = path.with_suffix(".hashes")
        if not hashes_file.exists():
            continue
        doc = json.loads(path.read_text())
        namespaces = context_namespaces(doc.get("@context"))
        events = doc.get("epcisBody", {}).get("eventList", [])
        for index, (event, expected) in enumerate(zip(events, hashes_file.read_text().split(), strict=False)):
            if event["type"] in ("ObjectEvent", "AggregationEvent") and not any(
                word in json.dumps(event) for word in UNCOVERED
            ):
                cases.append((f"{path.name}#{index}", event, namespaces, expected))
    return cases


def test_every_covered_vector_hashes_as_the_standard_says() -> None:
    cases = _vector_events()
    assert len(cases) >= 23  # ObjectEvents and AggregationEvents of 14 documents
    assert sum(event["type"] == "AggregationEvent" for _, event, _, _ in cases) >= 3
    wrong = [name for name, event, namespaces, expected in cases if event_hash(event, namespaces) != expected]
    assert wrong == []


def test_time_stamps_are_rounded_to_the_millisecond_in_utc() -> None:
    assert canonical_time("2023-02-12T12:04:03.1416+01:00") == "2023-02-12T11:04:03.142Z"
    assert canonical_time("2023-02-12T23:59:59.9996Z") == "2023-02-13T00:00:00.000Z"
    assert canonical_time("2023-02-12T10:00:00-06:30") == "2023-02-12T16:30:00.000Z"


@pytest.mark.parametrize("offset", ["+00:00", "+05:30", "-08:00"])
def test_our_events_hash_as_the_reference_implementation(offset: str) -> None:
    at = datetime(2026, 12, 3, 23, 59, 59, 999_999, tzinfo=UTC)
    where = Where(offset, ids.location("4012345000009", "A/1"), ids.location("4012345000016", None))
    serials = [f"S{i:04}" for i in range(995)] + ["a/b", "50%", "(x)", "'q'", "&=+"]
    events = [
        object_event(
            at,
            where,
            [ids.sgtin("01234512345901", s) for s in serials],
            "ADD",
            "commissioning",
            "active",
            lot_ilmd("LOT/7", "271200", at),
        ),
        aggregation_event(
            at,
            Where(offset),
            ids.sscc("301234510000000011"),
            [ids.sgtin("01234512345901", "a/b")],
            "ADD",
            "packing",
            "in_progress",
        ),
        object_event(
            at, Where(offset), [ids.sgtin("01234512345901", "S0001")], "OBSERVE", "sampling", "non_sellable_other"
        ),
    ]
    assert [event_hash(e) for e in events] == reference_hashes(document(events, at))


def test_the_expiry_day_00_is_the_last_day_of_the_month() -> None:
    at = datetime(2026, 12, 3, tzinfo=UTC)
    assert lot_ilmd("B", "280200", at) == {"cbvmda:lotNumber": "B", "cbvmda:itemExpirationDate": "2028-02-29"}
