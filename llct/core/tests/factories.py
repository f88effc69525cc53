"""Builders for core's rows: accounts. The organizations' builders (make_org, make_person) are in
llct/organizations/tests/factories.py."""

from typing import Any

from llct.core.models import User

PASSWORD = "matkhau-123"


def make_user(username: str, role: str, organization: Any = None, **extra: Any) -> User:
    """An account with a role; `organization` for an officer, `person=` for a learner."""
    return User.objects.create_user(
        username=username, password=PASSWORD, role=role, organization=organization, **extra
    )
