"""Tenants, users, API keys, tokens and shopfloor channels; who is calling, and may they."""
