"""Packaging lines, known to the API by their tag."""
