"""The demo, built once (conftest.py) and read by every test here: a lifelike and consistent
province, year of courses, results, yearly cycle, projects, oversight and connections, each
obeying the rules the services would enforce on the same writes."""

import copy
import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db.models import Max, Min, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document

from llct.api.models import ApiRequest, ApiToken, StudyFeed, WebhookDelivery, WebhookEndpoint
from llct.assessment.certificates import reissue_reason
from llct.assessment.feedback.reports import MIN_ANSWERS, lecturer_feedback
from llct.assessment.feedback.surveys import pending_surveys_for, survey_lecturers
from llct.assessment.grading import classify, needed_scores
from llct.assessment.membership import admission_check, new_member_check
from llct.assessment.models import (
    Certificate,
    CertificateSeries,
    LecturerRating,
    MembershipDecision,
    Result,
    ResultsApproval,
    ScoreChange,
    SurveyReceipt,
    SurveyResponse,
)
from llct.assessment.selectors import attendance_percent, course_attendance
from llct.core.models import AuditEntry, Role, User
from llct.courses.models import Attendance, Course, Enrolment, Session, Venue
from llct.courses.services.conflicts import course_conflicts, overlaps
from llct.courses.services.enrolment import eligibility_warnings
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.demo.assessment import NAME_NOTE
from llct.demo.planning.shared import MAIL_DOMAIN
from llct.demo.seed import DEMO_PASSWORD, DemoSummary, demo_reset, demo_seed
from llct.demo.tests.conftest import PEOPLE, SEED, TODAY
from llct.demo.tests.snapshots import snapshot
from llct.monitoring import dashboard
from llct.monitoring.models import IndicatorSnapshot, ProgressReport, Project, TargetEntry
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    add_months,
)
from llct.organizations.person_services import person_validate, years_between
from llct.organizations.selectors import flatten, organization_tree_as_of
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    BudgetNorms,
    Expense,
    FacilityNeed,
    Nomination,
    NominationRound,
    PlanDecision,
    PlannedCourse,
    Submission,
    SubmissionEvent,
)
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.plan_documents import DOCX_TYPE, plan_docx
from llct.planning.plans import actual as plan_vs_actual
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import history as plan_history
from llct.planning.plans import selectors as plan_selectors
from llct.reviews import inspections, rounds
from llct.reviews.models import Briefing, Finding, Inspection, Report, ReportingRound

pytestmark = pytest.mark.xdist_group("demo")  # one process builds the demo (conftest.py)

YEAR = TODAY.year
PROGRAMMES = {"NTVD", "DVM", "SC", "TC", "NV", "QTNQ"}


def year_courses(summary: DemoSummary) -> QuerySet[Course]:
    """The courses demo's year of classes. The later demos add their own courses (the plan's,
    the online class, the projects' past years), all seeded after these."""
    assert summary.courses is not None
    first = Course.objects.order_by("pk").values_list("pk", flat=True)[: summary.courses.courses]
    return Course.objects.filter(pk__in=list(first))


def department() -> User:
    return User.objects.get(username="bantuyengiao")


def local(value: Any) -> dt.date:
    assert value is not None
    return timezone.localdate(value)


# --- Same seed, same demo -----------------------------------------------------------------------


def test_a_reset_demo_seeds_the_same_again(summary):
    """Same seed, same day, same demo: the module's demo was seeded on the empty database; after
    a reset it seeds the same again, row for row (ids aside), though every id has moved on."""
    first = snapshot()
    assert all(first.values()), [k for k, v in first.items() if not v]
    demo_reset()
    assert demo_seed(people=PEOPLE, seed=SEED, today=TODAY) == summary
    assert mail.outbox == []  # reminders went through the service, but no mail went out
    second = snapshot()
    assert [k for k in first if second[k] != first[k]] == []


# --- The rolls ----------------------------------------------------------------------------------


def test_counts_and_proportions_of_the_rolls(summary):
    assert Person.objects.count() == PEOPLE == summary.people
    assert Organization.objects.count() == summary.organizations
    stages = Counter(Person.objects.values_list("stage", flat=True))
    assert stages[MembershipStage.FULL] > PEOPLE * 0.6
    for stage in MembershipStage:
        assert stages[stage] > 0, stage
    levels = Counter(Person.objects.values_list("theory_level", flat=True))
    assert levels[TheoryLevel.TRUNG_CAP] > PEOPLE * 0.1
    # People live in the cells, never directly in a committee.
    assert not Person.objects.filter(organization__children__isnull=False).exists()
    assert not Person.objects.filter(organization__dissolved_on__isnull=False).exists()


