import datetime as dt
import io
import unicodedata
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from llct.core.models import AuditEntry, User
from llct.organizations import exports
from llct.organizations.models import (
    MembershipChange,
    MembershipStage,
    Organization,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    Transfer,
)
from llct.organizations.roster import values, writing
from llct.organizations.roster.checking import RosterAnalysis
from llct.organizations.roster.imports import ImportResult, person_import_roster, roster_analyse
from llct.organizations.roster.reader import RosterFileError
from llct.organizations.roster.uploads import rejected_rows_xlsx
from llct.organizations.roster.values import parse_date, parse_theory_level
from llct.organizations.tests.factories import make_org, make_person
from llct.organizations.tests.test_roster_support import (
    FIRST_ROW,
    excel_like_xlsx,
    person_row,
    roster_xlsx,
)

TODAY = dt.date(2026, 11, 25)
CARD_TAKEN = "This party card number cannot be recorded for this person; check it on the card."


@pytest.fixture(autouse=True)
def _english(settings):
    # Reasons are asserted by their English message ids, whatever the catalogue says.
    settings.LANGUAGE_CODE = "en"


def analyse(content: bytes, organization: Organization, **kwargs: Any) -> RosterAnalysis:
    return roster_analyse(
        path_or_file=io.BytesIO(content), organization=organization, today=TODAY, **kwargs
    )


def do_import(
    content: bytes, organization: Organization, actor: User | None = None, **kwargs: Any
) -> ImportResult:
    return person_import_roster(
        file=io.BytesIO(content), organization=organization, actor=actor, today=TODAY, **kwargs
    )


def reasons(result: RosterAnalysis | ImportResult) -> dict[int, str]:
    return {r.row: r.reason for r in result.rejected}


# --- Reading the file -----------------------------------------------------------------------


def test_header_found_below_title_rows_and_merged_cells(world):
    content = roster_xlsx(
        [
            person_row("Lê Văn Một", born=dt.datetime(1990, 5, 4), number=1),
            person_row("Lê Văn Hai", born="06/07/1991", number=2),
        ]
    )
    analysis = analyse(content, world.org_a)
    assert analysis.header_row == 4
    assert analysis.columns["full_name"] == "Họ và tên"
    assert analysis.total_rows == 2
    assert [c.row for c in analysis.to_create] == [FIRST_ROW, FIRST_ROW + 1]
    assert analysis.rejected == []


def test_signature_block_is_the_end_of_the_list(world):
    content = roster_xlsx([person_row("Lê Văn Một")], footer=True)
    analysis = analyse(content, world.org_a)
    # Neither "Người lập biểu" nor the signers' names below it are people.
    assert [c.person.full_name for c in analysis.to_create] == ["Lê Văn Một"]
    assert analysis.rejected == []
    assert analysis.last_row == FIRST_ROW


def test_group_titles_column_numbers_and_single_blank_rows_are_skipped(world):
    content = roster_xlsx(
        [
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)"],
            ["I. CHI BỘ A1"],
            person_row("Lê Văn Một", number=1),
            [],
            [5],  # a numbered template row nobody filled in
            person_row("Lê Văn Hai", number=2),
            [],
            [],
            person_row("Sau Hai Dòng Trống"),
        ],
        footer=False,
    )
    analysis = analyse(content, world.org_a)
    assert [c.person.full_name for c in analysis.to_create] == ["Lê Văn Một", "Lê Văn Hai"]
    assert analysis.rejected == []


def test_headers_are_matched_by_synonyms_without_case_or_diacritics(world):
    header = [
        "TT",
        "HỌ, TÊN",
        "Ngay, thang, nam sinh",
        "nam/nữ",
        "Chức vụ",
        "Chi bộ",
        "Ngày kết nạp",
        "NGÀY CHÍNH THỨC",
        "Số thẻ đảng viên (nếu có)",
        "Lý luận chính trị",
        "Tình trạng",
    ]
    content = roster_xlsx(
        [
            [
                1,
                "Phạm Thị Ba",
                "01/02/1980",
                "Nữ",
                "Bí thư chi bộ",
                "A1",
                "03/02/2005",
                "03/02/2006",
                "0123",
                "Cao cấp",
                "Chính thức",
            ]
        ],
        header=header,
    )
    analysis = analyse(content, world.org_a)
    assert set(analysis.columns) == {
        "full_name",
        "date_of_birth",
        "sex",
        "position",
        "organization",
        "admitted_on",
        "full_member_on",
        "party_card_no",
        "theory_level",
        "stage",
    }
    (created,) = analysis.to_create
    person = created.person
    assert person.full_name == "Phạm Thị Ba"
    assert person.sex == "female"
    assert person.date_of_birth == dt.date(1980, 2, 1)
    assert person.position == "Bí thư chi bộ"
    assert person.organization == world.org_a1
    assert person.stage == MembershipStage.FULL
    assert person.party_card_no == "0123"
    assert person.theory_level == TheoryLevel.CAO_CAP


