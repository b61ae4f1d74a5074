"""Batches: recall and withdrawal (irreversible; the batch's packs are never used again)."""
