"""`manage.py seed_demo`: seeds an empty database, leaves a seeded one alone, and resets only a
demo database on a development machine unless told explicitly (--force). Also the demo's
courses on days off and for a handful of people: small seeds, without the rest of the cycle."""

import datetime as dt
import functools
import io
import logging
import random
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from llct.assessment.membership import new_member_check
from llct.assessment.models import MembershipDecision
from llct.core.models import Role, User
from llct.courses.models import Course, Session
from llct.courses.services.conflicts import course_conflicts
from llct.curriculum.models import Lecturer
from llct.demo.assessment import assessment_demo
from llct.demo.seed import DEMO_PASSWORD, demo_reset, demo_seed, non_demo_data
from llct.demo.tests.conftest import TODAY
from llct.demo.tests.snapshots import snapshot
from llct.organizations.models import MembershipStage, Organization, Person

PEOPLE = 40
WEDNESDAY = dt.date(2026, 3, 18)
SATURDAY = dt.date(2026, 3, 21)
NATIONAL_DAY = dt.date(2026, 9, 2)  # a Wednesday, and a public holiday


@pytest.fixture(autouse=True)
def _development_machine(settings):
    # The test runner turns DEBUG off; `make demo` runs on a developer's machine, with it on.
    settings.DEBUG = True


def seed(**options: object) -> str:
    out = io.StringIO()
    options = {"people": PEOPLE, "seed": 3, "no_courses": True, **options}
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_another_seed_draws_other_rolls(db):
    # Same seed, same demo: test_demo.py (the shared demo, reset and seeded again).
    demo_seed(people=PEOPLE, seed=3, today=TODAY, courses=False, cycle=False)
    first = snapshot()["people"]
    demo_reset()
    demo_seed(people=PEOPLE, seed=4, today=TODAY, courses=False, cycle=False)
    assert first and snapshot()["people"] != first


def test_command_seeds_an_empty_database_and_prints_the_accounts(db):
    text = seed()
    assert "bantuyengiao" in text and DEMO_PASSWORD in text
    assert Person.objects.count() == PEOPLE


def test_command_refuses_to_duplicate_and_resets_on_request(db):
    seed()
    people = set(Person.objects.values_list("full_name", flat=True))
    again = seed(seed=4)
    assert "nothing done" in again and "bantuyengiao" in again
    assert set(Person.objects.values_list("full_name", flat=True)) == people
    User.objects.create_superuser("admin", password="x")
    seed(seed=4, reset=True)
    assert Person.objects.count() == PEOPLE
    assert set(Person.objects.values_list("full_name", flat=True)) != people
    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_command_reports_the_session_of_today_and_reseeds_without_courses(db, monkeypatch):
    from llct.demo.management.commands import seed_demo as command

    # The courses without the rest of the year's cycle: the whole cycle is test_demo.py's.
    monkeypatch.setattr(command, "demo_seed", functools.partial(demo_seed, cycle=False))
    out = io.StringIO()
    call_command("seed_demo", people=PEOPLE, seed=5, stdout=out)
    text = out.getvalue()
    assert "courses:" in text and "/lop-hoc/buoi-hoc/" in text
    assert Course.objects.filter(status=Course.Status.IN_PROGRESS).count() == 2
    seed(reset=True)
    assert not Course.objects.exists() and not Lecturer.objects.exists()
    # Sign-in accounts only: the API tokens' principals went with the reset.
    assert User.objects.filter(is_active=True).count() == 6


def test_reset_refuses_a_database_holding_someone_elses_organizations(world):
    before = (Organization.objects.count(), Person.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="did not write"):
        seed(reset=True)
    # Nothing was deleted nor seeded.
    assert (Organization.objects.count(), Person.objects.count(), User.objects.count()) == before
    assert Organization.objects.filter(pk=world.org_a.pk).exists()


def test_reset_refuses_accounts_the_demo_did_not_create(db):
    seed()
    User.objects.create_user("nguoi_that", role=Role.DEPARTMENT, password="x")
    found = non_demo_data()
    assert len(found) == 1 and "nguoi_that" in found[0]
    with pytest.raises(CommandError, match="nguoi_that"):
        seed(reset=True)
    assert User.objects.filter(username="nguoi_that").exists()