def test_other_header_spellings(world):
    header = ["Họ tên", "Số thẻ", "LLCT", "Tổ chức đảng", "Ngày vào Đảng", "Đối tượng"]
    content = roster_xlsx(
        [["Đỗ Văn Năm", "X9", "TC", "", "19/05/2010", "Dự bị"]], header=header, title=False
    )
    analysis = analyse(content, world.org_a)
    assert analysis.header_row == 1
    (created,) = analysis.to_create
    assert created.person.party_card_no == "X9"
    assert created.person.theory_level == TheoryLevel.TRUNG_CAP
    assert created.person.organization == world.org_a  # blank: the importing organization
    assert created.person.stage == MembershipStage.PROBATIONARY


def test_a_file_without_a_header_row_cannot_be_imported(world):
    content = roster_xlsx([["Lê Văn Một", "01/01/1990"]], header=["Tên", "Sinh"])
    with pytest.raises(RosterFileError, match="No header row"):
        analyse(content, world.org_a)


def test_a_name_column_alone_is_not_a_header_row(world):
    content = roster_xlsx([["Lê Văn Một", "x"]], header=["Họ và tên", "Ghi chú"])
    with pytest.raises(RosterFileError):
        analyse(content, world.org_a)


@pytest.mark.parametrize(
    "content", [b"", b"not a workbook", b"PK\x03\x04 broken zip", excel_like_xlsx()[:200]]
)
def test_a_file_that_is_not_an_xlsx_cannot_be_imported(world, content):
    with pytest.raises(RosterFileError, match="cannot be read"):
        analyse(content, world.org_a)


def test_an_excel_written_workbook_is_read(world):
    """Shared strings, rich text, a built-in date format, a formula's computed value, a hidden
    instructions sheet first."""
    analysis = analyse(excel_like_xlsx(), world.org_a)
    assert analysis.sheet_title == "DS"
    assert analysis.header_row == 2
    people = {c.person.full_name: c.person for c in analysis.to_create}
    assert set(people) == {"Nguyễn Văn Excel", "Lê Thị Giàu"}
    excel = people["Nguyễn Văn Excel"]
    assert excel.date_of_birth == dt.date(1985, 3, 14)
    assert excel.theory_level == TheoryLevel.TRUNG_CAP
    assert excel.party_card_no == "12345678"
    assert people["Lê Thị Giàu"].date_of_birth == dt.date(1985, 3, 15)


