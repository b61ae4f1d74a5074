from tests.auth.people import admin, outsider, plain_user, support
from tests.packs.support import in_progress, pool

__all__ = ["admin", "in_progress", "outsider", "plain_user", "pool", "support"]
