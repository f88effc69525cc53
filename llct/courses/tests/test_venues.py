import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.courses import views_venues
from llct.courses.models import Holiday, SchedulingRules, Venue
from llct.curriculum.models import Programme
from llct.curriculum.tests.factories import make_course, make_lecturer, make_session


def make_venue(name: str = "Hội trường A", **fields: Any) -> Venue:
    fields.setdefault("capacity", 100)
    return Venue.objects.create(name=name, **fields)


def _venue_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Hội trường tầng 3",
        "kind": "physical",
        "address": "Số 1 đường Trần Phú",
        "capacity": "120",
        "meeting_url": "",
        "equipment": "Máy chiếu, âm thanh",
        "owner": "",
    }
    data.update(changes)
    return data


# --- Reading ------------------------------------------------------------------------------


def test_everyone_signed_in_reads_venues_but_only_managers_see_edit(as_user, world):
    venue = make_venue()
    client = as_user(world.learner)
    listing = client.get(reverse("courses:venue_list"))
    assert listing.status_code == 200 and "Hội trường A" in listing.text
    assert reverse("courses:venue_edit", args=[venue.pk]) not in listing.text
    assert client.get(reverse("courses:venue_detail", args=[venue.pk])).status_code == 200
    assert client.get(reverse("courses:venue_create")).status_code == 403
    assert client.get(reverse("courses:venue_edit", args=[venue.pk])).status_code == 403


def test_venue_list_query_count_does_not_grow(as_user, world, django_assert_max_num_queries):
    programme = Programme.objects.get(code="NTVD")
    course = make_course(programme, world.org_a, starts_on=dt.date(2099, 1, 5))
    for i in range(40):
        venue = make_venue(f"Phòng {i}", owner=world.org_a1 if i % 2 else None)
        make_session(course, dt.date(2099, 1, 5) + dt.timedelta(days=i), venue=venue)
    client = as_user(world.officer_a)
    # Session, user, the officer's organization, venues with owners and booking counts.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("courses:venue_list"))
    assert response.status_code == 200 and "Phòng 39" in response.text


def test_search_ignores_diacritics_and_inactive_are_hidden(as_user, world):
    make_venue("Hội trường Tỉnh ủy")
    make_venue("Phòng học số 2")
    make_venue("Hội trường cũ", is_active=False)
    client = as_user(world.department)
    found = client.get(reverse("courses:venue_list"), {"q": "hoi truong"})
    assert "Hội trường Tỉnh ủy" in found.text and "Phòng học số 2" not in found.text
    assert "Hội trường cũ" not in found.text
    assert "Hội trường cũ" in client.get(reverse("courses:venue_list"), {"inactive": "on"}).text


def test_venue_page_shows_upcoming_sessions_from_the_sessions(as_user, world):
    venue = make_venue()
    lecturer = make_lecturer("Phạm Thị Hoa")
    programme = Programme.objects.get(code="NTVD")
    topic = programme.topics.get(order=1)
    course = make_course(
        programme, world.org_a, name="Lớp NTVĐ khóa 1", starts_on=dt.date(2026, 3, 2)
    )
    old = make_course(programme, world.org_a, name="Lớp đã qua", starts_on=dt.date(2026, 1, 5))
    make_session(course, dt.date(2026, 3, 3), venue=venue, lecturer=lecturer, topic=topic)
    make_session(old, dt.date(2026, 1, 6), venue=venue)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0), tick=False):
        page = as_user(world.learner).get(reverse("courses:venue_detail", args=[venue.pk]))
        listing = as_user(world.department).get(reverse("courses:venue_list"))
    assert "Lớp NTVĐ khóa 1" in page.text and "Phạm Thị Hoa" in page.text
    assert "03/03/2026" in page.text and topic.title in page.text
    assert "Lớp đã qua" not in page.text
    assert '<td data-label="Các buổi học sắp tới">1</td>' in listing.text


# --- Department officers ------------------------------------------------------------------


def test_department_creates_a_hall(as_user, world):
    response = as_user(world.department).post(reverse("courses:venue_create"), _venue_data())
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert (venue.name, venue.capacity, venue.owner) == ("Hội trường tầng 3", 120, None)
    assert venue.equipment == "Máy chiếu, âm thanh"


def test_an_online_room_needs_a_meeting_link(as_user, world):
    client = as_user(world.department)
    response = client.post(
        reverse("courses:venue_create"),
        _venue_data(name="Phòng họp trực tuyến 1", kind="online", address="", capacity="300"),
    )
    assert response.status_code == 422
    assert "phải có đường dẫn phòng họp" in response.text
    assert 'value="Phòng họp trực tuyến 1"' in response.text
    assert not Venue.objects.exists()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://x.vn/a", "https://"])
def test_a_meeting_link_must_be_a_web_link(as_user, world, link):
    response = as_user(world.department).post(
        reverse("courses:venue_create"), _venue_data(kind="online", meeting_url=link)
    )
    assert response.status_code == 422
    assert "https://" in response.text
    assert not Venue.objects.exists()


