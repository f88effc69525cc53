"""Who may see and do what in oversight and reviews. Selectors start from these; a view calls
`require(...)` for an action its role may not take (403) and gets 404 from a selector for what
the user may not see.

- Department officers run everything: programmes, inspections, rounds, returns, settings.
- Leaders read everything and change nothing.
- Organization officers read what concerns their subtree (inspections of it, recommendations
  to it, its reports), report remedies for it and write and submit its reports.
- Inspection team members record findings and decide on remedies of their inspections.
"""

from typing import Any

from llct.core.capabilities import Capability, has_capability
from llct.core.permissions import ALL, scope_path
from llct.organizations.models import Organization


def can_see(user: Any) -> bool:
    return has_capability(user, Capability.READ_OVERSIGHT) and scope_path(user) is not None


def in_scope(user: Any, organization: Organization) -> bool:
    path = scope_path(user)
    return path is not None and (path == ALL or organization.path.startswith(path))


def acts_for(user: Any, organization: Organization) -> bool:
    """An organization officer acting for an organization of their subtree, or the department."""
    return has_capability(user, Capability.WRITE_REPORTS) and in_scope(user, organization)


def is_reader_of_all(user: Any) -> bool:
    return scope_path(user) == ALL
