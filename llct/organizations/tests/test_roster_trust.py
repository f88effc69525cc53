"""What an officer can trust about a roster import: bounded uploads, files that do not outlive
the import, dates of birth that make sense, card messages that say nothing about other
organizations, missing cells said plainly (and created or bypassed on request), messy values
shown as read, and a file that imports the same way twice."""

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from llct.core.models import User
from llct.core.tests.test_xlsx_bounds import bomb, many_cells
from llct.organizations import person_services
from llct.organizations.models import MembershipStage, Organization, Person, RosterImport
from llct.organizations.roster import placement
from llct.organizations.roster.imports import (
    person_import_roster,
    person_import_rows,
    roster_analyse,
)
from llct.organizations.roster.uploads import roster_sweep
from llct.organizations.tests.factories import make_person
from llct.organizations.tests.test_roster_support import (
    FIRST_ROW,
    HEADER,
    person_row,
    roster_xlsx,
    upload,
)
from llct.organizations.tree_import import organizations_import

TODAY = dt.date(2026, 11, 25)
UPLOAD = reverse("organizations:roster_upload")
CARD_TAKEN = "This party card number cannot be recorded for this person; check it on the card."


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def post_upload(client: Any, user: User, content: bytes, organization: Organization) -> Any:
    client.force_login(user)
    return client.post(UPLOAD, {"organization": organization.pk, "file": upload(content)})


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "imports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Bounded uploads --------------------------------------------------------------------------


def test_a_zip_bomb_roster_is_refused_at_upload_and_nothing_is_stored(client, world, settings):
    settings.LLCT_XLSX_MAX_CELLS = 100_000
    content = bomb(many_cells(50_000))
    assert len(content) < 100_000
    response = post_upload(client, world.officer_a, content, world.org_a)
    assert response.status_code == 422
    assert "too large to import" in response.content.decode()
    assert not RosterImport.objects.exists()
    assert stored_files(settings) == []


def test_the_roster_reader_refuses_a_bomb_given_directly(world, settings):
    # The API's interchange import and the command read files without the upload form.
    settings.LLCT_XLSX_MAX_CELLS = 100_000
    from llct.organizations.roster.reader import RosterFileError

    with pytest.raises(RosterFileError, match="too large to import"):
        roster_analyse(
            path_or_file=io.BytesIO(bomb(many_cells(50_000))), organization=world.org_a, today=TODAY
        )


def test_the_tree_import_refuses_a_bomb(world, settings, tmp_path):
    settings.LLCT_XLSX_MAX_CELLS = 100_000
    path = tmp_path / "cay.xlsx"
    path.write_bytes(bomb(many_cells(50_000)))
    result = organizations_import(path=path, founded_on=TODAY, actor=None)
    (rejected,) = result.rejected
    assert "too large to import" in rejected.reason
    assert result.created == 0


# --- Files do not outlive the import ----------------------------------------------------------


