"""Trading partners: who shipments go to, with their locations and licences."""
