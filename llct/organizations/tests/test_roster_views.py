import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from llct.core.models import User
from llct.organizations import tasks
from llct.organizations.models import Organization, Person, RosterImport
from llct.organizations.roster import writing
from llct.organizations.tests.test_roster_support import (
    FIRST_ROW,
    person_row,
    roster_xlsx,
    upload,
)

UPLOAD = reverse("organizations:roster_upload")


def detail_url(roster_import: RosterImport) -> str:
    return reverse("organizations:roster_detail", args=[roster_import.pk])


def good_and_bad_rows() -> bytes:
    return roster_xlsx(
        [
            person_row("Lê Văn Một", born="01/01/1980", level="TC", number=1),
            person_row("Lê Văn Hai", born="1985", number=2),  # rejected: year only
            person_row("Lê Văn Ba", level="Tiến sĩ", number=3),  # rejected: unknown level
            person_row("Lê Văn Bốn", born="02/02/1982", number=4),
        ]
    )


def upload_as(
    client: Client,
    user: User,
    content: bytes,
    organization: Organization,
    name: str = "danh-sach.xlsx",
) -> Any:
    client.force_login(user)
    return client.post(UPLOAD, {"organization": organization.pk, "file": upload(content, name)})


def test_upload_preview_commit_flow(client, world):
    response = upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a1)
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(roster_import)
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert (roster_import.to_create, roster_import.rejected) == (2, 2)
    assert roster_import.uploaded_by == world.officer_a

    page = client.get(detail_url(roster_import)).content.decode()
    assert "Lê Văn Hai" in page and "Lê Văn Ba" in page
    assert f"<td>{FIRST_ROW + 1}</td>" in page and f"<td>{FIRST_ROW + 2}</td>" in page
    assert "Trình độ lý luận chính trị không rõ" in page
    assert reverse("organizations:roster_rejected", args=[roster_import.pk]) in page
    assert reverse("organizations:roster_commit", args=[roster_import.pk]) in page
    assert not Person.objects.filter(full_name="Lê Văn Một").exists()  # nothing written yet

    response = client.post(reverse("organizations:roster_commit", args=[roster_import.pk]))
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert roster_import.finished_at is not None
    people = Person.objects.filter(full_name__in=["Lê Văn Một", "Lê Văn Bốn"]).select_related(
        "organization"
    )
    assert {p.organization for p in people} == {world.org_a1}
    assert cache.get(tasks.progress_key(roster_import.pk)) is None
    page = client.get(detail_url(roster_import)).content.decode()
    assert "Đã nhập lúc" in page

    # A second press of the button writes nothing twice.
    client.post(reverse("organizations:roster_commit", args=[roster_import.pk]))
    assert Person.objects.filter(full_name="Lê Văn Một").count() == 1


