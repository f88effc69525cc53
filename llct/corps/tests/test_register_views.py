import datetime as dt

import pytest

from llct.core.models import Role
from llct.corps.models import Appointment, Observation, WorkEntry
from llct.corps.tests.factories import (
    make_appointment,
    make_lecturer,
    make_observation,
    make_sessions,
    make_work,
)
from llct.organizations.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _corps(world, n=3):
    lecturers = [make_lecturer(f"Nguyễn Văn Giảng {i}") for i in range(n)]
    for lecturer in lecturers:
        make_appointment(lecturer)
        sessions = make_sessions(lecturer, world.org_a, [dt.date(2026, 3, 2), dt.date(2026, 3, 3)])
        make_work(lecturer, "essays", 20, dt.date(2026, 3, 20))
        make_observation(sessions[0])
    return lecturers


def test_register_shows_hours_and_marks_shortfalls(client, world):
    _corps(world, 1)
    client.force_login(world.department)
    page = client.get("/doi-ngu/?year=2026").text
    assert "Nguyễn Văn Giảng 0" in page
    assert 'id="short-count"' in page  # 2 sessions + 20 essays = 10 of 20


def test_register_query_count_does_not_grow_with_lecturers(
    client, world, django_assert_max_num_queries
):
    _corps(world, 6)
    client.force_login(world.department)
    with django_assert_max_num_queries(14):
        assert client.get("/doi-ngu/?year=2026").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/doi-ngu/danh-gia/?year=2026").status_code == 200


def test_lecturer_page_query_count(client, world, django_assert_max_num_queries):
    (lecturer,) = _corps(world, 1)
    client.force_login(world.leader)
    with django_assert_max_num_queries(20):
        page = client.get(f"/doi-ngu/{lecturer.pk}/?year=2026").text
    assert "Phạm Văn Dự" in page


def test_officers_and_learners_do_not_see_the_register(client, world):
    (lecturer,) = _corps(world, 1)
    for user in (world.officer_a, world.learner):
        client.force_login(user)
        assert client.get("/doi-ngu/").status_code == 404
        assert client.get(f"/doi-ngu/{lecturer.pk}/").status_code == 404


def test_a_lecturer_reads_their_own_record_only(client, world):
    mine, other = _corps(world, 2)
    account = make_user("giangvien", Role.LECTURER)
    mine.user = account
    mine.save()
    client.force_login(account)
    assert client.get(f"/doi-ngu/{mine.pk}/").status_code == 200
    assert client.get(f"/doi-ngu/{other.pk}/").status_code == 404
    assert client.post(f"/doi-ngu/{mine.pk}/cong-viec/", {}).status_code == 403


def test_department_records_an_appointment_with_a_default_renewal(client, world):
    lecturer = make_lecturer()
    client.force_login(world.department)
    response = client.post(
        f"/doi-ngu/{lecturer.pk}/bo-nhiem/",
        {
            "number": "125-QĐ/TU",
            "signed_on": "2026-01-05",
            "issuer": "Ban Thường vụ Tỉnh ủy",
            "term_starts": "2026-01-05",
            "term_ends": "2031-01-04",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.renewal_due == dt.date(2030, 11, 5)


def test_appointment_term_must_end_after_it_starts(client, world):
    lecturer = make_lecturer()
    client.force_login(world.department)
    response = client.post(
        f"/doi-ngu/{lecturer.pk}/bo-nhiem/",
        {
            "number": "1-QĐ/TU",
            "signed_on": "2026-01-05",
            "issuer": "BTV",
            "term_starts": "2026-01-05",
            "term_ends": "2025-01-04",
        },
    )
    assert response.status_code == 422 and not Appointment.objects.exists()


def test_leader_cannot_record_work(client, world):
    lecturer = make_lecturer()
    client.force_login(world.leader)
    data = {"kind": "essays", "quantity": 10, "date": "2026-03-01"}
    assert client.post(f"/doi-ngu/{lecturer.pk}/cong-viec/", data).status_code == 403
    assert not WorkEntry.objects.exists()


def test_department_records_grading_and_an_observation(client, world):
    lecturer = make_lecturer()
    (session,) = make_sessions(lecturer, world.org_a, [dt.date(2026, 3, 2)])
    client.force_login(world.department)
    data = {"kind": "essays", "quantity": 30, "date": "2026-03-10"}
    assert client.post(f"/doi-ngu/{lecturer.pk}/cong-viec/", data).status_code == 302
    scores = {"content": 9, "method": 8, "time": 8, "response": 7}
    data = {"session": session.pk, "observer": "Đỗ Thị Hạnh", **scores}
    assert client.post(f"/doi-ngu/{lecturer.pk}/du-gio/", data).status_code == 302
    assert Observation.objects.get().average == 8
    page = client.get(f"/doi-ngu/{lecturer.pk}/?year=2026").text
    assert "Đỗ Thị Hạnh" in page


def test_observation_scores_stay_between_one_and_ten(client, world):
    lecturer = make_lecturer()
    (session,) = make_sessions(lecturer, world.org_a, [dt.date(2026, 3, 2)])
    client.force_login(world.department)
    data = {
        "session": session.pk,
        "observer": "X",
        "content": 11,
        "method": 8,
        "time": 8,
        "response": 0,
    }
    assert client.post(f"/doi-ngu/{lecturer.pk}/du-gio/", data).status_code == 422
    assert not Observation.objects.exists()


def test_department_edits_norms(client, world):
    client.force_login(world.department)
    page = client.get("/doi-ngu/dinh-muc/")
    assert page.status_code == 200
    client.force_login(world.leader)
    assert client.get("/doi-ngu/dinh-muc/").status_code == 403
