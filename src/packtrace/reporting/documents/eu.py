"""EU (EMVS / EU Hub) documents: product master data, batch upload, pack status updates, batch recall or
withdrawal. EMVO's interface is not public: these are PackTrace's own JSON documents with EMVO's fields,
each described by a JSON Schema under ``reporting/schemas/`` (``eu-*.schema.json``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from packtrace.models.enums import DecommissionReason
from packtrace.reporting.documents.model import (
    Header,
    ProductData,
    dumps,
    encode,
    expiry_iso,
    header_fields,
    json_array,
    open_object,
    product_fields,
)

MEDIA_TYPE = "application/json"
MASTER_DATA_FIELDS = (
    "name",
    "common_name",
    "pharmaceutical_form",
    "strength",
    "pack_type",
    "pack_size",
    "mah_name",
    "mah_id",
    "target_markets",
)
# A decommission reason as the EMVS pack status it sets. Damaged packs are destroyed; "Other" locks the
# pack (it cannot be supplied) until someone decides what it is.
EMVS_STATUS = {
    DecommissionReason.DESTROYED.value: "DESTROYED",
    DecommissionReason.SAMPLED.value: "SAMPLE",
    DecommissionReason.STOLEN.value: "STOLEN",
    DecommissionReason.DAMAGED.value: "DESTROYED",
    DecommissionReason.OTHER.value: "LOCKED",
}
RECALL_STATUS = {"recall": "RECALLED", "withdrawal": "WITHDRAWN"}


def master_data(header: Header, product: ProductData) -> bytes:
    body = header_fields("eu-master-data.schema.json", header) | {
        "report": "eu.master_data",
        "product": product_fields(product, *MASTER_DATA_FIELDS),
    }
    return dumps(body).encode()


def batch_upload(header: Header, product: ProductData, batch: str, expiry: str, serials: Iterable[str]) -> bytes:
    """The batch with every serial released to the market (written as the serials come)."""
    fields = header_fields("eu-batch-upload.schema.json", header) | {
        "report": "eu.batch_upload",
        "product": product_fields(product, "name"),
        "batch": {"id": batch, "expiry": expiry, "expiry_date": expiry_iso(expiry)},
    }

    def chunks() -> Iterator[str]:
        yield open_object(fields) + ',"serials":'
        yield from json_array(iter(serials))
        yield "}"

    return encode(chunks())


def pack_status(header: Header, product: ProductData, updates: Iterable[tuple[str, str, str]]) -> bytes:
    """Status updates of packs: (serial, batch, decommission reason) each, the reason mapped to the EMVS
    status it sets."""
    fields = header_fields("eu-pack-status.schema.json", header) | {
        "report": "eu.pack_status",
        "product": product_fields(product),
    }

    def items() -> Iterator[object]:
        for serial, batch, reason in updates:
            yield {"serial": serial, "batch": batch, "status": EMVS_STATUS.get(reason, "LOCKED"), "reason": reason}

    def chunks() -> Iterator[str]:
        yield open_object(fields) + ',"packs":'
        yield from json_array(items())
        yield "}"

    return encode(chunks())


def batch_recall(header: Header, product: ProductData, batch: str, kind: str, reason: str) -> bytes:
    body = header_fields("eu-batch-recall.schema.json", header) | {
        "report": "eu.batch_recall",
        "product": product_fields(product),
        "batch": {"id": batch},
        "kind": kind,
        "status": RECALL_STATUS[kind],
        "reason": reason,
    }
    return dumps(body).encode()
