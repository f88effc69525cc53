"""Reads of the tree and the rolls. Every one starts from the user's scope."""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Q, QuerySet
from django.http import Http404

from llct.core.models import User
from llct.core.permissions import ALL, scope_path
from llct.core.text import fold
from llct.organizations.models import (
    MembershipStage,
    Organization,
    OrganizationKind,
    OrganizationVersion,
    Person,
    TheoryLevel,
)


def organization_scope(*, user: User, include_dissolved: bool = False) -> QuerySet[Organization]:
    path = scope_path(user)
    qs = Organization.objects.select_related("kind")
    if path is None:
        return qs.none()
    if path != ALL:
        qs = qs.filter(path__startswith=path)
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    return qs


def organization_get(*, user: User, pk: int) -> Organization:
    try:
        return (
            organization_scope(user=user, include_dissolved=True)
            .select_related("parent")
            .get(pk=pk)
        )
    except Organization.DoesNotExist:
        raise Http404 from None


def organization_choices(*, user: User) -> QuerySet[Organization]:
    return organization_scope(user=user).order_by("path")


PICKER_LIMIT = 20


def organization_search(*, user: User, q: str, limit: int = PICKER_LIMIT) -> list[Organization]:
    """What the organization picker offers for what was typed: every word found in the folded
    name or code, shallowest first. One query over the organizations in scope (a few tens of
    thousands at most), never the whole list."""
    qs = organization_scope(user=user).select_related("parent")
    for word in fold(q).split()[:6]:
        qs = qs.filter(search_key__contains=word)
    return list(qs.order_by("depth", "name", "id")[:limit])


@dataclass(frozen=True)
class TreeChild:
    """What the tree shows of a node before the user opens it."""

    id: int
    code: str
    name: str
    kind: str
    subtree_people_count: int
    has_children: bool

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class TreeLevel:
    """One organization and its children, each child with its stored subtree count and whether
    it has children of its own: what the tree shows before the user opens a branch."""

    node: Organization
    children: list[TreeChild]


def _scope_roots(user: User) -> QuerySet[Organization]:
    """The top organizations of the user's scope (none without one: organization_scope)."""
    path, qs = scope_path(user), organization_scope(user=user)
    if path == ALL:
        return qs.filter(parent__isnull=True).order_by("code")
    return qs.filter(path=path)


def organization_tree_roots(*, user: User) -> list[Organization]:
    """Where the user's tree starts: the top organizations of their scope."""
    return list(_scope_roots(user))


def people_count_in_scope(*, user: User) -> int:
    """How many people the user's rolls hold, from the stored subtree counts of the scope's top
    organizations (no count over the people themselves)."""
    return sum(_scope_roots(user).values_list("subtree_people_count", flat=True))


def stored_people_count(*, user: User, filters: "PersonFilter") -> int | None:
    """The list's count from the stored counts when only an organization's subtree (or the
    whole scope) is asked for; None when other filters need a count of their own."""
    if filters.q or filters.stage or filters.theory_level is not None or filters.position:
        return None
    if filters.organization is None:
        return people_count_in_scope(user=user)
    if filters.subtree:
        return filters.organization.subtree_people_count
    return filters.organization.people_count


def person_list_count(
    *, user: User, filters: "PersonFilter", people: QuerySet[Person], page: "PersonPage"
) -> tuple[int, bool]:
    """What the people list says it holds: the stored count when it can; for a name search,
    the page itself (its rows, or "more than" them: past a page the user types more of the
    name, and counting a common name's matches costs more than finding them); else a count
    capped at ten thousand."""
    stored = stored_people_count(user=user, filters=filters)
    if stored is not None:
        return stored, False
    if filters.q:
        more = page.has_next or page.has_previous
        return (page.size if more else len(page.people)), more
    return capped_count(people, COUNT_CAP)


def organization_children(*, user: User, parent: Organization) -> list[TreeChild]:
    """The children of an organization in scope, with their stored people counts and whether
    each has children. One indexed query, whatever the size of the tree; plain values, not
    model instances (a level can hold hundreds)."""
    grandchildren = Organization.objects.filter(parent=OuterRef("pk"), dissolved_on__isnull=True)
    rows = (
        organization_scope(user=user)
        .filter(parent=parent)
        .annotate(has_children=Exists(grandchildren))
        .order_by("code")
        .values_list("id", "code", "name", "kind__name", "subtree_people_count", "has_children")
    )
    return [TreeChild(*row) for row in rows]


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


