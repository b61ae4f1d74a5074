"""What the batches feature publishes (``kit.facts``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from packtrace.kit.facts import Fact


@dataclass(frozen=True)
class BatchRecalled(Fact):
    """A batch was recalled or withdrawn: irreversible; none of its packs may be commissioned,
    aggregated or shipped any more."""

    tenant_id: int
    product_code: str
    batch: str
    kind: str  # "recall" or "withdrawal"
    reason: str
    at: datetime
