from tests.auth.people import support
from tests.packs.support import in_progress

__all__ = ["in_progress", "support"]
