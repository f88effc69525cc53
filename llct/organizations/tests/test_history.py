"""History before LLCT: admissions and full memberships dated before the cut-over come from
rosters and the person form, without checks, flagged as history; from the cut-over on they are
decisions, so the form and rosters refuse them. The department edits the cut-over and whether
exceptions are allowed."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.core.models import AuditEntry, Role
from llct.core.tests.pages import assert_no_lost_update, two_clients
from llct.organizations import person_services
from llct.organizations.models import MembershipChange, MembershipRules, MembershipStage, Person
from llct.organizations.roster.imports import person_import_roster
from llct.organizations.tests.factories import make_person, make_user
from llct.organizations.tests.test_roster_support import person_row, roster_xlsx

TODAY = dt.date(2026, 11, 25)


def data(world, **overrides):
    base = {
        "full_name": "Hoàng Thị Hoa",
        "sex": "female",
        "date_of_birth": dt.date(1990, 3, 2),
        "position": "Chuyên viên",
        "organization": world.org_a1,
        "stage": MembershipStage.PROBATIONARY,
        "admitted_on": dt.date(2025, 12, 31),
        "full_member_on": None,
        "party_card_no": None,
        "theory_level": 0,
    }
    base.update(overrides)
    return base


def test_the_default_cut_over_is_when_llct_went_live(db):
    rules = MembershipRules.current()
    assert rules.cutover_on == dt.date(2026, 1, 1) and rules.exceptions_allowed is False


def test_an_admission_the_day_before_the_cut_over_is_history(world):
    person = person_services.person_create(data=data(world), actor=world.officer_a, today=TODAY)
    change = MembershipChange.objects.get(person=person)
    assert (change.stage, change.effective_on, change.as_history) == (
        "probationary",
        dt.date(2025, 12, 31),
        True,
    )


def test_an_admission_on_the_cut_over_day_is_a_decision_not_a_form_entry(world):
    with pytest.raises(ValidationError) as excinfo:
        person_services.person_create(
            data=data(world, admitted_on=dt.date(2026, 1, 1)), actor=None, today=TODAY
        )
    assert list(excinfo.value.message_dict) == ["admitted_on"]
    assert not Person.objects.filter(full_name="Hoàng Thị Hoa").exists()


def test_a_full_membership_after_the_cut_over_cannot_be_typed_in(world):
    person = make_person(
        world.org_a1, "Lê Văn Dự", stage="probationary", admitted_on=dt.date(2025, 3, 2)
    )
    with pytest.raises(ValidationError) as excinfo:
        person_services.person_update(
            person=person,
            data={"stage": "full", "full_member_on": dt.date(2026, 3, 2)},
            actor=None,
            today=TODAY,
        )
    assert "full_member_on" in excinfo.value.message_dict
    person.refresh_from_db()
    assert person.stage == "probationary" and not MembershipChange.objects.exists()


def test_a_date_a_decision_set_is_not_edited_in_the_form(world):
    person = make_person(
        world.org_a1, "Lê Văn Dự", stage="probationary", admitted_on=dt.date(2026, 3, 2)
    )
    with pytest.raises(ValidationError) as excinfo:
        person_services.person_update(
            person=person, data={"admitted_on": dt.date(2025, 3, 2)}, actor=None, today=TODAY
        )
    assert "admitted_on" in excinfo.value.message_dict


def test_other_changes_of_a_member_admitted_by_decision_go_through(world):
    person = make_person(
        world.org_a1, "Lê Văn Dự", stage="probationary", admitted_on=dt.date(2026, 3, 2)
    )
    person_services.person_update(
        person=person, data={"position": "Chuyên viên chính"}, actor=None, today=TODAY
    )
    person.refresh_from_db()
    assert person.position == "Chuyên viên chính"


def test_leaving_after_the_cut_over_is_not_history(world):
    person = make_person(world.org_a1, "Lê Văn Đi", stage="full")
    person_services.person_update(
        person=person,
        data={"stage": MembershipStage.LEFT},
        actor=None,
        today=TODAY,
        effective_on=dt.date(2026, 10, 1),
    )
    change = MembershipChange.objects.get(person=person)
    assert (change.stage, change.as_history) == ("left", False)


def test_moving_the_cut_over_later_lets_the_form_record_that_year(world):
    MembershipRules.objects.update_or_create(pk=1, defaults={"cutover_on": dt.date(2027, 1, 1)})
    person = person_services.person_create(
        data=data(world, admitted_on=dt.date(2026, 3, 2)), actor=None, today=TODAY
    )
    assert MembershipChange.objects.get(person=person).as_history


# --- Rosters ----------------------------------------------------------------------------------


def test_a_roster_records_the_past_as_history_and_refuses_admissions_after_the_cut_over(world):
    content = roster_xlsx(
        [
            person_row("Lê Văn Cũ", born="01/01/1980", admitted="01/03/2010", full="01/03/2011"),
            person_row("Lê Văn Mới", born="01/01/1990", admitted="02/03/2026"),
        ]
    )
    result = person_import_roster(
        file=io.BytesIO(content), organization=world.org_a, actor=None, today=TODAY
    )
    assert result.created == 1
    (rejected,) = result.rejected
    assert rejected.name == "Lê Văn Mới" and "01/01/2026" in rejected.reason
    old = Person.objects.get(full_name="Lê Văn Cũ")
    change = MembershipChange.objects.get(person=old)
    assert (change.stage, change.effective_on, change.as_history) == (
        "full",
        dt.date(2011, 3, 1),
        True,
    )


# --- The form and the settings page ------------------------------------------------------------


def test_the_person_form_says_where_admissions_are_recorded(client, world):
    client.force_login(world.officer_a)
    text = client.get(reverse("organizations:person_create")).text
    assert "Chỉ nhập cho ngày trước 01/01/2026" in text


def rules_url():
    return reverse("organizations:membership_rules")


@pytest.mark.parametrize(
    ("who", "status"), [("department", 200), ("officer_a", 403), ("leader", 403)]
)
def test_only_the_department_edits_the_party_rules(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(rules_url()).status_code == status
    response = client.post(rules_url(), {"cutover_on": "01/07/2026", "exceptions_allowed": "on"})
    assert response.status_code == (302 if status == 200 else status)


def test_saving_the_party_rules_is_audited(client, world):
    client.force_login(world.department)
    client.post(rules_url(), {"cutover_on": "01/07/2026", "exceptions_allowed": "on"})
    rules = MembershipRules.current()
    assert rules.cutover_on == dt.date(2026, 7, 1) and rules.exceptions_allowed
    entry = AuditEntry.objects.get(action="update", object_id=rules.pk)
    assert {c["field"] for c in entry.changes} == {"cutover_on", "exceptions_allowed"}
    assert entry.actor == world.department


def test_the_party_rules_are_in_the_departments_catalogue_menu(client, world):
    client.force_login(world.department)
    assert rules_url() in client.get(reverse("home")).text
    client.force_login(world.officer_a)
    assert rules_url() not in client.get(reverse("home")).text


def test_party_rules_edits_at_once_merge_or_refuse(world):
    clients = two_clients(world.department, make_user("bantuyengiao2", Role.DEPARTMENT))
    assert_no_lost_update(
        clients,
        rules_url(),
        having="cutover_on",
        first={"cutover_on": "01/07/2026"},
        second={"exceptions_allowed": "on"},
        clash=("cutover_on", "01/02/2026", "01/03/2026"),
    )
