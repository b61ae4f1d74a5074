"""GS1 rules for PackTrace: check digits, GTINs, set 82, expiry dates, serials.

Pure functions only; no I/O, settings or other packtrace imports, so the
rules can be tested and reused in isolation.
"""
