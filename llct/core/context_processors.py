"""The navigation bar: which sections a role sees, built once here rather than in template ifs."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from llct.core.models import Role

STAFF: set[Any] = {Role.DEPARTMENT, Role.ORG_OFFICER, Role.LEADER}
EVERYONE: set[Any] = {*STAFF, Role.LECTURER, Role.LEARNER}


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False
    children: list["NavItem"] = field(default_factory=list)


# (label, url name, roles, URL prefixes that make it the current section)
SECTIONS: list[tuple[Any, str, set[Any], tuple[str, ...]]] = [
    (
        _("Organizations"),
        "organizations:tree",
        STAFF,
        (
            "organizations:tree",
            "organizations:detail",
            "organizations:rename",
            "organizations:move",
            "organizations:merge",
            "organizations:split",
            "organizations:create_child",
        ),
    ),
    (
        _("People"),
        "organizations:people",
        STAFF,
        (
            "organizations:people",
            "organizations:person",
            "organizations:roster",
            "assessment:person",
            "membership:person",
            "membership:admit",
            "membership:recognize",
        ),
    ),
    (
        _("Exceptions"),
        "membership:exceptions",
        {Role.DEPARTMENT, Role.LEADER},
        ("membership:exceptions",),
    ),
    (
        _("Courses"),
        "courses:list",
        EVERYONE,
        (
            "courses:list",
            "courses:detail",
            "courses:create",
            "courses:edit",
            "courses:session",
            "courses:generate",
            "courses:enrol",
            "courses:withdraw",
            "courses:roll",
            "courses:attendance",
            "courses:marks",
            "courses:signin",
            "courses:checkin",
        ),
    ),
    (
        _("Results"),
        "assessment:results_index",
        {Role.DEPARTMENT, Role.ORG_OFFICER, Role.LECTURER},
        (
            "assessment:results",
            "assessment:grade",
            "assessment:score",
            "assessment:approve",
        ),
    ),
    (
        _("Certificates"),
        "assessment:certificate_register",
        {*STAFF, Role.LEARNER},
        ("assessment:certificate", "assessment:course_certificates"),
    ),
    (
        _("Nominations"),
        "planning:nominations",
        {Role.DEPARTMENT, Role.ORG_OFFICER, Role.LEADER},
        ("planning:nominations", "planning:round", "planning:submission", "planning:requirement"),
    ),
    (
        _("Annual plans"),
        "planning:plan_list",
        {Role.DEPARTMENT, Role.LEADER},
        ("planning:plan", "planning:norms", "planning:expense", "planning:budget"),
    ),
    (
        _("Projects"),
        "monitoring:projects",
        {Role.DEPARTMENT, Role.ORG_OFFICER, Role.LEADER},
        ("monitoring:",),
    ),
    (
        _("My calendar"),
        "courses:my_calendar",
        EVERYONE,
        ("courses:my_calendar", "courses:calendar", "courses:feed"),
    ),
    (
        _("Resolution study"),
        "studies:index",
        EVERYONE,
        (
            "studies:index",
            "studies:campaign",
            "studies:conference",
            "studies:absentees",
            "studies:essay",
            "studies:contest",
            "studies:attempt",
            "studies:bank",
        ),
    ),
    (
        _("Effect of training"),
        "corps:followups",
        {Role.DEPARTMENT, Role.ORG_OFFICER, Role.LEADER},
        ("corps:followup",),
    ),
    (_("My study record"), "studies:record", {Role.LEARNER}, ("studies:record",)),
    (
        _("Documents"),
        "portal:documents",
        EVERYONE,
        ("portal:document",),
    ),
    (
        _("Portal articles"),
        "portal:editor",
        {Role.DEPARTMENT},
        ("portal:editor", "portal:edit", "portal:create", "portal:preview"),
    ),
    (
        _("Connections"),
        "api:index",
        {Role.DEPARTMENT, Role.ORG_OFFICER},
        ("api:",),
    ),
    (
        _("Surveys"),
        "assessment:my_surveys",
        {Role.LEARNER},
        ("assessment:my_surveys", "assessment:survey"),
    ),
]
CATALOGUE: list[tuple[Any, str, set[Any], tuple[str, ...]]] = [
    (
        _("Programmes"),
        "curriculum:programme_list",
        EVERYONE,
        ("curriculum:programme", "curriculum:topic", "curriculum:lesson"),
    ),
    (
        _("Lecturers"),
        "curriculum:lecturer_list",
        {*STAFF, Role.LECTURER},
        ("curriculum:lecturer", "assessment:lecturer_feedback"),
    ),
    (
        _("Lecturer corps"),
        "corps:register",
        {Role.DEPARTMENT, Role.LEADER},
        (
            "corps:register",
            "corps:lecturer",
            "corps:appointment",
            "corps:standards",
            "corps:work",
            "corps:observation",
            "corps:honoraria",
            "corps:evaluation",
            "corps:norms",
        ),
    ),
    (
        _("Lecturer evaluations"),
        "assessment:feedback_report",
        {Role.DEPARTMENT, Role.LEADER},
        ("assessment:feedback_report", "assessment:course_feedback"),
    ),
    (
        _("My ratings"),
        "assessment:my_lecturer_feedback",
        {Role.LECTURER},
        ("assessment:my_lecturer_feedback",),
    ),
    (
        _("Facilities"),
        "corps:facilities",
        {Role.DEPARTMENT, Role.LEADER},
        ("corps:facilities", "corps:equipment", "corps:proposal"),
    ),
    (_("Venues"), "courses:venue_list", EVERYONE, ("courses:venue",)),
    (_("Class settings"), "courses:rules", {Role.DEPARTMENT}, ("courses:rules", "courses:holiday")),
    (
        _("Party rules"),
        "organizations:membership_rules",
        {Role.DEPARTMENT},
        ("organizations:membership_rules",),
    ),
    (_("Budget norms"), "planning:norms", {Role.DEPARTMENT}, ("planning:norms",)),
    (
        _("Required levels by position"),
        "planning:requirement_list",
        {Role.DEPARTMENT},
        ("planning:requirement",),
    ),
    (
        _("Certificate numbering"),
        "assessment:certificate_series",
        {Role.DEPARTMENT},
        ("assessment:certificate_series",),
    ),
]


def _items(
    spec: list[tuple[Any, str, set[Any], tuple[str, ...]]], role: str, current: str
) -> list[NavItem]:
    items = []
    for label, name, roles, prefixes in spec:
        if role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a section whose pages are not installed
        items.append(NavItem(str(label), url, current.startswith(prefixes)))
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_section": ""}
    role = Role.DEPARTMENT if user.is_superuser else user.role
    items = [NavItem(str(_("Home")), reverse("home"), current == "home")]
    items += _items(SECTIONS, role, current)
    catalogue = _items(CATALOGUE, role, current)
    if catalogue:
        items.append(
            NavItem(
                str(_("Catalogue")), catalogue[0].url, any(c.active for c in catalogue), catalogue
            )
        )
    return {"nav_items": items, "nav_section": match.namespace if match else ""}