def test_reset_refuses_when_debug_is_off(db, settings):
    seed()
    settings.DEBUG = False
    people = set(Person.objects.values_list("full_name", flat=True))
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed(seed=4, reset=True)
    assert set(Person.objects.values_list("full_name", flat=True)) == people


def test_force_resets_anyway(world, settings):
    settings.DEBUG = False
    seed(reset=True, force=True)
    assert not Organization.objects.filter(pk=world.org_a.pk).exists()
    assert Person.objects.count() == PEOPLE
    assert non_demo_data() == []


def test_a_fresh_demo_holds_only_demo_data(db):
    demo_seed(people=PEOPLE, seed=1, today=WEDNESDAY, cycle=False)
    assert non_demo_data() == []


@pytest.mark.parametrize("today", [SATURDAY, NATIONAL_DAY], ids=["weekend", "holiday"])
def test_on_a_day_off_the_class_of_the_week_makes_up_a_session_today(db, today):
    demo_seed(people=PEOPLE, seed=11, today=today, cycle=False)
    learner = User.objects.select_related("person").get(username="hocvien")
    session = Session.objects.select_related("course", "lecturer").get(
        date=today, course__enrolments__person=learner.person
    )
    assert session.note == "Buổi học bù" and session.lecturer is not None
    assert session.course.starts_on <= today <= session.course.ends_on
    for course in Course.objects.all():
        assert course_conflicts(course=course) == {}, course


def test_a_handful_of_people_still_gets_a_consistent_demo(db):
    summary = demo_seed(people=5, seed=1, today=WEDNESDAY, cycle=False)
    assert summary.courses is not None and summary.courses.courses >= 6
    assert Session.objects.filter(date=WEDNESDAY).exists()
    for course in Course.objects.all():
        assert course_conflicts(course=course) == {}, course


def test_some_probations_have_ended_and_await_the_cells_decision(db):
    # The rolls alone (no classes, so no decisions): the watchlist has someone to show.
    demo_seed(people=300, seed=7, today=WEDNESDAY, courses=False, cycle=False)
    probation_over = [
        p
        for p in Person.objects.filter(stage=MembershipStage.PROBATIONARY)
        if (ends := p.probation_ends_on()) is not None and ends < WEDNESDAY
    ]
    assert probation_over


def test_full_memberships_since_the_cut_over_rest_on_the_new_member_class(db):
    # Late enough after the cut-over (01/01/2026) for full memberships decided since.
    today = dt.date(2027, 9, 15)
    demo_seed(people=150, seed=5, today=today, cycle=False)
    department = User.objects.get(username="bantuyengiao")
    counts = assessment_demo(rng=random.Random(5), today=today, actor=department)
    full = list(
        MembershipDecision.objects.filter(kind=MembershipDecision.Kind.FULL).select_related(
            "person", "course"
        )
    )
    assert full and counts["membership_decisions"] == MembershipDecision.objects.count()
    for decision in full:
        if not decision.is_exception:
            assert new_member_check(person=decision.person).course == decision.course


def test_command_silences_the_pdf_libraries_progress_but_keeps_their_warnings(
    db, caplog, monkeypatch
):
    from llct.demo.management.commands import seed_demo as command

    real_seed = command.demo_seed

    def seed_rendering_pdfs(**options: Any) -> Any:
        logging.getLogger("weasyprint").info("Step 4 - Creating layout")
        logging.getLogger("fontTools.subset").info("Glyph names: []")
        logging.getLogger("weasyprint").warning("Ignored `gap: 1em`")
        return real_seed(**options)

    monkeypatch.setattr(command, "demo_seed", seed_rendering_pdfs)
    with caplog.at_level(logging.INFO):
        seed()
    pdf_logs = [
        (r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith(("weas", "font"))
    ]
    assert pdf_logs == [(logging.WARNING, "Ignored `gap: 1em`")]
    # Only for the command: afterwards the libraries log as configured.
    assert logging.getLogger("weasyprint").isEnabledFor(logging.INFO)