def test_the_file_is_deleted_after_commit(client, world, settings):
    post_upload(client, world.officer_a, roster_xlsx([person_row("Lê Văn Một")]), world.org_a)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.PREVIEW
    assert len(stored_files(settings)) == 1
    client.post(reverse("organizations:roster_commit", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert not roster_import.file
    assert roster_import.readings == []
    assert stored_files(settings) == []
    assert Person.objects.filter(full_name="Lê Văn Một").exists()


def test_the_file_is_deleted_after_a_failure(client, world, settings):
    post_upload(client, world.officer_a, roster_xlsx([["Lê Văn Một"]], header=["Tên"]), world.org_a)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.FAILED
    assert not roster_import.file
    assert stored_files(settings) == []


def test_the_file_is_deleted_after_cancel(client, world, settings):
    post_upload(client, world.officer_a, roster_xlsx([person_row("Lê Văn Một")]), world.org_a)
    roster_import = RosterImport.objects.get()
    client.post(reverse("organizations:roster_cancel", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CANCELLED
    assert not roster_import.file
    assert stored_files(settings) == []


def test_abandoned_previews_are_swept_and_recent_ones_kept(client, world, settings):
    settings.LLCT_ROSTER_PREVIEW_HOURS = 3
    post_upload(client, world.officer_a, roster_xlsx([person_row("Lê Văn Một")]), world.org_a)
    post_upload(client, world.officer_a, roster_xlsx([person_row("Lê Văn Hai")]), world.org_a)
    old, recent = RosterImport.objects.order_by("pk")
    RosterImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=4))
    call_command("roster_sweep", stdout=io.StringIO())
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == RosterImport.Status.CANCELLED
    assert not old.file
    assert "more than 3 hours" in old.error
    assert recent.status == RosterImport.Status.PREVIEW
    assert recent.file
    assert len(stored_files(settings)) == 1
    assert roster_sweep(now=timezone.now()) == 0


# --- Dates of birth ---------------------------------------------------------------------------


def test_a_birth_before_1900_is_refused_by_the_person_service(world):
    with pytest.raises(ValidationError) as error:
        person_services.person_create(
            data={
                "full_name": "Lê Văn Cổ",
                "organization": world.org_a1,
                "date_of_birth": dt.date(1899, 12, 31),
            },
            actor=None,
            today=TODAY,
        )
    assert "before 1900" in error.value.message_dict["date_of_birth"][0]


def test_a_birth_before_1900_is_refused_by_the_person_form(client, world):
    client.force_login(world.officer_a)
    response = client.post(
        reverse("organizations:person_create"),
        {
            "full_name": "Lê Văn Cổ",
            "organization": world.org_a1.pk,
            "date_of_birth": "31/12/1899",
            "stage": MembershipStage.NON_MEMBER,
            "theory_level": 0,
        },
    )
    assert "before 1900" in response.content.decode()
    assert not Person.objects.filter(full_name="Lê Văn Cổ").exists()


def test_a_birth_before_the_setting_is_refused_in_roster_and_api_rows(world, settings):
    settings.LLCT_MIN_BIRTH_YEAR = 1920
    content = roster_xlsx([person_row("Lê Văn Cổ", born="01/01/1919")])
    result = person_import_roster(
        file=io.BytesIO(content), organization=world.org_a, actor=None, today=TODAY
    )
    assert "before 1920" in result.rejected[0].reason
    api = person_import_rows(
        rows=[{"full_name": "Lê Văn Cổ", "date_of_birth": "1919-01-01"}],
        organization=world.org_a,
        actor=None,
        today=TODAY,
        note="API",
    )
    assert "before 1920" in api.rejected[0].reason
    assert not Person.objects.filter(full_name="Lê Văn Cổ").exists()


# --- Card numbers -----------------------------------------------------------------------------


def test_the_card_message_is_the_same_inside_and_outside_the_scope(world):
    for org, card in ((world.org_a1, "IN-1"), (world.org_b1, "OUT-1")):
        make_person(
            org,
            f"Người Giữ {card}",
            date_of_birth=dt.date(1970, 1, 1),
            stage=MembershipStage.FULL,
            admitted_on=dt.date(2000, 1, 1),
            full_member_on=dt.date(2001, 2, 1),
            party_card_no=card,
        )
    rows = [
        person_row("Tên Khác", born="02/02/1990", admitted="01/01/2015", card="IN-1"),
        person_row("Tên Lạ", born="02/02/1990", admitted="01/01/2015", card="OUT-1"),
    ]
    result = person_import_roster(
        file=io.BytesIO(roster_xlsx(rows)), organization=world.org_a, actor=None, today=TODAY
    )
    assert [r.reason for r in result.rejected] == [CARD_TAKEN, CARD_TAKEN]
    person = Person(full_name="Ai Đó", organization=world.org_a1, party_card_no="OUT-1")
    person.stage = MembershipStage.FULL
    with pytest.raises(ValidationError) as error:
        person_services.person_validate(person, today=TODAY)
    assert CARD_TAKEN in error.value.message_dict["party_card_no"]


# --- Missing cells and readings ---------------------------------------------------------------


def missing_cell_rows() -> bytes:
    return roster_xlsx(
        [
            person_row("Lê Văn Một", born="1/2/85", unit="Chi bộ Mới 1"),
            person_row("Lê Văn Hai", born="02/02/1986", unit="Chi bộ Mới 2"),
            person_row("Lê Văn Ba", born="03/03/1987", unit="chi bộ mới 1"),
            person_row("Lê Văn Bốn", born="04/04/1988", unit="A1"),
        ]
    )


def test_missing_cells_are_listed_not_taken_for_known_people(world):
    analysis = roster_analyse(
        path_or_file=io.BytesIO(missing_cell_rows()), organization=world.org_a, today=TODAY
    )
    assert analysis.missing_organizations == [
        {"name": "Chi bộ Mới 1", "rows": 2},
        {"name": "Chi bộ Mới 2", "rows": 1},
    ]
    assert len(analysis.rejected) == 3
    assert len(analysis.to_create) == 1


def test_missing_cells_are_created_under_the_organization_on_request(world):
    result = person_import_roster(
        file=io.BytesIO(missing_cell_rows()),
        organization=world.org_a,
        actor=world.officer_a,
        today=TODAY,
        placement=placement.CREATE,
    )
    assert (result.created, result.rejected) == (4, [])
    new = Organization.objects.filter(parent=world.org_a, name__startswith="Chi bộ Mới")
    assert sorted(new.values_list("name", flat=True)) == ["Chi bộ Mới 1", "Chi bộ Mới 2"]
    cell = new.get(name="Chi bộ Mới 1")
    assert cell.path.startswith(world.org_a.path)
    assert set(Person.objects.filter(organization=cell).values_list("full_name", flat=True)) == {
        "Lê Văn Một",
        "Lê Văn Ba",
    }
    assert Person.objects.get(full_name="Lê Văn Bốn").organization == world.org_a1


def test_missing_cells_can_put_everyone_in_the_organization(world):
    result = person_import_roster(
        file=io.BytesIO(missing_cell_rows()),
        organization=world.org_a,
        actor=world.officer_a,
        today=TODAY,
        placement=placement.ROOT,
    )
    assert (result.created, result.rejected) == (4, [])
    assert Person.objects.get(full_name="Lê Văn Hai").organization == world.org_a
    assert not Organization.objects.filter(name__startswith="Chi bộ Mới").exists()


def test_the_preview_shows_how_messy_values_were_read(world):
    header = ["Họ và tên", "Ngày sinh", "Tình trạng", "Ngày vào Đảng", "Trình độ LLCT"]
    content = roster_xlsx(
        [["Lê Văn Một", "1/2/85", "Đảng viên dự bị", "03/03/2010", "trung cấp LLCT"]],
        header=header,
    )
    analysis = roster_analyse(
        path_or_file=io.BytesIO(content), organization=world.org_a, today=TODAY
    )
    read = {(r["written"], r["read"]) for r in analysis.readings}
    assert ("1/2/85", "01/02/1985") in read
    assert ("Đảng viên dự bị", str(MembershipStage.PROBATIONARY.label)) in read
    assert ("trung cấp LLCT", "Trung cấp") in {(w, r) for w, r in read if w == "trung cấp LLCT"}
    assert ("03/03/2010", "03/03/2010") not in read
    assert analysis.to_create[0].person.date_of_birth == dt.date(1985, 2, 1)


def test_the_missing_cells_journey_in_the_pages(client, world):
    post_upload(client, world.officer_a, missing_cell_rows(), world.org_a)
    roster_import = RosterImport.objects.get()
    detail = reverse("organizations:roster_detail", args=[roster_import.pk])
    page = client.get(detail).content.decode()
    assert "2 organizations in the file do not exist under Đảng ủy Khối A" in page
    assert "Chi bộ Mới 1" in page
    assert "every valid row is already on the rolls" not in page
    place = reverse("organizations:roster_place", args=[roster_import.pk])
    client.post(place, {"placement": "create"})  # not confirmed: nothing changes
    roster_import.refresh_from_db()
    assert roster_import.placement == ""
    client.post(place, {"placement": "create", "confirm": "on"})
    roster_import.refresh_from_db()
    assert (roster_import.placement, roster_import.to_create, roster_import.rejected) == (
        "create",
        4,
        0,
    )
    assert "These cells will be created under" in client.get(detail).content.decode()
    client.post(reverse("organizations:roster_commit", args=[roster_import.pk]))
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.DONE
    assert Organization.objects.filter(name="Chi bộ Mới 2", parent=world.org_a).exists()


def test_every_row_rejected_is_said_plainly(client, world):
    rows = [person_row("Lê Văn Một", born="1985"), person_row("Lê Văn Hai", born="1986")]
    post_upload(client, world.officer_a, roster_xlsx(rows), world.org_a)
    roster_import = RosterImport.objects.get()
    page = client.get(reverse("organizations:roster_detail", args=[roster_import.pk]))
    text = page.content.decode()
    assert "every row was rejected" in text
    assert "already on the rolls" not in text


# --- The same file twice ----------------------------------------------------------------------


def idempotent_roster(rows: int) -> bytes:
    """A roster with many namesakes: names from a small pool, birth dates from a small pool,
    cards on most rows; rows without a card never share a name and date (or, without a date,
    a name) so that every row is valid the first time."""
    rng = random.Random(7)
    names = [f"Nguyễn Văn {given}" for given in ("An", "Bình", "Cường", "Dũng", "Hùng", "Minh")]
    names += [f"Trần Thị {given}" for given in ("Hoa", "Lan", "Mai", "Ngọc")]
    days = [dt.date(1960, 1, 1) + dt.timedelta(days=97 * i) for i in range(150)]
    seen: set[tuple[str, Any]] = set()
    body: list[list[Any]] = []
    number = 0
    while len(body) < rows:
        name = f"{rng.choice(names)} {rng.randint(1, 40)}"
        born = rng.choice(days) if rng.random() < 0.9 else None
        number += 1
        if rng.random() < 0.7:
            card = f"{number:08d}"
            admitted = dt.date(born.year + 25 if born else 1995, 5, 1)
            body.append(
                person_row(
                    name, born=born and born.strftime("%d/%m/%Y"), admitted=admitted, card=card
                )
            )
        elif (name, born) not in seen and (name, None) not in seen:
            seen.add((name, born))
            body.append(person_row(name, born=born, level=rng.choice(["", "SC", "Trung cấp"])))
    return roster_xlsx(body)


def test_reimporting_the_same_file_changes_and_rejects_nothing(world):
    content = idempotent_roster(3000)
    first = person_import_roster(
        file=io.BytesIO(content), organization=world.org_a, actor=None, today=TODAY
    )
    assert first.rejected == []
    assert first.created == 3000
    again = person_import_roster(
        file=io.BytesIO(content), organization=world.org_a, actor=None, today=TODAY
    )
    assert again.rejected == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3000)


def test_header_used_by_the_trust_tests_is_the_support_one():
    assert HEADER[1] == "Họ và tên" and FIRST_ROW == 5