# --- Values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(1990, 6, 5), dt.date(1990, 6, 5)),
        (dt.date(1990, 6, 5), dt.date(1990, 6, 5)),
        ("05/06/1990", dt.date(1990, 6, 5)),
        ("5/6/1990", dt.date(1990, 6, 5)),
        ("05-06-1990", dt.date(1990, 6, 5)),
        ("05.06.1990", dt.date(1990, 6, 5)),
        (" 05 / 06 / 1990 ", dt.date(1990, 6, 5)),
        ("05/06/1990 00:00:00", dt.date(1990, 6, 5)),
        ("1990-06-05", dt.date(1990, 6, 5)),
        ("ngày 05 tháng 6 năm 1990", dt.date(1990, 6, 5)),
        ("1/2/85", dt.date(1985, 2, 1)),
        ("05/06/29", dt.date(2029, 6, 5)),
        (None, None),
        ("  ", None),
    ],
)
def test_dates_are_read_day_first(value, expected):
    assert parse_date(value) == (expected, None)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1990", values.INCOMPLETE),
        (1990, values.INCOMPLETE),
        ("06/1990", values.INCOMPLETE),
        ("31/02/1990", values.INVALID),
        ("13/13/1990", values.INVALID),
        ("hôm qua", values.INVALID),
        (33000, values.INVALID),
        ("01/01/1799", values.INVALID),
    ],
)
def test_year_only_and_impossible_dates_are_problems(value, problem):
    assert parse_date(value) == (None, problem)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("SC", TheoryLevel.SO_CAP),
        ("Sơ cấp", TheoryLevel.SO_CAP),
        ("sơ cấp LLCT", TheoryLevel.SO_CAP),
        ("TC", TheoryLevel.TRUNG_CAP),
        ("Trung cấp", TheoryLevel.TRUNG_CAP),
        ("trung cấp lý luận chính trị", TheoryLevel.TRUNG_CAP),
        ("Trung cấp LLCT", TheoryLevel.TRUNG_CAP),
        ("TRUNG CAP", TheoryLevel.TRUNG_CAP),
        ("Trung cấp LLCT-HC", TheoryLevel.TRUNG_CAP),
        ("CC", TheoryLevel.CAO_CAP),
        ("Cao cấp", TheoryLevel.CAO_CAP),
        ("Cao cấp lý luận chính trị - hành chính", TheoryLevel.CAO_CAP),
        ("CN", TheoryLevel.CU_NHAN),
        ("Cử nhân", TheoryLevel.CU_NHAN),
        ("Cử nhân chính trị", TheoryLevel.CU_NHAN),
        ("", TheoryLevel.NONE),
        ("Chưa có", TheoryLevel.NONE),
        ("Chưa qua đào tạo", TheoryLevel.NONE),
        ("Tiến sĩ", None),
        ("Trung", None),
    ],
)
def test_theory_level_spellings(text, level):
    assert parse_theory_level(text) == level


def test_names_are_stored_nfc_with_whitespace_collapsed_and_capitals_tamed(world):
    decomposed = unicodedata.normalize("NFD", "  Nguyễn   Văn\u00a0Đức ")
    content = roster_xlsx([person_row(decomposed), person_row("TRẦN THỊ HỒNG")])
    result = do_import(content, world.org_a)
    assert result.created == 2
    names = set(Person.objects.filter(organization=world.org_a).values_list("full_name", flat=True))
    assert names == {"Nguyễn Văn Đức", "Trần Thị Hồng"}
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def test_stage_is_inferred_from_the_dates_when_there_is_no_stage_column(world):
    content = roster_xlsx(
        [
            person_row(
                "Có Chính Thức", born="01/01/1980", admitted="01/01/2010", full="01/02/2011"
            ),
            person_row("Có Dự Bị", born="01/01/1980", admitted="01/03/2025"),
            person_row("Quần Chúng", born="01/01/1980"),
        ]
    )
    stages = {c.person.full_name: c.person.stage for c in analyse(content, world.org_a).to_create}
    assert stages == {
        "Có Chính Thức": MembershipStage.FULL,
        "Có Dự Bị": MembershipStage.PROBATIONARY,
        "Quần Chúng": MembershipStage.NON_MEMBER,
    }


@pytest.mark.parametrize(
    ("word", "stage"),
    [
        ("Cảm tình Đảng", MembershipStage.CANDIDATE),
        ("Đối tượng kết nạp", MembershipStage.CANDIDATE),
        ("Quần chúng", MembershipStage.NON_MEMBER),
        ("quan chung", MembershipStage.NON_MEMBER),
    ],
)
def test_stage_words(world, word, stage):
    header = ["Họ và tên", "Ngày sinh", "Đối tượng"]
    content = roster_xlsx([["Lê Văn Một", "01/01/2000", word]], header=header)
    (created,) = analyse(content, world.org_a).to_create
    assert created.person.stage == stage


# --- Rejected rows --------------------------------------------------------------------------


