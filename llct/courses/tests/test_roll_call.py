"""Taking the roll: it opens on the session's day (or earlier, a setting); each tap is saved
against the mark the officer saw, so a stale tap never overwrites another officer's mark;
"all present" keeps the exceptions; a change after the day is a correction with its reason,
kept in the session's history."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from llct.core.models import AuditEntry, Role
from llct.core.tests.pages import two_clients
from llct.courses.models import Attendance, SchedulingRules
from llct.courses.tests.factories import running_course
from llct.courses.tests.test_attendance import (
    MONDAY,
    ZONE,
    enrol,
    make_session,
    make_setup,
    mark_url,
    roll_url,
)
from llct.organizations.tests.factories import make_person, make_user

JSON = {"Accept": "application/json"}


def at(day: dt.date, hour: int = 8):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE), tick=False)


@pytest.fixture
def setup(world):
    return make_setup(world)


def all_url(session):
    return reverse("courses:roll_call_all", args=[session.pk])


def marks(session):
    return dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))


# --- When it opens ----------------------------------------------------------------------------


def test_before_the_sessions_day_the_roll_call_is_shown_but_closed(client, world, setup):
    session, enrolment = setup["session"], setup["enrol_a"]
    client.force_login(world.department)
    with at(MONDAY - dt.timedelta(days=1)):
        page = client.get(roll_url(session)).text
        answer = client.post(mark_url(session, enrolment), {"status": "present"}, headers=JSON)
    assert "Điểm danh buổi học này mở từ ngày 02/03/2026." in page
    assert 'value="present" class="mark mark-present" aria-pressed="false" disabled' in page
    assert "Có mặt tất cả" not in page
    assert answer.status_code == 422 and answer.json()["state"] == "refused"
    assert marks(session) == {}


def test_the_department_may_open_the_roll_call_days_before(client, world, setup):
    rules = SchedulingRules.current()
    rules.roll_call_opens_days = 2
    rules.save()
    session, enrolment = setup["session"], setup["enrol_a"]
    client.force_login(world.department)
    with at(MONDAY - dt.timedelta(days=2)):
        answer = client.post(mark_url(session, enrolment), {"status": "excused"}, headers=JSON)
    assert answer.json()["state"] == "saved"
    assert marks(session) == {enrolment.pk: "excused"}
    with at(MONDAY - dt.timedelta(days=3)):
        answer = client.post(mark_url(session, enrolment), {"status": "present"}, headers=JSON)
    assert answer.status_code == 422


def test_the_opening_is_a_setting_of_the_scheduling_rules(client, world):
    client.force_login(world.department)
    page = client.get(reverse("courses:rules")).text
    assert "mở điểm danh (số ngày trước buổi học)" in page.lower()
    data = {
        "checkin_opens_minutes": "30",
        "checkin_closes_minutes": "60",
        "roll_call_opens_days": "30",
        "venue_double_booked": "block",
        "lecturer_double_booked": "block",
        "learner_double_booked": "warning",
        "capacity_exceeded": "block",
        "lecturer_not_approved": "warning",
        "morning_start": "07:30",
        "morning_end": "11:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "evening_start": "19:00",
        "evening_end": "21:00",
    }
    refused = client.post(reverse("courses:rules"), data)
    assert refused.status_code == 422 and "Nhập số ngày từ 0 đến 7." in refused.text
    data["roll_call_opens_days"] = "1"
    assert client.post(reverse("courses:rules"), data).status_code == 302
    assert SchedulingRules.current().roll_call_opens_days == 1


# --- Saving a tap against what the officer saw ------------------------------------------------


def test_a_tap_answers_json_with_the_stored_mark_and_the_learners_rate(client, world, setup):
    session, enrolment = setup["session"], setup["enrol_a"]
    client.force_login(world.department)
    with at(MONDAY):
        answer = client.post(
            mark_url(session, enrolment), {"status": "present", "original": ""}, headers=JSON
        )
    body = answer.json()
    assert answer.status_code == 200
    assert body["state"] == "saved" and body["value"] == "present"
    assert f'id="rate-{enrolment.pk}"' in body["fragments"][f"rate-{enrolment.pk}"]


def test_a_stale_tap_does_not_overwrite_another_officers_mark(world, setup):
    session, enrolment = setup["session"], setup["enrol_a"]
    lecturer, department = two_clients(setup["lecturer_user"], world.department)
    with at(MONDAY):
        # Both opened the roll call with the learner unmarked.
        for client in (lecturer, department):
            assert 'name="original" value=""' in client.get(roll_url(session)).text
        lecturer.post(mark_url(session, enrolment), {"status": "absent", "original": ""})
        answer = department.post(
            mark_url(session, enrolment), {"status": "present", "original": ""}, headers=JSON
        )
        assert answer.status_code == 409
        body = answer.json()
        assert body["state"] == "clash" and body["value"] == "absent"
        assert "vừa ghi “Vắng”; “Có mặt” của bạn chưa được lưu" in body["message"]
        assert marks(session) == {enrolment.pk: "absent"}
        # Retry: the same tap against what is stored now keeps it, on purpose.
        answer = department.post(
            mark_url(session, enrolment), {"status": "present", "original": "absent"}, headers=JSON
        )
    assert answer.json()["state"] == "saved"
    assert marks(session) == {enrolment.pk: "present"}


def test_without_script_a_stale_tap_comes_back_with_the_other_mark(client, world, setup):
    session, enrolment = setup["session"], setup["enrol_a"]
    Attendance.objects.create(session=session, enrolment=enrolment, status="excused")
    client.force_login(world.department)
    with at(MONDAY):
        response = client.post(
            mark_url(session, enrolment), {"status": "absent", "original": ""}, follow=True
        )
    assert "vừa ghi “Vắng có phép”" in response.text
    assert marks(session) == {enrolment.pk: "excused"}


def test_a_retried_tap_that_was_already_saved_is_saved(client, world, setup):
    session, enrolment = setup["session"], setup["enrol_a"]
    client.force_login(world.department)
    with at(MONDAY):
        for _ in range(2):  # the first answer was lost on the way back
            answer = client.post(
                mark_url(session, enrolment), {"status": "present", "original": ""}, headers=JSON
            )
            assert answer.json()["state"] == "saved"
    assert marks(session) == {enrolment.pk: "present"}


# --- All present ------------------------------------------------------------------------------


def test_all_present_marks_only_the_unmarked_and_keeps_the_exceptions(client, world, setup):
    session, a, b = setup["session"], setup["enrol_a"], setup["enrol_b"]
    (c,) = enrol(setup["course"], make_person(world.org_a1, "Lê Thị Ánh"))
    (d,) = enrol(setup["course"], make_person(world.org_a1, "Phạm Văn Dũng"))
    client.force_login(world.department)
    Attendance.objects.create(session=session, enrolment=a, status="excused")
    with at(MONDAY):
        page = client.get(roll_url(session)).text
        assert "Có mặt tất cả" in page
        assert f'name="enrolment" value="{a.pk}"' not in page  # already marked
        # Meanwhile another officer marks c absent.
        Attendance.objects.create(session=session, enrolment=c, status="absent")
        answer = client.post(all_url(session), {"enrolment": [b.pk, c.pk, d.pk]}, headers=JSON)
    body = answer.json()
    assert body["state"] == "saved"
    assert body["marks"] == {str(b.pk): "present", str(c.pk): "absent", str(d.pk): "present"}
    assert marks(session) == {a.pk: "excused", b.pk: "present", c.pk: "absent", d.pk: "present"}


def test_all_present_without_script_says_how_many(client, world, setup):
    session = setup["session"]
    client.force_login(world.department)
    with at(MONDAY):
        response = client.post(
            all_url(session),
            {"enrolment": [setup["enrol_a"].pk, setup["enrol_b"].pk]},
            follow=True,
        )
    assert "Đã ghi có mặt 2 học viên." in response.text
    assert set(marks(session).values()) == {"present"}


def test_all_present_reaches_only_learners_the_officer_may_see(client, world):
    course = running_course(world.org_b)
    session = make_session(course)
    enrol_a, enrol_b = enrol(course, world.person_a, world.person_b)
    client.force_login(world.officer_b)
    with at(MONDAY):
        client.post(all_url(session), {"enrolment": [enrol_a.pk, enrol_b.pk]})
    assert marks(session) == {enrol_b.pk: "present"}
    client.force_login(world.officer_a)
    with at(MONDAY):
        assert client.post(all_url(session), {"enrolment": [enrol_a.pk]}).status_code == 403
    assert marks(session) == {enrol_b.pk: "present"}


def test_all_present_takes_a_fixed_number_of_queries(
    client, world, setup, django_assert_max_num_queries
):
    session = setup["session"]
    people = [make_person(world.org_a1, f"Nguyễn Văn Học {i:03}") for i in range(100)]
    ids = [e.pk for e in enrol(setup["course"], *people)]
    client.force_login(world.department)
    with at(MONDAY):
        client.get(roll_url(session))
        with django_assert_max_num_queries(16):
            client.post(all_url(session), {"enrolment": ids}, headers=JSON)
    assert len(marks(session)) == 100


# --- Corrections after the day ----------------------------------------------------------------


def test_after_the_day_a_change_needs_a_reason_and_is_audited(client, world, setup):
    session, enrolment = setup["session"], setup["enrol_a"]
    Attendance.objects.create(session=session, enrolment=enrolment, status="absent")
    client.force_login(world.department)
    with at(MONDAY + dt.timedelta(days=3)):
        page = client.get(roll_url(session)).text
        assert "thay đổi lúc này là điều chỉnh" in page
        refused = client.post(
            mark_url(session, enrolment), {"status": "present", "original": "absent"}, headers=JSON
        )
        assert refused.status_code == 422
        assert "Hãy ghi lý do." in refused.json()["message"]
        assert marks(session) == {enrolment.pk: "absent"}
        answer = client.post(
            mark_url(session, enrolment),
            {"status": "present", "original": "absent", "reason": "  Có giấy xác nhận  "},
            headers=JSON,
        )
    assert answer.json()["state"] == "saved"
    assert marks(session) == {enrolment.pk: "present"}
    entry = AuditEntry.objects.get(action="attendance_correct")
    assert entry.object_id == session.pk and entry.actor == world.department
    # The roll call shows it, with its reason.
    with at(MONDAY + dt.timedelta(days=3)):
        page = client.get(roll_url(session)).text
    assert "Điều chỉnh sau buổi học" in page and "Lý do: Có giấy xác nhận" in page
    assert entry.summary == "Có giấy xác nhận"
    assert entry.changes == [
        {
            "field": "attendance",
            "label": "Điểm danh Nguyễn Văn An",
            "old": "Vắng",
            "new": "Có mặt",
        }
    ]


def test_marks_on_the_day_are_not_corrections(client, world, setup):
    client.force_login(world.department)
    with at(MONDAY, hour=20):
        client.post(mark_url(setup["session"], setup["enrol_a"]), {"status": "present"})
    assert not AuditEntry.objects.filter(action="attendance_correct").exists()


def test_all_present_after_the_day_needs_a_reason_too(client, world, setup):
    session = setup["session"]
    client.force_login(world.department)
    with at(MONDAY + dt.timedelta(days=1)):
        refused = client.post(all_url(session), {"enrolment": [setup["enrol_a"].pk]}, headers=JSON)
        assert refused.status_code == 422
        client.post(
            all_url(session), {"enrolment": [setup["enrol_a"].pk], "reason": "Bổ sung theo sổ"}
        )
    assert marks(session) == {setup["enrol_a"].pk: "present"}
    assert AuditEntry.objects.get(action="attendance_correct").summary == "Bổ sung theo sổ"


def test_a_learner_may_not_take_the_roll(client, world, setup):
    client.force_login(world.learner)
    with at(MONDAY):
        answer = client.post(
            mark_url(setup["session"], setup["enrol_a"]), {"status": "present"}, headers=JSON
        )
        assert answer.status_code == 403
        assert client.post(all_url(setup["session"]), {"enrolment": [1]}).status_code == 403
    leader = make_user("lanhdao2", Role.LEADER)
    client.force_login(leader)
    with at(MONDAY):
        assert client.post(all_url(setup["session"]), {"enrolment": [1]}).status_code == 403
    assert marks(setup["session"]) == {}
