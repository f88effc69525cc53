"""Who may see and change what. Every selector starts here, so no view can forget to filter.

Scope is a subtree of the organization tree:
- department officers and leaders see the whole tree;
- an organization officer sees their organization and everything below it;
- lecturers and learners see no rolls (a learner sees only their own record).
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from llct.core.models import Role

if TYPE_CHECKING:
    from llct.organizations.models import Organization

ALL = "/"


def scope_path(user: Any) -> str | None:
    """The path prefix of the subtree the user may read, or None when they may read no rolls."""
    if not user.is_authenticated:
        return None
    if user.is_superuser or user.role in (Role.DEPARTMENT, Role.LEADER):
        return ALL
    if user.role == Role.ORG_OFFICER and user.organization_id:
        path: str = user.organization.path
        return path
    return None


def is_department(user: Any) -> bool:
    """A department officer (or a superuser): the role that runs the training."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.DEPARTMENT))


def can_read_rolls(user: Any) -> bool:
    return scope_path(user) is not None


def can_edit_rolls(user: Any) -> bool:
    """Leaders read and approve; they do not edit the rolls."""
    return user.is_authenticated and (
        user.is_superuser or user.role in (Role.DEPARTMENT, Role.ORG_OFFICER)
    )


def can_edit_organization(user: Any, organization: "Organization") -> bool:
    """Department officers edit the whole tree; an organization officer edits people anywhere
    in their subtree and the structure strictly below their own organization."""
    if not can_edit_rolls(user):
        return False
    path = scope_path(user)
    if path is None:
        return False
    if path == ALL:
        return True
    return organization.path.startswith(path) and organization.path != path


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
