from django.contrib.auth.models import AnonymousUser

from llct.core.capabilities import (
    ROLE_CAPABILITIES,
    Capability,
    capabilities_of,
    has_capability,
    holders,
)
from llct.core.models import Role, User
from llct.core.permissions import ALL, scope_path


def _user(role: str, **fields) -> User:
    return User(username=f"u-{role}", role=role, **fields)


def test_every_role_has_a_row_and_every_capability_a_holder():
    assert set(ROLE_CAPABILITIES) == set(Role.values)
    assert [c for c in Capability if not holders(c)] == []


def test_anonymous_visitors_hold_nothing():
    assert capabilities_of(AnonymousUser()) == frozenset()
    assert capabilities_of(None) == frozenset()
    assert not has_capability(AnonymousUser(), Capability.READ_COURSES)


def test_a_leader_reads_and_decides_but_edits_nothing():
    leader = _user(Role.LEADER)
    assert has_capability(leader, Capability.DECIDE_PLANS)
    assert has_capability(leader, Capability.READ_WHOLE_TREE)
    assert not has_capability(leader, Capability.EDIT_ROLLS)
    assert not has_capability(leader, Capability.RUN_ROLL_CALL)
    assert not has_capability(leader, Capability.ENTER_RESULTS)


def test_a_superuser_holds_the_departments_capabilities_but_does_not_approve_plans():
    superuser = _user(Role.LEARNER, is_superuser=True)
    assert ROLE_CAPABILITIES[Role.DEPARTMENT] <= capabilities_of(superuser)
    assert not has_capability(superuser, Capability.DECIDE_PLANS)
    assert has_capability(_user(Role.LEADER, is_superuser=True), Capability.DECIDE_PLANS)


def test_own_record_needs_an_account_linked_to_a_person():
    assert not has_capability(_user(Role.LEARNER), Capability.READ_OWN_RECORD)
    assert has_capability(_user(Role.LEARNER, person_id=7), Capability.READ_OWN_RECORD)


def test_api_principals_hold_their_roles_capabilities_though_they_cannot_sign_in():
    principal = _user(Role.DEPARTMENT, is_active=False)
    assert has_capability(principal, Capability.EDIT_ROLLS)


def test_scope_comes_from_the_table(world):
    assert scope_path(world.department) == ALL
    assert scope_path(world.leader) == ALL
    assert scope_path(world.officer_a) == world.org_a.path
    assert scope_path(world.learner) is None
    assert scope_path(AnonymousUser()) is None
