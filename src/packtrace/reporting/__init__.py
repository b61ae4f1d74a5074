"""Reports to markets and trading partners: written to an outbox in the fact's transaction, delivered by
a worker, exactly once for the receiver."""
