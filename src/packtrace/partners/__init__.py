"""Trading partners: the parties shipments go to, with their locations (SGLN) and US state licence."""
