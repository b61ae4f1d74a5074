from tests.auth.people import admin, outsider, plain_user, support
from tests.cli.conftest import cli, database_url, raw_cli

__all__ = ["admin", "cli", "database_url", "outsider", "plain_user", "raw_cli", "support"]
