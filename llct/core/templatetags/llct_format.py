from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def grouped(value: int) -> str:
    """10000 → "10.000": thousands grouped the way the active language writes them."""
    return number_format(value, force_grouping=True)


@register.simple_tag
def select_options(choices: Iterable[tuple[Any, Any]], chosen: object) -> SafeString:
    """The <option>s of a written-out <select>, the chosen one (compared as text, as the
    browser sends it back) selected: a loop in the template costs as much as the page's SQL."""
    current = "" if chosen is None else str(chosen)
    return SafeString(
        "".join(
            f'<option value="{escape(str(value))}"'
            f"{' selected' if str(value) == current else ''}>{escape(str(label))}</option>"
            for value, label in choices
        )
    )
