"""Domain events: what happened, told to whoever listens, after the transaction commits.

Services low in the stack (a certificate issued, a person transferred) call `emit`; apps higher
up (the API's webhooks) `subscribe`. Arrows keep pointing down: core knows no subscriber, and a
service never imports the app that listens.

An event carries plain data only (ids, names, dates: never a date of birth or a card number)
and the ids of the organizations it concerns, so that a listener can tell whose scope it falls
in. Nothing is told when the transaction rolls back.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

CERTIFICATE_ISSUED = "certificate.issued"
CERTIFICATE_REVOKED = "certificate.revoked"
RESULTS_APPROVED = "results.approved"
PERSON_TRANSFERRED = "person.transferred"
KINDS = (CERTIFICATE_ISSUED, CERTIFICATE_REVOKED, RESULTS_APPROVED, PERSON_TRANSFERRED)


@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any]
    # The organizations the event concerns (a person's old and new one, a certificate holder's).
    organization_ids: tuple[int, ...] = field(default=())


Listener = Callable[[Sequence[Event]], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def emit(events: Iterable[Event]) -> None:
    """Tell every listener once the current transaction commits (at once outside one)."""
    batch = list(events)
    if not batch or not _listeners:
        return
    transaction.on_commit(lambda: _tell(batch))


def _tell(batch: list[Event]) -> None:
    for listener in list(_listeners):
        try:
            listener(batch)
        except Exception:
            # The change is committed: a failing listener must not turn it into an error page.
            logger.exception("event listener failed for %s", batch[0].kind)
