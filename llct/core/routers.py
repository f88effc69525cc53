"""The database cache goes through its own connection (the `cache` alias, same database).

A job that writes inside one long transaction (the roster commit) publishes its progress
through the cache: on the job's own connection the progress would stay invisible until the
transaction ends."""

from typing import Any

CACHE_ALIAS = "cache"


class CacheRouter:
    def _is_cache(self, model: Any) -> bool:
        return bool(model._meta.app_label == "django_cache")

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return CACHE_ALIAS if self._is_cache(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return CACHE_ALIAS if self._is_cache(model) else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The cache alias is the same database: migrations (and `createcachetable`) run once,
        # on the default alias.
        return False if db == CACHE_ALIAS else None
