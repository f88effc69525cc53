"""Two department officers edit the same programme, topic or lecturer at once: neither silently
undoes the other."""

import pytest
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.curriculum.tests.factories import make_lecturer, make_programme
from llct.organizations.tests.factories import make_user


@pytest.fixture
def two(world):
    return two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))


def test_programme_edits_at_once_merge_or_refuse(two):
    programme = make_programme("Bồi dưỡng nghiệp vụ công tác Đảng")
    assert_no_lost_update(
        two,
        reverse("curriculum:programme_edit", args=[programme.pk]),
        having="band_excellent",
        first={"name": "Bồi dưỡng nghiệp vụ công tác Đảng năm 2027"},
        second={"attendance_threshold": "90", "band_good": "8,5"},
        clash=("default_days", "3,5", "2,5"),
    )


def test_topic_edits_at_once_merge_or_refuse(two):
    topic = make_programme(topics=1).topics.get()
    assert_no_lost_update(
        two,
        reverse("curriculum:topic_edit", args=[topic.pk]),
        having="sessions",
        first={"title": "Lịch sử Đảng Cộng sản Việt Nam"},
        second={"sessions": "2"},
        clash=("title", "Cương lĩnh chính trị", "Điều lệ Đảng"),
    )


def test_lecturer_edits_at_once_merge_or_refuse(two):
    programme = make_programme(topics=2)
    first_topic, second_topic = programme.topics.order_by("order")
    lecturer = make_lecturer("Lê Văn Giảng", topics=[first_topic])
    assert_no_lost_update(
        two,
        reverse("curriculum:lecturer_edit", args=[lecturer.pk]),
        having="workplace",
        first={"workplace": "Trường Chính trị tỉnh"},
        second={"topics": [str(first_topic.pk), str(second_topic.pk)]},
        clash=("phone", "0912345678", "0987654321"),
    )