def test_every_bad_row_is_rejected_with_its_row_number_and_reason(world):
    make_person(world.org_b1, "Người Bên B", stage=MembershipStage.FULL, party_card_no="B-001")
    rows = [
        person_row("Năm Sinh Thôi", born="1985"),  # 5
        person_row("Ngày Không Có", born="31/02/1990"),  # 6
        person_row("Trình Độ Lạ", level="Tiến sĩ"),  # 7
        person_row("Đơn Vị Lạ", unit="Không tồn tại"),  # 8
        person_row("Đơn Vị Bên B", unit="B1"),  # 9
        person_row("Sinh Tương Lai", born="01/01/2030"),  # 10
        person_row("Vào Đảng Sớm", born="01/01/2000", admitted="01/01/2015"),  # 11
        person_row("Chính Thức Sớm", born="01/01/1980", admitted="01/01/2020", full="01/06/2020"),
        person_row("Thẻ Không Đảng", born="01/01/1980", card="Q-1"),  # 13
        person_row("Thẻ Trùng Một", born="01/01/1980", admitted="01/01/2010", card="D-1"),  # 14
        person_row("Thẻ Trùng Hai", born="02/01/1980", admitted="01/01/2010", card="D-1"),  # 15
        person_row("Thẻ Bên B", born="01/01/1980", admitted="01/01/2010", card="B-001"),  # 16
        [None, None, "01/01/1980", "Nam", "Chuyên viên"],  # 17: no name
        person_row("Giới Tính Lạ", sex="X"),  # 18
        person_row("Ngày Vào Sai", admitted="1/13/2010"),  # 19
        person_row("Hợp Lệ", born="01/01/1990"),  # 20
    ]
    result = do_import(roster_xlsx(rows), world.org_a)
    got = reasons(result)
    assert set(got) == set(range(FIRST_ROW, FIRST_ROW + 15))
    assert "date of birth is incomplete" in got[5]
    assert "date of birth is not a valid date" in got[6]
    assert "Unknown political theory level: “Tiến sĩ”" in got[7]
    assert "Unknown organization “Không tồn tại”" in got[8]
    assert "Unknown organization “B1”" in got[9]
    assert "cannot be in the future" in got[10]
    assert "only at 18 or older" in got[11]
    assert "after the 12 months of probation" in got[12]
    assert "Only party members have a party card" in got[13]
    assert got[14] == got[15] == "The same party card number is on rows 14, 15."
    assert got[16] == CARD_TAKEN
    assert "Người Bên B" not in got[16]
    assert "full name is missing" in got[17]
    assert "Unknown sex" in got[18]
    assert "Admitted on is not a valid date: “1/13/2010”" in got[19]
    assert {r.row: r.name for r in result.rejected}[17] == ""
    # Personal data stays out of the reasons.
    assert "1985" not in got[5] and "31/02" not in got[6] and "B-001" not in got[16]
    assert result.created == 1
    assert Person.objects.filter(full_name="Hợp Lệ").exists()


def test_a_row_with_several_problems_gets_all_reasons(world):
    content = roster_xlsx([person_row("Nhiều Lỗi", born="1985", level="XYZ", sex="?")])
    (rejected,) = analyse(content, world.org_a).rejected
    assert rejected.reason.count(";") == 2


def test_reasons_are_translated(world, settings):
    settings.LANGUAGE_CODE = "vi"
    content = roster_xlsx([person_row("Lỗi", born="1985")])
    (rejected,) = analyse(content, world.org_a).rejected
    assert rejected.reason.startswith("Ngày sinh chưa đầy đủ")
    assert rejected.row == FIRST_ROW


# --- Matching and writing -------------------------------------------------------------------


def test_importing_the_same_file_twice_adds_nobody_twice(world):
    rows = [
        person_row("Lê Văn Một", born="01/01/1980", admitted="01/01/2010", card="M-1"),
        person_row("Lê Văn Hai", born=dt.datetime(1981, 2, 3), level="TC"),
        person_row("Lê Văn Ba"),  # neither card nor date of birth
    ]
    content = roster_xlsx(rows)
    first = do_import(content, world.org_a, actor=world.officer_a)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    count = Person.objects.count()
    second = do_import(content, world.org_a, actor=world.officer_a)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 3, [])
    assert Person.objects.count() == count


def worksheet(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content)).active


