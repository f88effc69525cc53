from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def grouped(value: int) -> str:
    """10000 → "10.000": thousands grouped the way the active language writes them."""
    return number_format(value, force_grouping=True)
