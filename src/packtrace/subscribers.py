"""Who reacts to which fact: the one place where the consequences of facts are wired.

``kit.facts`` imports this module on the first publish. Each feature that writes consequences (the EPCIS
event log, the audit trail, the reporting outbox) exposes a ``wire()`` that subscribes its handlers; add
its call here.
"""

from __future__ import annotations

from packtrace.audit import service as audit
from packtrace.epcis import service as epcis
from packtrace.epcis import shipping as epcis_shipping
from packtrace.reporting import triggers

audit.wire()
epcis.wire()
epcis_shipping.wire()
triggers.wire()
