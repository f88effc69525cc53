import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from llct.organizations.models import Organization, Person
from llct.organizations.tests.factories import make_org, make_person


def test_every_page_requires_login(client, world):
    for url in [
        reverse("home"),
        reverse("organizations:people"),
        reverse("organizations:tree"),
        reverse("organizations:person_detail", args=[world.person_a.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_page_is_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert "Đăng nhập" in response.text


def test_officer_of_a_gets_404_on_a_person_of_b(as_user, world):
    client = as_user(world.officer_a)
    assert (
        client.get(reverse("organizations:person_detail", args=[world.person_b.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("organizations:person_edit", args=[world.person_b.pk])).status_code
        == 404
    )
    assert client.get(reverse("organizations:detail", args=[world.org_b.pk])).status_code == 404
    assert (
        client.get(reverse("organizations:person_detail", args=[world.person_a.pk])).status_code
        == 200
    )


def test_officer_never_sees_b_in_lists_search_or_exports(as_user, world):
    client = as_user(world.officer_a)
    listing = client.get(reverse("organizations:people"))
    assert "Nguyễn Văn An" in listing.text and "Trần Thị Bình" not in listing.text
    search = client.get(reverse("organizations:people"), {"q": "tran thi binh"})
    assert "Trần Thị Bình" not in search.text
    tree = client.get(reverse("organizations:tree"))
    assert "Khối B" not in tree.text
    export = client.get(reverse("organizations:people_export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["Nguyễn Văn An"]
    # Filtering on an organization outside the scope is not possible either.
    filtered = client.get(reverse("organizations:people"), {"organization": world.org_b.pk})
    assert "Trần Thị Bình" not in filtered.text


def test_search_ignores_diacritics_and_case(as_user, world):
    make_person(world.org_a1, "Nguyễn Văn Ánh")
    make_person(world.org_a1, "Lê Thị Nguyệt")
    client = as_user(world.department)
    response = client.get(reverse("organizations:people"), {"q": "NGUYEN van a"})
    assert "Nguyễn Văn An" in response.text and "Nguyễn Văn Ánh" in response.text
    assert "Lê Thị Nguyệt" not in response.text


def test_htmx_search_returns_only_the_results_fragment(as_user, world):
    client = as_user(world.department)
    response = client.get(
        reverse("organizations:people"), {"q": "binh"}, headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="results">')
    assert "Trần Thị Bình" in response.text


def test_list_is_in_vietnamese_name_order(as_user, world):
    for name in ["Phạm Văn Bảo", "Lê Thị An", "Trần Anh"]:
        make_person(world.org_a1, name)
    client = as_user(world.officer_a)
    text = client.get(reverse("organizations:people")).text
    order = [text.index(n) for n in ["Lê Thị An", "Nguyễn Văn An", "Trần Anh", "Phạm Văn Bảo"]]
    assert order == sorted(order)


def test_filters_by_stage_level_position_and_subtree(as_user, world):
    make_person(world.org_a, "Vũ Văn Khải", stage="full", theory_level=2, position="Bí thư")
    client = as_user(world.department)
    got = client.get(
        reverse("organizations:people"), {"stage": "full", "theory_level": 2, "position": "bí thư"}
    )
    assert "Vũ Văn Khải" in got.text and "Nguyễn Văn An" not in got.text
    direct = client.get(reverse("organizations:people"), {"organization": world.org_a.pk, "q": ""})
    assert "Vũ Văn Khải" in direct.text and "Nguyễn Văn An" not in direct.text
    subtree = client.get(
        reverse("organizations:people"), {"organization": world.org_a.pk, "subtree": "on", "q": ""}
    )
    assert "Nguyễn Văn An" in subtree.text


def test_people_list_pages_by_keyset_forward_and_back(as_user, world, settings):
    settings.PEOPLE_PAGE_SIZE = 2
    for i in range(4):
        make_person(world.org_a1, f"Đinh Văn {chr(65 + i)}")
    client = as_user(world.officer_a)
    names = ["Đinh Văn A", "Nguyễn Văn An", "Đinh Văn B", "Đinh Văn C", "Đinh Văn D"]
    seen, url, pages = [], reverse("organizations:people"), []
    while url:
        response = client.get(url)
        page = response.context["page"]
        seen += [p.full_name for p in page.people]
        pages.append(page)
        url = f"{reverse('organizations:people')}?after={page.next_cursor}" if page.has_next else ""
    assert seen == names
    assert [len(p.people) for p in pages] == [2, 2, 1]
    assert "5 người" in client.get(reverse("organizations:people")).text
    back = client.get(reverse("organizations:people"), {"before": pages[2].people[0].pk})
    assert [p.full_name for p in back.context["page"].people] == names[2:4]
    assert back.context["page"].has_previous and back.context["page"].has_next


def test_people_count_is_stored_or_capped_beyond_ten_thousand(as_user, world, monkeypatch):
    from llct.organizations import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 1)
    client = as_user(world.department)
    # The whole scope, or an organization's subtree: the stored counts, exact.
    assert "2 người" in client.get(reverse("organizations:people")).text
    by_org = client.get(reverse("organizations:people"), {"organization": world.org_a.pk})
    assert "1 người" in by_org.text
    # Any other filter: counted, up to the cap.
    response = client.get(reverse("organizations:people"), {"theory_level": 0})
    assert "Hơn 1 người" in response.text


def test_organization_picker_suggests_organizations_in_scope_only(as_user, world):
    make_org("Chi bộ Xã Đông Hòa", parent=world.org_b, code="DH")
    url = reverse("organizations:picker")
    department = as_user(world.department).get(url, {"org_q": "dong hoa"})
    assert "Chi bộ Xã Đông Hòa" in department.text
    assert f'data-org-id="{Organization.objects.get(code="DH").pk}"' in department.text
    officer = as_user(world.officer_a).get(url, {"org_q": "hoa"})
    assert "Đông Hòa" not in officer.text
    assert "A1" in as_user(world.officer_a).get(url, {"org_q": "a1"}).text


def test_people_list_renders_no_list_of_every_organization(as_user, world):
    response = as_user(world.department).get(reverse("organizations:people"))
    assert "<option" not in response.text.split('id="id_organization"')[1].split("</div>")[0]
    assert 'hx-get="/to-chuc/chon/"' in response.text


def test_people_list_query_count_does_not_grow(as_user, world, django_assert_max_num_queries):
    client = as_user(world.department)
    for i in range(60):
        make_person(world.org_a1 if i % 2 else world.org_b1, f"Người Thứ {i}")
    with django_assert_max_num_queries(8):
        client.get(reverse("organizations:people"))
    with django_assert_max_num_queries(8):
        client.get(reverse("organizations:people"), {"q": "nguoi"})


def test_tree_opens_level_by_level_in_constant_queries(
    as_user, world, django_assert_max_num_queries
):
    client = as_user(world.department)
    for i in range(30):
        org = make_org(f"Chi bộ số {i}", parent=world.org_b)
        make_person(org, f"Người {i}")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("organizations:tree"))
    assert "Đảng ủy Khối B" in response.text and "Chi bộ số 29" not in response.text
    branch_url = reverse("organizations:tree_branch", args=[world.org_b.pk])
    assert f'hx-get="{branch_url}"' in response.text and f'href="{branch_url}"' in response.text
    with django_assert_max_num_queries(6):
        branch = client.get(branch_url, headers={"HX-Request": "true"})
    assert "Chi bộ số 29" in branch.text and "<html" not in branch.text
    assert "Chi bộ số 29" in client.get(branch_url).text  # a page of its own without htmx
    children = {c.pk: c for c in response.context["levels"][0].children}
    assert children[world.org_b.pk].subtree_people_count == 31


def test_officer_cannot_open_a_branch_outside_their_subtree(as_user, world):
    client = as_user(world.officer_a)
    url = reverse("organizations:tree_branch", args=[world.org_b.pk])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("organizations:tree_branch", args=[world.org_a.pk])).status_code == 200
    )


def test_tree_as_of_a_date_shows_the_old_names(as_user, world):
    client = as_user(world.department)
    client.post(
        reverse("organizations:rename", args=[world.org_a.pk]),
        {"name": "Đảng ủy các cơ quan Đảng tỉnh", "effective_on": "01/07/2025"},
    )
    old = client.get(reverse("organizations:tree"), {"on": "30/06/2025"})
    assert "Đảng ủy Khối A" in old.text and "Đảng ủy các cơ quan Đảng tỉnh" not in old.text
    now = client.get(reverse("organizations:tree"))
    assert "Đảng ủy các cơ quan Đảng tỉnh" in now.text


def test_an_impossible_as_of_date_says_so_and_keeps_what_was_typed(as_user, world):
    client = as_user(world.department)
    response = client.get(reverse("organizations:tree"), {"on": "30/02/2025"})
    assert response.status_code == 200
    assert "Không đọc được ngày đã nhập, nên đây là cây tổ chức hôm nay." in response.text
    assert 'value="30/02/2025"' in response.text
    assert "Đảng ủy Khối A" in response.text


def test_rename_form_error_keeps_what_was_typed(as_user, world):
    client = as_user(world.department)
    response = client.post(
        reverse("organizations:rename", args=[world.org_a.pk]),
        {"name": "Tên mới gõ dở", "effective_on": "31/12/2019"},
    )
    assert response.status_code == 422
    assert "Tên mới gõ dở" in response.text
    assert "không thể trước" in response.text.lower() or "effective" in response.text.lower()


def test_merge_and_split_through_the_pages(as_user, world):
    client = as_user(world.department)
    response = client.post(
        reverse("organizations:merge", args=[world.org_a1.pk]),
        {"sources": [world.org_b1.pk], "effective_on": "01/07/2025"},
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=world.person_b.pk).organization_id == world.org_a1.pk
    response = client.post(
        reverse("organizations:split", args=[world.org_a1.pk]),
        {"parts": "A1N | Chi bộ A1 Bắc\nA1S | Chi bộ A1 Nam", "effective_on": "02/07/2025"},
    )
    assert response.status_code == 302
    assert Organization.objects.filter(code__in=["A1N", "A1S"]).count() == 2
    bad = client.post(
        reverse("organizations:split", args=[world.org_a.pk]),
        {"parts": "no bar", "effective_on": "02/07/2025"},
    )
    assert bad.status_code == 422 and "no bar" in bad.text


def test_officer_cannot_restructure_their_own_organization_or_outside(as_user, world):
    client = as_user(world.officer_a)
    assert client.get(reverse("organizations:rename", args=[world.org_a.pk])).status_code == 403
    assert client.get(reverse("organizations:rename", args=[world.org_b1.pk])).status_code == 404
    assert client.get(reverse("organizations:rename", args=[world.org_a1.pk])).status_code == 200
    form = {"name": "Tên mới", "effective_on": "01/03/2026", "note": "Thử"}
    for org, refused in ((world.org_a, 403), (world.org_b1, 404)):
        url = reverse("organizations:rename", args=[org.pk])
        assert client.post(url, form).status_code == refused
    names = set(Organization.objects.values_list("name", flat=True))
    assert "Tên mới" not in names and {world.org_a.name, world.org_b1.name} <= names


def test_leader_reads_but_cannot_edit(as_user, world):
    client = as_user(world.leader)
    assert (
        client.get(reverse("organizations:person_detail", args=[world.person_b.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("organizations:person_edit", args=[world.person_b.pk])).status_code
        == 403
    )
    assert client.get(reverse("organizations:rename", args=[world.org_a.pk])).status_code == 403
    url = reverse("organizations:person_edit", args=[world.person_b.pk])
    assert client.post(url, {"full_name": "Tên Khác"}).status_code == 403
    world.person_b.refresh_from_db()
    assert world.person_b.full_name == "Trần Thị Bình"


def test_learner_sees_no_rolls(as_user, world):
    client = as_user(world.learner)
    assert client.get(reverse("organizations:people")).status_code == 403
    assert (
        client.get(reverse("organizations:person_detail", args=[world.person_b.pk])).status_code
        == 404
    )
    home = client.get(reverse("home"))
    assert "Nguyễn Văn An" in home.text


def test_create_person_with_errors_keeps_input_then_succeeds(as_user, world):
    client = as_user(world.officer_a)
    form = {
        "full_name": "Bùi Thị Hạnh",
        "sex": "female",
        "date_of_birth": "15/08/2030",
        "position": "Chuyên viên",
        "organization": world.org_a1.pk,
        "stage": "probationary",
        "admitted_on": "",
        "full_member_on": "",
        "party_card_no": "",
        "theory_level": 0,
    }
    response = client.post(reverse("organizations:person_create"), form)
    assert response.status_code == 422
    assert 'value="Bùi Thị Hạnh"' in response.text
    assert 'value="15/08/2030"' in response.text
    assert "tương lai" in response.text  # date of birth in the future
    form.update(date_of_birth="15/08/1995", admitted_on="03/02/2025")
    response = client.post(reverse("organizations:person_create"), form)
    assert response.status_code == 302
    person = Person.objects.get(full_name="Bùi Thị Hạnh")
    assert person.date_of_birth == dt.date(1995, 8, 15)


def test_officer_cannot_put_a_person_into_another_organization(as_user, world):
    client = as_user(world.officer_a)
    response = client.post(
        reverse("organizations:person_edit", args=[world.person_a.pk]),
        {
            "full_name": "Nguyễn Văn An",
            "organization": world.org_b1.pk,
            "stage": "non_member",
            "theory_level": 0,
        },
    )
    assert response.status_code == 422
    assert Person.objects.get(pk=world.person_a.pk).organization_id == world.org_a1.pk


def test_edit_is_shown_on_the_history_tab(as_user, world):
    client = as_user(world.officer_a)
    client.post(
        reverse("organizations:person_edit", args=[world.person_a.pk]),
        {
            "full_name": "Nguyễn Văn An",
            "position": "Bí thư chi bộ",
            "organization": world.org_a1.pk,
            "stage": "non_member",
            "theory_level": 1,
            "effective_on": "01/11/2026",
            "note": "Bầu mới",
        },
    )
    history = client.get(
        reverse("organizations:person_detail", args=[world.person_a.pk]), {"tab": "history"}
    )
    assert "Bí thư chi bộ" in history.text
    assert "canbo_a" in history.text
    assert "01/11/2026" in history.text


def test_personal_data_is_not_in_urls(as_user, world):
    client = as_user(world.department)
    text = client.get(reverse("organizations:people")).text
    assert "party_card_no" not in text


def test_tree_export_csv_and_xlsx(as_user, world):
    client = as_user(world.officer_a)
    csv_text = client.get(reverse("organizations:tree_export"), {"format": "csv"}).content.decode(
        "utf-8-sig"
    )
    assert csv_text.splitlines()[0] == "Mã,Tên,Loại,Mã cấp trên"
    assert "A1,Chi bộ A1,Chi bộ cơ sở,A" in csv_text
    assert "B1" not in csv_text
    xlsx = client.get(reverse("organizations:tree_export"))
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Mã", "Tên", "Loại", "Mã cấp trên")


def test_export_writes_formula_looking_text_as_text(as_user, world):
    make_person(world.org_a1, "=HYPERLINK(1)")
    client = as_user(world.officer_a)
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("organizations:people_export")).content)
    ).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"


def test_search_matches_word_starts_only(as_user, world):
    make_person(world.org_a1, "Lê Thị Lan")
    make_person(world.org_a1, "Lý Thị Xuân")
    client = as_user(world.department)
    found = client.get(reverse("organizations:people"), {"q": "ly th"}).context["page"].people
    assert [p.full_name for p in found] == ["Lý Thị Xuân"]
    # "an" starts "An" but only ends "Lan" and "Xuân".
    found = client.get(reverse("organizations:people"), {"q": "an"}).context["page"].people
    assert [p.full_name for p in found] == ["Nguyễn Văn An"]


def test_postgresql_search_uses_the_name_words_index(world):
    from django.db import connection

    from llct.organizations import selectors

    if connection.vendor != "postgresql":
        pytest.skip("the full-text index exists on PostgreSQL only")
    qs = selectors.person_list(user=world.department, filters=selectors.PersonFilter(q="ly thi"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "person_search_words" in plan
