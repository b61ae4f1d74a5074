"""The subset of the EPCIS 2.0 SimpleEventQuery PackTrace answers: parameters parsed into one ``Filter``
(pure). A parameter of the standard outside the subset is an ImplementationException (501), anything
else a QueryParameterException (400): the REST binding's own exceptions, not the V2 envelope."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from packtrace.epcis.identifiers import canonical_identifier

PAGING = frozenset({"perPage", "nextPageToken"})
DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
# Every parameter name the standard defines, as names or as families (EQ_ILMD_..., EQ_INNER_..., ...).
_STANDARD_NAMES = frozenset(
    {
        "eventType",
        "orderBy",
        "orderDirection",
        "eventCountLimit",
        "maxEventCount",
        "WD_readPoint",
        "WD_bizLocation",
        "MATCH_epc",
        "MATCH_parentID",
        "MATCH_inputEPC",
        "MATCH_outputEPC",
        "MATCH_anyEPC",
        "MATCH_epcClass",
        "MATCH_inputEPCClass",
        "MATCH_outputEPCClass",
        "MATCH_anyEPCClass",
    }
)
# Families of names whose second part is a field (of the standard or an extension): EQ_ILMD_..., GT_quantity.
_STANDARD_FAMILIES = re.compile(r"^(EQ|GE|GT|LE|LT|EXISTS|HASATTR|EQATTR)_.+")
_BARE_PREFIXES = {
    "EQ_bizStep": ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:"),
    "EQ_disposition": ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:"),
}
EVENT_TYPES = frozenset(
    {"ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"}
)
ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})


class QueryParameterError(Exception):
    """A parameter the standard does not know, or a value it does not allow (400)."""


class NotImplementedQuery(Exception):
    """A parameter of the standard that PackTrace does not answer (501)."""


@dataclass
class Filter:
    event_types: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    biz_steps: list[str] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)
    biz_locations: list[str] = field(default_factory=list)
    # (role letters, EPCs): an event matches if it names one of the EPCs in one of the roles
    epc_matches: list[tuple[str, list[str]]] = field(default_factory=list)
    ge_event_time: datetime | None = None
    lt_event_time: datetime | None = None
    ge_record_time: datetime | None = None
    event_ids: list[str] = field(default_factory=list)


_MATCH_ROLES = {"MATCH_epc": "ec", "MATCH_parentID": "p", "MATCH_anyEPC": "ecp"}


def _values(name: str, raw: str) -> list[str]:
    values = [v for v in raw.split("|") if v]
    if not values:
        raise QueryParameterError(f"{name}: give at least one value")
    return values


def _time(name: str, raw: str) -> datetime:
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise QueryParameterError(f"{name}: {raw!r} is not a date-time (e.g. 2026-12-03T10:00:00Z)") from None
    if at.tzinfo is None:
        raise QueryParameterError(f"{name}: {raw!r} has no time zone (add Z or an offset)")
    return at


def _bare(name: str, value: str) -> str:
    for prefix in _BARE_PREFIXES.get(name, ()):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _checked(name: str, values: list[str], allowed: frozenset[str]) -> list[str]:
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise QueryParameterError(f"{name}: {', '.join(wrong)} not one of {', '.join(sorted(allowed))}")
    return values


def parse(params: Mapping[str, str]) -> Filter:
    """The filter of a query's parameters (paging parameters aside)."""
    found = Filter()
    for name, raw in params.items():
        if name in PAGING:
            continue
        if name == "eventType":
            found.event_types = _checked(name, _values(name, raw), EVENT_TYPES)
        elif name == "EQ_action":
            found.actions = _checked(name, _values(name, raw), ACTIONS)
        elif name == "EQ_bizStep":
            found.biz_steps = [_bare(name, v) for v in _values(name, raw)]
        elif name == "EQ_disposition":
            found.dispositions = [_bare(name, v) for v in _values(name, raw)]
        elif name == "EQ_bizLocation":
            found.biz_locations = [canonical_identifier(v) for v in _values(name, raw)]
        elif name in _MATCH_ROLES:
            found.epc_matches.append((_MATCH_ROLES[name], [canonical_identifier(v) for v in _values(name, raw)]))
        elif name == "GE_eventTime":
            found.ge_event_time = _time(name, raw)
        elif name == "LT_eventTime":
            found.lt_event_time = _time(name, raw)
        elif name == "GE_recordTime":
            found.ge_record_time = _time(name, raw)
        elif name == "EQ_eventID":
            found.event_ids = _values(name, raw)
        elif name in _STANDARD_NAMES or _STANDARD_FAMILIES.match(name):
            raise NotImplementedQuery(f"{name} is a query parameter of the standard this repository does not answer")
        else:
            raise QueryParameterError(f"{name} is not a query parameter of EPCIS 2.0")
    return found


def per_page(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PER_PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise QueryParameterError(f"perPage: a whole number from 1 to {MAX_PER_PAGE}, got {raw!r}")
    return int(raw)


def encode_token(after_pk: int) -> str:
    """The nextPageToken: where the next page starts (events are paged in the order they were stored)."""
    return base64.urlsafe_b64encode(f"after:{after_pk}".encode()).decode().rstrip("=")


def decode_token(token: str | None) -> int:
    if token is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind == "after" and value.isdigit():
            return int(value)
    except (ValueError, UnicodeDecodeError):
        pass
    raise QueryParameterError("nextPageToken: not a token this repository gave")
