from tests.admin.conftest import admin_ui, support_ui, ui_for, user_ui
from tests.auth.people import admin, outsider, plain_user, support
from tests.cli.conftest import cli, database_url, raw_cli

__all__ = [
    "admin",
    "admin_ui",
    "cli",
    "database_url",
    "outsider",
    "plain_user",
    "raw_cli",
    "support",
    "support_ui",
    "ui_for",
    "user_ui",
]
