from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.core.models import AuditEntry, Role
from llct.curriculum import services
from llct.curriculum.models import LessonPlan, Programme, Topic
from llct.curriculum.tests.factories import make_course, make_programme, make_session
from llct.organizations.tests.factories import make_user


def _form_data(programme: Programme, **changes: Any) -> dict[str, Any]:
    data = {
        "name": programme.name,
        "kind": programme.kind,
        "eligible_stages": list(programme.eligible_stages),
        "min_theory_level": programme.min_theory_level,
        "default_days": str(programme.default_days),
        "default_sessions": programme.default_sessions,
        "assessment_kind": programme.assessment_kind,
        "certificate_valid_months": programme.certificate_valid_months or "",
        "raises_level_to": programme.raises_level_to if programme.raises_level_to else "",
        "attendance_threshold": programme.attendance_threshold,
        "band_excellent": "9,0",
        "band_good": "8,0",
        "band_fair": "7,0",
        "band_pass": "5,0",
        "is_active": "on",
    }
    if programme.issues_certificate:
        data["issues_certificate"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


# --- Reading ------------------------------------------------------------------------------


def test_the_six_programmes_exist_and_everyone_signed_in_reads_them(as_user, world):
    assert Programme.objects.count() == 6
    client = as_user(world.learner)
    listing = client.get(reverse("curriculum:programme_list"))
    assert listing.status_code == 200
    assert "Bồi dưỡng nhận thức về Đảng" in listing.text
    programme = Programme.objects.get(code="NTVD")
    detail = client.get(reverse("curriculum:programme_detail", args=[programme.pk]))
    assert detail.status_code == 200
    titles = [t.title for t in programme.topics.order_by("order")]
    positions = [detail.text.index(t) for t in titles]
    assert positions == sorted(positions)
    # Read only: no edit link for a learner.
    assert reverse("curriculum:programme_edit", args=[programme.pk]) not in detail.text


def test_programme_pages_require_login(client, world):
    response = client.get(reverse("curriculum:programme_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_unknown_programme_is_404(as_user, world):
    assert (
        as_user(world.department)
        .get(reverse("curriculum:programme_detail", args=[99999]))
        .status_code
        == 404
    )


def test_programme_list_query_count_does_not_grow(as_user, world, django_assert_max_num_queries):
    client = as_user(world.department)
    for i in range(30):
        make_programme(f"Chương trình {i}", topics=8)
    # Session, user, programmes with their topic counts.
    with django_assert_max_num_queries(3):
        response = client.get(reverse("curriculum:programme_list"))
    assert response.status_code == 200 and "Chương trình 29" in response.text


def test_programme_detail_query_count_does_not_grow_with_topics_and_versions(
    as_user, world, django_assert_max_num_queries
):
    programme = make_programme(topics=20)
    for topic in programme.topics.all():
        for version in (1, 2):
            LessonPlan.objects.create(
                topic=topic,
                version=version,
                file=f"x/{topic.pk}-{version}.pdf",
                original_name="a.pdf",
            )
    client = as_user(world.department)
    # Session, user, programme, topics, lesson plans with authors, approved lecturers.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("curriculum:programme_detail", args=[programme.pk]))
    assert response.status_code == 200


# --- Editing: who may ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_only_the_department_edits_a_programme(as_user, world, who):
    programme = Programme.objects.get(code="NTVD")
    client = as_user(getattr(world, who))
    url = reverse("curriculum:programme_edit", args=[programme.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _form_data(programme, name="Đổi tên")).status_code == 403
    programme.refresh_from_db()
    assert programme.name == "Bồi dưỡng nhận thức về Đảng"


def test_lecturer_cannot_edit_a_programme(as_user, world):
    lecturer_user = make_user("giangvien", Role.LECTURER)
    programme = Programme.objects.get(code="NTVD")
    response = as_user(lecturer_user).get(reverse("curriculum:programme_edit", args=[programme.pk]))
    assert response.status_code == 403


# --- Editing: the rules -------------------------------------------------------------------


def test_department_edits_a_programme_and_the_change_is_audited(as_user, world):
    programme = Programme.objects.get(code="NTVD")
    client = as_user(world.department)
    response = client.post(
        reverse("curriculum:programme_edit", args=[programme.pk]),
        _form_data(
            programme,
            name="Bồi dưỡng nhận thức về Đảng (2026)",
            eligible_stages=["candidate"],
            certificate_valid_months="48",
            band_excellent="9,5",
            band_good="8.5",
            attendance_threshold="90",
            default_days="4,5",
        ),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Bồi dưỡng nhận thức về Đảng (2026)"
    assert programme.eligible_stages == ["candidate"]
    assert programme.certificate_valid_months == 48
    assert programme.band_excellent == Decimal("9.5") and programme.band_good == Decimal("8.5")
    assert programme.attendance_threshold == 90
    assert programme.default_days == Decimal("4.5")
    entry = AuditEntry.objects.get(object_id=programme.pk, action="update")
    assert {c["field"] for c in entry.changes} >= {"name", "band_excellent", "eligible_stages"}


def test_grade_bands_not_strictly_decreasing_show_a_vietnamese_error_and_keep_the_input(
    as_user, world
):
    programme = Programme.objects.get(code="NTVD")
    client = as_user(world.department)
    response = client.post(
        reverse("curriculum:programme_edit", args=[programme.pk]),
        _form_data(programme, name="Tên mới đã gõ", band_good="9,2", band_fair="7,5"),
    )
    assert response.status_code == 422
    assert "giảm dần" in response.text
    assert 'value="9,2"' in response.text and 'value="7,5"' in response.text
    assert 'value="Tên mới đã gõ"' in response.text
    programme.refresh_from_db()
    assert programme.band_good == Decimal("8.0") and programme.name == "Bồi dưỡng nhận thức về Đảng"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("band_excellent", "10,5"),
        ("band_pass", "-1"),
        ("band_fair", "7,25"),
        ("band_good", "tám"),
    ],
)
def test_grade_band_outside_0_to_10_or_with_two_decimals_is_refused(as_user, world, field, value):
    programme = Programme.objects.get(code="NTVD")
    client = as_user(world.department)
    response = client.post(
        reverse("curriculum:programme_edit", args=[programme.pk]),
        _form_data(programme, **{field: value}),
    )
    assert response.status_code == 422
    assert f'value="{value}"' in response.text
    programme.refresh_from_db()
    assert programme.band_excellent == Decimal("9.0")


def test_every_band_error_is_reported_at_once():
    programme = Programme(
        name="X",
        kind="professional",
        band_excellent=Decimal("11"),
        band_good=Decimal("8.55"),
        band_fair=Decimal("7"),
        band_pass=Decimal("7"),
    )
    with pytest.raises(ValidationError) as caught:
        services.programme_validate(programme)
    errors = caught.value.message_dict
    assert {"band_excellent", "band_good", "band_pass"} <= set(errors)


def test_certificate_validity_needs_a_certificate(as_user, world):
    programme = Programme.objects.get(code="NTVD")
    data = _form_data(programme, certificate_valid_months="60")
    data.pop("issues_certificate")
    response = as_user(world.department).post(
        reverse("curriculum:programme_edit", args=[programme.pk]), data
    )
    assert response.status_code == 422
    programme.refresh_from_db()
    assert programme.issues_certificate


def test_eligible_stages_are_offered_as_checkboxes(as_user, world):
    programme = Programme.objects.get(code="NTVD")
    response = as_user(world.department).get(
        reverse("curriculum:programme_edit", args=[programme.pk])
    )
    assert 'type="checkbox" name="eligible_stages" value="candidate"' in response.text
    assert 'value="left"' not in response.text


# --- Topics -------------------------------------------------------------------------------


def _orders(programme: Programme) -> list[tuple[str, int]]:
    return list(programme.topics.order_by("order").values_list("title", "order"))


def test_add_a_topic_at_the_end(as_user, world):
    programme = make_programme(topics=2)
    response = as_user(world.department).post(
        reverse("curriculum:topic_create", args=[programme.pk]),
        {"title": "  Chuyên đề   mới ", "sessions": 3},
    )
    assert response.status_code == 302
    topic = programme.topics.get(title="Chuyên đề mới")
    assert topic.order == 3 and topic.sessions == 3


def test_add_a_topic_needs_a_title_and_a_half_day(as_user, world):
    programme = make_programme(topics=0)
    response = as_user(world.department).post(
        reverse("curriculum:topic_create", args=[programme.pk]), {"title": "", "sessions": 0}
    )
    assert response.status_code == 422
    assert not programme.topics.exists()


def test_edit_a_topic_title_and_sessions(as_user, world):
    programme = make_programme(topics=1)
    topic = programme.topics.get()
    response = as_user(world.department).post(
        reverse("curriculum:topic_edit", args=[topic.pk]), {"title": "Tên mới", "sessions": 4}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.title, topic.sessions) == ("Tên mới", 4)


def test_move_topics_up_and_down_keeps_orders_unique(as_user, world):
    programme = make_programme(topics=3)
    client = as_user(world.department)
    third = programme.topics.get(order=3)
    client.post(reverse("curriculum:topic_move", args=[third.pk]), {"direction": "up"})
    assert _orders(programme) == [("Chuyên đề 1", 1), ("Chuyên đề 3", 2), ("Chuyên đề 2", 3)]
    first = programme.topics.get(order=1)
    client.post(reverse("curriculum:topic_move", args=[first.pk]), {"direction": "down"})
    assert _orders(programme) == [("Chuyên đề 3", 1), ("Chuyên đề 1", 2), ("Chuyên đề 2", 3)]
    # Moving the first topic up (or the last down) changes nothing.
    top = programme.topics.get(order=1)
    client.post(reverse("curriculum:topic_move", args=[top.pk]), {"direction": "up"})
    bottom = programme.topics.get(order=3)
    client.post(reverse("curriculum:topic_move", args=[bottom.pk]), {"direction": "down"})
    assert _orders(programme) == [("Chuyên đề 3", 1), ("Chuyên đề 1", 2), ("Chuyên đề 2", 3)]


def test_move_works_across_gaps_in_the_order(world):
    programme = make_programme(topics=0)
    Topic.objects.create(programme=programme, order=2, title="A")
    Topic.objects.create(programme=programme, order=7, title="B")
    services.topic_move(
        topic=programme.topics.get(title="B"), direction="up", actor=world.department
    )
    assert _orders(programme) == [("B", 2), ("A", 7)]


def test_move_is_post_only_and_department_only(as_user, world):
    programme = make_programme(topics=2)
    topic = programme.topics.get(order=2)
    url = reverse("curriculum:topic_move", args=[topic.pk])
    assert as_user(world.department).get(url).status_code == 405
    assert as_user(world.officer_a).post(url, {"direction": "up"}).status_code == 403
    assert programme.topics.get(pk=topic.pk).order == 2


def test_delete_an_unused_topic_closes_the_gap(as_user, world):
    programme = make_programme(topics=3)
    second = programme.topics.get(order=2)
    client = as_user(world.department)
    assert client.get(reverse("curriculum:topic_delete", args=[second.pk])).status_code == 200
    response = client.post(reverse("curriculum:topic_delete", args=[second.pk]))
    assert response.status_code == 302
    assert _orders(programme) == [("Chuyên đề 1", 1), ("Chuyên đề 3", 2)]


def test_a_topic_used_by_a_session_cannot_be_deleted(as_user, world):
    programme = make_programme(topics=2)
    topic = programme.topics.get(order=1)
    course = make_course(programme, world.org_a)
    make_session(course, course.starts_on, topic=topic)
    client = as_user(world.department)
    page = client.get(reverse("curriculum:topic_delete", args=[topic.pk]))
    assert "buổi học" in page.text
    response = client.post(reverse("curriculum:topic_delete", args=[topic.pk]), follow=True)
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert "buổi học" in response.text


def test_a_topic_with_lesson_plans_cannot_be_deleted(world):
    programme = make_programme(topics=1)
    topic = programme.topics.get()
    LessonPlan.objects.create(topic=topic, version=1, file="x/a.pdf", original_name="a.pdf")
    with pytest.raises(ValidationError):
        services.topic_delete(topic=topic, actor=world.department)
    assert Topic.objects.filter(pk=topic.pk).exists()


def test_officer_cannot_add_edit_or_delete_topics(as_user, world):
    programme = make_programme(topics=1)
    topic = programme.topics.get()
    client = as_user(world.officer_a)
    assert (
        client.post(
            reverse("curriculum:topic_create", args=[programme.pk]), {"title": "X", "sessions": 1}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("curriculum:topic_edit", args=[topic.pk]), {"title": "X", "sessions": 1}
        ).status_code
        == 403
    )
    assert client.post(reverse("curriculum:topic_delete", args=[topic.pk])).status_code == 403
    assert _orders(programme) == [("Chuyên đề 1", 1)]
