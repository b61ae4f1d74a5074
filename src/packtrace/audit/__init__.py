"""The audit trail: who changed which record, when, how and why, append-only and hash-chained."""
