"""The markets' report documents: pure functions from plain data (``model.py``) to bytes, one module per
market. They read no database; ``sources.py`` gathers their data, ``reporting/triggers.py`` calls them.

Large lists (a batch's serials, a shipment's packs) arrive as iterables and are written as they come, so
a document of 100,000 packs holds its text once and no object per pack."""
