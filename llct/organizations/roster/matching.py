"""Which person on the rolls a row is."""

import contextlib
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from llct.organizations.models import Organization, Person
from llct.organizations.person_services import card_taken_message

if TYPE_CHECKING:
    from llct.organizations.roster.checking import Row
    from llct.organizations.roster.placement import Organizations

BATCH_SIZE = 1000
# A list of texts as one parameter: joined by the unit separator, split by PostgreSQL.
_SEPARATOR = "\x1f"
_ARRAY = "string_to_array(%s, E'\\x1f')::varchar[]"


def _joined(values: Iterable[str]) -> str | None:
    """The values as one text for _ARRAY; None (an empty array's NULL) when there are none."""
    text = _SEPARATOR.join(values)
    return text or None


@contextlib.contextmanager
def _serial() -> Iterator[None]:
    """PostgreSQL without parallel workers until the block ends (inside an atomic block): ten
    thousand index lookups ran twice as fast in the importing process alone as with two workers
    started on the 2-core machine (0.07 s against 0.14-0.17 s at a million people)."""
    name = "max_parallel_workers_per_gather"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config(%s, '0', true)", [name])
    yield
    # After an error the caller's atomic block rolls back to its savepoint, which undoes the
    # setting too.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, previous])


def cards_elsewhere(cards: Iterable[str]) -> set[str]:
    """The cards among these that someone on the rolls already holds (callers pass only cards
    held by nobody in the subtree, so any holder found is outside it)."""
    cards = sorted(cards)
    found: set[str] = set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Person._meta.db_table)
            cursor.execute(
                f"SELECT party_card_no FROM {table} WHERE party_card_no = ANY({_ARRAY})",  # noqa: S608
                [_joined(cards)],
            )
            return {card for (card,) in cursor.fetchall() if card}
    for start in range(0, len(cards), BATCH_SIZE):
        batch = cards[start : start + BATCH_SIZE]
        holders = Person.objects.filter(party_card_no__in=batch)
        found.update(card for card in holders.values_list("party_card_no", flat=True) if card)
    return found


def match(
    row: "Row",
    *,
    by_card: dict[str, Person],
    by_name: dict[str, list[Person]],
    elsewhere: set[str],
) -> None:
    card, dob = row.card, row.values.get("date_of_birth")
    if card in elsewhere:
        # Never say who: the holder is outside what this user may see.
        row.reject(card_taken_message())
        return
    if card and card in by_card:
        holder = by_card[card]
        if holder.search_key != row.key and dob and holder.date_of_birth not in (None, dob):
            row.reject(card_taken_message())
            return
        row.existing = holder
        return
    namesakes = by_name.get(row.key, [])
    if dob:
        # The same date of birth, else someone recorded without one (the row completes them);
        # a namesake born on another day is someone else.
        namesakes = [p for p in namesakes if p.date_of_birth == dob] or [
            p for p in namesakes if p.date_of_birth is None
        ]
    # What a row leaves blank tells too: a row without a date (or a card) that the first import
    # added is the one namesake recorded without a date (or a card); the others are the rows
    # that gave theirs. Without this a file imported twice refuses rows the first time took.
    if len(namesakes) > 1 and not dob:
        namesakes = [p for p in namesakes if p.date_of_birth is None] or namesakes
    if len(namesakes) > 1 and not card:
        namesakes = [p for p in namesakes if not p.party_card_no] or namesakes
    if len(namesakes) > 1:
        row.reject(
            _(
                "Several people on the rolls have this name and date of birth; add the party "
                "card number (or the date of birth) to tell them apart."
            )
        )
    elif namesakes:
        holder = namesakes[0]
        if card and holder.party_card_no and holder.party_card_no != card:
            row.reject(
                _(
                    "A person with this name and date of birth is already on the rolls with a "
                    "different party card number."
                )
            )
        else:
            row.existing = holder


def reject_duplicates(rows: list["Row"]) -> None:
    """Two rows for one person cannot both be right: all of them are rejected, naming each other."""
    groups: dict[tuple[str, Any], list[Row]] = defaultdict(list)
    for row in rows:
        if row.card:
            groups["card", row.card].append(row)
        if row.existing is not None:
            groups["person", row.existing.pk].append(row)
        elif row.name and not row.card and not row.reasons:
            groups["new", (row.key, row.values.get("date_of_birth"))].append(row)
    messages = {
        "card": _("The same party card number is on rows %(rows)s."),
        "person": _("Rows %(rows)s are the same person on the rolls."),
        "new": _("Rows %(rows)s have the same name and date of birth."),
    }
    flagged: set[int] = set()
    for (kind, _value), group in groups.items():
        # Rows sharing a card also share the person they match: one reason is enough.
        if len(group) > 1 and not (kind == "person" and {r.number for r in group} <= flagged):
            numbers = ", ".join(str(r.number) for r in group)
            for row in group:
                row.reject(messages[kind] % {"rows": numbers})
                flagged.add(row.number)


