"""Approving a course's results: only the department; certificates to passers only; theory
levels raised, dated and sourced, never lowered; then the lock: corrections with a reason."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from llct.assessment.models import Certificate, Result, ResultsApproval, ScoreChange
from llct.assessment.tests.test_results import (
    add_sessions,
    attend,
    enrol,
    make_course,
    make_programme,
    post_cell,
    score_of,
    sheet_url,
)
from llct.core.models import AuditEntry, Role
from llct.courses.models import Course
from llct.organizations.models import Person, TheoryLevel, TheoryLevelChange
from llct.organizations.tests.factories import make_person, make_user


def approve_url(course):
    return reverse("assessment:results_approve", args=[course.pk])


def correct_url(course, enrolment):
    return reverse("assessment:score_correct", args=[course.pk, enrolment.pk])


@pytest.fixture
def so_cap(world):
    """A finished sơ cấp course: Giỏi (passes), Thấp (4.9, fails), Vắng (2 of 5 sessions,
    fails) and Cao (passes, already at trung cấp)."""
    programme = make_programme(
        kind="so_cap", issues_certificate=True, raises_level_to=TheoryLevel.SO_CAP
    )
    course = make_course(world.org_a, programme, name="Lớp Sơ cấp LLCT khóa 1")
    sessions = add_sessions(course, 5)
    people = {
        "gioi": make_person(world.org_a1, "Nguyễn Văn Giỏi"),
        "thap": make_person(world.org_a1, "Nguyễn Văn Thấp"),
        "vang": make_person(world.org_a1, "Nguyễn Văn Vắng"),
        "cao": make_person(world.org_a1, "Nguyễn Văn Cao", theory_level=TheoryLevel.TRUNG_CAP),
    }
    enrolments = dict(zip(people, enrol(course, *people.values()), strict=True))
    attend(sessions, enrolments["gioi"], enrolments["thap"], enrolments["cao"])
    attend(sessions, enrolments["vang"], present=2)
    return {"course": course, "people": people, "enrolments": enrolments}


def fill(client, world, so_cap):
    client.force_login(world.department)
    scores = {"gioi": "8,5", "thap": "4,9", "vang": "9", "cao": "7"}
    for key, raw in scores.items():
        post_cell(client, so_cap["course"], so_cap["enrolments"][key], raw)


def approve(client, world, course):
    client.force_login(world.department)
    return client.post(approve_url(course))


# --- Who may approve, and when ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_only_the_department_may_approve(client, world, so_cap, who):
    fill(client, world, so_cap)
    client.force_login(getattr(world, who))
    course = so_cap["course"]
    assert client.get(approve_url(course)).status_code in (403, 404)
    assert client.post(approve_url(course)).status_code in (403, 404)
    assert not ResultsApproval.objects.exists()


def test_a_lecturer_may_not_approve(client, world, so_cap):
    from llct.curriculum.models import Lecturer

    teacher = make_user("giangvien", Role.LECTURER)
    lecturer = Lecturer.objects.create(full_name="Lê Văn Giảng", user=teacher)
    so_cap["course"].sessions.update(lecturer=lecturer)
    client.force_login(teacher)
    assert client.post(approve_url(so_cap["course"])).status_code == 403
    assert not ResultsApproval.objects.exists()


def test_results_of_a_course_not_finished_cannot_be_approved(client, world, so_cap):
    course = so_cap["course"]
    Course.objects.filter(pk=course.pk).update(status=Course.Status.IN_PROGRESS)
    response = approve(client, world, course)
    assert response.status_code == 422
    assert "chưa được đánh dấu là đã kết thúc" in response.text
    assert not ResultsApproval.objects.exists()


def test_results_are_approved_once(client, world, so_cap):
    fill(client, world, so_cap)
    assert approve(client, world, so_cap["course"]).status_code == 302
    response = approve(client, world, so_cap["course"])
    assert response.status_code == 422
    assert "Kết quả của lớp này đã được phê duyệt rồi." in response.text
    assert ResultsApproval.objects.count() == 1
    assert Certificate.objects.count() == 2


def test_the_approval_page_shows_who_fails_and_why(client, world, so_cap):
    fill(client, world, so_cap)
    text = client.get(approve_url(so_cap["course"])).text
    assert "Nguyễn Văn Thấp" in text and "điểm dưới 5" in text
    assert "Nguyễn Văn Vắng" in text and "chuyên cần 40% dưới 80%" in text
    assert "2 học viên đạt sẽ được cấp giấy chứng nhận" in text


# --- What approval does -----------------------------------------------------------------------


def test_approval_issues_certificates_to_the_passers_only(client, world, so_cap):
    fill(client, world, so_cap)
    response = approve(client, world, so_cap["course"])
    assert response.status_code == 302
    approval = ResultsApproval.objects.get()
    assert approval.approved_by == world.department
    certificates = Certificate.objects.order_by("number")
    people = so_cap["people"]
    assert {c.person_id for c in certificates} == {people["gioi"].pk, people["cao"].pk}
    assert all(c.issued_on == timezone.localdate() for c in certificates)
    assert all(c.course_id == so_cap["course"].pk for c in certificates)
    assert [c.number for c in certificates] == [1, 2]
    results = {r.enrolment.person_id: r for r in Result.objects.select_related("enrolment")}
    assert results[people["vang"].pk].passed is False
    assert results[people["vang"].pk].attendance_percent == 40
    assert results[people["thap"].pk].band == "fail"
    follow = client.get(sheet_url(so_cap["course"]))
    assert "Đã được" in follow.text and "phê duyệt" in follow.text
    assert 'class="score-input"' not in follow.text  # locked: no inputs any more


def test_a_learner_without_any_result_row_is_recorded_as_failing(client, world, so_cap):
    # Nobody entered a score for Thấp: approval still stores a result, "no score yet".
    fill(client, world, so_cap)
    Result.objects.filter(enrolment=so_cap["enrolments"]["thap"]).delete()
    approve(client, world, so_cap["course"])
    result = Result.objects.get(enrolment=so_cap["enrolments"]["thap"])
    assert result.passed is False and result.fail_reason == "chưa có điểm"


def test_no_certificates_when_the_programme_issues_none(client, world):
    programme = make_programme(issues_certificate=False)
    course = make_course(world.province, programme)
    sessions = add_sessions(course, 2)
    (e,) = enrol(course, world.person_a)
    attend(sessions, e)
    client.force_login(world.department)
    post_cell(client, course, e, "9")
    assert approve(client, world, course).status_code == 302
    assert not Certificate.objects.exists()
    assert Result.objects.get().passed


def test_approval_raises_the_theory_level_dated_and_sourced_by_the_serial(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    gioi = Person.objects.get(pk=so_cap["people"]["gioi"].pk)
    assert gioi.theory_level == TheoryLevel.SO_CAP
    change = TheoryLevelChange.objects.get(person=gioi)
    certificate = Certificate.objects.get(person=gioi)
    assert change.level == TheoryLevel.SO_CAP
    assert change.effective_on == timezone.localdate()
    assert certificate.serial in change.source and "Lớp Sơ cấp LLCT khóa 1" in change.source
    assert change.actor == world.department
    audit = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Person), object_id=gioi.pk
    )
    assert audit.changes[0]["field"] == "theory_level"
    assert audit.changes[0]["new"] == "Sơ cấp"
    # Those who failed keep their level.
    assert Person.objects.get(pk=so_cap["people"]["thap"].pk).theory_level == TheoryLevel.NONE
    assert not TheoryLevelChange.objects.filter(person=so_cap["people"]["vang"]).exists()


def test_approval_never_lowers_a_higher_theory_level(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    cao = Person.objects.get(pk=so_cap["people"]["cao"].pk)
    assert cao.theory_level == TheoryLevel.TRUNG_CAP
    assert not TheoryLevelChange.objects.filter(person=cao).exists()
    assert Certificate.objects.filter(person=cao).exists()  # the certificate is still issued


# --- The lock and corrections -----------------------------------------------------------------


def test_after_approval_a_score_cannot_be_entered_on_the_sheet(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    e = so_cap["enrolments"]["thap"]
    response = post_cell(client, so_cap["course"], e, "6")
    assert "chỉ sửa điểm bằng đính chính" in response.text
    assert score_of(e) == Decimal("4.9")
    response = client.post(sheet_url(so_cap["course"]), {f"essay_score-{e.pk}": "6"})
    assert response.status_code == 302
    assert score_of(e) == Decimal("4.9")


def test_a_correction_without_a_reason_is_refused(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    e = so_cap["enrolments"]["thap"]
    response = client.post(correct_url(so_cap["course"], e), {"field": "essay_score", "value": "6"})
    assert response.status_code == 422
    assert score_of(e) == Decimal("4.9")
    assert not ScoreChange.objects.filter(is_correction=True).exists()


def test_a_correction_with_a_reason_is_recorded_and_shown(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    e = so_cap["enrolments"]["gioi"]
    response = client.post(
        correct_url(so_cap["course"], e),
        {"field": "essay_score", "value": "9,0", "reason": "Chấm phúc khảo theo QĐ 12"},
    )
    assert response.status_code == 302
    assert score_of(e) == Decimal("9.0")
    change = ScoreChange.objects.get(is_correction=True)
    assert (change.old_value, change.new_value) == (Decimal("8.5"), Decimal("9.0"))
    assert change.reason == "Chấm phúc khảo theo QĐ 12"
    assert change.actor == world.department
    log = client.get(reverse("assessment:results_changes", args=[so_cap["course"].pk])).text
    assert "Chấm phúc khảo theo QĐ 12" in log
    person = client.get(reverse("assessment:person_results", args=[e.person_id])).text
    assert "Chấm phúc khảo theo QĐ 12" in person
    # Still passing: no certificate notice.
    assert Result.objects.get(enrolment=e).band == "excellent"


def test_the_same_score_is_not_a_correction(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    e = so_cap["enrolments"]["gioi"]
    response = client.post(
        correct_url(so_cap["course"], e),
        {"field": "essay_score", "value": "8.5", "reason": "Nhầm"},
    )
    assert response.status_code == 422
    assert "Điểm hiện tại đã là giá trị này." in response.text


def test_a_correction_from_pass_to_fail_asks_to_revoke_and_revokes_nothing(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    e = so_cap["enrolments"]["gioi"]
    response = client.post(
        correct_url(so_cap["course"], e),
        {"field": "essay_score", "value": "4", "reason": "Phát hiện sao chép"},
        follow=True,
    )
    assert "hãy thu hồi tại trang giấy chứng nhận" in response.text
    certificate = Certificate.objects.get(person=e.person)
    assert certificate.status == Certificate.Status.VALID
    assert not Result.objects.get(enrolment=e).passed
    # The sheet keeps saying so until the certificate is revoked.
    sheet = client.get(sheet_url(so_cap["course"])).text
    assert "nay không đạt: hãy thu hồi" in sheet
    register = reverse("assessment:certificate_register") + f"?course={so_cap['course'].pk}"
    assert f'href="{register}"' in sheet


def test_a_correction_from_fail_to_pass_asks_to_issue_and_issues_nothing(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    e = so_cap["enrolments"]["thap"]
    response = client.post(
        correct_url(so_cap["course"], e),
        {"field": "essay_score", "value": "5", "reason": "Cộng sót điểm câu 2"},
        follow=True,
    )
    assert "cần được cấp giấy chứng nhận" in response.text
    assert not Certificate.objects.filter(person=e.person).exists()
    assert Result.objects.get(enrolment=e).passed
    assert "Đạt nhưng chưa có giấy chứng nhận" in client.get(sheet_url(so_cap["course"])).text


def test_corrections_are_for_approved_results_only(client, world, so_cap):
    fill(client, world, so_cap)
    e = so_cap["enrolments"]["gioi"]
    response = client.get(correct_url(so_cap["course"], e))
    assert response.status_code == 302
    assert response["Location"] == sheet_url(so_cap["course"])


def test_an_officer_of_another_organization_cannot_correct(client, world, so_cap):
    fill(client, world, so_cap)
    approve(client, world, so_cap["course"])
    client.force_login(world.officer_b)
    e = so_cap["enrolments"]["gioi"]
    response = client.post(
        correct_url(so_cap["course"], e), {"field": "essay_score", "value": "1", "reason": "x"}
    )
    assert response.status_code == 403
    assert score_of(e) == Decimal("8.5")


@pytest.mark.parametrize(
    ("assessment_kind", "field"), [("essay", "essay_score"), ("final_exams", "test_score")]
)
def test_a_programme_with_one_graded_piece_saves_its_correction(
    client, world, assessment_kind, field
):
    """The awareness class (an essay) and trung cấp (final exams): the form has nothing to
    choose, and what the page posts is saved."""
    programme = make_programme(kind="professional", assessment_kind=assessment_kind)
    course = make_course(world.org_a, programme)
    sessions = add_sessions(course, 2)
    (enrolment,) = enrol(course, world.person_a)
    attend(sessions, enrolment)
    client.force_login(world.department)
    post_cell(client, course, enrolment, "6", field=field)
    approve(client, world, course)
    page = client.get(correct_url(course, enrolment)).text
    assert f'type="hidden" name="field" value="{field}"' in page
    response = client.post(
        correct_url(course, enrolment),
        {"field": "", "value": "7,5", "reason": "Phúc khảo theo Quyết định 15-QĐ/TU"},
    )
    assert response.status_code == 302
    assert score_of(enrolment, field) == Decimal("7.5")
    change = ScoreChange.objects.get(is_correction=True)
    assert change.reason == "Phúc khảo theo Quyết định 15-QĐ/TU"
