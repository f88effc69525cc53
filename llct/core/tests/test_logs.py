import io
import json
import logging

import pytest
from django.test import Client

from llct.core.logs import JsonFormatter
from llct.organizations import person_services
from llct.organizations.models import Person

DOB = "17/03/1968"
DOB_ISO = "1968-03-17"
CARD = "93012345678"


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def _lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_request_logs_one_json_line_with_its_id_user_path_status_and_duration(
    world, json_lines
):
    client = Client()
    client.force_login(world.department)
    response = client.get("/to-chuc/nhan-su/?q=nguyen", HTTP_X_REQUEST_ID="abcd1234-proxy")
    assert response["X-Request-ID"] == "abcd1234-proxy"
    [line] = [x for x in _lines(json_lines) if x["logger"] == "llct.request"]
    assert line["request_id"] == "abcd1234-proxy"
    assert line["user_id"] == world.department.pk
    assert line["path"] == "/to-chuc/nhan-su/"
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    assert {"time", "level", "method"} <= line.keys()


def test_a_request_without_a_usable_id_gets_a_new_one(world, json_lines):
    response = Client().get("/dang-nhap/", HTTP_X_REQUEST_ID="bad id; drop table")
    assert len(response["X-Request-ID"]) == 32
    assert "drop" not in json_lines.getvalue()


def test_date_of_birth_and_card_number_never_reach_the_logs(world, json_lines, monkeypatch):
    """A person is added, searched by card number, and a failure repeats both values in its
    message: none of it shows in the log lines."""
    client = Client(raise_request_exception=False)
    client.force_login(world.department)
    form = {
        "full_name": "Lê Thị Hoa",
        "sex": "female",
        "date_of_birth": DOB,
        "organization": world.org_a1.pk,
        "stage": "full",
        "admitted_on": "01/02/1995",
        "full_member_on": "01/02/1996",
        "party_card_no": CARD,
        "theory_level": 0,
        "position": "",
    }
    response = client.post("/to-chuc/nhan-su/them/", form)
    assert response.status_code == 302
    assert Person.objects.filter(party_card_no=CARD).exists()
    client.get(f"/to-chuc/nhan-su/?q={CARD}")

    def fail(**kwargs):
        raise ValueError(f"duplicate card {CARD} born {DOB_ISO} ({DOB})")

    monkeypatch.setattr(person_services, "person_create", fail)
    response = client.post("/to-chuc/nhan-su/them/", {**form, "full_name": "Lê Văn Hai"})
    assert response.status_code == 500
    output = json_lines.getvalue()
    lines = _lines(json_lines)
    assert any(x.get("exc_type") == "ValueError" and x.get("stack") for x in lines)
    assert any(x.get("status") == 500 for x in lines)
    for secret in (CARD, DOB, DOB_ISO, "1968"):
        assert secret not in output
