"""EPCIS 2.0: the event log of what the lines do, its REST query interface and capture."""
