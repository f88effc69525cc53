"""One demo, built once: a whole yearly cycle for a small province, seeded inside a transaction
that is rolled back when its module ends. Each test runs in a savepoint inside it, so a test
that writes (or resets and reseeds) leaves it as it was.

The modules that use it (test_demo.py, test_hostile_input.py) share an xdist group, so one test
process builds it; the second module replays the first build's writes (llct/core/tests/replay.py)
instead of seeding again."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from llct.core.tests.replay import Replayer
from llct.demo.seed import DemoSummary, demo_seed

# A Wednesday late in the year: most of the year's courses finished, two running this week, a
# few to come; this year's plan approved and partly carried out, next year's round under way.
TODAY = dt.date(2026, 11, 25)
PEOPLE = 300
SEED = 11
_seeded = Replayer(lambda: demo_seed(people=PEOPLE, seed=SEED, today=TODAY))
_media: list[Path] = []  # the first build's media folder: replayed rows name its files


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[DemoSummary]:
    # The function-scoped test settings (root conftest) do not reach a module fixture.
    _media[:] = _media or [tmp_path_factory.mktemp("demo-media")]
    test_settings = override_settings(
        MEDIA_ROOT=_media[0],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), test_settings, transaction.atomic():
        yield _seeded()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_n_plus_one():
    """The demo is a generator: it hands rows it loaded in bulk to the services one by one, a
    deliberate lazy load per row that no page makes. The suite's N+1 guard stays off here."""


@pytest.fixture
def demo_media(demo: DemoSummary, settings: Any) -> Path:
    """The demo's uploaded files, as the test's MEDIA_ROOT."""
    settings.MEDIA_ROOT = _media[0]
    return _media[0]


@pytest.fixture
def summary(demo: DemoSummary, db: None) -> DemoSummary:
    """The demo's summary, for a test that reads the database (in its own savepoint)."""
    return demo
