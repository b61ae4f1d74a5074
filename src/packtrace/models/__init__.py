"""Every table. Importing this package registers them all on ``Base.metadata``."""

from packtrace.models.api_key import ApiKey
from packtrace.models.audit_record import AuditChainHead, AuditRecord
from packtrace.models.auth_failure import AuthFailure
from packtrace.models.base import Base
from packtrace.models.channel import Channel
from packtrace.models.company_prefix import CompanyPrefix
from packtrace.models.container import Container, ContainerEvent
from packtrace.models.epcis_event import EpcisCaptureJob, EpcisEvent, EpcisEventEpc
from packtrace.models.label_order import LabelOrder, PrintedSerial
from packtrace.models.market_profile import MarketProfile
from packtrace.models.pack import Pack, PackEvent
from packtrace.models.packaging_line import PackagingLine
from packtrace.models.packaging_order import OrderEvent, PackagingOrder
from packtrace.models.partner import PartnerLocation, TradingPartner
from packtrace.models.product import Product, ProductMarket
from packtrace.models.report import Report, ReportAttempt
from packtrace.models.serial_number import OrderSerial, PastOrderSerial, PoolSerial, SerialNumber
from packtrace.models.shipment import BatchRecall, Shipment
from packtrace.models.tab_permission import TabPermission
from packtrace.models.tenant import Tenant
from packtrace.models.user import User

__all__ = [
    "ApiKey",
    "AuditChainHead",
    "AuditRecord",
    "AuthFailure",
    "Base",
    "BatchRecall",
    "Channel",
    "CompanyPrefix",
    "Container",
    "ContainerEvent",
    "EpcisCaptureJob",
    "EpcisEvent",
    "EpcisEventEpc",
    "LabelOrder",
    "MarketProfile",
    "OrderEvent",
    "OrderSerial",
    "Pack",
    "PackEvent",
    "PackagingLine",
    "PackagingOrder",
    "PartnerLocation",
    "PastOrderSerial",
    "PoolSerial",
    "PrintedSerial",
    "Product",
    "ProductMarket",
    "Report",
    "ReportAttempt",
    "SerialNumber",
    "Shipment",
    "TabPermission",
    "Tenant",
    "TradingPartner",
    "User",
]