def test_created_people_get_their_history(world):
    content = roster_xlsx(
        [person_row("Lê Văn Một", born="01/01/1980", admitted="01/01/2010", level="Sơ cấp")]
    )
    do_import(content, world.org_a, actor=world.officer_a)
    person = Person.objects.get(full_name="Lê Văn Một")
    assert person.organization == world.org_a
    stage = person.stage_changes.get()
    assert (stage.stage, stage.effective_on, stage.actor) == (
        MembershipStage.PROBATIONARY,
        dt.date(2010, 1, 1),
        world.officer_a,
    )
    assert stage.note == "Roster import"
    level = person.level_changes.get()
    assert (level.level, level.effective_on) == (TheoryLevel.SO_CAP, TODAY)
    summary = AuditEntry.objects.get(action="import", object_id=world.org_a.pk)
    assert "1 added" in summary.summary


def test_changed_rows_update_people_with_history(world):
    org_a2 = make_org("Chi bộ A2", parent=world.org_a, code="A2")
    person = make_person(
        world.org_a1,
        "Hoàng Văn Cũ",
        date_of_birth=dt.date(1980, 1, 1),
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2020, 1, 1),
        party_card_no="C-1",
    )
    content = roster_xlsx(
        [
            person_row(
                "Hoàng Văn Cũ",
                born="01/01/1980",
                unit="A2",
                admitted="01/01/2020",
                full="01/01/2021",
                card="C-1",
                level="Trung cấp",
                position="Chi ủy viên",
            )
        ]
    )
    result = do_import(content, world.org_a, actor=world.officer_a)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert person.organization == org_a2
    assert person.stage == MembershipStage.FULL
    assert person.full_member_on == dt.date(2021, 1, 1)
    assert person.theory_level == TheoryLevel.TRUNG_CAP
    assert person.position == "Chi ủy viên"
    transfer = Transfer.objects.get(person=person)
    assert (transfer.from_organization, transfer.to_organization) == (world.org_a1, org_a2)
    assert MembershipChange.objects.get(person=person).stage == MembershipStage.FULL
    assert TheoryLevelChange.objects.get(person=person).level == TheoryLevel.TRUNG_CAP
    entry = AuditEntry.objects.get(object_id=person.pk, action="import")
    assert entry.actor == world.officer_a
    changed = {c["field"]: c for c in entry.changes}
    assert set(changed) == {
        "organization",
        "stage",
        "full_member_on",
        "theory_level",
        "position",
        "sex",
    }
    assert changed["organization"]["old"] == "Chi bộ A1"
    # Importing the same file again changes nothing more.
    again = do_import(content, world.org_a, actor=world.officer_a)
    assert (again.updated, again.unchanged) == (0, 1)


def test_people_are_matched_by_name_and_date_of_birth_without_a_card(world):
    person = make_person(world.org_a1, "Vũ Thị Mai", date_of_birth=dt.date(1990, 3, 4))
    namesake = make_person(world.org_a1, "Vũ Thị Mai", date_of_birth=dt.date(1991, 3, 4))
    content = roster_xlsx([person_row("VU THI MAI", born="04/03/1990", position="Kế toán")])
    result = do_import(content, world.org_a)
    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    namesake.refresh_from_db()
    assert person.position == "Kế toán"
    assert person.full_name == "Vũ Thị Mai"  # not replaced by the name without diacritics
    assert namesake.position == ""


def test_a_row_without_date_of_birth_matching_two_namesakes_is_rejected(world):
    make_person(world.org_a1, "Vũ Thị Mai", date_of_birth=dt.date(1990, 3, 4))
    make_person(world.org_a1, "Vũ Thị Mai", date_of_birth=dt.date(1991, 3, 4))
    result = do_import(roster_xlsx([person_row("Vũ Thị Mai", level="SC")]), world.org_a)
    assert "Several people on the rolls have this name" in reasons(result)[FIRST_ROW]


def test_people_outside_the_subtree_are_never_matched_by_name(world):
    make_person(world.org_b1, "Trần Thị Bình", date_of_birth=dt.date(1990, 1, 1))
    content = roster_xlsx([person_row("Trần Thị Bình", born="01/01/1990")])
    result = do_import(content, world.org_a)
    assert result.created == 1
    assert Person.objects.filter(full_name="Trần Thị Bình", organization=world.org_a).exists()


def test_the_same_person_twice_in_the_file_is_rejected(world):
    content = roster_xlsx(
        [person_row("Lê Văn Một", born="01/01/1990"), person_row("LÊ VĂN MỘT", born="01/01/1990")]
    )
    got = reasons(analyse(content, world.org_a))
    assert got == {
        FIRST_ROW: "Rows 5, 6 have the same name and date of birth.",
        FIRST_ROW + 1: "Rows 5, 6 have the same name and date of birth.",
    }


