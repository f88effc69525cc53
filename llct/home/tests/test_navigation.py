from django.urls import reverse

from llct.core.capabilities import Capability, holders
from llct.core.models import Role
from llct.home.navigation import MENU, menu_for, menu_links


def _labels(items):
    return {item.label: [child.label for child in item.children] for item in items}


def test_the_departments_menu_is_grouped_in_a_few_top_level_entries(world):
    items = menu_for(world.department)
    assert len(items) <= 8
    groups = _labels(items)
    assert list(groups) == [
        "Trang chủ",
        "Tổ chức và nhân sự",
        "Đào tạo",
        "Đề án",
        "Đội ngũ",
        "Thông tin",
        "Quản trị",
    ]
    assert "Kế hoạch năm" in groups["Đào tạo"]
    assert sum(len(children) for children in groups.values()) >= 30


def test_each_role_sees_only_the_entries_it_holds_the_capability_for(world):
    learner = menu_links(world.learner)
    assert reverse("assessment:person_results", args=[world.person_a.pk]) in learner
    assert reverse("curriculum:lecturer_list") not in learner
    assert reverse("organizations:people") not in learner
    leader = menu_links(world.leader)
    assert reverse("planning:plan_list") in leader
    assert reverse("assessment:results_index") not in leader
    assert reverse("api:index") not in leader
    officer = menu_links(world.officer_a)
    assert reverse("api:index") in officer and reverse("reviews:issuer_list") not in officer


def test_a_group_with_one_entry_for_the_user_is_that_entry(world):
    labels = [item.label for item in menu_for(world.learner)]
    assert "Quản trị" not in labels and "Tổ chức và nhân sự" not in labels


def test_the_current_page_marks_its_entry_and_group(world):
    items = menu_for(world.department, "courses:detail")
    training = next(item for item in items if item.label == "Đào tạo")
    assert training.active
    assert [c.label for c in training.children if c.active] == ["Lớp học"]


def test_every_menu_entry_names_capabilities_some_role_holds():
    for group in MENU:
        for entry in group.entries:
            assert any(holders(Capability(c)) for c in entry.needs), entry.url_name


def test_the_menu_renders_as_disclosure_groups_without_script(client, world):
    client.force_login(world.department)
    page = client.get(reverse("home")).text
    assert page.count('<details class="navgroup"') == 6
    assert "<summary" in page
    client.force_login(world.learner)
    assert "Trình đơn chính" in client.get(reverse("home")).text
    assert Role.LEARNER in holders(Capability.READ_OWN_RECORD)
