"""Packs: what the lines produce, commissioned, decommissioned and traced."""
