"""The main menu of every signed-in page, written in one pass.

Through the template engine the menu's thirty-odd links cost half a millisecond of every page,
as much as the rest of the header and footer together. The markup here is the one the base
template held; labels and URLs are escaped as the template engine does (`html.escape`)."""

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString

from llct.home.navigation import NavItem

register = template.Library()


def _link(item: NavItem) -> str:
    current = ' aria-current="page"' if item.active else ""
    return f'<a href="{escape(item.url)}"{current}>{escape(item.label)}</a>'


@register.simple_tag
def main_menu(items: Iterable[NavItem]) -> SafeString:
    """A group of several pages opens as a menu (<details>); a single page is a link."""
    parts = []
    for item in items:
        if not item.children:
            parts.append(_link(item))
            continue
        current = ' class="current"' if item.active else ""
        links = "".join(_link(child) for child in item.children)
        parts.append(
            f'<details class="navgroup"><summary{current}>{escape(item.label)}</summary>\n'
            f'        <div class="navmenu">{links}</div>\n      </details>'
        )
    return SafeString("\n      ".join(parts))