# --- Scope ----------------------------------------------------------------------------------


def test_an_officer_cannot_import_into_another_organization(world):
    content = roster_xlsx([person_row("Lê Văn Một")])
    with pytest.raises(PermissionDenied):
        do_import(content, world.org_b, actor=world.officer_a)
    with pytest.raises(PermissionDenied):
        do_import(content, world.org_a, actor=world.leader)
    assert not Person.objects.filter(full_name="Lê Văn Một").exists()


def test_a_card_of_another_organization_is_rejected_without_saying_whose(world):
    world.person_b.stage = MembershipStage.FULL
    world.person_b.admitted_on = dt.date(2010, 1, 1)
    world.person_b.full_member_on = dt.date(2011, 2, 1)
    world.person_b.party_card_no = "B-777"
    world.person_b.save()
    content = roster_xlsx(
        [person_row("Ai Đó", born="01/01/1980", admitted="01/01/2010", card="B-777")]
    )
    result = do_import(content, world.org_a, actor=world.officer_a)
    (rejected,) = result.rejected
    assert rejected.reason == CARD_TAKEN
    world.person_b.refresh_from_db()
    assert world.person_b.full_name == "Trần Thị Bình"


# --- All or nothing -------------------------------------------------------------------------


def test_a_failure_while_writing_leaves_nothing_behind(world, monkeypatch):
    make_person(world.org_a1, "Đã Có", date_of_birth=dt.date(1980, 1, 1))
    before = (Person.objects.count(), MembershipChange.objects.count(), AuditEntry.objects.count())
    calls = []

    def failing_insert(model, rows):
        calls.append(model)
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "_insert", failing_insert)
    content = roster_xlsx(
        [person_row(f"Người Số {i}", born="01/01/1980") for i in range(30)]
        + [person_row("Đã Có", born="01/01/1980", position="Bí thư")]
    )
    with pytest.raises(RuntimeError):
        do_import(content, world.org_a)
    # The people were inserted before the failure; the transaction took them back.
    assert calls
    after = (Person.objects.count(), MembershipChange.objects.count(), AuditEntry.objects.count())
    assert after == before
    assert Person.objects.get(full_name="Đã Có").position == ""


def test_a_dry_run_writes_nothing(world):
    content = roster_xlsx([person_row("Lê Văn Một")])
    result = do_import(content, world.org_a, dry_run=True)
    assert (result.created, result.dry_run) == (1, True)
    assert not Person.objects.filter(full_name="Lê Văn Một").exists()


def test_progress_is_reported_up_to_the_total(world):
    content = roster_xlsx([person_row(f"Người Số {i}") for i in range(600)], footer=False)
    seen = []
    do_import(content, world.org_a, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (1200, 1200)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


# --- Formulas -------------------------------------------------------------------------------


def test_formula_looking_text_is_stored_and_exported_as_text(world):
    content = roster_xlsx(
        [
            person_row("Lê Văn Một", position="=1+2"),  # text typed with a leading "="
            person_row("Lê Văn Hai", position='=HYPERLINK("http://x","y")'),  # a real formula
            person_row("Lê Văn Ba", position="@SUM(A1)"),
        ],
        text_cells=((1, 5),),
    )
    do_import(content, world.org_a)
    positions = dict(
        Person.objects.filter(organization=world.org_a).values_list("full_name", "position")
    )
    assert positions == {
        "Lê Văn Một": "=1+2",
        "Lê Văn Hai": '=HYPERLINK("http://x","y")',
        "Lê Văn Ba": "@SUM(A1)",
    }
    response = exports.people_response(Person.objects.filter(organization=world.org_a))
    sheet = worksheet(response.content)
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith(("=", "@"))]
    assert len(cells) == 3
    assert all(c.data_type == "s" for c in cells)


def test_a_computed_formula_is_read_as_its_value(world):
    analysis = analyse(excel_like_xlsx(), world.org_a)
    excel = next(c.person for c in analysis.to_create if c.person.full_name == "Nguyễn Văn Excel")
    assert excel.theory_level == TheoryLevel.TRUNG_CAP  # "=B9" cached as "Trung cấp"