def organization_tree(*, user: User) -> list[TreeNode]:
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


def organization_tree_as_of(*, user: User, on: dt.date) -> list[TreeNode]:
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


def organization_versions_on(on: dt.date) -> QuerySet[OrganizationVersion]:
    """The versions in force on a date (name, kind, parent then): one per organization that
    existed that day. The one place that knows a version's interval is [valid_from, valid_to)."""
    return OrganizationVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on), valid_from__lte=on
    )


def organization_version_on(organization_id: int, on: dt.date) -> OrganizationVersion | None:
    """An organization as it was on a date; None before it existed."""
    return organization_versions_on(on).filter(organization_id=organization_id).first()


def organization_name_on(organization: Organization, on: dt.date) -> str:
    """The organization's name as it was on a date (documents and certificates keep the name of
    their date after a renaming or a merger); today's name when no version covers the date."""
    version = organization_version_on(organization.pk, on)
    return version.name if version else organization.name


def organization_versions_as_of(*, user: User, on: dt.date) -> QuerySet[OrganizationVersion]:
    """The versions in force on a date of the organizations within today's scope."""
    visible = organization_scope(user=user, include_dissolved=True).values("id")
    return organization_versions_on(on).filter(organization__in=visible)


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


def person_list(
    *, user: User, filters: PersonFilter | None = None, inline_subtrees: bool = False
) -> QuerySet[Person]:
    """People within the user's scope, filtered, in Vietnamese name order.

    `inline_subtrees` reads the ids of the organizations in each subtree first (one indexed
    query) and filters by that list: PostgreSQL then checks each person of a scan in name
    order against a hashed list inside the (sort_key, id) index, where a subquery makes it
    look every person's organization up. Worth it for one page of a list, not for a count."""
    filters = filters or PersonFilter()
    path = scope_path(user)
    qs = Person.objects.select_related("organization")
    if path is None:
        person_id = getattr(user, "person_id", None)
        return qs.filter(pk=person_id) if person_id else qs.none()
    # A subquery of organization ids lets the database use the (organization, sort_key) index
    # instead of joining every person to its organization's path.
    if path != ALL:
        qs = qs.filter(organization_id__in=_subtree_ids(path, inline=inline_subtrees))
    if filters.organization is not None:
        if filters.subtree:
            qs = qs.filter(
                organization_id__in=_subtree_ids(filters.organization.path, inline=inline_subtrees)
            )
        else:
            qs = qs.filter(organization=filters.organization)
    if filters.q:
        qs = qs.filter(name_words_match(filters.q))
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.theory_level is not None:
        qs = qs.filter(theory_level=filters.theory_level)
    if filters.position:
        qs = qs.filter(position__icontains=filters.position)
    return qs.order_by("sort_key", "id")


