"""SSCCs and aggregation: the tenant's SSCC pool, packs into cases, cases onto pallets, packs into packs."""
