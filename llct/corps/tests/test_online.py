import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from llct.corps.models import OnlineJoin, OnlinePresence, OnlineSettings
from llct.corps.online import online_report_import
from llct.corps.tests.factories import make_course, make_programme, make_session
from llct.courses.models import Attendance, Enrolment, Venue
from llct.organizations.tests.factories import make_person

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # session 07:30-11:30


@pytest.fixture
def online_session(world):
    venue = Venue.objects.create(
        name="Phòng họp trực tuyến",
        kind="online",
        capacity=100,
        meeting_url="https://meet.example.vn/phong-1",
    )
    course = make_course(make_programme(topics=1), world.province, venue=venue, starts_on=DAY)
    session = make_session(course, DAY)
    Enrolment.objects.create(course=course, person=world.person_a)
    Enrolment.objects.create(course=course, person=world.person_b)
    return session


def at(hour, minute):
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time(hour, minute)))


def test_learner_sees_the_link_on_home_only_in_the_window(client, world, online_session):
    client.force_login(world.learner)
    with time_machine.travel(at(7, 0), tick=False):
        page = client.get("/").text
        assert "online-classes" in page and "/vao/" not in page
        assert client.get(f"/doi-ngu/truc-tuyen/{online_session.pk}/vao/").status_code == 403
    with time_machine.travel(at(7, 20), tick=False):
        assert f"/doi-ngu/truc-tuyen/{online_session.pk}/vao/" in client.get("/").text
        response = client.get(f"/doi-ngu/truc-tuyen/{online_session.pk}/vao/")
        assert response.status_code == 302
        assert response["Location"].startswith("https://meet.jit.si/llct-")
    assert OnlineJoin.objects.get().enrolment.person == world.person_a
    with time_machine.travel(at(11, 31), tick=False):
        assert "online-classes" not in client.get("/").text


def test_room_link_per_venue_when_set(client, world, online_session):
    OnlineSettings.objects.update_or_create(pk=1, defaults={"room_per_session": False})
    client.force_login(world.learner)
    with time_machine.travel(at(7, 20), tick=False):
        response = client.get(f"/doi-ngu/truc-tuyen/{online_session.pk}/vao/")
    assert response["Location"] == "https://meet.example.vn/phong-1"


def test_who_is_not_enrolled_gets_404(client, world, online_session):
    Enrolment.objects.filter(person=world.person_a).delete()
    client.force_login(world.learner)
    with time_machine.travel(at(8, 0), tick=False):
        assert client.get(f"/doi-ngu/truc-tuyen/{online_session.pk}/vao/").status_code == 404
    client.force_login(world.officer_a)
    assert client.get(f"/doi-ngu/truc-tuyen/{online_session.pk}/vao/").status_code == 404


def _csv(*rows):
    lines = ["Name,Join time,Leave time", *rows]
    return io.BytesIO("\n".join(lines).encode())


def test_report_marks_present_late_and_absent(world, online_session):
    extra = make_person(world.org_a1, "Lê Thị Cúc")
    Enrolment.objects.create(course=online_session.course, person=extra)
    report = _csv(
        "Nguyen Van An,2026-03-02 07:25,2026-03-02 09:00",
        "Nguyễn Văn An,2026-03-02 08:50,2026-03-02 11:35",  # rejoined: minutes add up
        "Trần Thị Bình,2026-03-02 08:00,2026-03-02 11:30",  # 210 min, 30 late
        "Lê Thị Cúc,2026-03-02 07:30,2026-03-02 08:30",  # 60 min < 120
    )
    result = online_report_import(file=report, session=online_session, actor=world.department)
    assert result.rejected == [] and result.written == 3
    presences = OnlinePresence.objects.select_related("enrolment__person")
    status = {p.enrolment.person.full_name: p.status for p in presences}
    assert status == {"Nguyễn Văn An": "present", "Trần Thị Bình": "late", "Lê Thị Cúc": "absent"}
    marks = {
        a.enrolment.person.full_name: a.status
        for a in Attendance.objects.select_related("enrolment__person")
    }
    assert marks == {"Nguyễn Văn An": "present", "Trần Thị Bình": "present", "Lê Thị Cúc": "absent"}


def test_report_with_unmatched_and_duplicate_rows_writes_nothing(world, online_session):
    report = _csv(
        "Nguyễn Văn An,2026-03-02 07:25,2026-03-02 11:30",
        "Nguyễn Văn An,2026-03-02 07:25,2026-03-02 11:30",
        "Người Lạ,2026-03-02 07:25,2026-03-02 11:30",
        "Trần Thị Bình,không rõ,2026-03-02 11:30",
    )
    result = online_report_import(file=report, session=online_session, actor=world.department)
    assert [r.line for r in result.rejected] == [3, 4, 5]
    assert "Trùng" in result.rejected[0].problem  # a duplicate of row 2
    assert not OnlinePresence.objects.exists() and not Attendance.objects.exists()


def test_report_import_page_for_staff_only(client, world, online_session):
    client.force_login(world.department)
    report = _csv("Nguyễn Văn An,2026-03-02 07:25,2026-03-02 11:30")
    report.name = "report.csv"
    response = client.post(f"/doi-ngu/truc-tuyen/{online_session.pk}/", {"file": report})
    assert 'id="report-written"' in response.text
    client.force_login(world.learner)
    assert client.get(f"/doi-ngu/truc-tuyen/{online_session.pk}/").status_code in (403, 404)
