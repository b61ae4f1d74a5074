"""Hierarchies as the pages draw them: containers and packs as nested nodes, each open or closed, and
a long list of packs cut to its first ones (a pallet of 100,000 packs is not one page of HTML). The
pages render them as ``<details>`` elements, which expand without script."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from packtrace.admin import pool_queries
from packtrace.aggregation.service import TreeNode, aggregation_service
from packtrace.packs.history import SerialHistory, serial_history
from packtrace.packs.repository import ChildPack

# Packs listed per container or pack; the rest are counted. The pack a page is about is always listed.
SHOWN_PACKS = 50
# Packs inside packs inside packs ...: the walk up stops here, should the data ever hold a loop.
_MAX_PACK_DEPTH = 50


def element_string(product_code: str, serial: str) -> str:
    return f"(01){product_code}(21){serial}"


@dataclass
class PackNode:
    product_code: str
    serial: str
    status: str
    child_count: int  # packs directly inside it
    children: list[PackNode] | None = None  # None: not read (the node links to the pack's own history)
    hidden: int = 0  # children not listed
    target: bool = False  # the pack the page is about

    @property
    def label(self) -> str:
        return element_string(self.product_code, self.serial)

    @property
    def key(self) -> tuple[str, str]:
        return (self.product_code, self.serial)


@dataclass
class ContainerNode:
    sscc: str
    status: str
    child_count: int
    pack_count: int
    open: bool  # on the way to the pack a page is about, or the SSCC a page is about
    children: list[ContainerNode] = field(default_factory=list)
    packs: list[PackNode] = field(default_factory=list)
    hidden: int = 0


@dataclass(frozen=True)
class Hierarchy:
    """Where a pack sits: the tree of its top container (None when it is in none) with the containers
    on the way to it open, and the top pack on the way (the pack itself when it is in no pack)."""

    container: ContainerNode | None
    pack: PackNode

    @property
    def is_single(self) -> bool:
        return self.container is None and self.pack.target and not self.pack.children


def _listed(packs: list[PackNode], keep: PackNode | None) -> tuple[list[PackNode], int]:
    """The first ``SHOWN_PACKS`` packs, with ``keep`` in its place among them, and how many are left out."""
    if keep is not None:
        packs = [keep if p.key == keep.key else p for p in packs]
    shown = packs[:SHOWN_PACKS]
    if keep is not None and keep not in shown:
        shown.append(keep)
    return shown, len(packs) - len(shown)


def container_view(node: TreeNode, open_ssccs: set[str], path_pack: PackNode | None = None) -> ContainerNode:
    """The service's tree as nodes: those named in ``open_ssccs`` open; ``path_pack`` replaces its own
    entry wherever it lies."""
    packs = [PackNode(i.product_code, i.serial, i.pack_status, i.child_count) for i in node.trade_items]
    keep = path_pack if path_pack is not None and any(p.key == path_pack.key for p in packs) else None
    shown, hidden = _listed(packs, keep)
    return ContainerNode(
        sscc=node.sscc,
        status=node.status,
        child_count=node.child_count,
        pack_count=node.pack_count,
        open=node.sscc in open_ssccs,
        children=[container_view(child, open_ssccs, path_pack) for child in node.children],
        packs=shown,
        hidden=hidden,
    )


def _children(children: list[ChildPack], keep: PackNode | None) -> tuple[list[PackNode], int]:
    return _listed([PackNode(c.product_code, c.serial, c.status, c.child_count) for c in children], keep)


def hierarchy(session: Session, tenant_id: int, found: SerialHistory) -> Hierarchy:
    """Up from the pack through the packs it is in to the container, if any, and that container's
    hierarchy from its top; down from the pack, the packs directly inside it."""
    inside, hidden = _children(found.children, None)
    node = PackNode(
        found.product_code, found.serial, found.pack_status, len(found.children), inside, hidden, target=True
    )
    parent = found.parent
    for _ in range(_MAX_PACK_DEPTH):
        if parent is None or parent.type != "pack" or parent.product_code is None or parent.serial is None:
            break
        above = serial_history(session, tenant_id, parent.product_code, parent.serial)
        inside, hidden = _children(above.children, node)
        node = PackNode(above.product_code, above.serial, above.pack_status, len(above.children), inside, hidden)
        parent = above.parent
    if parent is None or parent.sscc is None:
        return Hierarchy(None, node)
    path = pool_queries.container_path(session, tenant_id, parent.sscc)
    top = aggregation_service.history(session, tenant_id, path[0]).tree
    return Hierarchy(container_view(top, set(path), node), node)
