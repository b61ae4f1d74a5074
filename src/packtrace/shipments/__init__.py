"""Shipments: packs and containers leaving for a trading partner."""
