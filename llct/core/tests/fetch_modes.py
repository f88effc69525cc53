"""The fetch mode of the test run: Django 6.1's RAISE, for N+1 queries only.

An instance that came from a queryset of several rows and reaches for a relation (or a deferred
field) that was not loaded is the N+1 pattern: FieldFetchBlocked, as with `models.RAISE`. An
instance fetched alone (`.get()`, `request.user`) still loads a relation on demand, one query,
as in production: blocking those would flag no N+1 and only add noise.

A deliberate lazy load in a loop opts out with `queryset.fetch_mode(models.FETCH_ONE)`.
"""

from django.core.exceptions import FieldFetchBlocked
from django.db.models.fetch_modes import FetchMode


class RaiseOnPeers(FetchMode):
    __slots__ = ()

    track_peers = True

    def fetch(self, fetcher, instance):
        peers = [p for ref in instance._state.peers if (p := ref()) is not None]
        if len(peers) > 1:
            klass = instance.__class__.__qualname__
            raise FieldFetchBlocked(
                f"Fetching of {klass}.{fetcher.field.name} blocked: an N+1 query on "
                f"{len(peers)} rows. Use select_related/prefetch_related or only()."
            ) from None
        fetcher.fetch_one(instance)

    def __reduce__(self) -> str:
        return "RAISE_ON_PEERS"


RAISE_ON_PEERS = RaiseOnPeers()