def test_every_person_obeys_the_rules_of_the_rolls(summary, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        people = list(Person.objects.all())
        steps: dict[int, list[MembershipChange]] = defaultdict(list)
        for step in MembershipChange.objects.order_by("person_id", "effective_on", "id"):
            steps[step.person_id].append(step)
        levels: dict[int, list[TheoryLevelChange]] = defaultdict(list)
        for level in TheoryLevelChange.objects.order_by("person_id", "effective_on", "id"):
            levels[level.person_id].append(level)
        cards = Counter(p.party_card_no for p in people if p.party_card_no)
        for person in people:
            # person_validate checks card clashes with a query; the Counter does that in bulk.
            card, person.party_card_no = person.party_card_no, None
            person_validate(person, today=TODAY)
            person.party_card_no = card
            assert person.date_of_birth is not None
            assert 20 <= years_between(person.date_of_birth, TODAY) <= 60
            assert person.full_name.count(" ") >= 2 and person.position
            if person.stage == MembershipStage.FULL:
                assert card and card.isdigit() and len(card) in (8, 9)
            else:
                assert card is None
            if person.stage == MembershipStage.PROBATIONARY:
                # In probation, or a few weeks past it with the cell's decision still to come.
                assert person.admitted_on is not None
                assert person.admitted_on > add_months(TODAY, -12) - dt.timedelta(days=70)
            if person.full_member_on:
                assert person.admitted_on is not None
                assert person.full_member_on >= add_months(person.admitted_on, 12)
            history = steps[person.pk]
            assert history and history[-1].stage == person.stage
            assert all(s.effective_on <= TODAY for s in history)
            assert [s.effective_on for s in history] == sorted(s.effective_on for s in history)
            dated = {s.stage: s.effective_on for s in history}
            assert dated.get(MembershipStage.PROBATIONARY) == person.admitted_on
            assert dated.get(MembershipStage.FULL) == person.full_member_on
            if person.theory_level == TheoryLevel.NONE:
                assert not levels[person.pk]
            else:
                assert levels[person.pk][-1].level == person.theory_level
                assert levels[person.pk][-1].effective_on <= TODAY
    assert max(cards.values()) == 1


def test_steps_before_the_cut_over_are_history_and_the_later_ones_decisions(summary):
    cutover_on = MembershipRules.current().cutover_on
    steps = list(MembershipChange.objects.values_list("effective_on", "as_history"))
    assert steps and all(history == (on < cutover_on) for on, history in steps)
    assert any(not history for _on, history in steps)


def test_every_cell_secretary_is_a_full_member_with_trung_cap(summary):
    secretaries = Person.objects.filter(position="Bí thư chi bộ")
    assert secretaries.exists()
    assert set(secretaries.values_list("stage", flat=True)) == {MembershipStage.FULL}
    assert not secretaries.filter(theory_level__lt=TheoryLevel.TRUNG_CAP).exists()


def test_the_2025_reorganization_shows_in_the_tree_history(summary):
    user = department()
    before = {n.name for n in flatten(organization_tree_as_of(user=user, on=dt.date(2025, 6, 30)))}
    after = {n.name for n in flatten(organization_tree_as_of(user=user, on=dt.date(2025, 7, 1)))}
    assert "Đảng ủy Khối các cơ quan tỉnh" in before and "Đảng ủy xã Tân Lập" in before
    assert "Đảng ủy các cơ quan Đảng tỉnh" in after
    assert "Đảng ủy Khối các cơ quan tỉnh" not in after and "Đảng ủy xã Tân Lập" not in after
    assert "Chi bộ thôn Tân Hòa" in after
    cell = Organization.objects.select_related("parent").get(name="Chi bộ thôn Tân Hòa")
    assert cell.parent is not None and cell.parent.name == "Đảng ủy xã Đồng Tâm"


def test_one_account_per_role_and_each_can_sign_in(summary, client):
    # Sign-in accounts: the API tokens' principals (inactive, no password) are not among them.
    users = {
        u.username: u
        for u in User.objects.filter(is_active=True).select_related("organization__kind", "person")
    }
    assert {u.role for u in users.values()} == set(Role)
    kinds = {
        name: org.kind.code
        for name in ("canbo_coso", "canbo_khoi")
        if (org := users[name].organization) is not None
    }
    assert kinds == {"canbo_coso": "dang_bo_co_so", "canbo_khoi": "truc_thuoc"}
    learner = users["hocvien"]
    assert learner.person is not None
    assert learner.get_full_name().split() and learner.last_name in learner.person.full_name
    for username in users:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


# --- Courses ------------------------------------------------------------------------------------


def test_every_programme_runs_courses_around_the_year(summary):
    courses = list(year_courses(summary).select_related("programme"))
    assert summary.courses is not None and summary.courses.courses == len(courses)
    assert {c.programme.code for c in courses} == PROGRAMMES
    # Trung cấp is 120 half-days: one class, running now.
    assert sum(c.programme.code == "TC" for c in courses) == 1
    statuses = Counter(c.status for c in courses)
    assert statuses[Course.Status.FINISHED] >= 2 and statuses[Course.Status.OPEN] >= 2
    assert statuses[Course.Status.IN_PROGRESS] == 2
    assert len({c.starts_on.month for c in courses}) >= 6
    assert len({c.organizer_id for c in courses}) >= 3
    first_last = {
        row["course"]: row
        for row in Session.objects.filter(course__in=courses)
        .values("course")
        .annotate(first=Min("date"), last=Max("date"))
    }
    for course in courses:
        dates = first_last[course.pk]
        assert course.starts_on <= dates["first"] and dates["last"] <= course.ends_on
        if course.status == Course.Status.FINISHED:
            assert dates["last"] < TODAY
        elif course.status == Course.Status.OPEN:
            assert dates["first"] > TODAY
        else:
            assert dates["first"] <= TODAY <= dates["last"]


def test_every_course_page_of_the_demo_shows_its_sessions(summary, client):
    client.force_login(department())
    first = dict(
        Session.objects.order_by("course_id", "-date", "-starts_at").values_list("course_id", "id")
    )
    courses = list(year_courses(summary).values_list("pk", flat=True))
    assert courses and set(courses) <= set(first)
    for pk in courses:
        response = client.get(f"/lop-hoc/{pk}/")
        assert response.status_code == 200
        assert f'id="session-{first[pk]}"' in response.content.decode()


def test_no_venue_or_lecturer_is_in_two_places_at_once(summary):
    sessions = list(Session.objects.order_by("date", "starts_at"))
    booked: dict[tuple[str, int, dt.date], list[Session]] = defaultdict(list)
    for s in sessions:
        if s.venue_id:
            booked[("venue", s.venue_id, s.date)].append(s)
        if s.lecturer_id:
            booked[("lecturer", s.lecturer_id, s.date)].append(s)
    for same_day in booked.values():
        for i, a in enumerate(same_day):
            for b in same_day[i + 1 :]:
                assert not overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at), (a, b)
    assert sum(s.lecturer_id is not None for s in sessions) > 0.9 * len(sessions)
    # What the course page would flag: double bookings, lecturers not approved for the topic,
    # learners with two sessions at once, more learners than seats. Nothing at all.
    for course in Course.objects.all():
        assert course_conflicts(course=course) == {}, course


