import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from llct.organizations import selectors, services
from llct.organizations.models import Organization, OrganizationVersion, Person, Transfer
from llct.organizations.tests.factories import make_org, make_person

TODAY = dt.date(2026, 11, 25)


def names(nodes):
    return {n.code: n.name for n in selectors.flatten(nodes)}


def test_rename_keeps_the_old_name_in_history(world):
    services.organization_rename(
        organization=world.org_a,
        name="Đảng ủy các cơ quan Đảng tỉnh",
        effective_on=dt.date(2025, 7, 1),
        today=TODAY,
    )
    world.org_a.refresh_from_db()
    assert world.org_a.name == "Đảng ủy các cơ quan Đảng tỉnh"
    before = selectors.organization_tree_as_of(user=world.department, on=dt.date(2025, 6, 30))
    after = selectors.organization_tree_as_of(user=world.department, on=dt.date(2025, 7, 1))
    assert names(before)["A"] == "Đảng ủy Khối A"
    assert names(after)["A"] == "Đảng ủy các cơ quan Đảng tỉnh"


def test_rename_cannot_be_dated_before_the_last_change_or_in_the_future(world):
    with pytest.raises(ValidationError) as error:
        services.organization_rename(
            organization=world.org_a, name="X", effective_on=dt.date(2019, 1, 1), today=TODAY
        )
    assert "effective_on" in error.value.error_dict
    with pytest.raises(ValidationError):
        services.organization_rename(
            organization=world.org_a, name="X", effective_on=dt.date(2027, 1, 1), today=TODAY
        )


def test_move_rewrites_the_subtree_paths_and_scope_follows(world):
    deep = make_org("Chi bộ A1a", parent=world.org_a1, code="A1A")
    make_person(deep, "Lê Văn Cường")
    services.organization_move(
        organization=world.org_a1,
        new_parent=world.org_b,
        effective_on=dt.date(2025, 1, 1),
        today=TODAY,
    )
    deep.refresh_from_db()
    world.org_b.refresh_from_db()
    assert deep.path.startswith(world.org_b.path)
    assert deep.depth == 3
    visible_to_b = {p.full_name for p in selectors.person_list(user=world.officer_b)}
    assert "Lê Văn Cường" in visible_to_b and "Nguyễn Văn An" in visible_to_b
    assert not selectors.person_list(user=world.officer_a).filter(full_name="Lê Văn Cường").exists()
    old = selectors.organization_tree_as_of(user=world.department, on=dt.date(2024, 12, 31))
    a_node = next(n for n in selectors.flatten(old) if n.code == "A")
    assert "A1" in {c.code for c in a_node.children}


def test_move_under_own_subtree_is_refused(world):
    with pytest.raises(ValidationError):
        services.organization_move(
            organization=world.org_a,
            new_parent=world.org_a1,
            effective_on=dt.date(2025, 1, 1),
            today=TODAY,
        )


def test_merge_moves_people_and_children_and_ends_the_sources(world):
    child = make_org("Chi bộ B1a", parent=world.org_b1, code="B1A")
    services.organization_merge(
        sources=[world.org_b1], target=world.org_a1, effective_on=dt.date(2025, 7, 1), today=TODAY
    )
    world.org_b1.refresh_from_db()
    child.refresh_from_db()
    assert world.org_b1.dissolved_on == dt.date(2025, 7, 1)
    assert child.parent_id == world.org_a1.pk
    assert Person.objects.get(pk=world.person_b.pk).organization_id == world.org_a1.pk
    transfer = Transfer.objects.get(person=world.person_b)
    assert transfer.from_organization_id == world.org_b1.pk
    assert transfer.effective_on == dt.date(2025, 7, 1)
    # Before the merge B1 is in the tree; after, it is not.
    assert "B1" in names(
        selectors.organization_tree_as_of(user=world.department, on=dt.date(2025, 6, 30))
    )
    assert "B1" not in names(
        selectors.organization_tree_as_of(user=world.department, on=dt.date(2025, 7, 1))
    )
    assert "B1" not in names(selectors.organization_tree(user=world.department))


def test_split_into_new_parts_with_the_original_ending(world):
    parts = [services.SplitPart("A1X", "Chi bộ A1 - X"), services.SplitPart("A1Y", "Chi bộ A1 - Y")]
    created = services.organization_split(
        organization=world.org_a1,
        parts=parts,
        effective_on=dt.date(2025, 3, 1),
        today=TODAY,
        keep_original=False,
    )
    assert [o.parent_id for o in created] == [world.org_a.pk, world.org_a.pk]
    world.person_a.refresh_from_db()
    assert world.person_a.organization_id == created[0].pk
    assert Organization.objects.get(pk=world.org_a1.pk).dissolved_on == dt.date(2025, 3, 1)
    assert OrganizationVersion.objects.filter(
        organization=created[1], valid_from=dt.date(2025, 3, 1)
    ).exists()


def test_split_keeping_the_original(world):
    created = services.organization_split(
        organization=world.org_a1,
        parts=[services.SplitPart("A1Z", "Chi bộ A1 - Z")],
        effective_on=dt.date(2025, 3, 1),
        today=TODAY,
        keep_original=True,
    )
    assert Organization.objects.get(pk=world.org_a1.pk).dissolved_on is None
    assert created[0].name == "Chi bộ A1 - Z"


def test_two_changes_on_one_day_make_one_version(world):
    day = dt.date(2025, 5, 5)
    services.organization_rename(
        organization=world.org_a1, name="Chi bộ Mới", effective_on=day, today=TODAY
    )
    services.organization_move(
        organization=world.org_a1, new_parent=world.org_b, effective_on=day, today=TODAY
    )
    current = OrganizationVersion.objects.get(organization=world.org_a1, valid_to__isnull=True)
    assert (current.name, current.parent_id, current.valid_from) == (
        "Chi bộ Mới",
        world.org_b.pk,
        day,
    )


def test_tree_counts_people_per_subtree(world):
    make_person(world.org_a, "Phạm Văn Dũng")
    roots = selectors.organization_tree(user=world.department)
    nodes = {n.code: n for n in selectors.flatten(roots)}
    assert nodes["A"].direct_people == 1
    assert nodes["A"].total_people == 2
    assert nodes["TINH"].total_people == 3


def test_officer_sees_only_their_subtree_in_the_tree(world):
    codes = set(names(selectors.organization_tree(user=world.officer_a)))
    assert codes == {"A", "A1"}
    assert selectors.organization_tree(user=world.learner) == []


def test_tree_lines_close_every_branch_once(world):
    lines = selectors.tree_lines(selectors.organization_tree(user=world.department))
    assert [line.node.code for line in lines] == ["TINH", "A", "A1", "B", "B1"]
    opened = sum(1 for line in lines if line.node.children)
    closed = sum(len(line.closes) for line in lines)
    assert opened == closed == 3
    assert len(lines[-1].closes) == 2  # B1 ends B and the province
