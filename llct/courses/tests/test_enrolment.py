"""Enrolment: eligibility per programme, the override reason, scope, capacity and clashes,
withdrawal and coming back."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from llct.courses.models import Course, Enrolment, SchedulingRules
from llct.courses.services.conflicts import ConflictError
from llct.courses.services.enrolment import (
    eligibility_warnings,
    enrolment_create_many,
    enrolment_withdraw,
)
from llct.courses.tests.factories import (
    enrol,
    make_course,
    make_programme,
    make_session,
    make_venue,
)
from llct.curriculum.models import Programme
from llct.organizations.models import MembershipStage, TheoryLevel
from llct.organizations.tests.factories import make_org, make_person

CANDIDATE = MembershipStage.CANDIDATE
NON_MEMBER = MembershipStage.NON_MEMBER
PROBATIONARY = MembershipStage.PROBATIONARY
FULL = MembershipStage.FULL


@pytest.fixture
def programme(db):
    return make_programme(topics=[("Một", 1)])


@pytest.fixture
def course(world, programme):
    return make_course(programme, world.org_a, name="Lớp nghiệp vụ")


# --- Eligibility, per programme kind (the six programmes of the data migration) ----------------


@pytest.mark.parametrize(
    ("code", "stage", "level", "warned"),
    [
        # The admission class: candidates and non-members.
        ("NTVD", CANDIDATE, TheoryLevel.NONE, False),
        ("NTVD", NON_MEMBER, TheoryLevel.NONE, False),
        ("NTVD", PROBATIONARY, TheoryLevel.NONE, True),
        ("NTVD", FULL, TheoryLevel.NONE, True),
        # The new-member class: probationary members only.
        ("DVM", PROBATIONARY, TheoryLevel.NONE, False),
        ("DVM", FULL, TheoryLevel.NONE, True),
        ("DVM", CANDIDATE, TheoryLevel.NONE, True),
        # Sơ cấp: members.
        ("SC", FULL, TheoryLevel.NONE, False),
        ("SC", NON_MEMBER, TheoryLevel.NONE, True),
        # Trung cấp: members who already hold sơ cấp.
        ("TC", FULL, TheoryLevel.SO_CAP, False),
        ("TC", FULL, TheoryLevel.CAO_CAP, False),
        ("TC", FULL, TheoryLevel.NONE, True),
        # Professional training and resolution study: everyone.
        ("NV", NON_MEMBER, TheoryLevel.NONE, False),
        ("QTNQ", CANDIDATE, TheoryLevel.NONE, False),
    ],
)
def test_eligibility_per_programme(world, code, stage, level, warned):
    programme = Programme.objects.get(code=code)
    person = make_person(world.org_a1, "Lê Văn Thử", stage=stage, theory_level=level)
    assert bool(eligibility_warnings(programme=programme, person=person)) is warned


def test_trung_cap_without_so_cap_and_wrong_stage_gives_two_warnings(world):
    programme = Programme.objects.get(code="TC")
    person = make_person(world.org_a1, "Lê Văn Thử", stage=CANDIDATE)
    warnings = eligibility_warnings(programme=programme, person=person)
    assert len(warnings) == 2
    assert all("Lê Văn Thử" in w for w in warnings)


# --- The override reason --------------------------------------------------------------------------


def test_an_override_needs_a_written_reason_which_is_kept(world):
    programme = Programme.objects.get(code="DVM")
    course = make_course(programme, world.org_a)
    full = make_person(world.org_a1, "Lê Văn Chính", stage=FULL)
    fine = make_person(world.org_a1, "Lê Văn Dự", stage=PROBATIONARY)
    with pytest.raises(ConflictError) as caught:
        enrolment_create_many(course=course, people=[full, fine], actor=world.department)
    assert "override_reason" in caught.value.message_dict
    assert caught.value.eligibility and "Lê Văn Chính" in caught.value.eligibility[0]
    with pytest.raises(ValidationError):
        enrolment_create_many(
            course=course, people=[full], actor=world.department, override_reason="   "
        )
    assert not course.enrolments.exists()
    result = enrolment_create_many(
        course=course,
        people=[full, fine],
        actor=world.department,
        override_reason="Chưa học lớp đảng viên mới khi còn dự bị",
    )
    assert result.count == 2
    kept = dict(course.enrolments.values_list("person_id", "override_reason"))
    # The reason belongs to the person it was given for.
    assert kept == {full.pk: "Chưa học lớp đảng viên mới khi còn dự bị", fine.pk: ""}


def test_override_reason_through_the_page_and_shown_on_the_course(as_user, world):
    programme = Programme.objects.get(code="DVM")
    course = make_course(programme, world.org_a)
    full = make_person(world.org_a1, "Lê Văn Chính", stage=FULL)
    client = as_user(world.officer_a)
    url = reverse("courses:enrol", args=[course.pk])
    response = client.post(url, {"person": full.pk})
    assert response.status_code == 422
    assert "Lê Văn Chính" in response.text
    assert 'name="override_reason"' in response.text
    assert f'name="person" value="{full.pk}"' in response.text  # the choice travels on
    assert not course.enrolments.exists()
    response = client.post(url, {"person": full.pk, "override_reason": "Học bù"})
    assert response.status_code == 302
    page = client.get(reverse("courses:detail", args=[course.pk]))
    assert "Học bù" in page.text


# --- Scope ------------------------------------------------------------------------------------


def test_officer_of_a_neither_sees_nor_enrols_people_of_b(as_user, world, course):
    client = as_user(world.officer_a)
    url = reverse("courses:enrol", args=[course.pk])
    page = client.get(url, {"q": "binh"})
    assert "Trần Thị Bình" not in page.text
    page = client.get(url)
    assert "Nguyễn Văn An" in page.text and "Trần Thị Bình" not in page.text
    for data in (
        {"person": world.person_b.pk},
        {"people": [world.person_a.pk, world.person_b.pk]},
        {"organization": world.org_b.pk},
    ):
        response = client.post(url, data)
        assert response.status_code in (404, 422)
    assert not course.enrolments.exists()


def test_the_service_itself_refuses_people_outside_the_actor_scope(world, course):
    with pytest.raises(ValidationError):
        enrolment_create_many(course=course, people=[world.person_b], actor=world.officer_a)
    assert not course.enrolments.exists()


def test_officers_enrol_their_people_into_an_open_course_of_another_organization(
    as_user, world, course
):
    url = reverse("courses:enrol", args=[course.pk])
    response = as_user(world.officer_b).post(url, {"person": world.person_b.pk})
    assert response.status_code == 302
    assert course.enrolments.get().person == world.person_b
    # While the course is a draft, only its managers enrol.
    Course.objects.filter(pk=course.pk).update(status=Course.Status.DRAFT)
    assert as_user(world.officer_b).get(url).status_code == 403


def test_leaders_and_learners_may_not_enrol(as_user, world, course):
    url = reverse("courses:enrol", args=[course.pk])
    assert as_user(world.leader).post(url, {"person": world.person_a.pk}).status_code == 403
    enrol(course, world.person_a)
    assert as_user(world.learner).post(url, {"person": world.person_a.pk}).status_code == 403


# --- One by one, in bulk, a whole organization ----------------------------------------------------


def test_search_without_diacritics_and_enrol_one(as_user, world, course):
    make_person(world.org_a1, "Nguyễn Văn Ánh")
    make_person(world.org_a1, "Lê Thị Nguyệt")
    client = as_user(world.officer_a)
    url = reverse("courses:enrol", args=[course.pk])
    page = client.get(url, {"q": "nguyen van anh"})
    assert "Nguyễn Văn Ánh" in page.text and "Lê Thị Nguyệt" not in page.text
    fragment = client.get(url, {"q": "nguyet"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Lê Thị Nguyệt" in fragment.text
    anh = world.org_a1.people.get(full_name="Nguyễn Văn Ánh")
    response = client.post(f"{url}?q=nguyen+van+anh", {"person": anh.pk})
    assert response.status_code == 302 and response.url.endswith("?q=nguyen+van+anh")
    assert [e.person for e in course.enrolments.all()] == [anh]


def test_enrol_the_ticked_people_of_a_filtered_list(as_user, world, course):
    probationary = [
        make_person(world.org_a1, f"Đảng Viên Dự Bị {i}", stage=PROBATIONARY) for i in range(3)
    ]
    make_person(world.org_a1, "Quần Chúng", stage=NON_MEMBER)
    client = as_user(world.officer_a)
    url = reverse("courses:enrol", args=[course.pk])
    page = client.get(url, {"stage": "probationary", "organization": world.org_a.pk})
    assert all(p.full_name in page.text for p in probationary)
    assert "Quần Chúng" not in page.text
    response = client.post(url, {"people": [p.pk for p in probationary[:2]], "selected": "1"})
    assert response.status_code == 302
    assert set(course.enrolments.values_list("person_id", flat=True)) == {
        p.pk for p in probationary[:2]
    }


def test_enrol_a_whole_organization_with_its_subtree(as_user, world, course):
    cell = make_org("Chi bộ A2", parent=world.org_a)
    people = [make_person(cell, f"Người Chi Bộ {i}") for i in range(3)]
    make_person(cell, "Đã Ra Khỏi Đảng", stage=MembershipStage.LEFT, admitted_on=None)
    client = as_user(world.officer_a)
    response = client.post(
        reverse("courses:enrol", args=[course.pk]), {"organization": world.org_a.pk}
    )
    assert response.status_code == 302
    assert response.url.endswith("#learners")
    enrolled = set(course.enrolments.values_list("person__full_name", flat=True))
    assert enrolled == {"Nguyễn Văn An", *(p.full_name for p in people)}
    # Again: nobody twice.
    client.post(reverse("courses:enrol", args=[course.pk]), {"organization": world.org_a.pk})
    assert course.enrolments.count() == 4


def test_capacity_is_a_block_by_default(as_user, world, programme):
    course = make_course(programme, world.org_a, capacity=2)
    for i in range(3):
        make_person(world.org_a1, f"Người {i}")
    client = as_user(world.officer_a)
    response = client.post(
        reverse("courses:enrol", args=[course.pk]), {"organization": world.org_a1.pk}
    )
    assert response.status_code == 422
    assert "confirm_warnings" not in response.text
    assert not course.enrolments.exists()


def test_the_venue_seats_limit_the_course_too(world, programme):
    course = make_course(programme, world.org_a, capacity=50, venue=make_venue(capacity=1))
    two = [world.person_a, make_person(world.org_a1, "Người Hai")]
    with pytest.raises(ConflictError) as caught:
        enrolment_create_many(course=course, people=two, actor=world.department)
    assert [c.kind for c in caught.value.conflicts] == ["capacity"]


def test_a_learner_clash_is_shown_and_can_be_confirmed(as_user, world, programme):
    course = make_course(programme, world.org_a)
    other = make_course(programme, world.org_b, name="Lớp trùng giờ")
    make_session(course, dt.date(2026, 3, 3))
    make_session(other, dt.date(2026, 3, 3), (dt.time(10), dt.time(12)))
    enrol(other, world.person_a)
    client = as_user(world.officer_a)
    url = reverse("courses:enrol", args=[course.pk])
    response = client.post(url, {"person": world.person_a.pk})
    assert response.status_code == 422
    assert "Lớp trùng giờ" in response.text
    assert reverse("courses:detail", args=[other.pk]) in response.text
    assert 'name="confirm_warnings"' in response.text
    response = client.post(url, {"person": world.person_a.pk, "confirm_warnings": "on"})
    assert response.status_code == 302
    assert course.enrolments.filter(person=world.person_a).exists()


def test_a_finished_course_takes_no_learners(world, programme):
    course = make_course(programme, world.org_a, status=Course.Status.FINISHED)
    with pytest.raises(ValidationError):
        enrolment_create_many(course=course, people=[world.person_a], actor=world.department)


# --- Withdrawal -------------------------------------------------------------------------------


def test_withdrawal_keeps_reason_and_date_and_shows_on_the_course_page(as_user, world, course):
    enrolment = enrol(course, world.person_a)
    client = as_user(world.officer_a)
    url = reverse("courses:withdraw", args=[enrolment.pk])
    response = client.post(url, {"on": "10/03/2026", "reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"on": "10/03/2026", "reason": "Chuyển công tác"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    assert enrolment.withdrawn_on == dt.date(2026, 3, 10)
    assert enrolment.withdrawal_reason == "Chuyển công tác"
    page = client.get(reverse("courses:detail", args=[course.pk]))
    assert 'class="withdrawn"' in page.text
    assert "10/03/2026" in page.text and "Chuyển công tác" in page.text


def test_withdrawal_needs_a_reason(world, course):
    enrolment = enrol(course, world.person_a)
    with pytest.raises(ValidationError) as caught:
        enrolment_withdraw(
            enrolment=enrolment, reason=" ", on=dt.date(2026, 3, 4), actor=world.department
        )
    assert "reason" in caught.value.message_dict
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"


def test_officer_cannot_withdraw_a_learner_of_another_organization(as_user, world, course):
    enrolment = enrol(course, world.person_b)
    url = reverse("courses:withdraw", args=[enrolment.pk])
    response = as_user(world.officer_a).post(url, {"on": "10/03/2026", "reason": "Thử"})
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"


def test_a_withdrawn_learner_can_be_enrolled_again(as_user, world, course):
    enrolment = enrol(course, world.person_a)
    enrolment_withdraw(
        enrolment=enrolment, reason="Ốm", on=dt.date(2026, 3, 4), actor=world.department
    )
    client = as_user(world.officer_a)
    response = client.post(
        reverse("courses:enrol", args=[course.pk]),
        {"person": world.person_a.pk, "back": "course"},
    )
    assert response.status_code == 302 and response.url.endswith("#learners")
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"
    assert enrolment.withdrawn_on is None and enrolment.withdrawal_reason == ""
    assert Enrolment.objects.filter(course=course).count() == 1


# --- Query count ------------------------------------------------------------------------------


def test_enrol_page_query_count_does_not_grow(as_user, world, course):
    client = as_user(world.officer_a)
    SchedulingRules.current()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("courses:enrol", args=[course.pk]))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(60):
        person = make_person(world.org_a1, f"Người Thứ {i}")
        if i % 3 == 0:
            enrol(course, person)
    assert count() == few


# --- The picker: who is offered, and warnings at the scale of an organization ---------------


def test_the_picker_hides_people_who_have_left(as_user, world, course):
    make_person(world.org_a1, "Trần Văn Còn")
    gone = make_person(world.org_a1, "Trần Văn Đã Đi", stage=MembershipStage.LEFT)
    client = as_user(world.officer_a)
    page = client.get(reverse("courses:enrol", args=[course.pk]), {"q": "tran van"}).text
    assert "Trần Văn Còn" in page
    assert "Trần Văn Đã Đi" not in page
    # Posted by hand, the id is refused like one outside the scope.
    response = client.post(reverse("courses:enrol", args=[course.pk]), {"person": gone.pk})
    assert response.status_code == 422
    assert not Enrolment.objects.filter(person=gone).exists()


@pytest.fixture
def awareness_course(world):
    programme = make_programme(topics=[("Một", 1)], eligible_stages=[CANDIDATE, NON_MEMBER])
    return make_course(programme, world.org_a, capacity=500, name="Lớp nhận thức")


def test_whole_organization_warnings_are_summarized_by_reason_with_counts(
    as_user, world, awareness_course
):
    for n in range(12):
        make_person(world.org_a1, f"Đảng Viên Số {n}", stage=FULL)
    for n in range(3):
        make_person(world.org_a1, f"Dự Bị Số {n}", stage=PROBATIONARY)
    make_person(world.org_a1, "Cảm Tình Một", stage=CANDIDATE)
    client = as_user(world.officer_a)
    url = reverse("courses:enrol", args=[awareness_course.pk])
    response = client.post(url, {"organization": world.org_a.pk})
    assert response.status_code == 422
    text = response.text
    summary = text[text.index('id="eligibility-summary"') :]
    # One line per reason with its count.
    assert summary.count("<details>") == 2
    assert "12 người" in summary
    assert "3 người" in summary
    assert "Đảng Viên Số 11" in summary  # the names, behind the expandable line
    assert not Enrolment.objects.filter(course=awareness_course).exists()


def test_whole_organization_eligible_only_enrols_without_warnings(as_user, world, awareness_course):
    make_person(world.org_a1, "Đảng Viên Một", stage=FULL)
    candidate = make_person(world.org_a1, "Cảm Tình Một", stage=CANDIDATE)
    outsider = make_person(world.org_a1, "Quần Chúng Một", stage=NON_MEMBER)
    make_person(world.org_a1, "Đã Ra Khỏi Đảng", stage=MembershipStage.LEFT)
    client = as_user(world.officer_a)
    url = reverse("courses:enrol", args=[awareness_course.pk])
    response = client.post(url, {"organization": world.org_a.pk, "eligible_only": "on"})
    assert response.status_code == 302
    enrolled = set(
        Enrolment.objects.filter(course=awareness_course).values_list("person_id", flat=True)
    )
    assert enrolled == {world.person_a.pk, candidate.pk, outsider.pk}