def test_the_demo_learner_and_lecturer_have_a_session_today(summary, client):
    learner = User.objects.select_related("person").get(username="hocvien")
    today = Session.objects.filter(
        date=TODAY,
        course__enrolments__person=learner.person,
        course__enrolments__status=Enrolment.Status.ENROLLED,
        course__status=Course.Status.IN_PROGRESS,
    ).select_related("lecturer")
    assert today.count() == 2  # morning and afternoon
    lecturer = Lecturer.objects.select_related("user").get(user__username="giangvien")
    assert {s.lecturer for s in today} == {lecturer}
    # Both can open today's session: the lecturer takes the roll, the learner checks in.
    session = today.first()
    assert session is not None and lecturer.user is not None
    client.force_login(lecturer.user)
    assert client.get(f"/lop-hoc/buoi-hoc/{session.pk}/diem-danh/").status_code == 200
    client.force_login(learner)
    assert client.get(f"/lop-hoc/diem-danh/{session.checkin_code}/").status_code == 200
    # The learner has also finished a course, with their attendance on record.
    finished = Enrolment.objects.filter(
        person=learner.person, course__status=Course.Status.FINISHED
    )
    assert finished and all(e.attendances.exists() for e in finished)
    assert summary.courses is not None
    assert summary.courses.today_roll_call.startswith("/lop-hoc/buoi-hoc/")


def test_lecturers_of_three_kinds_cover_every_topic(summary):
    lecturers = list(Lecturer.objects.prefetch_related("topics"))
    assert 20 <= len(lecturers) <= 30
    assert set(Lecturer.objects.values_list("kind", flat=True)) == set(Lecturer.Kind.values)
    assert Lecturer.objects.filter(person__isnull=False).count() >= 3
    assert Lecturer.objects.select_related("user").get(user__isnull=False).user.username == (
        "giangvien"
    )
    assert any("Trường Chính trị tỉnh" in lec.workplace for lec in lecturers)
    assert all(lec.qualifications and lec.workplace for lec in lecturers)
    topics = Topic.objects.filter(programme__code__in=PROGRAMMES)
    assert topics.count() == 41
    for topic in topics:
        assert topic.lecturers.count() >= 3, topic


def test_venues_halls_and_online_rooms(summary):
    halls = Venue.objects.filter(kind=Venue.Kind.PHYSICAL)
    online = Venue.objects.filter(kind=Venue.Kind.ONLINE)
    assert halls.count() == 6 and online.count() == 2
    assert all(v.capacity > 0 and v.equipment for v in Venue.objects.all())
    assert all(v.meeting_url.startswith("https://") for v in online)
    assert halls.filter(name="Hội trường Tỉnh ủy").exists()


def test_learners_are_eligible_and_seated_and_marked_only_for_past_sessions(summary):
    enrolments = list(
        Enrolment.objects.filter(course__in=year_courses(summary)).select_related(
            "course__programme", "course__venue", "person"
        )
    )
    assert len(enrolments) > PEOPLE
    history: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for person_id, on, stage in MembershipChange.objects.order_by("effective_on", "id").values_list(
        "person_id", "effective_on", "stage"
    ):
        history[person_id].append((on, stage))
    for e in enrolments:
        # Eligible now, or when the class began: those admitted since took the awareness class
        # as candidates, those recognized since the new-member class as probationary members.
        then = copy.copy(e.person)
        then.stage = next(
            (stage for on, stage in reversed(history[e.person_id]) if on <= e.course.starts_on),
            e.person.stage,
        )
        programme = e.course.programme
        assert not eligibility_warnings(programme=programme, person=e.person) or not (
            eligibility_warnings(programme=programme, person=then)
        ), e
    per_course = Counter(e.course_id for e in enrolments)
    for e in enrolments:
        assert e.course.venue is not None
        assert per_course[e.course_id] <= min(e.course.capacity, e.course.venue.capacity)
    withdrawn = {e.pk: e.withdrawn_on for e in enrolments if e.withdrawn_on is not None}
    marks = list(
        Attendance.objects.filter(session__course__in=year_courses(summary)).select_related(
            "session"
        )
    )
    assert marks and all(m.session.date < TODAY for m in marks)
    assert all(
        m.session.date < withdrawn[m.enrolment_id] for m in marks if m.enrolment_id in withdrawn
    )
    statuses = Counter(m.status for m in marks)
    assert statuses[Attendance.Status.PRESENT] > 0.85 * len(marks)
    assert statuses[Attendance.Status.EXCUSED] and statuses[Attendance.Status.ABSENT]
    # Every learner of a finished course has a mark for each session held before they left.
    held = Counter(
        Session.objects.filter(
            course__in=year_courses(summary), course__status="finished"
        ).values_list("course_id", flat=True)
    )
    marked = Counter(m.enrolment_id for m in marks)
    for e in enrolments:
        if e.course.status == Course.Status.FINISHED and e.status == "enrolled":
            assert marked[e.pk] == held[e.course_id]


