"""Who may see and change what. Every selector starts here, so no view can forget to filter.

What a role may do is the capabilities table (`llct/core/capabilities.py`); this module adds
where: scope is a subtree of the organization tree.
- department officers and leaders see the whole tree (`READ_WHOLE_TREE`);
- an organization officer sees their organization and everything below it (`READ_ROLLS`);
- lecturers and learners see no rolls (a learner sees only their own record).
"""

from typing import Protocol

from django.core.exceptions import PermissionDenied

from llct.core.capabilities import Capability, has_capability
from llct.core.models import Role
from llct.core.types import Actor

ALL = "/"


class InTree(Protocol):
    """Anything placed in the organization tree by a materialized path ("/1/7/42/")."""

    path: str


def scope_path(user: Actor) -> str | None:
    """The path prefix of the subtree the user may read, or None when they may read no rolls."""
    if has_capability(user, Capability.READ_WHOLE_TREE):
        return ALL
    if (
        user.is_authenticated
        and has_capability(user, Capability.READ_ROLLS)
        and user.organization is not None
    ):
        return user.organization.path
    return None


def is_department(user: Actor) -> bool:
    """A department officer (or a superuser). Checks ask for a capability instead; this stays
    for what belongs to the department itself (its own report, its documents)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.DEPARTMENT))


def can_read_rolls(user: Actor) -> bool:
    return scope_path(user) is not None


def can_edit_rolls(user: Actor) -> bool:
    """Leaders read and approve; they do not edit the rolls."""
    return has_capability(user, Capability.EDIT_ROLLS)


def can_edit_organization(user: Actor, organization: InTree) -> bool:
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
