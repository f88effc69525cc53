import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from llct.core.models import AuditEntry
from llct.organizations import person_services
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    Transfer,
)
from llct.organizations.tests.factories import make_person

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def before_the_cutover(db):
    """These rules of the rolls hold for the past too: here LLCT goes live after their dates
    (the cut-over itself is tested in test_history.py)."""
    MembershipRules.objects.update_or_create(pk=1, defaults={"cutover_on": dt.date(2028, 1, 1)})


def data(world, **overrides):
    base = {
        "full_name": "  Hoàng   Thị   Hoa ",
        "sex": "female",
        "date_of_birth": dt.date(1990, 3, 2),
        "position": "Chuyên viên",
        "organization": world.org_a1,
        "stage": MembershipStage.PROBATIONARY,
        "admitted_on": dt.date(2026, 3, 2),
        "full_member_on": None,
        "party_card_no": "123456789",
        "theory_level": TheoryLevel.SO_CAP,
    }
    base.update(overrides)
    return base


def errors_of(excinfo):
    return excinfo.value.message_dict


def test_create_stores_nfc_name_and_history(world):
    person = person_services.person_create(data=data(world), actor=world.department, today=TODAY)
    assert person.full_name == "Hoàng Thị Hoa"
    assert person.search_key == "hoang thi hoa"
    stage = MembershipChange.objects.get(person=person)
    assert (stage.stage, stage.effective_on) == ("probationary", dt.date(2026, 3, 2))
    assert TheoryLevelChange.objects.filter(person=person, level=TheoryLevel.SO_CAP).exists()
    assert AuditEntry.objects.filter(object_id=person.pk, action="create").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": dt.date(2027, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": dt.date(2010, 1, 1)}, "admitted_on"),
        ({"stage": "full", "full_member_on": dt.date(2026, 1, 1)}, "full_member_on"),
        ({"stage": "full", "full_member_on": dt.date(2026, 9, 1)}, "full_member_on"),
        ({"stage": "probationary", "admitted_on": None}, "admitted_on"),
        ({"stage": "candidate"}, "admitted_on"),
        ({"full_name": "   "}, "full_name"),
    ],
)
def test_rules_of_the_rolls(world, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        person_services.person_create(data=data(world, **overrides), actor=None, today=TODAY)
    assert field in errors_of(excinfo)


def test_all_errors_are_reported_at_once(world):
    with pytest.raises(ValidationError) as excinfo:
        person_services.person_create(
            data=data(world, date_of_birth=dt.date(2030, 1, 1), full_name=""),
            actor=None,
            today=TODAY,
        )
    assert {"date_of_birth", "full_name"} <= set(errors_of(excinfo))


def test_card_number_is_unique(world):
    person_services.person_create(data=data(world), actor=None, today=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        person_services.person_create(
            data=data(world, full_name="Người Khác"), actor=None, today=TODAY
        )
    assert "party_card_no" in errors_of(excinfo)


def test_update_records_transfer_stage_level_and_audit_without_personal_values(world):
    person = person_services.person_create(data=data(world), actor=world.department, today=TODAY)
    person_services.person_update(
        person=person,
        data={
            "organization": world.org_b1,
            "theory_level": TheoryLevel.TRUNG_CAP,
            "date_of_birth": dt.date(1990, 3, 3),
            "party_card_no": "987654321",
        },
        actor=world.department,
        today=TODAY,
        effective_on=dt.date(2026, 10, 1),
        note="Quyết định 12-QĐ",
    )
    transfer = Transfer.objects.get(person=person)
    assert (transfer.from_organization, transfer.to_organization) == (world.org_a1, world.org_b1)
    assert transfer.effective_on == dt.date(2026, 10, 1)
    assert TheoryLevelChange.objects.filter(person=person, level=TheoryLevel.TRUNG_CAP).exists()
    entry = AuditEntry.objects.get(object_id=person.pk, action="update")
    by_field = {c["field"]: c for c in entry.changes}
    assert by_field["organization"]["old"] == "Chi bộ A1"
    assert by_field["date_of_birth"]["old"] == "" and by_field["date_of_birth"]["personal"]
    assert "987654321" not in str(entry.changes)
    assert "1990" not in str(entry.changes)


def test_stage_history_is_never_overwritten(world):
    person = person_services.person_create(data=data(world), actor=None, today=TODAY)
    person_services.person_update(
        person=person,
        data={"stage": "full", "full_member_on": dt.date(2027, 3, 2)},
        actor=None,
        today=dt.date(2027, 3, 10),
    )
    stages = list(
        MembershipChange.objects.filter(person=person).values_list("stage", "effective_on")
    )
    assert stages == [("probationary", dt.date(2026, 3, 2)), ("full", dt.date(2027, 3, 2))]


def test_unchanged_update_writes_nothing(world):
    person = make_person(world.org_a1, "Đỗ Văn Em")
    person_services.person_update(
        person=person, data={"full_name": "Đỗ  Văn Em"}, actor=None, today=TODAY
    )
    assert not AuditEntry.objects.filter(object_id=person.pk, action="update").exists()


def test_probation_end_is_twelve_months_after_admission():
    person = Person(admitted_on=dt.date(2024, 2, 29))
    assert person.probation_ends_on() == dt.date(2025, 2, 28)