def test_reset_removes_the_courses_and_what_later_apps_hung_on_them(summary):
    course = Course.objects.filter(status=Course.Status.FINISHED).first()
    assert course is not None
    enrolment = course.enrolments.select_related("person").first()
    assert enrolment is not None
    province = Organization.objects.get(code="HBS")
    series = CertificateSeries.objects.create(programme=course.programme, year=YEAR + 5)
    old = Certificate.objects.create(
        enrolment=enrolment,
        person=enrolment.person,
        programme=course.programme,
        course=course,
        series=series,
        number=1,
        serial="X-001",
        issued_on=TODAY,
        issuer=province,
        issuer_name=province.name,
        holder_name=enrolment.person.full_name,
    )
    Certificate.objects.create(
        enrolment=enrolment,
        person=enrolment.person,
        programme=course.programme,
        course=course,
        series=series,
        number=2,
        serial="X-002",
        issued_on=TODAY,
        issuer=province,
        issuer_name=province.name,
        holder_name=enrolment.person.full_name,
        replaces=old,
    )
    Expense.objects.create(
        course=course, kind="lecturer_fees", amount=Decimal(500000), spent_on=TODAY
    )

    demo_reset()

    for model in (
        Course,
        Session,
        Enrolment,
        Attendance,
        Lecturer,
        Venue,
        Certificate,
        PlannedCourse,
        Nomination,
        Person,
        Organization,
    ):
        assert not model.objects.exists(), model
    assert Programme.objects.filter(code__in=PROGRAMMES).count() == 6


# --- Results, certificates, surveys -------------------------------------------------------------


def test_evaluation_counts_say_what_was_made(summary):
    counts = summary.evaluation
    assert counts is not None
    courses = year_courses(summary)
    finished = courses.filter(status=Course.Status.FINISHED).count()
    assert finished >= 5
    assert counts == {
        "results": Result.objects.filter(enrolment__course__in=courses).count(),
        "approved_courses": finished - 1,
        "certificates": Certificate.objects.filter(course__in=courses).count(),
        "revoked": 1,
        "reissued": 1,
        "levels_raised": counts["levels_raised"],
        "survey_responses": SurveyResponse.objects.filter(course__in=courses).count(),
        "lecturer_ratings": LecturerRating.objects.filter(response__course__in=courses).count(),
        "membership_decisions": MembershipDecision.objects.count(),
        "membership_exceptions": MembershipDecision.objects.filter(is_exception=True).count(),
    }
    assert ResultsApproval.objects.filter(course__in=courses).count() == finished - 1


def test_every_enrolled_learner_of_a_finished_course_has_a_result_by_the_rules(summary):
    courses = year_courses(summary)
    enrolled = set(
        Enrolment.objects.filter(
            course__in=courses, course__status=Course.Status.FINISHED, status="enrolled"
        ).values_list("pk", flat=True)
    )
    results = list(
        Result.objects.filter(enrolment__course__in=courses).select_related(
            "enrolment__course__programme"
        )
    )
    assert {r.enrolment_id for r in results} == enrolled
    by_course: dict[int, list[Result]] = defaultdict(list)
    for result in results:
        by_course[result.enrolment.course_id].append(result)
    for rows in by_course.values():
        course = rows[0].enrolment.course
        programme = course.programme
        rates = course_attendance(course=course, today=TODAY)
        allowed = set(needed_scores(programme))
        for result in rows:
            given = {f for f in ("essay_score", "test_score") if getattr(result, f) is not None}
            assert given <= allowed, (course.code, given)
            outcome = classify(
                programme=programme,
                essay=result.essay_score,
                test=result.test_score,
                attendance_percent=attendance_percent(*rates[result.enrolment_id]),
            )
            assert result.attendance_percent == attendance_percent(*rates[result.enrolment_id])
            assert (result.final_score, result.band, result.passed) == (
                outcome.final,
                outcome.band,
                outcome.passed,
            )
    # Every entered score left its ScoreChange, and the one correction carries its reason.
    entered = (
        sum((r.essay_score is not None) + (r.test_score is not None) for r in results) + 1
    )  # the corrected score: entered, then corrected
    assert ScoreChange.objects.filter(result__enrolment__course__in=courses).count() == entered
    # Mostly 6.5–9.5, a few below the pass mark.
    finals = [r.final_score for r in results if r.final_score is not None]
    share = sum(6.5 <= f <= 9.5 for f in finals) / len(finals)
    assert share > 0.7
    assert 0 < sum(r.band == "fail" for r in results) < 0.1 * len(finals)


