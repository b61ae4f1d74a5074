from tests.auth.people import admin, outsider, plain_user, support
from tests.cli.conftest import api, cli, database_url, raw_cli
from tests.packs.support import in_progress, pool

__all__ = [
    "admin",
    "api",
    "cli",
    "database_url",
    "in_progress",
    "outsider",
    "plain_user",
    "pool",
    "raw_cli",
    "support",
]
