"""The long repeated fragments of the people list and the tree, written in one pass.

A page of people is 50 rows and a level of the tree up to a few hundred nodes; through the
template engine each value of each row costs a lookup, a localization and an escape, which
at national scale was most of the page's time (the SQL takes a millisecond). The markup here
is the same the templates held; every value is escaped as the template engine does
(`html.escape`, quotes included), ids and counts are integers."""

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def people_rows(rows: Iterable[tuple[Any, str, str]], people_url: str, *labels: str) -> SafeString:
    """One <tr> per (person, stage label, theory level label); `labels` are the five column
    names, repeated in each cell for the narrow-screen layout."""
    name, position, organization, stage, level = (escape(label) for label in labels)
    url = escape(people_url)
    return SafeString(
        "\n".join(
            f'<tr><td data-label="{name}"><a href="{url}{p.pk}/">{escape(p.full_name)}</a></td>'
            f'<td data-label="{position}">{escape(p.position)}</td>'
            f'<td data-label="{organization}">{escape(p.organization_name)}</td>'
            f'<td data-label="{stage}">{escape(stage_label)}</td>'
            f'<td data-label="{level}">{escape(level_label)}</td></tr>'
            for p, stage_label, level_label in rows
        )
    )


@register.simple_tag
def tree_nodes(
    children: Iterable[Any], base: str, branch_base: str, in_subtree: str, open_branch: str
) -> SafeString:
    """The children of a tree node (`selectors.TreeChild`): a closed branch that loads when
    opened (htmx, with a link that works without it) for those with children of their own,
    a leaf for the others."""
    base, branch_base = escape(base), escape(branch_base)
    in_subtree, open_branch = escape(in_subtree), escape(open_branch)
    parts = []
    for node in children:
        head = (
            f'<a href="{base}{node.id}/">{escape(node.name)}</a> '
            f'<span class="kind">{escape(node.kind)}</span> '
        )
        count = int(node.subtree_people_count)
        if node.has_children:
            branch = f"{branch_base}{node.id}/"
            parts.append(
                f'<details class="node">\n  <summary>{head}<span class="count" '
                f'title="{in_subtree}">{count}</span></summary>\n  <div class="children" '
                f'hx-get="{branch}" hx-trigger="intersect once" hx-swap="innerHTML">'
                f'<a href="{branch}">{open_branch}</a></div></details>'
            )
        else:
            parts.append(f'<div class="node leaf">{head}<span class="count">{count}</span></div>')
    return SafeString("\n".join(parts))
