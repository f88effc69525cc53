"""Who may do what in nomination rounds."""

from typing import Any

from llct.core.models import Role
from llct.core.permissions import is_department, scope_path
from llct.organizations.models import Organization


def can_see_rounds(user: Any) -> bool:
    """Department officers, leaders (read only) and organization officers."""
    return scope_path(user) is not None


def can_nominate(user: Any, organization: Organization) -> bool:
    """Department officers for every organization; an organization officer for the grassroots
    organizations in their subtree. Leaders read only."""
    if not user.is_authenticated:
        return False
    if is_department(user):
        return True
    path = scope_path(user)
    return user.role == Role.ORG_OFFICER and path is not None and organization.path.startswith(path)
