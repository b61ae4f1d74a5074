"""Every status and code list, with the spec's exact strings, in one place."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "Administrator"
    SUPPORT = "Support"
    USER = "User"


class Market(StrEnum):
    EU = "EU"
    US = "US"
    CHN = "CHN"
    IDN = "IDN"


class ChannelSource(StrEnum):
    MANUFACTURER_V2_API = "Manufacturer V2 API"


class ProductCodeSchema(StrEnum):
    GTIN = "GTIN"


class OrderStatus(StrEnum):
    OPEN = "Open"
    PENDING_RELEASE = "Pending release"
    IN_PROGRESS = "In progress"
    SUSPENDED = "Suspended"
    COMPLETED = "Completed"
    CANCELLED = "Cancelled"


# Orders a line may still work on; ``GET packaging_order/open`` lists these.
OPEN_ORDER_STATUSES = (
    OrderStatus.OPEN,
    OrderStatus.PENDING_RELEASE,
    OrderStatus.IN_PROGRESS,
    OrderStatus.SUSPENDED,
)


class SerialStatus(StrEnum):
    AVAILABLE = "Available"
    ASSIGNED = "Assigned"


class SerialSource(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class PackStatus(StrEnum):
    UNKNOWN = "Unknown"  # a serial with no pack (never stored on a pack row)
    ACTIVE = "Active"
    COMMISSIONED = "Commissioned"
    DECOMMISSIONED = "Decommissioned"


class DecommissionReason(StrEnum):
    DESTROYED = "Destroyed"
    SAMPLED = "Sampled"
    STOLEN = "Stolen"
    DAMAGED = "Damaged"
    OTHER = "Other"


class SsccStatus(StrEnum):
    AVAILABLE = "Available"
    ASSIGNED = "Assigned"


class PackEventType(StrEnum):
    COMMISSIONED = "Commissioned"  # produced on the line: Active
    MARKET_COMMISSIONED = "Market commissioned"
    DECOMMISSIONED = "Decommissioned"
    AGGREGATED = "Aggregated"
    DISAGGREGATED = "Disaggregated"
    SHIPPED = "Shipped"
    SHIPMENT_VOIDED = "Shipment voided"


class ContainerEventType(StrEnum):
    GENERATED = "Generated"
    ASSIGNED = "Assigned"
    RELEASED = "Released"
    JOINED = "Joined"  # an external SSCC that entered the pool by being used
    CHILDREN_ADDED = "Children added"
    CHILDREN_REMOVED = "Children removed"
    AGGREGATED = "Aggregated"  # packed into a parent
    DISAGGREGATED = "Disaggregated"
    SHIPPED = "Shipped"
    SHIPMENT_VOIDED = "Shipment voided"


class ShipmentStatus(StrEnum):
    SHIPPED = "Shipped"
    VOIDED = "Voided"


class RecallKind(StrEnum):
    RECALL = "recall"
    WITHDRAWAL = "withdrawal"


class LabelOrderStatus(StrEnum):
    EXECUTED = "Executed"


class ReportState(StrEnum):
    """A report's fate in the outbox: Pending until a worker delivers it; Sent while the receiver has not
    answered; Acknowledged (2xx) or Rejected (4xx, with its message); Cancelled by an operator."""

    PENDING = "Pending"
    SENT = "Sent"
    ACKNOWLEDGED = "Acknowledged"
    REJECTED = "Rejected"
    CANCELLED = "Cancelled"


class ReportKind(StrEnum):
    EU_MASTER_DATA = "eu.master_data"
    EU_BATCH_UPLOAD = "eu.batch_upload"
    EU_PACK_STATUS = "eu.pack_status"
    EU_BATCH_RECALL = "eu.batch_recall"
    US_DSCSA_SHIPMENT = "us.dscsa_shipment"
    CHN_BATCH = "chn.batch"
    IDN_BATCH = "idn.batch"
