"""China: the batch report with every pack's code and the full aggregation hierarchy (parent -> child
codes), described by ``reporting/schemas/chn-batch.schema.json``."""

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
    fields = header_fields("chn-batch.schema.json", header) | {
        "report": "chn.batch",
        "product": product_fields(product, "name", "common_name", "dosage_form", "strength", "pack_size"),
        "batch": {"id": batch, "expiry": expiry, "expiry_date": expiry_iso(expiry)},
    }

    def chunks() -> Iterator[str]:
        yield open_object(fields) + ',"packs":'
        yield from json_array(pack_items(product.code, packs))
        yield ',"hierarchy":'
        yield from json_array(node_items(nodes))
        yield "}"

    return encode(chunks())
