"""Who may do what in nomination rounds (the role part comes from `core/capabilities.py`)."""

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User
from llct.core.permissions import ALL, scope_path
from llct.organizations.models import Organization


def can_see_rounds(user: User) -> bool:
    """Department officers, leaders (read only) and organization officers."""
    return has_capability(user, Capability.READ_NOMINATIONS) and scope_path(user) is not None


def can_nominate(user: User, organization: Organization) -> bool:
    """Department officers for every organization; an organization officer for the grassroots
    organizations in their subtree. Leaders read only."""
    if not has_capability(user, Capability.NOMINATE):
        return False
    path = scope_path(user)
    return path is not None and (path == ALL or organization.path.startswith(path))
