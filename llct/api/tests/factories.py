import datetime as dt
from typing import Any

from django.utils import timezone

from llct.api.models import ApiToken
from llct.api.services import token_issue
from llct.core.models import Role
from llct.organizations.models import Organization


def make_token(
    world: Any,
    *,
    organization: Organization | None = None,
    role: str = Role.ORG_OFFICER,
    can_write: bool = False,
    personal_data: bool = False,
    expires_on: dt.date | None = None,
    rate_limit: int = 1000,
    name: str = "CSDL đảng viên",
) -> tuple[ApiToken, str]:
    if organization is None:
        organization = world.province if role != Role.ORG_OFFICER else world.org_a
    return token_issue(
        name=name,
        organization=organization,
        role=role,
        expires_on=expires_on or timezone.localdate() + dt.timedelta(days=365),
        actor=world.department,
        today=timezone.localdate(),
        can_write=can_write,
        personal_data=personal_data,
        rate_limit=rate_limit,
    )


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}
