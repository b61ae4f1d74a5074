"""Serial numbers: making them, and the pool of each product code."""
