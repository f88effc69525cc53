"""Where a row goes, and how its values were read.

The organization cell names an organization of the importing subtree by code or by name. One
that does not exist is, as the officer chooses in the preview, a reason to refuse the row (the
first analysis, which lists what is missing), a new cell to create under the importing
organization (`CREATE`), or nobody in particular: the row goes to the importing organization
itself (`ROOT`). The readings record how each messy value was understood ("1/2/85" as
01/02/1985, "Đảng viên dự bị" as probationary), so the officer can check them before writing."""

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Choices, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from llct.core.text import fold
from llct.organizations.models import Organization, OrganizationKind
from llct.organizations.roster.values import cell_text

AS_WRITTEN, CREATE, ROOT = "", "create", "root"
PLACEMENTS = (AS_WRITTEN, CREATE, ROOT)
# The preview lists this many distinct readings; a roster repeats the same few spellings.
MAX_READINGS = 200
# The kind given to the cells an import creates, else the lowest kind there is.
CELL_KIND = "chi_bo_truc_thuoc"


class Organizations:
    """The importing organization's subtree, looked up by code or by name."""

    def __init__(self, organization: Organization, *, placement: str = AS_WRITTEN) -> None:
        self.root = organization
        self.placement = placement
        self.by_id: dict[int, Organization] = {organization.pk: organization}
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        self.found: dict[object, tuple[Organization | None, str | None]] = {}
        # Names written in the file that match no organization: shown name -> rows.
        self.missing: Counter[str] = Counter()
        self._missing_keys: dict[object, str] = {}
        self._shown: dict[str, str] = {}
        # The cells to create (CREATE), unsaved, by folded name.
        self.planned: dict[str, Organization] = {}

    @functools.cached_property
    def subtree_ids(self) -> set[int]:
        """Ids only: at a province, thirty thousand organizations as objects (and their folded
        names) cost seconds; the file names a few of them, loaded by `prefetch`. Read only
        where the database cannot check the subtree itself (matching.candidates)."""
        return set(
            Organization.objects.filter(path__startswith=self.root.path).values_list(
                "pk", flat=True
            )
        )

    def prefetch(self, values: Iterable[object]) -> None:
        """Load the organizations of the subtree that these cells may name, by code or by name
        (`search_key` starts with the folded name), a few hundred a statement."""
        texts = sorted({cell_text(v) for v in values if v is not None and cell_text(v)})
        live = Organization.objects.filter(
            path__startswith=self.root.path, dissolved_on__isnull=True
        )
        if connection.vendor == "postgresql" and texts:
            self._keep(live.filter(pk__in=RawSQL(*_named(texts, self.root.path))))  # noqa: S611
            return
        for start in range(0, len(texts), 300):
            batch = texts[start : start + 300]
            wanted = Q(code__in=[t.upper() for t in batch])
            for text in batch:
                wanted |= Q(search_key__startswith=f"{fold(text)} ")
            self._keep(live.filter(wanted))

    def _keep(self, found: Iterable[Organization]) -> None:
        for org in found:
            org = self.by_id.setdefault(org.pk, org)
            if fold(org.code) not in self.by_code:
                self.by_code[fold(org.code)] = org
                self.by_name[fold(org.name)].append(org)

    def load(self, ids: Iterable[int]) -> None:
        """The organizations of these ids (people found on the rolls), for their history."""
        missing = set(ids) - self.by_id.keys()
        if missing:
            self.by_id.update(Organization.objects.in_bulk(missing))

    def find(self, value: object) -> tuple[Organization | None, str | None]:
        # A roster names the same few organizations on thousands of rows.
        if value not in self.found:
            self.found[value] = self._find(value)
        if value in self._missing_keys:
            self.missing[self._missing_keys[value]] += 1
        return self.found[value]

    def _find(self, value: object) -> tuple[Organization | None, str | None]:
        shown = cell_text(value)
        key = fold(shown)
        if key in self.by_code:
            return self.by_code[key], None
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], None
        if named:
            return None, _(
                "Several organizations are named “%(value)s”; write the organization's code."
            ) % {"value": shown}
        # Spellings of one name ("Chi bộ 5", "chi bộ 5") are one missing organization.
        self._missing_keys[value] = self._shown.setdefault(key, shown)
        if self.placement == ROOT:
            return self.root, None
        if self.placement == CREATE:
            if key not in self.planned:
                self.planned[key] = Organization(name=shown, parent=self.root)
            return self.planned[key], None
        return None, _(
            "Unknown organization “%(value)s”: it must be the importing organization or one of "
            "its sub-organizations, written by code or by name."
        ) % {"value": shown}

    def missing_list(self) -> list[dict[str, Any]]:
        return [{"name": name, "rows": rows} for name, rows in sorted(self.missing.items())]


def _named(texts: list[str], path: str) -> tuple[str, list[Any]]:
    """The ids of the subtree's organizations whose code, or whose folded name, is one of these
    texts: one statement, two hash lookups a row, where 300 LIKE patterns a statement took 0.15 s
    each at a province (thirty statements for a roster naming nine thousand cells). The folded
    name is the search key less its folded code (`Organization.save`), which is the code in
    lower case for a code of printable ASCII; other codes, and keys cut at their length, are
    always read, and the caller compares the names itself."""
    table = connection.ops.quote_name(Organization._meta.db_table)
    sql = (
        f"SELECT o.id FROM {table} o WHERE o.path LIKE %s AND ("  # noqa: S608 (model names)
        "o.code = ANY(string_to_array(%s, E'\\x1f')) "
        "OR left(o.search_key, length(o.search_key) - length(o.code) - 1) "
        "= ANY(string_to_array(%s, E'\\x1f')) "
        "OR o.code !~ '^[!-~]+$' OR length(o.search_key) >= 300)"
    )
    # clean_text turns the separator into a space: no text holds it.
    codes = "\x1f".join(sorted({t.upper() for t in texts}))
    names = "\x1f".join(sorted({fold(t) for t in texts}))
    return sql, [f"{path}%", codes, names]


def cell_kind() -> OrganizationKind | None:
    return (
        OrganizationKind.objects.filter(code=CELL_KIND).first()
        or OrganizationKind.objects.order_by("-rank").first()
    )


def free_codes(prefix: str, count: int) -> list[str]:
    """`count` organization codes that nobody holds, "<prefix>-1", "<prefix>-2"..."""
    prefix = prefix[:24]
    taken = set(
        Organization.objects.filter(code__startswith=f"{prefix}-").values_list("code", flat=True)
    )
    codes: list[str] = []
    number = 0
    while len(codes) < count:
        number += 1
        if (code := f"{prefix}-{number}") not in taken:
            codes.append(code)
    return codes


class Readings:
    """How each messy value was read: (column, as written) -> (as read, rows). Only values
    whose text differs from what the rolls will show are kept."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], list[Any]] = {}
        self._labels: dict[tuple[type, object], str] = {}

    def label(self, choices: type[Choices], value: object) -> str:
        """A choice's label, translated once per import rather than once per row."""
        key = (choices, value)
        if (label := self._labels.get(key)) is None:
            label = self._labels[key] = str(choices(value).label)
        return label

    def note(self, column: str, raw: object, shown: str) -> None:
        if not isinstance(raw, str):
            return
        written = raw.strip()
        if written == shown:
            return
        key = (column, written)
        if key in self.seen:
            self.seen[key][1] += 1
        elif len(self.seen) < MAX_READINGS:
            self.seen[key] = [shown, 1]

    def as_list(self, labels: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {"column": labels.get(column, column), "written": written, "read": read, "rows": rows}
            for (column, written), (read, rows) in self.seen.items()
        ]
