"""GS1 company prefixes: the tenant master data that says under which prefixes it may make GS1 keys."""
