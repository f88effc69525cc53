"""The people list and the tree read a page from an index and render it in one pass: what a
million people need. The rows, their order, the scope and the number of queries are pinned."""

from django.urls import reverse

from llct.organizations.models import MembershipStage
from llct.organizations.tests.factories import make_org, make_person


def _names(response):
    return [p.full_name for p in response.context["page"].people]


def test_a_committee_pages_through_its_people_in_name_order_and_only_them(
    client, world, settings, django_assert_max_num_queries
):
    settings.PEOPLE_PAGE_SIZE = 3
    cell = make_org("Chi bộ A2", parent=world.org_a, code="A2")
    for given in ["Yến", "Bình", "Hà", "Cúc", "Đào"]:
        make_person(cell, f"Trần Thị {given}")
    make_person(world.org_b1, "Trần Thị Anh")  # another committee's
    client.force_login(world.officer_a)
    url = reverse("organizations:people")
    with django_assert_max_num_queries(6):
        first = client.get(url)
    assert _names(first) == ["Nguyễn Văn An", "Trần Thị Bình", "Trần Thị Cúc"]
    assert "6 người" in first.text  # the committee's stored count
    after = first.context["page"].next_cursor
    with django_assert_max_num_queries(7):
        second = client.get(url, {"after": after})
    assert _names(second) == ["Trần Thị Đào", "Trần Thị Hà", "Trần Thị Yến"]
    back = client.get(url, {"before": second.context["page"].previous_cursor})
    assert _names(back) == _names(first)


def test_a_name_search_counts_from_its_page(client, world, settings, django_assert_max_num_queries):
    settings.PEOPLE_PAGE_SIZE = 2
    for given in ["Ba", "Bốn", "Năm"]:
        make_person(world.org_a1, f"Lý Thị {given}")
    client.force_login(world.department)
    url = reverse("organizations:people")
    with django_assert_max_num_queries(4):
        many = client.get(url, {"q": "ly thi"}, headers={"HX-Request": "true"})
    assert _names(many) == ["Lý Thị Ba", "Lý Thị Bốn"]
    assert "Hơn 2 người" in many.text
    few = client.get(url, {"q": "ly thi n"})
    assert _names(few) == ["Lý Thị Năm"] and "1 người" in few.text


def test_the_rows_show_each_persons_stage_level_and_link(client, world):
    make_person(world.org_a1, "Lê <Văn> Ba", stage=MembershipStage.FULL, position="Bí thư & phó")
    client.force_login(world.department)
    response = client.get(reverse("organizations:people"), {"q": "le"})
    person = response.context["page"].people[0]
    assert f'<a href="/to-chuc/nhan-su/{person.pk}/">Lê &lt;Văn&gt; Ba</a>' in response.text
    assert '<td data-label="Chức vụ">Bí thư &amp; phó</td>' in response.text
    assert '<td data-label="Tình trạng đảng viên">Đảng viên chính thức</td>' in response.text


def test_people_list_and_tree_query_counts(client, world, django_assert_max_num_queries):
    for i in range(40):
        org = make_org(f"Chi bộ số {i}", parent=world.org_b)
        make_person(org, f"Người {i}")
    client.force_login(world.department)
    with django_assert_max_num_queries(4):
        client.get(reverse("organizations:people"))
    with django_assert_max_num_queries(4):
        response = client.get(reverse("organizations:tree"))
    assert response.text.count('<details class="node">') == 2  # A and B, closed
    with django_assert_max_num_queries(4):
        branch = client.get(
            reverse("organizations:tree_branch", args=[world.org_b.pk]),
            headers={"HX-Request": "true"},
        )
    assert branch.text.count('class="node leaf"') == 41
    assert 'title="số người trong tổ chức và cấp dưới">' in response.text


def test_the_subtree_box_shows_what_the_list_does(client, world):
    """A link naming only a filter (no search box sent) lists the whole subtree: the box says
    so, and ticking it off then narrows the list, as the officer sees it."""
    client.force_login(world.department)
    url = reverse("organizations:people")
    box = '<input type="checkbox" name="subtree" id="id_subtree" checked>'
    assert box in client.get(url, {"stage": "full"}).text
    assert box in client.get(url).text
    assert box not in client.get(url, {"stage": "full", "q": ""}).text
    assert box in client.get(url, {"q": "", "subtree": "on"}).text
