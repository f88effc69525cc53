"""Two editors edit the same article or library document at once: neither silently undoes the
other (a stale save merges what the other did not touch, or is refused with both values,
keeping what was typed)."""

import pytest
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.organizations.tests.factories import make_user
from llct.portal.tests.factories import make_article, make_document


@pytest.fixture
def two(world):
    return two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))


def test_article_edits_at_once_merge_or_refuse(two, world):
    article = make_article(actor=world.department, publish=False)
    assert_no_lost_update(
        two,
        reverse("portal:edit", args=[article.pk]),
        having="lead",
        first={"lead": "Hội nghị trực tuyến đến 150 điểm cầu."},
        second={"author_name": "Thu Hà"},
        clash=("title", "Hội nghị quán triệt Nghị quyết Trung ương", "Quán triệt Nghị quyết"),
    )


def test_document_edits_at_once_merge_or_refuse(two, world):
    document = make_document(actor=world.department)
    assert_no_lost_update(
        two,
        reverse("portal:document_edit", args=[document.pk]),
        having="summary",
        first={"summary": "Kế hoạch học tập trong toàn Đảng bộ."},
        second={"issued_on": "2025-09-16"},
        clash=("number", "132-KH/ĐUK", "133-KH/ĐUK"),
    )