def test_all_finished_courses_but_the_latest_graded_one_are_approved(summary, client):
    pending = (
        year_courses(summary)
        .select_related("programme")
        .get(status=Course.Status.FINISHED, results_approval__isnull=True)
    )
    assert needed_scores(pending.programme) and pending.programme.issues_certificate
    assert not Certificate.objects.filter(course=pending).exists()
    # A couple of scores are still to be entered there.
    missing = Result.objects.filter(
        enrolment__course=pending, essay_score=None, test_score=None
    ).count()
    assert 1 <= missing <= 2
    client.force_login(department())
    response = client.get(reverse("assessment:grade_sheet", args=[pending.pk]))
    assert response.status_code == 200
    assert reverse("assessment:results_approve", args=[pending.pk]) in response.content.decode()


def test_every_passer_of_an_approved_course_holds_one_certificate_in_force(summary):
    approved = Course.objects.filter(
        results_approval__isnull=False, programme__issues_certificate=True
    )
    passers = set(
        Result.objects.filter(enrolment__course__in=approved, passed=True).values_list(
            "enrolment_id", flat=True
        )
    )
    valid = Counter(
        Certificate.objects.filter(status=Certificate.Status.VALID).values_list(
            "enrolment_id", flat=True
        )
    )
    assert passers and set(valid) == passers
    assert set(valid.values()) == {1}
    assert not Certificate.objects.filter(course__programme__issues_certificate=False).exists()


def test_one_certificate_is_revoked_after_a_correction_with_its_reasons(summary):
    revoked = Certificate.objects.get(status=Certificate.Status.REVOKED, replaced_by__isnull=True)
    assert revoked.revoked_on == TODAY and revoked.revoke_reason
    result = Result.objects.get(enrolment_id=revoked.enrolment_id)
    assert not result.passed
    correction = ScoreChange.objects.select_related("result").get(is_correction=True)
    assert correction.result == result and correction.reason and correction.new_value == 0


def test_one_certificate_is_reissued_with_the_corrected_name_and_points_back(summary, client):
    new = Certificate.objects.select_related("replaces", "person").get(replaces__isnull=False)
    old = new.replaces
    assert old is not None
    assert old.status == Certificate.Status.REVOKED
    assert old.revoke_reason == reissue_reason(new.serial)
    assert new.status == Certificate.Status.VALID and new.enrolment_id == old.enrolment_id
    assert new.holder_name == new.person.full_name != old.holder_name
    assert new.expires_on == old.expires_on and new.issued_on == TODAY
    assert new.number > old.number
    # The name was corrected on the rolls through the service: its audit entry says so.
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person),
        object_id=new.person_id,
        summary=NAME_NOTE,
    ).latest("pk")
    assert entry.changes[0]["old"] == old.holder_name
    assert entry.changes[0]["new"] == new.holder_name

    client.force_login(department())
    page = client.get(reverse("assessment:certificate_register")).content.decode()
    revoked = Certificate.objects.get(status=Certificate.Status.REVOKED, replaced_by__isnull=True)
    for serial in (old.serial, new.serial, revoked.serial):
        assert serial in page


def test_survey_answers_name_no_one_and_have_one_receipt_each(summary):
    for model in (SurveyResponse, LecturerRating):
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert not related & {Person, Enrolment, User}
    receipts = Counter(
        SurveyReceipt.objects.values_list("enrolment__course_id", flat=True).order_by()
    )
    responses = Counter(SurveyResponse.objects.values_list("course_id", flat=True).order_by())
    assert receipts and receipts == responses
    assert not SurveyReceipt.objects.exclude(
        enrolment__status=Enrolment.Status.ENROLLED,
        enrolment__course__status=Course.Status.FINISHED,
    ).exists()
    # The demo learner is left to answer for themselves, and keeps their certificates.
    learner = User.objects.get(username="hocvien")
    assert learner.person_id is not None
    assert not SurveyReceipt.objects.filter(enrolment__person_id=learner.person_id).exists()
    assert pending_surveys_for(learner, today=TODAY)
    assert not Certificate.objects.filter(
        person_id=learner.person_id, status=Certificate.Status.REVOKED
    ).exists()
    # Every answer rates each lecturer of its course once, on their first session there.
    for course in Course.objects.filter(pk__in=list(responses)):
        expected = {(s.lecturer.pk, s.first_session.pk) for s in survey_lecturers(course=course)}
        for response in SurveyResponse.objects.filter(course=course).prefetch_related("ratings"):
            given = [(r.lecturer_id, r.session_id) for r in response.ratings.all()]
            assert len(given) == len(set(given)) and set(given) == expected


def test_some_courses_show_lecturer_averages_and_one_only_its_count(summary):
    answers = Counter(SurveyResponse.objects.values_list("course_id", flat=True).order_by())
    assert any(n > MIN_ANSWERS for n in answers.values())
    few = [course_id for course_id, n in answers.items() if n < MIN_ANSWERS]
    assert few
    lecturer = Lecturer.objects.filter(ratings__response__course_id=few[0]).first()
    assert lecturer is not None
    rows = {row.course_id: row for row in lecturer_feedback(lecturer=lecturer).courses}
    assert rows[few[0]].answers == answers[few[0]] and rows[few[0]].scores is None


# --- Party membership decisions -----------------------------------------------------------------


