"""Packaging orders: created by the ERP, worked by a packaging line."""
