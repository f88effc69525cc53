"""No link a user is shown answers 403 or fails: every link of each role's home page and menu
(`<a href>` on this site and htmx `hx-get` targets) is visited as that user."""

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from llct.assessment.models import ResultsApproval
from llct.core.models import Role, User
from llct.courses.models import Course
from llct.courses.tests.factories import (
    enrol,
    make_course,
    make_lecturer,
    make_programme,
    make_session,
)
from llct.home.navigation import menu_links
from llct.organizations.tests.factories import make_user
from llct.planning.models import AnnualPlan, NominationRound
from llct.planning.tests.plan_factories import make_plan

# Links that are actions or leave the page's world, not pages to read.
SKIPPED_PREFIXES = ("/static/", "/media/", "/dang-xuat/", "/ngon-ngu/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "hx-get" or (tag == "a" and name == "href")):
                self.links.add(value)


def same_site_links(html: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    links = set()
    for link in parser.links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, mailto:, or an anchor on the same page
        if parts.path.startswith(SKIPPED_PREFIXES):
            continue
        links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


@pytest.fixture
def busy_world(world):
    """Enough going on that every card of every home page shows: sessions today (one the
    lecturer teaches in org A, one organized by B), a finished course awaiting results with a
    survey for the learner, a submitted plan, an open nomination round."""
    today = timezone.localdate()
    lecturer_user = make_user("giangvien", Role.LECTURER)
    lecturer = make_lecturer("Lê Văn Giảng")
    lecturer.user = lecturer_user
    lecturer.save()
    programme = make_programme()
    running = make_course(
        programme,
        world.org_a,
        starts_on=today,
        name="Lớp đang học",
        status=Course.Status.IN_PROGRESS,
    )
    make_session(running, today, lecturer=lecturer)
    make_session(running, today + dt.timedelta(days=2), lecturer=lecturer)
    enrol(running, world.person_a)
    other = make_course(
        programme, world.org_b, starts_on=today, status=Course.Status.IN_PROGRESS, name="Lớp B"
    )
    make_session(other, today)
    enrol(other, world.person_b)
    finished = make_course(
        programme,
        world.org_a,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today - dt.timedelta(days=10),
        status=Course.Status.FINISHED,
        name="Lớp đã học",
    )
    make_session(finished, today - dt.timedelta(days=12), lecturer=lecturer)
    enrol(finished, world.person_a)
    assert not ResultsApproval.objects.filter(course=finished).exists()
    make_plan(world.province, year=today.year + 1, status=AnnualPlan.Status.SUBMITTED)
    NominationRound.objects.create(year=today.year + 1, deadline=today + dt.timedelta(days=30))
    superuser = User.objects.create_superuser(username="quantri", password="matkhau-123")
    return {
        "department": world.department,
        "org_officer": world.officer_a,
        "leader": world.leader,
        "lecturer": lecturer_user,
        "learner": world.learner,
        "superuser": superuser,
    }


@pytest.mark.parametrize(
    "who", ["department", "org_officer", "leader", "lecturer", "learner", "superuser"]
)
def test_no_link_on_home_or_menu_answers_403_or_fails(client, busy_world, who):
    user = busy_world[who]
    client.force_login(user)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    links = same_site_links(home.text) | set(menu_links(user))
    assert len(links) > 5
    assert broken_links(client, links) == {}


def broken_links(client, links: set[str]) -> dict[str, int]:
    broken = {}
    for link in sorted(links):
        status = client.get(link).status_code
        if status >= 400:
            broken[link] = status
    return broken


@pytest.mark.parametrize("who", ["lecturer", "learner"])
def test_no_link_one_click_further_answers_403_or_fails(client, busy_world, who):
    """The pages a lecturer or a learner reaches from the menu show them no link they may not
    follow either (a staff page's buttons are where such links hide)."""
    user = busy_world[who]
    client.force_login(user)
    first = set(menu_links(user)) | same_site_links(client.get(reverse("home")).text)
    further: set[str] = set()
    for link in first:
        response = client.get(link)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            further |= same_site_links(response.text)
    assert broken_links(client, further - first) == {}


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