def candidates(rows: list["Row"], organizations: "Organizations") -> Iterator[Person]:
    """The people of the subtree a row could be: holders of the file's cards, namesakes born on
    the row's day, and namesakes of unknown birth (any namesake for a row without a date).
    Indexed lookups by card and by (name, birth date) pairs, a thousand rows a statement, kept
    when their organization is in the subtree; never the whole subtree, which at a province of
    a million people was two gigabytes of objects."""
    cards = sorted({r.card for r in rows if r.card})
    pairs = sorted(
        {
            (r.key, r.values["date_of_birth"])
            for r in rows
            if r.key and r.values.get("date_of_birth")
        }
    )
    names = sorted({r.key for r in rows if r.key})
    undated = {r.key for r in rows if r.key and not r.values.get("date_of_birth")}
    table = connection.ops.quote_name(Person._meta.db_table)

    def born_on(batch: list[tuple[str, dt.date]]) -> Iterable[Person]:
        values = ", ".join(["(%s, %s)"] * len(batch))
        return Person.objects.raw(
            f"WITH v(k, d) AS (VALUES {values}) SELECT p.* FROM {table} p "  # noqa: S608 (ours)
            "JOIN v ON p.search_key = v.k AND p.date_of_birth = v.d",
            [x for pair in batch for x in pair],
        )

    def without_date(batch: list[str]) -> Iterable[Person]:
        return Person.objects.filter(
            Q(search_key__in=[k for k in batch if k in undated])
            | Q(search_key__in=batch, date_of_birth__isnull=True)
        )

    seen: set[int] = set()
    if connection.vendor == "postgresql":
        # One statement for the whole file, each branch an index lookup per value (the
        # (search_key, date_of_birth) index for namesakes), the subtree checked by the people's
        # organizations' paths. Arrays go as one text each, split by the server: psycopg spent
        # longer writing ten thousand elements than PostgreSQL reading them. Folded names and
        # cleaned card numbers never hold the separator (clean_text turns it into a space).
        organizations_table = connection.ops.quote_name(Organization._meta.db_table)
        found: Iterable[Person] = Person.objects.raw(
            f"WITH c AS ("  # noqa: S608 (names from the models)
            f"SELECT p.id FROM {table} p WHERE p.party_card_no = ANY({_ARRAY}) "
            f"UNION ALL SELECT p.id FROM unnest({_ARRAY}, {_ARRAY}::date[]) AS v(k, d) "
            f"JOIN {table} p ON p.search_key = v.k AND p.date_of_birth = v.d "
            f"UNION ALL SELECT p.id FROM unnest({_ARRAY}) AS v(k) "
            f"JOIN {table} p ON p.search_key = v.k AND p.date_of_birth IS NULL "
            f"UNION ALL SELECT p.id FROM {table} p WHERE p.search_key = ANY({_ARRAY})) "
            f"SELECT p.* FROM {table} p JOIN {organizations_table} o ON o.id = p.organization_id "
            "WHERE p.id IN (SELECT id FROM c) AND o.path LIKE %s",
            [
                _joined(cards),
                _joined(k for k, _d in pairs),
                _joined(d.isoformat() for _k, d in pairs),
                _joined(names),
                _joined(sorted(undated)),
                f"{organizations.root.path}%",
            ],
        )
        with transaction.atomic(), _serial():
            people = list(found)
        yield from people
        return
    batches: list[tuple[list[Any], Callable[[list[Any]], Iterable[Person]]]] = [
        (cards, lambda batch: Person.objects.filter(party_card_no__in=batch)),
        (pairs, born_on),
        (names, without_date),
    ]
    for values, query in batches:
        for start in range(0, len(values), BATCH_SIZE):
            for person in query(values[start : start + BATCH_SIZE]):
                if person.organization_id in organizations.subtree_ids and person.pk not in seen:
                    seen.add(person.pk)
                    yield person
