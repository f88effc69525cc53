"""One demo, built once: a whole yearly cycle for a small province, seeded inside a transaction
that is rolled back when its module ends. Each test runs in a savepoint inside it, so a test
that writes (or resets and reseeds) leaves it as it was."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from llct.demo.seed import DemoSummary, demo_seed

# A Wednesday late in the year: most of the year's courses finished, two running this week, a
# few to come; this year's plan approved and partly carried out, next year's round under way.
TODAY = dt.date(2026, 11, 25)
PEOPLE = 300
SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[DemoSummary]:
    # The function-scoped test settings (root conftest) do not reach a module fixture.
    test_settings = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"),
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), test_settings, transaction.atomic():
        yield demo_seed(people=PEOPLE, seed=SEED, today=TODAY)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _no_n_plus_one():
    """The demo is a generator: it hands rows it loaded in bulk to the services one by one, a
    deliberate lazy load per row that no page makes. The suite's N+1 guard stays off here."""


@pytest.fixture
def summary(demo: DemoSummary, db: None) -> DemoSummary:
    """The demo's summary, for a test that reads the database (in its own savepoint)."""
    return demo
