"""The tree's stored people counts follow every way people come, go and move."""

import datetime as dt

from django.core.management import call_command

from llct.organizations import services
from llct.organizations.counts import people_counts_rebuild
from llct.organizations.models import Organization
from llct.organizations.tests.factories import make_org, make_person

TODAY = dt.date(2026, 12, 1)


def counts():
    return {o.code: (o.people_count, o.subtree_people_count) for o in Organization.objects.all()}


def test_adding_moving_and_deleting_a_person_keeps_counts_up_to_the_root(world):
    assert counts()["TINH"] == (0, 2)
    person = make_person(world.org_a1, "Lê Văn Mới")
    assert counts()["A1"] == (2, 2) and counts()["A"] == (0, 2) and counts()["TINH"] == (0, 3)
    person.organization = world.org_b1
    person.save()
    assert counts()["A1"] == (1, 1) and counts()["B"] == (0, 2) and counts()["TINH"] == (0, 3)
    person.delete()
    assert counts()["B1"] == (1, 1) and counts()["TINH"] == (0, 2)


def test_a_merge_and_a_move_keep_the_counts(world):
    org_a2 = make_org("Chi bộ A2", parent=world.org_a, code="A2")
    make_person(org_a2, "Phan Văn Hai")
    services.organization_merge(
        sources=[org_a2], target=world.org_a1, effective_on=TODAY, today=TODAY
    )
    assert counts()["A1"] == (2, 2) and counts()["A2"] == (0, 0) and counts()["A"] == (0, 2)
    services.organization_move(
        organization=Organization.objects.get(code="A1"),
        new_parent=world.org_b,
        effective_on=TODAY,
        today=TODAY,
    )
    assert counts()["A"] == (0, 0) and counts()["B"] == (0, 3) and counts()["TINH"] == (0, 3)


def test_rebuild_corrects_counts_written_behind_its_back(world, capsys):
    Organization.objects.update(people_count=7, subtree_people_count=7)
    call_command("refresh_people_counts")
    assert "5 organizations corrected" in capsys.readouterr().out
    assert counts()["TINH"] == (0, 2) and counts()["A1"] == (1, 1)
    assert people_counts_rebuild() == 0


def test_the_people_in_a_scope_come_from_the_stored_counts(world):
    from llct.organizations.selectors import people_count_in_scope

    make_person(world.org_a1, "Lê Văn Ba")
    assert people_count_in_scope(user=world.department) == 3
    assert people_count_in_scope(user=world.officer_a) == 2
    assert people_count_in_scope(user=world.learner) == 0