def test_every_decision_since_the_cut_over_rests_on_its_evidence(summary):
    assert summary.evaluation is not None
    cutover_on = MembershipRules.current().cutover_on
    steps = list(
        MembershipChange.objects.filter(
            stage__in=["probationary", "full"], effective_on__gte=cutover_on
        ).select_related("decision__certificate", "decision__course", "person__organization")
    )
    # Admissions only this year (full memberships since the cut-over: test_seed_demo.py).
    assert "probationary" in {s.stage for s in steps}
    assert summary.evaluation["membership_decisions"] == len(steps)
    for step in steps:
        decision = step.decision
        assert decision.decided_on == step.effective_on and not step.as_history
        assert decision.number.endswith(("QĐ/ĐU", "QĐ/TU"))
        if decision.is_exception:
            continue
        if decision.kind == MembershipDecision.Kind.ADMISSION:
            status = admission_check(person=step.person, on=decision.decided_on)
            assert status.valid and decision.certificate == status.certificate
        else:
            assert new_member_check(person=step.person).course == decision.course


def test_two_or_three_exceptions_with_reasons_audited_and_listed(summary, client):
    assert summary.evaluation is not None
    exceptions = list(MembershipDecision.objects.filter(is_exception=True))
    assert 2 <= len(exceptions) <= 3
    assert summary.evaluation["membership_exceptions"] == len(exceptions)
    assert all(d.exception_reason for d in exceptions)
    audited = AuditEntry.objects.filter(action__endswith="_exception")
    assert set(audited.values_list("object_id", flat=True)) == {d.person_id for d in exceptions}
    assert MembershipRules.current().exceptions_allowed
    client.force_login(department())
    page = client.get(reverse("membership:exceptions")).text
    assert all(d.exception_reason in page for d in exceptions)


# --- The yearly cycle ---------------------------------------------------------------------------


@pytest.fixture
def plan(summary: DemoSummary) -> AnnualPlan:
    return AnnualPlan.objects.select_related("issuer").get(year=YEAR)


def test_planning_counts_say_what_was_made(summary, plan):
    counts = summary.planning
    assert counts is not None
    next_round = NominationRound.objects.get(year=YEAR + 1)
    assert counts["rounds"] == 2
    assert counts["nominations"] == Nomination.objects.count()
    assert (
        counts["this_year_nominations"] == nom_selectors.nominations_for_year(year=YEAR).count() > 0
    )
    assert counts["planned_courses"] == plan.planned_courses.count()
    assert counts["budget_lines"] == plan.budget_lines.count()
    assert counts["adjusted_lines"] == plan.budget_lines.exclude(adjustment_note="").count() == 2
    assert counts["facility_needs"] == 3
    assert counts["plan_versions"] == 2
    assert counts["linked_courses"] + counts["courses_from_plan"] == (
        plan.planned_courses.exclude(course=None).count()
    )
    assert counts["expenses"] == Expense.objects.count()
    assert counts["next_year_submitted"] == (
        Submission.objects.filter(round=next_round, status=Submission.Status.SUBMITTED).count()
    )
    assert counts["reminders"] == (
        SubmissionEvent.objects.filter(submission__round=next_round, action="reminded").count()
    )


def test_this_years_round_is_closed_with_the_organizations_submissions(summary):
    this_round = NominationRound.objects.get(year=YEAR)
    assert this_round.is_closed
    assert local(this_round.opened_at) < this_round.deadline < dt.date(YEAR, 1, 1)
    submissions = Submission.objects.filter(round=this_round)
    assert submissions.count() >= 10
    assert set(submissions.values_list("status", flat=True)) == {Submission.Status.SUBMITTED}
    for submitted_at in submissions.values_list("submitted_at", flat=True):
        assert local(submitted_at) <= this_round.deadline
    # Accepted from the suggestion engine: each keeps the rule that suggested it.
    rules = set(
        Nomination.objects.filter(submission__round=this_round).values_list("rule", flat=True)
    )
    assert rules and "" not in rules


def test_the_plan_was_returned_with_comments_revised_and_approved(plan):
    assert plan.status == AnnualPlan.Status.APPROVED
    versions = plan_history.plan_versions(plan=plan)
    assert len(versions) >= 2
    decisions = [v.decision for v in versions]
    returned = [d for d in decisions if d.decision == PlanDecision.Decision.RETURNED]
    assert len(returned) == 1 and returned[0].comment.strip()
    assert decisions[-1].decision == PlanDecision.Decision.APPROVED
    assert decisions[-1].decided_by.username == "lanhdao"

    steps = plan_history.plan_timeline(plan=plan, versions=versions)
    assert [s.action for s in steps] == [
        "created",
        "submitted",
        "returned",
        "revised",
        "submitted",
        "approved",
    ]
    times = [s.at for s in steps]
    assert times == sorted(times)
    assert local(times[-1]) < dt.date(YEAR, 1, 1)
    assert plan_selectors.document_date(plan) == local(times[-1])

    # The second version differs from the first: a course added, a budget line changed.
    with translation.override("vi"):
        _version, diff = plan_history.version_diff(plan=plan, number=2)
    assert diff is not None and not diff.empty
    sections = {s.title: s for s in diff.sections}
    assert sections["Các lớp trong kế hoạch"].added
    assert sections["Các khoản kinh phí"].changed


