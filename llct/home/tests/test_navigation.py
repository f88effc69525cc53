import re
from pathlib import Path

from django.conf import settings
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


def test_the_menu_marks_the_current_page_and_escapes_what_it_writes():
    from llct.home.navigation import NavItem
    from llct.home.templatetags.main_menu import main_menu

    items = [
        NavItem("Trang chủ", "/", active=False),
        NavItem(
            "Lớp <học>",
            "/a?x=1&y=2",
            active=True,
            children=[NavItem("Lớp <học>", "/a?x=1&y=2", True), NavItem("Khác", "/b/")],
        ),
    ]
    html = main_menu(items)
    assert html.startswith('<a href="/">Trang chủ</a>')
    assert '<summary class="current">Lớp &lt;học&gt;</summary>' in html
    current = '<a href="/a?x=1&amp;y=2" aria-current="page">Lớp &lt;học&gt;</a>'
    assert current + '<a href="/b/">Khác</a>' in html


def test_written_out_select_options_keep_the_choice_and_escape_labels():
    from llct.core.templatetags.llct_format import select_options

    choices = [("", "Tất cả"), (1, "Sơ cấp"), ('x"y', "<b>")]
    assert select_options(choices, None).startswith('<option value="" selected>Tất cả</option>')
    assert '<option value="1" selected>Sơ cấp</option>' in select_options(choices, "1")
    assert '<option value="x&quot;y">&lt;b&gt;</option>' in select_options(choices, "1")


def test_every_capability_a_template_asks_for_exists():
    """`{% if caps.some_typo %}` would hide a link from everyone without a word."""
    root = Path(settings.BASE_DIR)
    asked = set()
    for template in [*root.glob("templates/**/*.html"), *root.glob("llct/*/templates/**/*.html")]:
        asked |= set(re.findall(r"\bcaps\.(\w+)", template.read_text(encoding="utf-8")))
    assert asked and asked <= {c.value for c in Capability}
