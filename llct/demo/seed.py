"""The whole demo: the province and its accounts, then each app's part of the yearly cycle, in
the order the cycle runs. This module is the only one that knows every app's demo; the apps
know nothing of it.

Everything is drawn from one `random.Random(seed)` and dated relative to `today`, so the same
seed on the same day gives the same demo, row for row.
"""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import translation

from llct.core.models import Role, User
from llct.demo.api import api_demo
from llct.demo.assessment import assessment_demo
from llct.demo.corps import corps_demo, corps_demo_reset
from llct.demo.courses.year import CoursesSummary, demo_courses, demo_courses_reset
from llct.demo.monitoring import monitoring_demo
from llct.demo.organizations import organizations_demo, organizations_demo_reset
from llct.demo.planning.year import planning_demo
from llct.demo.portal import portal_demo, portal_demo_reset
from llct.demo.reviews import reviews_demo
from llct.demo.studies import studies_demo, studies_demo_reset
from llct.demo.tree import PROVINCE_NAME, TREE, Node
from llct.organizations.models import MembershipStage, Organization, Person

DEMO_PASSWORD = "llct-demo-2026"

# (username, role, given name, surname + middle name, organization code or "")
ACCOUNTS = [
    ("bantuyengiao", Role.DEPARTMENT, "Hạnh", "Nguyễn Thị", ""),
    ("lanhdao", Role.LEADER, "Thắng", "Trần Quốc", ""),
    ("canbo_coso", Role.ORG_OFFICER, "Huyền", "Phạm Thu", "UB-SGD"),
    ("canbo_khoi", Role.ORG_OFFICER, "Tuấn", "Lê Minh", "HBS-CQD"),
    ("giangvien", Role.LECTURER, "Hương", "Hoàng Thị Lan", ""),
    ("hocvien", Role.LEARNER, "", "", "UB-SGD"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization: str
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class DemoSummary:
    province: str
    organizations: int
    people: int
    stages: dict[str, int]
    theory_levels: dict[int, int]
    events: list[str]
    accounts: list[DemoAccount]
    courses: CoursesSummary | None = None
    evaluation: dict[str, int] | None = None
    planning: dict[str, int] | None = None
    studies: dict[str, int] | None = None
    monitoring: dict[str, int] | None = None
    reviews: dict[str, int] | None = None
    connections: dict[str, int] | None = None


def demo_exists() -> bool:
    return Organization.objects.exists() or Person.objects.exists()


def _codes(node: Node) -> set[str]:
    return {node.code}.union(*(_codes(child) for child in node.children))


def non_demo_data() -> list[str]:
    """What in the database the demo did not write, in words: organizations outside the demo's
    tree and accounts other than the demo's (superusers and API token principals aside). Empty
    when a reset would lose nothing but demo data."""
    found = []
    strangers = Organization.objects.exclude(code__in=_codes(TREE))
    if count := strangers.count():
        names = ", ".join(strangers.order_by("pk").values_list("name", flat=True)[:3])
        found.append(f"{count} organization(s) outside the demo province ({names})")
    accounts = User.objects.filter(is_superuser=False, api_token__isnull=True).exclude(
        username__in=[a[0] for a in ACCOUNTS]
    )
    if count := accounts.count():
        names = ", ".join(accounts.order_by("pk").values_list("username", flat=True)[:3])
        found.append(f"{count} account(s) the demo did not create ({names})")
    return found


@transaction.atomic
def demo_reset() -> None:
    """Remove the rolls, the tree and every account but the superusers'.

    Rows of other apps that hold on to them (a course organized by a demo organization, an
    enrolment of a demo person) go too: they cannot outlive what they point to.
    """
    # The courses app builds on the rolls: its demo rows (and those of the apps built on courses)
    # go first; the study campaigns and the portal before them.
    corps_demo_reset()
    studies_demo_reset()
    portal_demo_reset()
    demo_courses_reset()
    organizations_demo_reset()


@transaction.atomic
def demo_seed(
    *, people: int, seed: int, today: dt.date, courses: bool = True, cycle: bool = True
) -> DemoSummary:
    """The province, its people and the accounts; with `courses`, also lecturers, venues and a
    year of courses; with `cycle` as well, their results, certificates and surveys, the
    nomination rounds and annual plan, projects, oversight, the portal, resolution study, the
    lecturer corps and the API's connections."""
    rng = random.Random(seed)
    # Event descriptions are stored text: write them in the app's language, whatever is active.
    with translation.override(settings.LANGUAGE_CODE):
        return _seed(rng, people=people, today=today, courses=courses, cycle=cycle)


def _seed(
    rng: random.Random, *, people: int, today: dt.date, courses: bool, cycle: bool
) -> DemoSummary:
    # One hash for the six accounts: they share a published password, and hashing it six times
    # costs seconds for nothing.
    password_hash = make_password(DEMO_PASSWORD)
    department = User.objects.create_user(
        username=ACCOUNTS[0][0],
        role=ACCOUNTS[0][1],
        first_name=ACCOUNTS[0][2],
        last_name=ACCOUNTS[0][3],
        password=None,
    )
    province = organizations_demo(rng, people=people, today=today, actor=department)
    orgs, rows = province.organizations, province.people

    # The other accounts.
    users = [department]
    for username, role, first_name, last_name, org_code in ACCOUNTS[1:]:
        extra: dict[str, Any] = {}
        if role == Role.ORG_OFFICER:
            extra["organization"] = orgs[org_code]
        if role == Role.LEARNER:
            learner = _learner(rows, orgs[org_code])
            if learner is not None:
                extra["person"] = learner
                *surname, given = learner.full_name.split(" ")
                first_name, last_name = given, " ".join(surname)
        users.append(
            User.objects.create_user(
                username=username,
                role=role,
                first_name=first_name,
                last_name=last_name,
                password=None,
                **extra,
            )
        )
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=password_hash)

    by_username = {u.username: u for u in users}
    learner_user = by_username.get("hocvien")
    learner_person = learner_user.person if learner_user is not None else None
    classes = None
    evaluation = None
    planning = None
    monitoring = None
    reviews = None
    connections = None
    if courses:
        classes = demo_courses(
            rng=rng,
            today=today,
            people=rows,
            actor=department,
            lecturer_user=by_username.get("giangvien"),
            learner=learner_person,
        )
    if courses and cycle:
        # Results, certificates and surveys, then nominations and plans, on those courses.
        evaluation = assessment_demo(rng=rng, today=today, actor=department)
        planning = planning_demo(
            rng=rng, today=today, department=department, leader=by_username["lanhdao"]
        )
        monitoring = monitoring_demo(rng=rng, today=today, department=department)
        reviews = reviews_demo(rng=rng, today=today, department=department)

    studies = None
    if cycle:
        # The public portal and its library, then resolution study and the online test.
        portal = portal_demo(rng=rng, actor=department)
        studies = {
            "articles": portal["articles"],
            "documents": portal["documents"],
            **studies_demo(
                rng=rng,
                today=today,
                actor=department,
                documents=portal["documents_by_key"],
                learner=learner_person,
            ),
        }
        if courses:
            studies.update(
                corps_demo(rng=rng, today=today, actor=department, learner=learner_person)
            )

    if courses:
        # Last: the tokens' principals are users, and no other demo should pick them.
        connections = api_demo(rng=rng, today=today, department=department)

    return DemoSummary(
        province=PROVINCE_NAME,
        organizations=len(orgs),
        people=len(rows),
        stages=dict(sorted(Counter(p.stage for p in rows).items())),
        theory_levels=dict(sorted(Counter(p.theory_level for p in rows).items())),
        events=province.events,
        accounts=[
            DemoAccount(u.username, str(Role(u.role).label), _organization_name(u)) for u in users
        ],
        courses=classes,
        evaluation=evaluation,
        planning=planning,
        studies=studies,
        monitoring=monitoring,
        reviews=reviews,
        connections=connections,
    )


def _organization_name(user: User) -> str:
    if user.organization is not None:
        return user.organization.name
    if user.person is not None:
        return user.person.organization.name
    return ""


def _learner(rows: list[Person], organization: Organization) -> Person | None:
    """The demo learner: a probationary member in the officer's organization, who has the
    new-member class ahead of them; failing that, anyone."""
    inside = [p for p in rows if p.organization.path.startswith(organization.path)]
    for group in (inside, rows):
        for person in group:
            if person.stage == MembershipStage.PROBATIONARY:
                return person
    return rows[0] if rows else None