def test_the_budget_follows_the_norms_but_for_two_lines_adjusted_with_a_reason(plan):
    courses = list(plan_selectors.planned_courses(plan=plan))
    lines = plan_budget.budget_lines(plan=plan)
    assert not plan_budget.budget_is_stale(
        courses=courses, lines=lines, norms=BudgetNorms.current()
    )
    assert {(line.planned_course_id, line.kind) for line in lines} == {
        (pc.pk, kind) for pc in courses for kind in plan_budget.KINDS
    }
    adjusted = [line for line in lines if line.amount != line.computed_amount]
    assert len(adjusted) == 2
    assert all(line.adjustment_note for line in adjusted)
    assert {line.kind for line in adjusted} == {BudgetLine.Kind.VENUE, BudgetLine.Kind.MATERIALS}
    kinds = set(plan.facility_needs.values_list("kind", flat=True))
    assert kinds == {FacilityNeed.Kind.HALL, FacilityNeed.Kind.ONLINE, FacilityNeed.Kind.EQUIPMENT}


def test_planned_courses_are_built_from_the_years_nominations(plan):
    submitted = set(nom_selectors.nominations_for_year(year=YEAR).values_list("pk", flat=True))
    linked = list(
        Nomination.objects.filter(planned_courses__plan=plan).values_list("pk", "programme_id")
    )
    assert linked
    assert {pk for pk, _programme in linked} <= submitted
    # Each nomination sits in one planned course, of its programme.
    assert len(linked) == len({pk for pk, _programme in linked})
    for pc in plan.planned_courses.prefetch_related("nominations"):
        assert all(n.programme_id == pc.programme_id for n in pc.nominations.all())


def test_the_plan_is_partly_carried_out(plan):
    planned = list(plan.planned_courses.select_related("course").prefetch_related("nominations"))
    linked = [pc for pc in planned if pc.course is not None]
    assert linked
    for pc in linked:
        assert pc.course.programme_id == pc.programme_id
    held = [pc for pc in linked if pc.course.status in plan_vs_actual.HELD]
    assert any(pc.course.status == Course.Status.FINISHED for pc in held)
    assert any(pc.course.status == Course.Status.IN_PROGRESS for pc in held)
    assert [pc for pc in planned if pc.course is None]  # not held (yet)
    # One course made from the plan, its nominees enrolled.
    made = [pc for pc in linked if pc.course.starts_on.month == pc.month and pc.nominations.all()]
    created = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(AnnualPlan),
        object_id=plan.pk,
        action="course_create",
    )
    assert created.count() == 1
    from_plan = next(pc for pc in made if pc.course.code in created.get().summary)
    assert from_plan.course.status == Course.Status.OPEN
    nominees = {n.person_id for n in from_plan.nominations.all()}
    enrolled = set(
        Enrolment.objects.filter(course=from_plan.course).values_list("person_id", flat=True)
    )
    assert nominees == enrolled


def test_plan_against_actual_shows_the_gaps(plan):
    actual = plan_vs_actual.plan_actual(plan=plan)
    assert actual.by_organization and actual.by_programme
    total = actual.total
    assert 0 < total.courses_held < total.courses_planned
    assert 0 < total.spent < total.budget_planned
    assert any(row.held_gap for row in actual.by_programme)
    assert any(row.overspent for row in actual.by_organization)
    # Per course: one over its budget, others under.
    planned = {
        pc.course_id: sum((line.amount for line in pc.budget_lines.all()), Decimal(0))
        for pc in plan.planned_courses.exclude(course=None).prefetch_related("budget_lines")
    }
    spent: dict[int, Decimal] = {}
    for course_id, amount in Expense.objects.values_list("course_id", "amount"):
        spent[course_id] = spent.get(course_id, Decimal(0)) + amount
    assert len(spent) >= 3
    assert any(spent[c] > planned[c] for c in spent)
    assert any(spent[c] < planned[c] for c in spent)
    for course in Course.objects.filter(pk__in=list(spent)):
        assert course.status in plan_vs_actual.HELD