def test_a_link_typed_without_scheme_gets_https(as_user, world):
    response = as_user(world.department).post(
        reverse("courses:venue_create"), _venue_data(kind="online", meeting_url="meet.example.vn/a")
    )
    assert response.status_code == 302
    assert Venue.objects.get().meeting_url == "https://meet.example.vn/a"


def test_online_room_with_a_link_and_seat_limit_is_saved(as_user, world):
    response = as_user(world.department).post(
        reverse("courses:venue_create"),
        _venue_data(
            name="Phòng trực tuyến",
            kind="online",
            address="",
            capacity="300",
            meeting_url="https://meet.example.vn/llct-1",
        ),
    )
    assert response.status_code == 302
    venue = Venue.objects.get()
    assert venue.kind == "online" and venue.capacity == 300


def test_capacity_must_be_at_least_one(as_user, world):
    response = as_user(world.department).post(
        reverse("courses:venue_create"), _venue_data(capacity="0")
    )
    assert response.status_code == 422
    assert not Venue.objects.exists()


def test_department_edits_deactivates_and_reactivates_any_venue(as_user, world):
    venue = make_venue(owner=world.org_b1)
    client = as_user(world.department)
    response = client.post(
        reverse("courses:venue_edit", args=[venue.pk]),
        _venue_data(name="Hội trường B1", owner=str(world.org_b1.pk)),
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.name == "Hội trường B1"
    client.post(reverse("courses:venue_deactivate", args=[venue.pk]))
    venue.refresh_from_db()
    assert not venue.is_active
    client.post(reverse("courses:venue_activate", args=[venue.pk]))
    venue.refresh_from_db()
    assert venue.is_active


def test_deactivate_is_post_only(as_user, world):
    venue = make_venue()
    assert (
        as_user(world.department)
        .get(reverse("courses:venue_deactivate", args=[venue.pk]))
        .status_code
        == 405
    )


def test_deactivating_warns_about_upcoming_sessions(as_user, world):
    venue = make_venue()
    programme = Programme.objects.get(code="NTVD")
    course = make_course(programme, world.org_a, starts_on=dt.date(2099, 1, 5))
    make_session(course, dt.date(2099, 1, 6), venue=venue)
    response = as_user(world.department).post(
        reverse("courses:venue_deactivate", args=[venue.pk]), follow=True
    )
    assert "Vẫn còn 1 buổi học sắp tới" in response.text


# --- Organization officers ----------------------------------------------------------------


def test_org_officer_manages_venues_of_their_subtree(as_user, world):
    mine = make_venue("Hội trường A1", owner=world.org_a1)
    client = as_user(world.officer_a)
    response = client.post(
        reverse("courses:venue_edit", args=[mine.pk]),
        _venue_data(name="Hội trường A1 mới", owner=str(world.org_a1.pk)),
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "Hội trường A1 mới"
    assert client.post(reverse("courses:venue_deactivate", args=[mine.pk])).status_code == 302


@pytest.mark.parametrize("owner", ["org_b", "org_b1", None])
def test_org_officer_cannot_manage_venues_outside_their_subtree(as_user, world, owner):
    venue = make_venue(owner=getattr(world, owner) if owner else None)
    client = as_user(world.officer_a)
    assert client.get(reverse("courses:venue_edit", args=[venue.pk])).status_code == 403
    assert (
        client.post(reverse("courses:venue_edit", args=[venue.pk]), _venue_data()).status_code
        == 403
    )
    assert client.post(reverse("courses:venue_deactivate", args=[venue.pk])).status_code == 403
    venue.refresh_from_db()
    assert venue.name == "Hội trường A" and venue.is_active


def test_org_officer_creates_venues_owned_by_their_organization(as_user, world):
    client = as_user(world.officer_a)
    form = client.get(reverse("courses:venue_create"))
    assert f'<option value="{world.org_a.pk}" selected>' in form.text
    assert "Khối B" not in form.text
    response = client.post(reverse("courses:venue_create"), _venue_data(owner=str(world.org_a.pk)))
    assert response.status_code == 302
    assert Venue.objects.get().owner == world.org_a


@pytest.mark.parametrize("owner", ["org_b", ""])
def test_org_officer_cannot_create_a_venue_owned_outside_their_subtree(as_user, world, owner):
    value = str(getattr(world, owner).pk) if owner else ""
    response = as_user(world.officer_a).post(
        reverse("courses:venue_create"), _venue_data(owner=value)
    )
    assert response.status_code == 422
    assert not Venue.objects.exists()


def test_leader_reads_but_does_not_manage(as_user, world):
    venue = make_venue()
    client = as_user(world.leader)
    assert client.get(reverse("courses:venue_list")).status_code == 200
    assert client.post(reverse("courses:venue_create"), _venue_data()).status_code == 403
    assert client.post(reverse("courses:venue_deactivate", args=[venue.pk])).status_code == 403


# --- Holidays -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_settings_pages_are_for_the_department_only(as_user, world, who):
    holiday = Holiday.objects.create(date=dt.date(2031, 1, 1), name="Tết Dương lịch")
    client = as_user(getattr(world, who))
    assert client.get(reverse("courses:holiday_list")).status_code == 403
    assert (
        client.post(
            reverse("courses:holiday_list"), {"date": "02/09/2031", "name": "X"}
        ).status_code
        == 403
    )
    assert client.post(reverse("courses:holiday_delete", args=[holiday.pk])).status_code == 403
    assert client.get(reverse("courses:rules")).status_code == 403
    assert Holiday.objects.filter(pk=holiday.pk).exists()


def test_holidays_are_listed_by_year(as_user, world):
    Holiday.objects.create(date=dt.date(2031, 9, 2), name="Quốc khánh 2031")
    Holiday.objects.create(date=dt.date(2032, 9, 2), name="Quốc khánh 2032")
    client = as_user(world.department)
    page = client.get(reverse("courses:holiday_list"), {"year": 2031})
    assert "Quốc khánh 2031" in page.text and "Quốc khánh 2032" not in page.text
    assert "?year=2032" in page.text
    assert client.get(reverse("courses:holiday_list"), {"year": "abc"}).status_code == 200


def test_add_a_holiday_and_a_duplicate_date_is_refused(as_user, world):
    client = as_user(world.department)
    response = client.post(
        reverse("courses:holiday_list"), {"date": "19/05/2031", "name": "Ngày nghỉ bù"}
    )
    assert response.status_code == 302 and response.url.endswith("?year=2031")
    assert Holiday.objects.get(date=dt.date(2031, 5, 19)).name == "Ngày nghỉ bù"
    again = client.post(reverse("courses:holiday_list"), {"date": "19/05/2031", "name": "Lần hai"})
    assert again.status_code == 422
    assert "Ngày 19/05/2031 đã là ngày lễ: Ngày nghỉ bù." in again.text
    assert 'value="Lần hai"' in again.text
    assert Holiday.objects.filter(date=dt.date(2031, 5, 19)).count() == 1


def test_a_badly_typed_holiday_date_is_refused(as_user, world):
    response = as_user(world.department).post(
        reverse("courses:holiday_list"), {"date": "31/02/2031", "name": "Sai"}
    )
    assert response.status_code == 422
    assert 'value="31/02/2031"' in response.text


def test_delete_a_holiday(as_user, world):
    holiday = Holiday.objects.create(date=dt.date(2031, 4, 30), name="Ngày Giải phóng")
    client = as_user(world.department)
    response = client.post(reverse("courses:holiday_delete", args=[holiday.pk]))
    assert response.status_code == 302
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    assert client.get(reverse("courses:holiday_delete", args=[holiday.pk])).status_code == 405


# --- Scheduling rules ---------------------------------------------------------------------


def _rules_data(**changes: Any) -> dict[str, Any]:
    data = {
        "checkin_opens_minutes": "30",
        "checkin_closes_minutes": "60",
        "roll_call_opens_days": "0",
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
    data.update(changes)
    return data


def test_department_edits_the_scheduling_rules(as_user, world):
    client = as_user(world.department)
    page = client.get(reverse("courses:rules"))
    assert 'value="07:30"' in page.text
    response = client.post(
        reverse("courses:rules"),
        _rules_data(
            checkin_opens_minutes="15", learner_double_booked="block", morning_start="07:00"
        ),
    )
    assert response.status_code == 302
    rules = SchedulingRules.current()
    assert rules.checkin_opens_minutes == 15
    assert rules.learner_double_booked == "block"
    assert rules.morning_start == dt.time(7, 0)


def test_a_half_day_must_end_after_it_starts(as_user, world):
    client = as_user(world.department)
    response = client.post(
        reverse("courses:rules"),
        _rules_data(afternoon_start="14:00", afternoon_end="13:00", checkin_opens_minutes="45"),
    )
    assert response.status_code == 422
    assert "Giờ kết thúc phải sau giờ bắt đầu (14:00)." in response.text
    assert 'value="13:00"' in response.text and 'value="45"' in response.text
    rules = SchedulingRules.current()
    assert rules.afternoon_end == dt.time(17, 0) and rules.checkin_opens_minutes == 30


def test_check_in_window_is_bounded(world):
    rules = SchedulingRules.current()
    with pytest.raises(ValidationError):
        views_venues.rules_update(
            rules=rules, data={"checkin_closes_minutes": 5000}, actor=world.department
        )


def test_a_badly_typed_time_is_refused_in_vietnamese(as_user, world):
    response = as_user(world.department).post(
        reverse("courses:rules"), _rules_data(evening_end="9h")
    )
    assert response.status_code == 422
    assert "Nhập giờ theo dạng hh:mm" in response.text
