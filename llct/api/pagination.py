"""Cursor pagination: each page ends with an opaque cursor for the next one, so a client walks a
large list without skipped or repeated rows while others write (an offset would shift).

Every list is ordered by id; the cursor is the last id given, signed so that a made-up cursor
is refused rather than silently misread."""

from collections.abc import Callable
from typing import Any

from django.core import signing
from django.db.models import Model, QuerySet

from llct.api.errors import ApiError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_SALT = "llct.api.cursor"


def _after(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        value = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise ApiError("bad_cursor") from None
    if not isinstance(value, int):
        raise ApiError("bad_cursor")
    return value


def page[M: Model](
    qs: QuerySet[M],
    *,
    cursor: str | None,
    limit: int,
    render: Callable[[M], Any],
    key: str = "pk",
) -> dict[str, Any]:
    """{"items": [...], "next_cursor": "..." or null}: at most `limit` rows after the cursor,
    in the order of `key` (an integer column, unique within the list)."""
    limit = max(1, min(limit, MAX_LIMIT))
    after = _after(cursor)
    qs = qs.order_by(key)
    if after is not None:
        qs = qs.filter(**{f"{key}__gt": after})
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    last = getattr(rows[-1], key) if rows else None
    next_cursor = signing.dumps(last, salt=_SALT) if more and rows else None
    return {"items": [render(r) for r in rows], "next_cursor": next_cursor}