# --- The rejected rows, back as a workbook --------------------------------------------------


def test_rejected_rows_come_back_with_their_columns_row_number_and_reason(world):
    content = roster_xlsx(
        [
            person_row("Hợp Lệ"),
            person_row("Năm Sinh", born="1985", position="=cmd|' /C calc'!A0", number=2),
            person_row("Ngày Sai", born=dt.datetime(2030, 1, 1), number=3),
        ],
        text_cells=((2, 5),),
    )
    result = do_import(content, world.org_a, dry_run=True)
    data = rejected_rows_xlsx(path_or_file=io.BytesIO(content), rejected=result.rejected)
    sheet = worksheet(data)
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Dòng" and rows[0][-1] == "Lý do"
    assert rows[0][1:-1][:3] == ["STT", "Họ và tên", "Ngày sinh"]
    assert [r[0] for r in rows[1:]] == [FIRST_ROW + 1, FIRST_ROW + 2]
    assert rows[1][2] == "Năm Sinh" and rows[1][3] == "1985"
    assert rows[2][3] == "01/01/2030"  # dates come back day first, as text
    assert "incomplete" in rows[1][-1]
    formula = sheet.cell(2, 6)
    assert (formula.value, formula.data_type) == ("=cmd|' /C calc'!A0", "s")


# --- Speed ----------------------------------------------------------------------------------


def roster_of(count: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Họ và tên", "Ngày sinh", "Ngày vào Đảng", "Số thẻ ĐV", "Trình độ LLCT"])
    for i in range(count):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=i * 5)
        sheet.append([f"Người Thứ {i}", born, born + dt.timedelta(days=9200), f"N{i}", "TC"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_big_roster_imports_in_batches_whatever_its_length(world):
    # Speed is a matter of queries: a few per batch, none per row (`make bench` times 5,000
    # rows/s on 20,000 people). A file ten times longer takes hardly more queries (the database
    # may cut a bulk insert into a few statements), where one query per row would add 360.
    with CaptureQueriesContext(connection) as small:
        assert do_import(roster_of(40), world.org_a).created == 40
    Person.objects.all().delete()
    with CaptureQueriesContext(connection) as big:
        assert do_import(roster_of(400), world.org_a).created == 400
    assert len(big) <= len(small) + 10


def test_unknown_stage_and_ambiguous_organization_names_are_rejected(world):
    make_org("Chi bộ Trùng Tên", parent=world.org_a, code="T1")
    make_org("Chi bộ Trùng Tên", parent=world.org_a1, code="T2")
    header = ["Họ và tên", "Chi bộ", "Tình trạng"]
    content = roster_xlsx(
        [
            ["Lê Văn Một", "Chi bộ trùng tên", ""],
            ["Lê Văn Hai", "t2", "Đang chờ"],
        ],
        header=header,
    )
    analysis = analyse(content, world.org_a)
    got = reasons(analysis)
    assert "write the organization's code" in got[FIRST_ROW]
    assert got[FIRST_ROW + 1] == "Unknown membership stage: “Đang chờ”."


def test_a_card_of_someone_else_in_the_subtree_is_not_taken_for_a_rename(world):
    make_person(
        world.org_a1,
        "Người Giữ Thẻ",
        date_of_birth=dt.date(1970, 1, 1),
        stage=MembershipStage.FULL,
        party_card_no="K-1",
    )
    content = roster_xlsx(
        [person_row("Tên Khác Hẳn", born="02/02/1990", admitted="01/01/2015", card="K-1")]
    )
    (rejected,) = analyse(content, world.org_a).rejected
    assert rejected.reason == CARD_TAKEN


def test_a_cross_in_the_member_column_makes_a_member(world):
    header = ["Họ và tên", "Ngày sinh", "Ngày vào Đảng", "Đảng viên"]
    content = roster_xlsx(
        [["Lê Văn Một", "01/01/1980", "02/02/2010", "x"], ["Lê Văn Hai", "01/01/1980", "", "x"]],
        header=header,
    )
    analysis = analyse(content, world.org_a)
    (created,) = analysis.to_create
    assert created.person.stage == MembershipStage.PROBATIONARY
    assert "needs an admission date" in reasons(analysis)[FIRST_ROW + 1]
