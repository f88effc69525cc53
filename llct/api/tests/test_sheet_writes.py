"""Attendance and scores written through the API go through the sheets' services: a value
changed by someone else since the client read it is refused (409, in Vietnamese, nothing
written), and after the session's day a mark needs its correction reason, audited."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.contrib.contenttypes.models import ContentType

from llct.api.tests.factories import bearer
from llct.api.tests.test_matrix import token_for
from llct.assessment.models import Result, ResultsApproval, ScoreChange
from llct.core.models import AuditEntry
from llct.courses.models import Attendance, Session


def post(client, raw, url, body, key):
    return client.post(
        url, body, content_type="application/json", headers={**bearer(raw), "Idempotency-Key": key}
    )


def marks_url(data):
    return f"/api/v1/sessions/{data.sessions[0].pk}/attendance"


def scores_url(data):
    return f"/api/v1/courses/{data.course.pk}/scores"


def test_a_stale_mark_is_refused_with_409_and_nothing_is_written(client, world, data):
    _token, raw = token_for(world, "department", can_write=True)
    body = {
        "marks": [
            # Read as absent, but it is present now (someone else changed it).
            {"enrolment_id": data.enrolment_a.pk, "status": "excused", "original": "absent"},
            {"enrolment_id": data.enrolment_b.pk, "status": "present", "original": "absent"},
        ],
        "reason": "Bổ sung theo sổ",
    }
    response = post(client, raw, marks_url(data), body, "m1")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "stale_write"
    assert "Có người khác" in error["message"]
    assert error["details"]["clashes"] == [
        {"enrolment_id": data.enrolment_a.pk, "stored": "present"}
    ]
    marks = dict(
        Attendance.objects.filter(session=data.sessions[0]).values_list("enrolment_id", "status")
    )
    assert marks == {data.enrolment_a.pk: "present", data.enrolment_b.pk: "absent"}


def test_a_mark_after_the_sessions_day_needs_a_reason_which_is_audited(client, world, data):
    _token, raw = token_for(world, "department", can_write=True)
    mark = {"enrolment_id": data.enrolment_b.pk, "status": "present", "original": "absent"}
    refused = post(client, raw, marks_url(data), {"marks": [mark]}, "m2")
    assert refused.status_code == 422
    assert "Hãy ghi lý do" in refused.json()["error"]["message"]
    assert Attendance.objects.get(enrolment=data.enrolment_b, session=data.sessions[0]).status == (
        "absent"
    )
    done = post(
        client, raw, marks_url(data), {"marks": [mark], "reason": "Sổ ký tên bổ sung"}, "m3"
    )
    assert done.status_code == 200
    written = Attendance.objects.get(enrolment=data.enrolment_b, session=data.sessions[0])
    assert (written.status, written.method) == ("present", Attendance.Method.API)
    entry = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Session),
        object_id=data.sessions[0].pk,
        action="attendance_correct",
    )
    assert entry.summary == "Sổ ký tên bổ sung"


def test_a_mark_on_the_sessions_day_needs_no_reason(client, world, data):
    _token, raw = token_for(world, "department", can_write=True)
    day = dt.datetime.combine(data.sessions[1].date, dt.time(9), tzinfo=dt.UTC)
    with time_machine.travel(day, tick=False):
        response = post(
            client,
            raw,
            f"/api/v1/sessions/{data.sessions[1].pk}/attendance",
            {"marks": [{"enrolment_id": data.enrolment_a.pk, "status": "present", "original": ""}]},
            "m4",
        )
    assert response.status_code == 200


def test_a_stale_score_is_refused_before_approval(client, world, data):
    _token, raw = token_for(world, "department", can_write=True)
    body = {
        "scores": [
            {"enrolment_id": data.enrolment_a.pk, "field": "essay_score", "value": "9.0"},
            # Read as 7,0; it is 6,5 now.
            {
                "enrolment_id": data.enrolment_b.pk,
                "field": "essay_score",
                "value": "7.5",
                "original": "7.0",
            },
        ]
    }
    response = post(client, raw, scores_url(data), body, "s1")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "stale_write"
    assert error["details"]["clashes"] == [
        {"enrolment_id": data.enrolment_b.pk, "field": "essay_score", "stored": "6.5"}
    ]
    # All or nothing: the other score is not written either.
    assert Result.objects.get(enrolment=data.enrolment_a).essay_score == Decimal("8.0")


def test_a_stale_correction_is_refused_after_approval(client, world, data):
    ResultsApproval.objects.create(course=data.course)
    _token, raw = token_for(world, "department", can_write=True)
    score = {
        "enrolment_id": data.enrolment_b.pk,
        "field": "essay_score",
        "value": "7.5",
        "reason": "Phúc khảo",
        "original": "5.0",
    }
    response = post(client, raw, scores_url(data), {"scores": [score]}, "s2")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_write"
    assert not ScoreChange.objects.filter(is_correction=True).exists()
    score["original"] = "6.5"
    response = post(client, raw, scores_url(data), {"scores": [score]}, "s3")
    assert response.status_code == 200
    assert ScoreChange.objects.get(is_correction=True).reason == "Phúc khảo"
