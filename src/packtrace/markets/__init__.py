"""Market profiles: the markets (EU, US, CHN, IDN) a tenant supplies."""
