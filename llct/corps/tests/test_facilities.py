import datetime as dt
from decimal import Decimal

import pytest

from llct.corps.facilities import venue_utilisation
from llct.corps.models import Equipment, InvestmentProposal
from llct.corps.tests.factories import make_course, make_programme, make_session
from llct.courses.models import Venue
from llct.courses.tests.factories import AFTERNOON

pytestmark = pytest.mark.django_db


def _venue(name="Hội trường A"):
    return Venue.objects.create(name=name, capacity=200)


def test_utilisation_counts_session_hours_per_month(world):
    hall = _venue()
    course = make_course(make_programme(topics=1), world.province, venue=hall)
    make_session(course, dt.date(2026, 3, 2))  # 4 h, the course's venue
    make_session(course, dt.date(2026, 3, 2), AFTERNOON)  # 3.5 h
    make_session(course, dt.date(2025, 12, 31))  # another year
    (row,) = venue_utilisation(user=world.department, year=2026)
    assert row.hours[2] == Decimal("7.5") and row.total == Decimal("7.5")


def test_facilities_page_query_count(client, world, django_assert_max_num_queries):
    for i in range(5):
        hall = _venue(f"Hội trường {i}")
        Equipment.objects.create(name=f"Máy chiếu {i}", kind="projector", venue=hall)
        course = make_course(make_programme(topics=1), world.province, venue=hall)
        make_session(course, dt.date(2026, 4, 1 + i))
        InvestmentProposal.objects.create(title=f"Đề xuất {i}", cost=100, year=2026, venue=hall)
    client.force_login(world.department)
    with django_assert_max_num_queries(12):
        page = client.get("/doi-ngu/co-so-vat-chat/?year=2026")
    assert page.status_code == 200 and "Máy chiếu 4" in page.text


def test_department_adds_equipment_and_proposals_others_may_not(client, world):
    client.force_login(world.department)
    data = {"name": "Bộ thiết bị họp trực tuyến", "kind": "online_kit", "condition": "good"}
    assert client.post("/doi-ngu/co-so-vat-chat/thiet-bi/them/", data).status_code == 302
    data = {
        "title": "Nâng cấp hội trường",
        "cost": "850000000",
        "status": "proposed",
        "year": "2026",
    }
    assert client.post("/doi-ngu/co-so-vat-chat/de-xuat/them/", data).status_code == 302
    assert InvestmentProposal.objects.get().cost == 850000000
    client.force_login(world.leader)
    assert client.get("/doi-ngu/co-so-vat-chat/").status_code == 200
    assert client.post("/doi-ngu/co-so-vat-chat/thiet-bi/them/", data).status_code == 403
    client.force_login(world.officer_a)
    assert client.get("/doi-ngu/co-so-vat-chat/").status_code == 404
