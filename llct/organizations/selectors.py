"""Reads of the tree and the rolls. Every one starts from the user's scope."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from llct.core.permissions import ALL, scope_path
from llct.core.text import fold
from llct.organizations.models import (
    Organization,
    OrganizationKind,
    OrganizationVersion,
    Person,
)


def organization_scope(*, user: Any, include_dissolved: bool = False) -> QuerySet[Organization]:
    path = scope_path(user)
    qs = Organization.objects.select_related("kind")
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(path__startswith=path)
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return qs


def organization_get(*, user: Any, pk: int) -> Organization:
    try:
        return (
            organization_scope(user=user, include_dissolved=True)
            .select_related("parent")
            .get(pk=pk)
        )
    except Organization.DoesNotExist:
        raise Http404 from None


def organization_choices(*, user: Any) -> QuerySet[Organization]:
    return organization_scope(user=user).order_by("path")


@dataclass
class TreeNode:
    id: int
    code: str
    name: str
    kind: str
    depth: int
    direct_people: int = 0
    total_people: int = 0
    children: list["TreeNode"] = field(default_factory=list)
    dissolved_on: dt.date | None = None


def organization_tree(*, user: Any) -> list[TreeNode]:
    """The current tree within scope, with people counts per node (own and whole subtree).
    Two queries, whatever the size of the tree."""
    orgs = list(
        organization_scope(user=user).values(
            "id", "code", "name", "kind__name", "parent_id", "path"
        )
    )
    counts = dict(
        Person.objects.filter(organization__in=organization_scope(user=user).values("id"))
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    nodes = {
        o["id"]: TreeNode(
            id=o["id"],
            code=o["code"],
            name=o["name"],
            kind=o["kind__name"],
            depth=o["path"].count("/") - 2,
            direct_people=counts.get(o["id"], 0),
        )
        for o in orgs
    }
    roots: list[TreeNode] = []
    for o in sorted(orgs, key=lambda o: o["path"]):
        node = nodes[o["id"]]
        parent = nodes.get(o["parent_id"]) if o["parent_id"] else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.code)

    def total(node: TreeNode) -> int:
        node.total_people = node.direct_people + sum(total(c) for c in node.children)
        return node.total_people

    for root in roots:
        total(root)
    return roots


def organization_tree_as_of(*, user: Any, on: dt.date) -> list[TreeNode]:
    """The tree as it stood on a date: names, kinds and parents from the versions valid then.
    The scope is today's subtree (an officer sees the history of what they hold now)."""
    versions = list(
        organization_versions_as_of(user=user, on=on).values(
            "organization_id", "organization__code", "name", "kind__name", "parent_id"
        )
    )
    nodes = {
        v["organization_id"]: TreeNode(
            id=v["organization_id"],
            code=v["organization__code"],
            name=v["name"],
            kind=v["kind__name"],
            depth=0,
        )
        for v in versions
    }
    roots: list[TreeNode] = []
    for v in versions:
        node = nodes[v["organization_id"]]
        parent = nodes.get(v["parent_id"]) if v["parent_id"] else None
        (parent.children if parent else roots).append(node)

    def settle(node: TreeNode, depth: int) -> None:
        node.depth = depth
        node.children.sort(key=lambda n: n.code)
        for child in node.children:
            settle(child, depth + 1)

    roots.sort(key=lambda n: n.code)
    for root in roots:
        settle(root, 0)
    return roots


def organization_versions_as_of(*, user: Any, on: dt.date) -> QuerySet[OrganizationVersion]:
    """The versions in force on a date (name, kind, parent then) of the organizations within
    today's scope: one per organization that existed that day."""
    visible = organization_scope(user=user, include_dissolved=True).values("id")
    return OrganizationVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on),
        valid_from__lte=on,
        organization__in=visible,
    )


@dataclass
class TreeLine:
    node: TreeNode
    closes: range  # how many open <details> end after this line


def tree_lines(roots: list[TreeNode]) -> list[TreeLine]:
    """The tree as a flat list for one template loop (a recursive include per node is slow at a
    thousand organizations); `closes` says how many branches end after each line."""
    lines: list[TreeLine] = []

    def walk(node: TreeNode) -> None:
        lines.append(TreeLine(node=node, closes=range(0)))
        if node.children:
            for child in node.children:
                walk(child)
            last = lines[-1]
            last.closes = range(len(last.closes) + 1)

    for root in roots:
        walk(root)
    return lines


def flatten(nodes: list[TreeNode]) -> list[TreeNode]:
    out: list[TreeNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


@dataclass(frozen=True)
class PersonFilter:
    q: str = ""
    organization: Organization | None = None
    subtree: bool = True
    stage: str = ""
    theory_level: int | None = None
    position: str = ""


def person_list(*, user: Any, filters: PersonFilter | None = None) -> QuerySet[Person]:
    """People within the user's scope, filtered, in Vietnamese name order."""
    filters = filters or PersonFilter()
    path = scope_path(user)
    qs = Person.objects.select_related("organization")
    if path is None:
        person_id = getattr(user, "person_id", None)
        return qs.filter(pk=person_id) if person_id else qs.none()
    # A subquery of organization ids lets the database use the (organization, sort_key) index
    # instead of joining every person to its organization's path.
    if path != ALL:
        qs = qs.filter(organization_id__in=_subtree_ids(path))
    if filters.organization is not None:
        if filters.subtree:
            qs = qs.filter(organization_id__in=_subtree_ids(filters.organization.path))
        else:
            qs = qs.filter(organization=filters.organization)
    if filters.q:
        for word in fold(filters.q).split():
            qs = qs.filter(search_key__contains=word)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.theory_level is not None:
        qs = qs.filter(theory_level=filters.theory_level)
    if filters.position:
        qs = qs.filter(position__icontains=filters.position)
    return qs.order_by("sort_key", "id")


def _subtree_ids(path: str) -> QuerySet[Organization, Any]:
    return Organization.objects.filter(path__startswith=path).values("id")


def person_get(*, user: Any, pk: int) -> Person:
    """The person if the user may see them; 404 otherwise, so existence is not revealed."""
    try:
        return person_list(user=user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def kinds() -> QuerySet[OrganizationKind]:
    return OrganizationKind.objects.all()
