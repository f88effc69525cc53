import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from llct.core.models import Role
from llct.courses.tests.factories import AFTERNOON
from llct.curriculum import selectors
from llct.curriculum.models import Lecturer, Programme
from llct.curriculum.tests.factories import (
    make_course,
    make_lecturer,
    make_programme,
    make_session,
)
from llct.organizations.tests.factories import make_person, make_user


def _data(**changes: Any) -> dict[str, Any]:
    data = {
        "full_name": "Phạm Thị Hoa",
        "kind": "part_time",
        "person_q": "",
        "person": "",
        "user": "",
        "workplace": "Trường Chính trị tỉnh",
        "qualifications": "Thạc sĩ Triết học",
        "email": "hoa@example.vn",
        "phone": "0912 345 678",
        "is_active": "on",
    }
    data.update(changes)
    return data


# --- Reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["department", "officer_a", "leader"])
def test_staff_read_the_lecturer_list_and_profiles(as_user, world, who):
    lecturer = make_lecturer("Đỗ Văn Minh")
    client = as_user(getattr(world, who))
    assert "Đỗ Văn Minh" in client.get(reverse("curriculum:lecturer_list")).text
    assert client.get(reverse("curriculum:lecturer_detail", args=[lecturer.pk])).status_code == 200


def test_learners_do_not_read_lecturer_records(as_user, world):
    lecturer = make_lecturer()
    client = as_user(world.learner)
    assert client.get(reverse("curriculum:lecturer_list")).status_code == 403
    assert client.get(reverse("curriculum:lecturer_detail", args=[lecturer.pk])).status_code == 403


def test_search_ignores_diacritics_and_case(as_user, world):
    make_lecturer("Nguyễn Văn Đức", workplace="Ban Tuyên giáo")
    make_lecturer("Nguyễn Thị Ánh")
    make_lecturer("Lê Quang Nguyên")
    client = as_user(world.department)
    response = client.get(reverse("curriculum:lecturer_list"), {"q": "NGUYEN van duc"})
    assert "Nguyễn Văn Đức" in response.text
    assert "Nguyễn Thị Ánh" not in response.text and "Lê Quang Nguyên" not in response.text
    by_workplace = client.get(reverse("curriculum:lecturer_list"), {"q": "tuyen giao"})
    assert "Nguyễn Văn Đức" in by_workplace.text and "Nguyễn Thị Ánh" not in by_workplace.text


