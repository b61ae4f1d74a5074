"""Batches as a whole: recall and withdrawal."""
