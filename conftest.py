"""The base fixtures: a small tree with two branches, and a user for every role.

Tỉnh (province)
├── A (đảng ủy trực thuộc)  ── A1 (chi bộ)
└── B (đảng ủy trực thuộc)  ── B1 (chi bộ)
"""

import os
from dataclasses import dataclass

import pytest
from _pytest.nodeid import coerce_node_id
from django.core import management
from django.core.cache import cache
from django.db.models import query

from llct.core.models import Role, User
from llct.core.tests.fetch_modes import RAISE_ON_PEERS
from llct.core.tests.migrated_db import cached_migrate
from llct.core.tests.replay import Replayer
from llct.curriculum.models import Lecturer
from llct.organizations.models import Organization, Person
from llct.organizations.tests.factories import make_org, make_person, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    province: Organization
    org_a: Organization
    org_a1: Organization
    org_b: Organization
    org_b1: Organization
    department: User
    officer_a: User
    officer_b: User
    leader: User
    learner: User
    lecturer: User  # a lecturer's account, linked to `lecturer_profile` (not "giangvien")
    lecturer_profile: Lecturer
    person_a: Person
    person_b: Person


def _build_world() -> World:
    province = make_org("Đảng bộ tỉnh Thử Nghiệm", code="TINH", kind_code="tinh")
    org_a = make_org("Đảng ủy Khối A", parent=province, code="A", kind_code="truc_thuoc")
    org_a1 = make_org("Chi bộ A1", parent=org_a, code="A1")
    org_b = make_org("Đảng ủy Khối B", parent=province, code="B", kind_code="truc_thuoc")
    org_b1 = make_org("Chi bộ B1", parent=org_b, code="B1")
    person_a = make_person(org_a1, "Nguyễn Văn An")
    person_b = make_person(org_b1, "Trần Thị Bình")
    lecturer = make_user("giangvien_chung", Role.LECTURER)
    return World(
        province=province,
        org_a=org_a,
        org_a1=org_a1,
        org_b=org_b,
        org_b1=org_b1,
        department=make_user("bantuyengiao", Role.DEPARTMENT),
        officer_a=make_user("canbo_a", Role.ORG_OFFICER, org_a),
        officer_b=make_user("canbo_b", Role.ORG_OFFICER, org_b),
        leader=make_user("lanhdao", Role.LEADER),
        learner=make_user("hocvien", Role.LEARNER, person=person_a),
        lecturer=lecturer,
        lecturer_profile=Lecturer.objects.create(full_name="Lê Thị Giảng", user=lecturer),
        person_a=person_a,
        person_b=person_b,
    )


_world = Replayer(_build_world)


@pytest.fixture
def world(db) -> World:
    """The shared tree and accounts, replayed rather than rebuilt (llct/core/tests/replay.py)."""
    return _world()


@pytest.fixture
def as_user(client):
    """`as_user(user)`: the test client, signed in as `user`."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture(scope="session")
def _migrated_once():
    """Migrations run once per set of migration files, not once per process (migrated_db.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(management, "call_command", cached_migrate(management.call_command))
        yield


@pytest.fixture(scope="session")
def django_db_setup(_migrated_once, django_db_setup):
    """pytest-django's database setup, with the migrated copy in place (listed first)."""
    return django_db_setup


@pytest.fixture(autouse=True)
def _no_n_plus_one(request, monkeypatch):
    """Every queryset of a test blocks N+1 loads (llct/core/tests/fetch_modes.py). Not in the
    browser tests: their server runs on a thread of this process and would fail a page instead
    of a test."""
    if request.node.get_closest_marker("e2e") is None:
        monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", RAISE_ON_PEERS)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # local-memory caches of one name share their data across instances
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """`--dist loadgroup`: the tests of an `xdist_group` run in one process. pytest-xdist 3.8
    names a test's group by rewriting `item._nodeid`, which pytest 9 no longer reads (a node's id
    lives in `_id`), so every group was spread over the processes; name it the pytest-9 way."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        groups = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if groups and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(sorted(groups))}")