COUNT_CAP = 10_000


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, more): the exact count up to `cap`, or (cap, True) beyond it. Counting a
    million rows to print "1.000.000" costs more than the page itself."""
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


class PersonRow(NamedTuple):
    """What a row of the people list shows (and its keyset cursor needs)."""

    pk: int
    full_name: str
    position: str
    stage: str
    theory_level: int
    organization_name: str


@dataclass
class PersonPage:
    """A page of the people list by keyset: the rows after (or before) a person, in name order.
    Any page costs the same, the thousandth as the first (an OFFSET would read every row
    before it)."""

    people: list[PersonRow]
    has_next: bool
    has_previous: bool
    size: int = 0

    @property
    def rows(self) -> list[tuple[PersonRow, str, str]]:
        """Each person with the labels of their stage and theory level, looked up once per
        page (a `get_..._display` per row and column costs more than the row's SQL)."""
        stages = {k: str(v) for k, v in MembershipStage.choices}
        levels = {k: str(v) for k, v in TheoryLevel.choices}
        return [(p, stages.get(p.stage, ""), levels.get(p.theory_level, "")) for p in self.people]

    @property
    def next_cursor(self) -> int | None:
        return self.people[-1].pk if self.has_next and self.people else None

    @property
    def previous_cursor(self) -> int | None:
        return self.people[0].pk if self.has_previous and self.people else None


# PersonRow's fields; the rest of a person stays unread, and no model instance is built.
PAGE_FIELDS = (
    "id", "full_name", "position", "stage", "theory_level", "organization__name",
)  # fmt: skip


def person_page(
    qs: QuerySet[Person], *, size: int, after: int | None = None, before: int | None = None
) -> PersonPage:
    """`qs` ordered by (sort_key, id); `after`/`before` are person ids from the same list.

    The page's ids come first, from the (sort_key, id) index that also holds each person's
    organization and name words, so a filtered scan in name order never reads the table; then
    the page's rows are read by id, in the same statement."""
    anchor_id = after or before
    anchor = (
        Person.objects.filter(pk=anchor_id).values_list("sort_key", "id").first()
        if anchor_id
        else None
    )

    def rows(ids: QuerySet[Person, Any], reverse: bool = False) -> list[PersonRow]:
        order = ("-sort_key", "-id") if reverse else ("sort_key", "id")
        page = Person.objects.filter(pk__in=ids[: size + 1]).order_by(*order)
        return [PersonRow(*row) for row in page.values_list(*PAGE_FIELDS)]

    if anchor is None:
        found = rows(qs.values("pk"))
        return PersonPage(found[:size], has_next=len(found) > size, has_previous=False, size=size)
    key, pk = anchor
    if after:
        # The sort_key bound lets the index range scan start at the anchor.
        found = rows(
            qs.filter(sort_key__gte=key).filter(Q(sort_key__gt=key) | Q(id__gt=pk)).values("pk")
        )
        return PersonPage(found[:size], has_next=len(found) > size, has_previous=True, size=size)
    found = rows(
        qs.filter(sort_key__lte=key)
        .filter(Q(sort_key__lt=key) | Q(id__lt=pk))
        .order_by("-sort_key", "-id")
        .values("pk"),
        reverse=True,
    )
    return PersonPage(found[:size][::-1], has_next=True, has_previous=len(found) > size, size=size)


class _NameWordsMatch(Func):
    """`search_words @@ to_tsquery(...)` on the people table under whatever alias the query
    gives it (a subquery calls it "U0"). `search_words` is a stored column of PostgreSQL only
    (migration 0004), not a field, so the table's alias comes from its primary key's column."""

    def __init__(self, tsquery: str) -> None:
        super().__init__(F("pk"), output_field=BooleanField())
        self.tsquery = tsquery

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        table = column.rsplit(".", 1)[0]
        return f"{table}.search_words @@ to_tsquery('simple', %s)", (*params, self.tsquery)


def name_words_match(q: str) -> Q | Func:
    """People whose name has a word starting with each word typed, diacritics and case aside:
    "nguyen van a" finds "Nguyễn Văn An" and "Nguyễn Văn Ánh", not "Lê Thị Nguyệt".

    PostgreSQL answers from the words of the folded names (`search_words`, a stored tsvector with
    a GIN index, prefix queries `word:*`); trigram or LIKE indexes cannot use the two-letter
    words most Vietnamese names have. Other databases scan the folded name for each word.
    """
    words = [re.sub(r"[^0-9a-z]", "", w) for w in fold(q).split()]
    words = [w for w in words if w][:8]
    if not words:
        return Q()
    if connection.vendor == "postgresql":
        return _NameWordsMatch(" & ".join(f"{w}:*" for w in words))
    match = Q()
    for word in words:
        match &= Q(search_key__startswith=word) | Q(search_key__contains=f" {word}")
    return match


# Past this many organizations a subtree stays a subquery (a list that long costs more to
# send and plan than it saves).
INLINE_SUBTREE_MAX = 5_000


def _subtree_ids(path: str, *, inline: bool = False) -> Any:
    ids = Organization.objects.filter(path__startswith=path).order_by().values("id")
    if inline:
        listed = list(ids.values_list("id", flat=True)[: INLINE_SUBTREE_MAX + 1])
        if len(listed) <= INLINE_SUBTREE_MAX:
            return listed
    return ids


def person_get(*, user: User, pk: int) -> Person:
    """The person if the user may see them; 404 otherwise, so existence is not revealed."""
    try:
        return person_list(user=user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def kinds() -> QuerySet[OrganizationKind]:
    return OrganizationKind.objects.all()
