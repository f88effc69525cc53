"""The navigation menu, grouped by the work it serves and built from the capabilities table.

Each entry names the capability its page checks, so a user sees exactly the pages they may
open: no menu link answers 403. A group with one entry for this user is shown as that entry;
a group with none is not shown.
"""

import functools
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from llct.core.capabilities import Capability, capabilities_of
from llct.core.models import User

C = Capability


@dataclass(frozen=True)
class Entry:
    label: Promise
    url_name: str
    # Any one of these lets the user open the page.
    needs: tuple[Capability, ...]
    # View names (or prefixes of them) that make this entry the current one.
    sections: tuple[str, ...] = ()
    # The page is the user's own person's (its URL takes the person's id).
    own_person: bool = False


@dataclass(frozen=True)
class Group:
    label: Promise
    entries: tuple[Entry, ...]


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False
    children: list["NavItem"] = field(default_factory=list)


MENU: tuple[Group, ...] = (
    Group(
        _("Organizations and people"),
        (
            Entry(
                _("Organizations"),
                "organizations:tree",
                (C.READ_ROLLS,),
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
            Entry(
                _("People"),
                "organizations:people",
                (C.READ_ROLLS,),
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
            Entry(
                _("Exceptions"),
                "membership:exceptions",
                (C.READ_MEMBERSHIP_EXCEPTIONS,),
                ("membership:exceptions",),
            ),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Training"),
        (
            Entry(
                _("Courses"),
                "courses:list",
                (C.READ_COURSES,),
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
            Entry(
                _("My calendar"),
                "courses:my_calendar",
                (C.READ_OWN_CALENDAR,),
                ("courses:my_calendar", "courses:calendar", "courses:feed"),
            ),
            Entry(
                _("Results"),
                "assessment:results_index",
                (C.ENTER_RESULTS,),
                (
                    "assessment:results",
                    "assessment:grade",
                    "assessment:score",
                    "assessment:approve",
                ),
            ),
            Entry(
                _("My results"),
                "assessment:person_results",
                (C.READ_OWN_RECORD,),
                ("assessment:person_results",),
                own_person=True,
            ),
            Entry(
                _("Certificates"),
                "assessment:certificate_register",
                (C.READ_CERTIFICATES, C.READ_OWN_RECORD),
                ("assessment:certificate", "assessment:course_certificates"),
            ),
            Entry(
                _("My study record"),
                "studies:record",
                (C.READ_OWN_RECORD,),
                ("studies:record",),
            ),
            Entry(
                _("Surveys"),
                "assessment:my_surveys",
                (C.ANSWER_SURVEYS,),
                ("assessment:my_surveys", "assessment:survey"),
            ),
            Entry(
                _("Nominations"),
                "planning:nominations",
                (C.READ_NOMINATIONS,),
                ("planning:nominations", "planning:round", "planning:submission"),
            ),
            Entry(
                _("Annual plans"),
                "planning:plan_list",
                (C.READ_PLANS,),
                ("planning:plan", "planning:expense", "planning:budget"),
            ),
            Entry(
                _("Programmes"),
                "curriculum:programme_list",
                (C.READ_CURRICULUM,),
                ("curriculum:programme", "curriculum:topic", "curriculum:lesson"),
            ),
            Entry(_("Venues"), "courses:venue_list", (C.READ_VENUES,), ("courses:venue",)),
        ),
    ),
    Group(
        _("Projects"),
        (
            Entry(_("Projects"), "monitoring:projects", (C.READ_PROJECTS,), ("monitoring:",)),
            Entry(
                _("Oversight"),
                "reviews:inspections",
                (C.READ_OVERSIGHT,),
                (
                    "reviews:inspection",
                    "reviews:programme",
                    "reviews:recommendation",
                    "reviews:remedy",
                    "reviews:briefing",
                    "reviews:action",
                    "reviews:evidence",
                ),
            ),
            Entry(
                _("Reports"),
                "reviews:rounds",
                (C.READ_OVERSIGHT,),
                ("reviews:round", "reviews:report"),
            ),
            Entry(
                _("Effect of training"),
                "corps:followups",
                (C.READ_FOLLOWUPS,),
                ("corps:followup",),
            ),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Corps"),
        (
            Entry(
                _("Lecturers"),
                "curriculum:lecturer_list",
                (C.READ_LECTURERS,),
                ("curriculum:lecturer", "assessment:lecturer_feedback"),
            ),
            Entry(
                _("Lecturer corps"),
                "corps:register",
                (C.READ_LECTURER_REGISTER,),
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
            Entry(
                _("Lecturer evaluations"),
                "assessment:feedback_report",
                (C.READ_FEEDBACK_REPORT,),
                ("assessment:feedback_report", "assessment:course_feedback"),
            ),
            Entry(
                _("My ratings"),
                "assessment:my_lecturer_feedback",
                (C.READ_OWN_RATINGS,),
                ("assessment:my_lecturer_feedback",),
            ),
            Entry(
                _("Facilities"),
                "corps:facilities",
                (C.READ_FACILITIES,),
                ("corps:facilities", "corps:equipment", "corps:proposal"),
            ),
        ),
    ),
    Group(
        _("Information"),
        (
            Entry(
                _("Resolution study"),
                "studies:index",
                (C.READ_STUDIES,),
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
            Entry(_("Documents"), "portal:documents", (C.READ_LIBRARY,), ("portal:document",)),
            Entry(
                _("Portal articles"),
                "portal:editor",
                (C.EDIT_PORTAL,),
                ("portal:editor", "portal:edit", "portal:create", "portal:preview"),
            ),
        ),
    ),
    Group(
        pgettext_lazy("menu", "Administration"),
        (
            Entry(_("Connections"), "api:index", (C.USE_CONNECTIONS,), ("api:",)),
            Entry(
                _("Class settings"),
                "courses:rules",
                (C.EDIT_CLASS_SETTINGS,),
                ("courses:rules", "courses:holiday"),
            ),
            Entry(
                _("Party rules"),
                "organizations:membership_rules",
                (C.EDIT_PARTY_RULES,),
                ("organizations:membership_rules",),
            ),
            Entry(_("Budget norms"), "planning:norms", (C.EDIT_PLANS,), ("planning:norms",)),
            Entry(
                _("Required levels by position"),
                "planning:requirement_list",
                (C.MANAGE_NOMINATION_ROUNDS,),
                ("planning:requirement",),
            ),
            Entry(
                _("Checklists"),
                "reviews:checklist_list",
                (C.MANAGE_OVERSIGHT,),
                ("reviews:checklist",),
            ),
            Entry(
                _("Report templates"),
                "reviews:template_list",
                (C.EDIT_DOCUMENT_SETTINGS,),
                ("reviews:template",),
            ),
            Entry(
                _("Document issuers and numbers"),
                "reviews:issuer_list",
                (C.EDIT_DOCUMENT_SETTINGS,),
                ("reviews:issuer",),
            ),
            Entry(
                _("Certificate numbering"),
                "assessment:certificate_series",
                (C.MANAGE_CERTIFICATES,),
                ("assessment:certificate_series",),
            ),
        ),
    ),
)


def _url(entry: Entry, user: User) -> str | None:
    try:
        if entry.own_person:
            return reverse(entry.url_name, args=[user.person_id])
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        return _page_url(entry.url_name, get_script_prefix(), urlconf)
    except NoReverseMatch:
        return None  # a section whose pages are not installed


@functools.cache
def _page_url(url_name: str, prefix: str, urlconf: str) -> str:
    """A menu page's address: the same on every page a server shows (for its prefix and URLconf),
    so worked out once, not thirty times a page."""
    return reverse(url_name)


def _is_current(entry: Entry, current: str) -> bool:
    return bool(current) and current.startswith(entry.sections or (entry.url_name,))


def menu_for(user: User, current: str = "") -> list[NavItem]:
    """The menu this user sees; `current` is the view name of the page being shown."""
    held = capabilities_of(user)
    items = [NavItem(str(_("Home")), reverse("home"), current == "home")]
    for group in MENU:
        children = []
        for entry in group.entries:
            if not held.intersection(entry.needs):
                continue
            url = _url(entry, user)
            if url is not None:
                children.append(NavItem(str(entry.label), url, _is_current(entry, current)))
        if len(children) == 1:
            items.append(children[0])
        elif children:
            items.append(
                NavItem(
                    str(group.label), children[0].url, any(c.active for c in children), children
                )
            )
    return items


def menu_links(user: User) -> list[str]:
    """Every URL of the user's menu (the link tests visit them)."""
    links: list[str] = []
    for item in menu_for(user):
        links.extend(child.url for child in item.children or [item])
    return links


def navigation_context(user: object, view_name: str) -> dict[str, Any]:
    """Built when a template shows the menu: the fragments htmx asks for never do."""
    if not isinstance(user, User):
        return {"nav_items": []}
    return {"nav_items": SimpleLazyObject(lambda: menu_for(user, view_name))}