def test_the_plan_document_downloads(client, plan):
    document = Document(io.BytesIO(plan_docx(plan=plan)))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert f"Số {plan.number}" in text
    assert "DỰ THẢO" not in text  # approved
    client.force_login(department())
    response = client.get(reverse("planning:plan_docx", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(DOCX_TYPE)


def test_next_years_round_is_past_its_deadline_with_late_organizations(summary):
    assert summary.planning is not None
    next_round = NominationRound.objects.get(year=YEAR + 1)
    assert not next_round.is_closed
    assert next_round.deadline == TODAY - dt.timedelta(days=3)
    assert local(next_round.opened_at) < next_round.deadline
    table = nom_selectors.submission_status_table(
        user=department(), nomination_round=next_round, today=TODAY
    )
    assert 0.3 < table.submitted / table.total < 0.7
    assert table.late >= 3
    statuses = [row.status for row in table.rows if row.late]
    assert Submission.Status.DRAFT in statuses and "not_started" in statuses
    assert sum(row.submitted_late for row in table.rows) == 1
    # Submitted on time, bar the one the department reopened.
    for row in table.rows:
        if row.is_submitted and not row.submitted_late:
            assert local(row.submission.submitted_at) <= next_round.deadline
    assert summary.planning["next_year_late"] == table.late


def test_the_officers_organization_was_reminded_and_reopened(summary):
    assert summary.planning is not None
    next_round = NominationRound.objects.get(year=YEAR + 1)
    officer = User.objects.get(username="canbo_coso")
    submission = Submission.objects.get(round=next_round, organization=officer.organization)
    assert submission.status == Submission.Status.REOPENED
    assert submission.reopened_until is not None and submission.reopened_until > TODAY
    state = nom_selectors.submission_state(
        nomination_round=next_round, submission=submission, today=TODAY
    )
    assert state.editable
    actions = list(submission.events.values_list("action", flat=True))
    assert actions == ["reminded", "reopened"]
    assert officer.email.endswith(MAIL_DOMAIN)
    reminded = SubmissionEvent.objects.filter(submission__round=next_round, action="reminded")
    assert reminded.exists()
    assert {local(e.at) for e in reminded} == {next_round.deadline - dt.timedelta(days=4)}
    assert summary.planning["next_year_reopened"] == 2


def test_some_organizations_added_people_by_hand(summary):
    assert summary.planning is not None
    by_hand = Nomination.objects.filter(submission__round__year=YEAR + 1, rule="")
    assert by_hand.count() == summary.planning["next_year_by_hand"] >= 2
    assert all(n.note for n in by_hand)
    assert by_hand.filter(priority=Nomination.Priority.HIGH).exists()
    accepted = Nomination.objects.filter(submission__round__year=YEAR + 1).exclude(rule="")
    assert accepted.count() > by_hand.count()


def test_nothing_is_dated_after_today(summary):
    assert not SubmissionEvent.objects.filter(at__date__gt=TODAY).exists()
    assert not Nomination.objects.filter(created_at__date__gt=TODAY).exists()
    assert not Expense.objects.filter(spent_on__gt=TODAY).exists()
    assert not Submission.objects.filter(submitted_at__date__gt=TODAY).exists()
    assert not Attendance.objects.filter(session__date__gte=TODAY).exists()
    assert not Certificate.objects.filter(issued_on__gt=TODAY).exists()


# --- Projects -----------------------------------------------------------------------------------


def test_demo_projects_have_history_and_laggards(summary):
    assert summary.monitoring is not None and summary.monitoring["projects"] == 2
    old = Project.objects.select_related("issuer").get(number="06-ĐA/TU")
    new = Project.objects.get(start_year=2026)
    province = old.issuer

    # Every past year of the old project is stored, and a parent holds the sum of its children.
    years = set(
        IndicatorSnapshot.objects.filter(indicator="pass_rate").values_list("year", flat=True)
    )
    assert {2021, 2022, 2023, 2024, 2025} <= years
    for year in (2021, 2025):
        snaps = {
            s.organization_id: s
            for s in IndicatorSnapshot.objects.filter(indicator="pass_rate", year=year)
        }
        children = Organization.objects.filter(parent=province)
        own_people = snaps[province.pk].denominator - sum(snaps[c.pk].denominator for c in children)
        assert own_people == 0  # nobody sits in the province node itself
        assert 0 < snaps[province.pk].numerator <= snaps[province.pk].denominator

    board = dashboard.build(
        project=old,
        organization=province,
        year=2025,
        as_of=dt.date(2025, 12, 31),
        today=TODAY,
        live=False,
    )
    assert all(v.measure.value is not None for v in board.targets)

    now = dashboard.build(
        project=new, organization=province, year=2026, as_of=TODAY, today=TODAY, live=True
    )
    ranked = [r.status for v in now.targets for r in v.ranking]
    assert dashboard.OFF_TRACK in ranked and dashboard.ON_TRACK in ranked
    assert ProgressReport.objects.exists()
    assert TargetEntry.objects.filter(target__project=new, value=Decimal(75)).exists()
    assert TargetEntry.objects.exclude(evidence="").count() == TargetEntry.objects.count()


# --- Oversight and reports ----------------------------------------------------------------------


def test_the_half_year_round_has_late_and_returned_reports(summary):
    assert summary.reviews is not None
    reporting_round = ReportingRound.objects.get()
    assert reporting_round.title.endswith("năm 2026")
    table = rounds.status_table(user=department(), reporting_round=reporting_round, today=TODAY)
    assert table.late >= 2
    assert table.returned == 1
    returned = Report.objects.select_related("organization").get(status=Report.Status.RETURNED)
    assert returned.organization.code == "HBS-CQD"  # the demo officer canbo_khoi's
    assert returned.events.filter(action="returned").exists()


def test_an_inspection_with_three_findings_and_an_overdue_recommendation(summary):
    concluded = Inspection.objects.get(status=Inspection.Status.CONCLUDED)
    assert Finding.objects.filter(inspection=concluded).count() == 3
    assert concluded.number == "01-TB/BTG"
    assert inspections.recommendations_overdue(user=department(), today=TODAY).count() == 1
    assert Briefing.objects.count() == 2


def test_the_provinces_report_downloads(summary, client):
    client.force_login(department())
    report = Report.objects.get(is_department=True)
    response = client.get(reverse("reviews:report_docx", args=[report.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    assert "BAN TUYÊN GIÁO VÀ DÂN VẬN" in [p.text for p in document.tables[0].cell(0, 0).paragraphs]


# --- Connections --------------------------------------------------------------------------------


def test_the_demo_shows_every_connection_and_sends_nothing(summary, client):
    counts = summary.connections
    assert counts is not None
    assert counts["tokens"] == ApiToken.objects.count() == 2
    assert ApiRequest.objects.count() == counts["requests"] > 0
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active
    assert not WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).exists()
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).exists()
    assert StudyFeed.objects.count() == counts["calendar links"] > 0
    client.force_login(department())
    page = client.get(f"/ket-noi/webhook/{endpoint.pk}/")
    assert page.status_code == 200 and endpoint.url in page.text