def test_htmx_search_returns_only_the_results(as_user, world):
    make_lecturer("Nguyễn Văn Đức")
    response = as_user(world.department).get(
        reverse("curriculum:lecturer_list"), {"q": "duc"}, headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="results">')


def test_list_is_in_vietnamese_name_order_and_hides_inactive_by_default(as_user, world):
    for name in ["Phạm Văn Bảo", "Lê Thị An", "Trần Anh"]:
        make_lecturer(name)
    make_lecturer("Vũ Thị Cúc", is_active=False)
    client = as_user(world.department)
    text = client.get(reverse("curriculum:lecturer_list")).text
    order = [text.index(n) for n in ["Lê Thị An", "Trần Anh", "Phạm Văn Bảo"]]
    assert order == sorted(order)
    assert "Vũ Thị Cúc" not in text
    assert "Vũ Thị Cúc" in client.get(reverse("curriculum:lecturer_list"), {"inactive": "on"}).text


def test_lecturer_list_query_count_does_not_grow(as_user, world, django_assert_max_num_queries):
    topics = list(make_programme(topics=15).topics.all()) + list(
        Programme.objects.get(code="SC").topics.all()
    )
    for i in range(60):
        make_lecturer(f"Giảng Viên Số {i}", topics=topics[i % 10 : i % 10 + 12])
    client = as_user(world.department)
    # Session, user, lecturers, their topics with programmes.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("curriculum:lecturer_list"))
    assert response.status_code == 200 and "Giảng Viên Số 59" in response.text


# --- Creating and editing -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_only_the_department_creates_or_edits_lecturers(as_user, world, who):
    lecturer = make_lecturer()
    before = list(Lecturer.objects.order_by("pk").values())
    client = as_user(getattr(world, who))
    assert client.get(reverse("curriculum:lecturer_create")).status_code == 403
    assert client.post(reverse("curriculum:lecturer_create"), _data()).status_code == 403
    assert (
        client.post(reverse("curriculum:lecturer_edit", args=[lecturer.pk]), _data()).status_code
        == 403
    )
    assert list(Lecturer.objects.order_by("pk").values()) == before


def test_department_creates_a_lecturer_with_links_and_approved_topics(as_user, world):
    account = make_user("gv_hoa", Role.LECTURER)
    programme = Programme.objects.get(code="NTVD")
    topics = list(programme.topics.order_by("order")[:2])
    client = as_user(world.department)
    form = client.get(reverse("curriculum:lecturer_create"))
    # Topics grouped by programme.
    assert "Bồi dưỡng nhận thức về Đảng" in form.text and "Sơ cấp lý luận chính trị" in form.text
    response = client.post(
        reverse("curriculum:lecturer_create"),
        _data(
            full_name="  Phạm   Thị Hoa ",
            kind="guest",
            person=str(world.person_a.pk),
            user=str(account.pk),
            topics=[str(t.pk) for t in topics],
        ),
    )
    assert response.status_code == 302
    lecturer = Lecturer.objects.exclude(pk=world.lecturer_profile.pk).get()
    assert lecturer.full_name == "Phạm Thị Hoa" and lecturer.kind == "guest"
    assert lecturer.person == world.person_a and lecturer.user == account
    assert set(lecturer.topics.all()) == set(topics)


def test_edit_keeps_and_changes_topics(as_user, world):
    programme = make_programme(topics=3)
    one, two, three = programme.topics.order_by("order")
    lecturer = make_lecturer("Phạm Thị Hoa", topics=[one, two])
    client = as_user(world.department)
    page = client.get(reverse("curriculum:lecturer_edit", args=[lecturer.pk]))
    assert f'value="{one.pk}" id="id_topics' in page.text
    assert page.text.count("checked") >= 3  # two topics and "active"
    response = client.post(
        reverse("curriculum:lecturer_edit", args=[lecturer.pk]),
        _data(topics=[str(three.pk)], workplace="Nơi mới"),
    )
    assert response.status_code == 302
    lecturer.refresh_from_db()
    assert list(lecturer.topics.all()) == [three] and lecturer.workplace == "Nơi mới"


def test_a_person_links_to_one_lecturer_only(as_user, world):
    make_lecturer("Người Đã Liên Kết", person=world.person_a)
    client = as_user(world.department)
    response = client.post(
        reverse("curriculum:lecturer_create"), _data(person=str(world.person_a.pk))
    )
    assert response.status_code == 422
    assert "đã được liên kết với một giảng viên khác" in response.text
    assert 'value="Phạm Thị Hoa"' in response.text
    assert not Lecturer.objects.filter(full_name="Phạm Thị Hoa").exists()


def test_an_unknown_person_is_refused(as_user, world):
    response = as_user(world.department).post(
        reverse("curriculum:lecturer_create"), _data(person="999999")
    )
    assert response.status_code == 422
    assert not Lecturer.objects.filter(full_name="Phạm Thị Hoa").exists()


def test_bad_email_is_refused_and_the_input_kept(as_user, world):
    response = as_user(world.department).post(
        reverse("curriculum:lecturer_create"), _data(email="khong-phai-email")
    )
    assert response.status_code == 422
    assert 'value="khong-phai-email"' in response.text
    assert not Lecturer.objects.filter(full_name="Phạm Thị Hoa").exists()


def test_person_search_offers_matches_ignoring_diacritics(as_user, world):
    make_person(world.org_b1, "Nguyễn Văn Ánh")
    client = as_user(world.department)
    response = client.get(reverse("curriculum:lecturer_person_options"), {"person_q": "nguyen van"})
    assert "Nguyễn Văn An" in response.text and "Nguyễn Văn Ánh" in response.text
    assert "Trần Thị Bình" not in response.text
    assert response.text.lstrip().startswith("<option")
    # Only the department may search the whole rolls.
    assert (
        as_user(world.officer_a)
        .get(reverse("curriculum:lecturer_person_options"), {"person_q": "binh"})
        .status_code
        == 403
    )


def test_person_select_offers_the_linked_person_and_the_typed_search(as_user, world):
    lecturer = make_lecturer("Phạm Thị Hoa", person=world.person_b)
    client = as_user(world.department)
    page = client.get(reverse("curriculum:lecturer_edit", args=[lecturer.pk]))
    assert f'<option value="{world.person_b.pk}" selected>' in page.text
    assert "Nguyễn Văn An" not in page.text
    bad = client.post(
        reverse("curriculum:lecturer_edit", args=[lecturer.pk]),
        _data(person_q="nguyen van an", email="sai"),
    )
    assert "Nguyễn Văn An" in bad.text


# --- Teaching log -------------------------------------------------------------------------


def test_teaching_log_is_counted_from_sessions(as_user, world):
    programme = make_programme(topics=2)
    topic = programme.topics.get(order=1)
    lecturer = make_lecturer("Phạm Thị Hoa", topics=[topic])
    other = make_lecturer("Người Khác")
    course_2025 = make_course(
        programme, world.org_a, name="Lớp năm 2025", starts_on=dt.date(2025, 3, 3)
    )
    course_2026 = make_course(
        programme, world.org_b, name="Lớp năm 2026", starts_on=dt.date(2026, 3, 2)
    )
    for day in (3, 4, 5):
        make_session(course_2025, dt.date(2025, 3, day), lecturer=lecturer, topic=topic)
    make_session(course_2026, dt.date(2026, 3, 2), lecturer=lecturer, topic=topic)
    make_session(course_2026, dt.date(2026, 3, 2), AFTERNOON, lecturer=lecturer)
    make_session(course_2026, dt.date(2026, 3, 3), lecturer=other)
    make_session(course_2026, dt.date(2026, 3, 9), lecturer=lecturer, topic=topic)
    log = selectors.lecturer_teaching_log(lecturer=lecturer, today=dt.date(2026, 3, 2))
    # Counted from the sessions: 2 held in 2026 so far, the one on 9/3 not yet.
    assert [(row.year, row.sessions) for row in log] == [(2026, 2), (2025, 3)]
    upcoming = selectors.lecturer_upcoming_sessions(lecturer=lecturer, today=dt.date(2026, 3, 2))
    assert [s.date for s in upcoming] == [dt.date(2026, 3, 9)]
    recent = list(selectors.lecturer_recent_sessions(lecturer=lecturer, today=dt.date(2026, 3, 2)))
    assert [s.course.name for s in recent][:2] == ["Lớp năm 2026", "Lớp năm 2026"]
    assert len(recent) == 5
    assert list(
        selectors.lecturer_recent_sessions(lecturer=lecturer, today=dt.date(2025, 12, 31))
    ) == list(recent[2:])
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0), tick=False):
        page = as_user(world.officer_a).get(
            reverse("curriculum:lecturer_detail", args=[lecturer.pk])
        )
    assert page.status_code == 200
    assert "Lớp năm 2025" in page.text and "09/03/2026" in page.text
    assert "<td>2026</td><td>2</td>" in page.text and "<td>2025</td><td>3</td>" in page.text


def test_teaching_log_has_no_typed_field():
    # The numbers are never typed: the lecturer form has no field for them.
    from llct.curriculum.forms import LecturerForm

    assert not {"sessions", "teaching_log", "sessions_taught"} & set(LecturerForm.base_fields)
