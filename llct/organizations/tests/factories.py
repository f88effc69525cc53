import datetime as dt
import itertools
from typing import Any

from llct.core.models import Role
from llct.core.tests.factories import make_user
from llct.organizations.models import (
    MembershipStage,
    Organization,
    OrganizationKind,
    Person,
    TheoryLevel,
)
from llct.organizations.services import organization_create

__all__ = ["kind", "make_org", "make_person", "make_user"]

_seq = itertools.count(1)


KIND_NAMES = {
    "tinh": "Đảng bộ tỉnh",
    "truc_thuoc": "Đảng ủy trực thuộc",
    "dang_bo_co_so": "Đảng bộ cơ sở",
    "dang_bo_bo_phan": "Đảng bộ bộ phận",
    "chi_bo_co_so": "Chi bộ cơ sở",
    "chi_bo_truc_thuoc": "Chi bộ trực thuộc",
}


def kind(code: str = "chi_bo_co_so") -> OrganizationKind:
    # get_or_create: transactional (browser) tests flush the rows the data migration made.
    return OrganizationKind.objects.get_or_create(code=code, defaults={"name": KIND_NAMES[code]})[0]


def make_org(
    name: str,
    *,
    parent: Organization | None = None,
    code: str | None = None,
    kind_code: str = "chi_bo_co_so",
    founded_on: dt.date = dt.date(2020, 1, 1),
) -> Organization:
    return organization_create(
        code=code or f"ORG{next(_seq)}",
        name=name,
        kind=kind(kind_code),
        parent=parent,
        founded_on=founded_on,
    )


def make_person(
    organization: Organization, full_name: str = "Nguyễn Văn An", **fields: Any
) -> Person:
    stage = fields.pop("stage", MembershipStage.NON_MEMBER)
    if stage in (MembershipStage.PROBATIONARY, MembershipStage.FULL):
        fields.setdefault("admitted_on", dt.date(2020, 5, 19))
    if stage == MembershipStage.FULL:
        fields.setdefault("full_member_on", dt.date(2021, 5, 19))
    person = Person(
        full_name=full_name,
        organization=organization,
        stage=stage,
        theory_level=fields.pop("theory_level", TheoryLevel.NONE),
        **fields,
    )
    person.save()
    return person


ROLES = Role
