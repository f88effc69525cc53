"""Stored people counts of the tree: each organization's own people and its subtree's.

A saved or deleted person adjusts the counts of their organization and its ancestors by one
(`Person.save`); writes in bulk (roster import, merge and split moving people, a subtree moved,
demo data) pass their deltas to `people_counts_apply`: atomic increments inside the writer's
transaction, so concurrent writers never lose a count. `people_counts_rebuild` recounts
everything (`manage.py refresh_people_counts`, after loading data by hand)."""

from collections import Counter, defaultdict
from collections.abc import Mapping

from django.db import connection
from django.db.models import Count, F

from llct.organizations.models import Organization, Person


def _path_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def people_counts_apply(deltas: Mapping[int, int]) -> None:
    """Add each delta to its organization's own count and to its subtree count and every
    ancestor's. A few UPDATEs, one per distinct delta; on PostgreSQL, for more than one
    organization, one for all."""
    deltas = {org_id: d for org_id, d in deltas.items() if d and org_id is not None}
    if not deltas:
        return
    if connection.vendor == "postgresql" and len(deltas) > 1:
        _apply_in_one_statement(deltas)
        return
    paths = dict(Organization.objects.filter(pk__in=deltas).values_list("id", "path"))
    subtree: Counter[int] = Counter()
    for org_id, delta in deltas.items():
        for ancestor in _path_ids(paths.get(org_id, "")):
            subtree[ancestor] += delta
    for field, changes in (("people_count", deltas), ("subtree_people_count", subtree)):
        by_delta: defaultdict[int, list[int]] = defaultdict(list)
        for org_id, delta in changes.items():
            if delta:
                by_delta[delta].append(org_id)
        for delta, ids in by_delta.items():
            Organization.objects.filter(pk__in=sorted(ids)).update(**{field: F(field) + delta})


def _apply_in_one_statement(deltas: Mapping[int, int]) -> None:
    """Both counts of every organization concerned, ancestors read from the paths, in one
    UPDATE: a roster naming thousands of cells gave a hundred distinct deltas, so a hundred
    statements and a second at a province. The rows are locked first in id order, so that two
    imports into overlapping subtrees wait for each other rather than deadlock."""
    table = connection.ops.quote_name(Organization._meta.db_table)
    changes = (
        "SELECT x.id, sum(x.own) AS own, sum(x.sub) AS sub FROM ("  # noqa: S608 (model names)
        "SELECT d.id, d.delta AS own, 0 AS sub FROM unnest(%s::bigint[], %s::integer[]) "
        "AS d(id, delta) UNION ALL "
        "SELECT a.id::bigint, 0, d.delta FROM unnest(%s::bigint[], %s::integer[]) AS d(id, delta) "
        f"JOIN {table} p ON p.id = d.id "
        "CROSS JOIN unnest(string_to_array(trim(both '/' from p.path), '/')) AS a(id)"
        ") x GROUP BY x.id"
    )
    ids = list(deltas)
    params = [ids, [deltas[i] for i in ids]] * 2
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.id FROM {table} o JOIN ({changes}) c ON c.id = o.id "  # noqa: S608
            "ORDER BY o.id FOR NO KEY UPDATE OF o",
            params,
        )
        cursor.execute(
            f"UPDATE {table} o SET people_count = o.people_count + c.own, "  # noqa: S608
            "subtree_people_count = o.subtree_people_count + c.sub "
            f"FROM ({changes}) c WHERE o.id = c.id AND (c.own <> 0 OR c.sub <> 0)",
            params,
        )


def people_counts_rebuild() -> int:
    """Recount every organization from the people. Returns how many organizations changed."""
    direct = dict(
        Person.objects.order_by()
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    rows = list(
        Organization.objects.values_list("id", "path", "people_count", "subtree_people_count")
    )
    totals: Counter[int] = Counter()
    for org_id, path, _own, _total in rows:
        n = direct.get(org_id, 0)
        if n:
            for ancestor in _path_ids(path):
                totals[ancestor] += n
    changed = [
        (org_id, direct.get(org_id, 0), totals[org_id])
        for org_id, _path, own, total in rows
        if own != direct.get(org_id, 0) or total != totals[org_id]
    ]
    if connection.vendor == "postgresql":
        # One statement from three arrays: `bulk_update` writes a CASE of a branch per
        # organization, which PostgreSQL walks for every row it updates (30,000 organizations:
        # minutes, where this takes a second).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE organizations_organization AS o "
                "SET people_count = v.own, subtree_people_count = v.total "
                "FROM unnest(%s::bigint[], %s::integer[], %s::integer[]) AS v(id, own, total) "
                "WHERE o.id = v.id",
                [[c[0] for c in changed], [c[1] for c in changed], [c[2] for c in changed]],
            )
    else:
        Organization.objects.bulk_update(
            [Organization(pk=pk, people_count=own, subtree_people_count=total)
             for pk, own, total in changed],
            ["people_count", "subtree_people_count"],
            batch_size=2000,
        )  # fmt: skip
    return len(changed)