def test_rejected_rows_download_opens_in_excel(client, world):
    upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a)
    roster_import = RosterImport.objects.get()
    response = client.get(reverse("organizations:roster_rejected", args=[roster_import.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet: Any = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng" and rows[0][-1] == "Lý do"
    assert [(r[0], r[2]) for r in rows[1:]] == [
        (FIRST_ROW + 1, "Lê Văn Hai"),
        (FIRST_ROW + 2, "Lê Văn Ba"),
    ]
    assert all(r[-1] for r in rows[1:])


def test_upload_rejects_other_files_and_keeps_the_chosen_organization(client, world):
    client.force_login(world.officer_a)
    response = client.post(
        UPLOAD, {"organization": world.org_a1.pk, "file": upload(b"a,b\n1,2\n", "danh-sach.csv")}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Chỉ nhập được tệp Excel .xlsx" in page
    assert f'value="{world.org_a1.pk}" data-org-value' in page  # the picker keeps the choice
    assert 'value="Chi bộ A1 (A1)"' in page
    response = client.post(
        UPLOAD, {"organization": world.org_a1.pk, "file": upload(b"a,b\n1,2\n", "gia.xlsx")}
    )
    assert response.status_code == 422
    assert "Tệp này không phải tệp .xlsx thật" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_upload_rejects_files_over_20_mb(client, world):
    client.force_login(world.officer_a)
    big = b"PK\x03\x04" + b"\0" * (20 * 1024 * 1024)
    response = client.post(UPLOAD, {"organization": world.org_a.pk, "file": upload(big)})
    assert response.status_code == 422
    assert "Tệp lớn hơn 20 MB" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_broken_workbook_is_refused_at_upload(client, world):
    response = upload_as(client, world.officer_a, b"PK\x03\x04 not really a zip", world.org_a)
    assert response.status_code == 422
    assert "không phải tệp .xlsx thật" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_a_file_without_header_fails_with_a_message(client, world):
    content = roster_xlsx([["Lê Văn Một"]], header=["Tên"])
    upload_as(client, world.officer_a, content, world.org_a)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.FAILED
    assert "Không tìm thấy dòng tiêu đề" in roster_import.error


def test_an_officer_cannot_import_into_another_organization(client, world):
    response = upload_as(client, world.officer_a, good_and_bad_rows(), world.org_b)
    assert response.status_code == 422
    assert not RosterImport.objects.exists()
    page = client.get(UPLOAD).content.decode()
    assert world.org_b.name not in page


@pytest.mark.parametrize("who", ["leader", "learner"])
def test_only_editors_of_the_rolls_may_import(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(UPLOAD).status_code == 403


def test_an_import_outside_scope_is_not_found(client, world):
    upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a)
    roster_import = RosterImport.objects.get()
    client.force_login(world.officer_b)
    assert client.get(detail_url(roster_import)).status_code == 404
    for name in ("roster_commit", "roster_cancel"):
        url = reverse(f"organizations:{name}", args=[roster_import.pk])
        assert client.post(url).status_code == 404
    url = reverse("organizations:roster_rejected", args=[roster_import.pk])
    assert client.get(url).status_code == 404
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert UPLOAD in client.get(UPLOAD).content.decode()
    assert roster_import.original_name not in client.get(UPLOAD).content.decode()
    # The department sees every import.
    client.force_login(world.department)
    assert client.get(detail_url(roster_import)).status_code == 200


def test_cancel_discards_the_file_and_writes_nothing(client, world):
    upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a)
    roster_import = RosterImport.objects.get()
    path = roster_import.file.path
    response = client.post(reverse("organizations:roster_cancel", args=[roster_import.pk]))
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CANCELLED
    assert not Path(path).exists()
    assert not Person.objects.filter(full_name="Lê Văn Một").exists()
    response = client.post(reverse("organizations:roster_commit", args=[roster_import.pk]))
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CANCELLED


def test_a_failed_commit_writes_nothing_and_says_so(client, world, monkeypatch):
    upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a)
    roster_import = RosterImport.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "_insert", broken)
    client.post(reverse("organizations:roster_commit", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.FAILED
    assert "lỗi không mong muốn; chưa ghi gì" in roster_import.error
    assert not Person.objects.filter(full_name="Lê Văn Một").exists()


def test_progress_while_checking_is_a_polling_fragment(
    client, world, django_assert_max_num_queries
):
    upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a)
    roster_import = RosterImport.objects.get()
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status=RosterImport.Status.ANALYSING, processed_rows=250, total_rows=1000
    )
    with django_assert_max_num_queries(4):
        response = client.get(detail_url(roster_import), headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="roster-status"')
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert 'max="1000" value="250"' in fragment


def test_progress_while_writing_comes_from_the_cache(client, world, django_assert_max_num_queries):
    upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a)
    roster_import = RosterImport.objects.get()
    RosterImport.objects.filter(pk=roster_import.pk).update(status=RosterImport.Status.COMMITTING)
    cache.set(tasks.progress_key(roster_import.pk), (30, 40))
    with django_assert_max_num_queries(4):
        response = client.get(detail_url(roster_import), headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert 'max="40" value="30"' in fragment
    assert "75%" in fragment


def test_preview_query_count_does_not_grow_with_rejected_rows(
    client, world, django_assert_max_num_queries
):
    rows = [person_row(f"Người Lỗi {i}", born="1985") for i in range(300)]
    upload_as(client, world.officer_a, roster_xlsx(rows), world.org_a)
    roster_import = RosterImport.objects.get()
    assert roster_import.rejected == 300
    with django_assert_max_num_queries(4):
        page = client.get(detail_url(roster_import)).content.decode()
    assert page.count("<tr><td>") == 300
    assert "hx-trigger" not in page


def test_upload_page_query_count(client, world, django_assert_max_num_queries):
    for _ in range(3):
        upload_as(client, world.officer_a, good_and_bad_rows(), world.org_a)
    with django_assert_max_num_queries(5):
        response = client.get(UPLOAD)
    assert response.status_code == 200
