"""Indonesia (BPOM): the batch report with the aggregation hierarchy and the product's registration
number (NIE), described by ``reporting/schemas/idn-batch.schema.json``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from packtrace.reporting.documents.hierarchy import node_items, pack_items
from packtrace.reporting.documents.model import (
    Header,
    Node,
    ProductData,
    encode,
    expiry_iso,
    header_fields,
    json_array,
    open_object,
    product_fields,
)

MEDIA_TYPE = "application/json"


def batch_report(
    header: Header,
    product: ProductData,
    batch: str,
    expiry: str,
    packs: Iterable[tuple[str, str | None]],
    nodes: Iterable[Node],
) -> bytes:
    product_part = product_fields(product, "name", "nie", "strength", "pharmaceutical_form", "pack_size")
    product_part.setdefault("nie", None)  # BPOM needs it: an unregistered product shows null, not nothing
    fields = header_fields("idn-batch.schema.json", header) | {
        "report": "idn.batch",
        "product": product_part,
        "batch": {"id": batch, "expiry": expiry, "expiry_date": expiry_iso(expiry)},
    }

    def chunks() -> Iterator[str]:
        yield open_object(fields) + ',"packs":'
        yield from json_array(pack_items(product.code, packs))
        yield ',"hierarchy":'
        yield from json_array(node_items(nodes))
        yield "}"

    return encode(chunks())
