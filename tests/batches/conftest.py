from tests.auth.people import admin, outsider, plain_user, support

__all__ = ["admin", "outsider", "plain_user", "support"]
