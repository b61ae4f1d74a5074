"""What the aggregation feature publishes (``kit.facts``): children put into or taken out of a container
(SSCC) or a pack. Children are named by id, as the service holds them (an emptied container's children
are only known by the ids the update returned); subscribers read the identifiers they need, unless the
fact carries the packs' (product code, serial) already."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from packtrace.kit.facts import Fact


@dataclass(frozen=True)
class ChildrenMoved(Fact):
    """Packs and containers put into (``added``) or taken out of a parent: the SSCC ``parent_sscc``
    or the pack ``parent_pack`` (product code, serial)."""

    tenant_id: int
    parent_sscc: str | None
    parent_pack: tuple[str, str] | None
    pack_ids: tuple[int, ...]
    container_ids: tuple[int, ...]
    added: bool
    at: datetime
    # (product code, serial) of each of ``pack_ids``, in id order, when the publisher has them at hand.
    pack_keys: tuple[tuple[str, str], ...] | None = None
