"""Products: GTIN product codes, the markets they are registered for, and their serial settings."""
