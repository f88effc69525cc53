import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from llct.core.models import Role, User
from llct.organizations.demo import DEMO_PASSWORD, demo_reset, demo_seed
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
    TheoryLevel,
    TheoryLevelChange,
    add_months,
)
from llct.organizations.selectors import flatten, organization_tree_as_of
from llct.organizations.services import person_validate, years_between

TODAY = dt.date(2026, 3, 15)
PEOPLE = 200


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Person.objects.order_by("id").values_list(
            "full_name",
            "sex",
            "date_of_birth",
            "position",
            "organization__code",
            "stage",
            "admitted_on",
            "full_member_on",
            "party_card_no",
            "theory_level",
        )
    )


@pytest.fixture
def seeded(db):
    return demo_seed(people=PEOPLE, seed=7, today=TODAY, cycle=False)


def test_same_seed_gives_the_same_province(seeded):
    first = snapshot()
    demo_reset()
    again = demo_seed(people=PEOPLE, seed=7, today=TODAY, cycle=False)
    assert snapshot() == first
    assert again == seeded
    demo_reset()
    demo_seed(people=PEOPLE, seed=8, today=TODAY, cycle=False)
    assert [p[0] for p in snapshot()] != [p[0] for p in first]


def test_counts_and_proportions(seeded):
    assert Person.objects.count() == PEOPLE == seeded.people
    assert Organization.objects.count() == seeded.organizations
    stages = Counter(Person.objects.values_list("stage", flat=True))
    assert stages[MembershipStage.FULL] > PEOPLE * 0.6
    for stage in MembershipStage:
        assert stages[stage] > 0, stage
    levels = Counter(Person.objects.values_list("theory_level", flat=True))
    assert levels[TheoryLevel.TRUNG_CAP] > PEOPLE * 0.1
    # People live in the cells, never directly in a committee.
    assert not Person.objects.filter(organization__children__isnull=False).exists()
    assert not Person.objects.filter(organization__dissolved_on__isnull=False).exists()


def test_every_person_obeys_the_rules_of_the_rolls(seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        people = list(Person.objects.all())
        steps: dict[int, list[MembershipChange]] = defaultdict(list)
        for step in MembershipChange.objects.order_by("person_id", "effective_on", "id"):
            steps[step.person_id].append(step)
        levels: dict[int, list[TheoryLevelChange]] = defaultdict(list)
        for level in TheoryLevelChange.objects.order_by("person_id", "effective_on", "id"):
            levels[level.person_id].append(level)
        cards = Counter(p.party_card_no for p in people if p.party_card_no)
        for person in people:
            # person_validate checks card clashes with a query; the Counter does that in bulk.
            card, person.party_card_no = person.party_card_no, None
            person_validate(person, today=TODAY)
            person.party_card_no = card
            assert person.date_of_birth is not None
            assert 20 <= years_between(person.date_of_birth, TODAY) <= 60
            assert person.full_name.count(" ") >= 2 and person.position
            if person.stage == MembershipStage.FULL:
                assert card and card.isdigit() and len(card) in (8, 9)
            else:
                assert card is None
            if person.stage == MembershipStage.PROBATIONARY:
                # In probation, or a few weeks past it with the cell's decision still to come.
                assert person.admitted_on is not None
                assert person.admitted_on > add_months(TODAY, -12) - dt.timedelta(days=70)
            if person.full_member_on:
                assert person.admitted_on is not None
                assert person.full_member_on >= add_months(person.admitted_on, 12)
            history = steps[person.pk]
            assert history and history[-1].stage == person.stage
            assert all(s.effective_on <= TODAY for s in history)
            assert [s.effective_on for s in history] == sorted(s.effective_on for s in history)
            dated = {s.stage: s.effective_on for s in history}
            assert dated.get(MembershipStage.PROBATIONARY) == person.admitted_on
            assert dated.get(MembershipStage.FULL) == person.full_member_on
            if person.theory_level == TheoryLevel.NONE:
                assert not levels[person.pk]
            else:
                assert levels[person.pk][-1].level == person.theory_level
                assert levels[person.pk][-1].effective_on <= TODAY
    assert max(cards.values()) == 1


def test_steps_before_the_cut_over_are_history_and_some_probations_await_a_decision(seeded):
    cutover_on = MembershipRules.current().cutover_on
    steps = list(MembershipChange.objects.values_list("effective_on", "as_history"))
    assert steps and all(history == (on < cutover_on) for on, history in steps)
    assert any(not history for _on, history in steps)
    probation_over = [
        p
        for p in Person.objects.filter(stage=MembershipStage.PROBATIONARY)
        if (ends := p.probation_ends_on()) is not None and ends < TODAY
    ]
    assert probation_over


def test_every_cell_secretary_is_a_full_member_with_trung_cap(seeded):
    secretaries = Person.objects.filter(position="Bí thư chi bộ")
    assert secretaries.exists()
    assert set(secretaries.values_list("stage", flat=True)) == {MembershipStage.FULL}
    assert not secretaries.filter(theory_level__lt=TheoryLevel.TRUNG_CAP).exists()


def test_the_2025_reorganization_shows_in_the_tree_history(seeded):
    department = User.objects.get(username="bantuyengiao")
    before = {
        n.name for n in flatten(organization_tree_as_of(user=department, on=dt.date(2025, 6, 30)))
    }
    after = {
        n.name for n in flatten(organization_tree_as_of(user=department, on=dt.date(2025, 7, 1)))
    }
    assert "Đảng ủy Khối các cơ quan tỉnh" in before and "Đảng ủy xã Tân Lập" in before
    assert "Đảng ủy các cơ quan Đảng tỉnh" in after
    assert "Đảng ủy Khối các cơ quan tỉnh" not in after and "Đảng ủy xã Tân Lập" not in after
    assert "Chi bộ thôn Tân Hòa" in after
    cell = Organization.objects.select_related("parent").get(name="Chi bộ thôn Tân Hòa")
    assert cell.parent is not None and cell.parent.name == "Đảng ủy xã Đồng Tâm"


def test_one_account_per_role_and_each_can_sign_in(seeded, client):
    # Sign-in accounts: the API tokens' principals (inactive, no password) are not among them.
    users = {
        u.username: u
        for u in User.objects.filter(is_active=True).select_related("organization", "person")
    }
    assert {u.role for u in users.values()} == set(Role)
    kinds = {
        name: org.kind.code
        for name in ("canbo_coso", "canbo_khoi")
        if (org := users[name].organization) is not None
    }
    assert kinds == {"canbo_coso": "dang_bo_co_so", "canbo_khoi": "truc_thuoc"}
    learner = users["hocvien"]
    assert learner.person is not None
    assert learner.get_full_name().split() and learner.last_name in learner.person.full_name
    for username in users:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_command_refuses_to_duplicate_and_resets_on_request(db):
    out = io.StringIO()
    call_command("seed_demo", people=PEOPLE, seed=3, stdout=out)
    assert "bantuyengiao" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    call_command("seed_demo", people=PEOPLE, seed=3, stdout=(again := io.StringIO()))
    assert "nothing done" in again.getvalue()
    assert Person.objects.count() == PEOPLE
    User.objects.create_superuser("admin", password="x")
    call_command("seed_demo", people=PEOPLE, seed=3, reset=True, stdout=io.StringIO())
    assert Person.objects.count() == PEOPLE
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    # Sign-in accounts: the API tokens' principals (inactive, no password) are not among them.
    assert User.objects.filter(is_active=True).count() == 7
