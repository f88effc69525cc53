"""A task the many-servers test enqueues by the dozen: it counts its runs in the shared cache."""

import time

from django.core.cache import cache
from django.tasks import task


@task
def count_run(*, key: str) -> None:
    cache.add(key, 0, timeout=600)
    cache.incr(key)
    time.sleep(0.02)  # long enough for both workers to take turns
