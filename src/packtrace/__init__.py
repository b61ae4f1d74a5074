"""PackTrace: serialized manufacturing for pharmaceutical packaging."""

__version__ = "0.1.0"
