"""Two officers edit the same record at once: neither silently undoes the other."""

import pytest
from django.test import Client
from django.urls import reverse

from llct.core.models import Role
from llct.core.tests.pages import edit_at_once, post_again, two_clients
from llct.organizations.models import Organization, Person
from llct.organizations.tests.factories import make_user


@pytest.fixture
def two(world):
    first, second = Client(), Client()
    first.force_login(world.department)
    second.force_login(world.officer_a)
    return first, second


def test_person_edits_of_different_fields_are_both_kept(two, world):
    url = reverse("organizations:person_edit", args=[world.person_a.pk])
    both = edit_at_once(
        two,
        url,
        having="full_name",
        first_changes={"position": "Bí thư chi bộ"},
        second_changes={"full_name": "Nguyễn Văn Ân"},
    )
    assert both.first.status_code == 302 and both.second.status_code == 302
    person = Person.objects.get(pk=world.person_a.pk)
    assert person.position == "Bí thư chi bộ"
    assert person.full_name == "Nguyễn Văn Ân"


def test_person_edit_of_the_same_field_is_refused_with_both_values_then_kept_on_purpose(two, world):
    first, second = two
    url = reverse("organizations:person_edit", args=[world.person_a.pk])
    both = edit_at_once(
        (first, second),
        url,
        having="full_name",
        first_changes={"position": "Bí thư chi bộ", "full_name": "Nguyễn Văn Anh"},
        second_changes={"position": "Phó Bí thư chi bộ"},
    )
    assert both.second.status_code == 422
    page = both.second.content.decode()
    assert "Người khác đã lưu" in page
    assert "Bí thư chi bộ" in page and "Phó Bí thư chi bộ" in page  # theirs and yours
    person = Person.objects.get(pk=world.person_a.pk)
    assert person.position == "Bí thư chi bộ"  # the first save stands
    assert person.full_name == "Nguyễn Văn Anh"
    # Saving the refused form again keeps the second officer's value, and only it.
    again = post_again(second, url, both.second, having="full_name")
    assert again.status_code == 302
    person.refresh_from_db()
    assert person.position == "Phó Bí thư chi bộ"
    assert person.full_name == "Nguyễn Văn Anh"


def test_renaming_an_organization_twice_at_once_refuses_the_second(world):
    first, second = Client(), Client()
    first.force_login(world.department)
    second.force_login(make_user("bantuyengiao2", Role.DEPARTMENT))
    url = reverse("organizations:rename", args=[world.org_a.pk])
    both = edit_at_once(
        (first, second),
        url,
        having="name",
        first_changes={"name": "Đảng ủy các cơ quan Đảng tỉnh"},
        second_changes={"name": "Đảng ủy UBND tỉnh"},
    )
    assert both.first.status_code == 302
    assert both.second.status_code == 422
    assert "Đảng ủy các cơ quan Đảng tỉnh" in both.second.content.decode()
    assert Organization.objects.get(pk=world.org_a.pk).name == "Đảng ủy các cơ quan Đảng tỉnh"


def test_moving_an_organization_twice_at_once_refuses_the_second(world):
    clients = two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))
    url = reverse("organizations:move", args=[world.org_a1.pk])
    both = edit_at_once(
        clients,
        url,
        having="new_parent",
        first_changes={"new_parent": str(world.org_b.pk)},
        second_changes={"new_parent": str(world.province.pk)},
    )
    assert both.first.status_code == 302
    assert both.second.status_code == 422
    assert "Đảng ủy Khối B" in both.second.content.decode()
    assert Organization.objects.get(pk=world.org_a1.pk).parent_id == world.org_b.pk
