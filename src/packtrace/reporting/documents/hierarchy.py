"""The aggregation hierarchy and per-pack codes of a batch, as the CHN and IDN batch reports carry it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from packtrace.reporting.documents.model import Node, element_string


def node_items(nodes: Iterable[Node]) -> Iterator[object]:
    """Each container, parents before children: its SSCC, its parent's, and its child codes (SSCCs as
    (00) element strings, packs as (01)(21))."""
    for node in nodes:
        children = [f"(00){sscc}" for sscc in node.child_ssccs]
        children += [element_string(code, serial) for code, serial in node.packs]
        yield {
            "code": f"(00){node.sscc}",
            "parent": f"(00){node.parent}" if node.parent else None,
            "children": children,
        }


def pack_items(product_code: str, packs: Iterable[tuple[str, str | None]]) -> Iterator[object]:
    """Each pack of the batch: (serial, SSCC of its container or None)."""
    for serial, sscc in packs:
        yield {
            "code": element_string(product_code, serial),
            "serial": serial,
            "parent": f"(00){sscc}" if sscc else None,
        }
