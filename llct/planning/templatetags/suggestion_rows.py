"""The rows of the suggestions table, written in one pass.

A page of suggestions is a hundred rows of six cells; through the template engine each cell's
label, lookup and escape cost a third of the nomination page's time at a grassroots
organization of ten thousand people. The markup is the one the template held; every value is
escaped as the template engine does (`html.escape`)."""

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from llct.organizations.models import MembershipStage
from llct.planning.nominations.suggestions import Suggestion

register = template.Library()


@register.simple_tag
def suggestion_rows(suggestions: Iterable[Suggestion], can_edit: bool) -> SafeString:
    """One <tr> per suggestion: a checkbox to accept it when the user may edit the list."""
    name, organization, programme = _("Full name"), _("Organization"), _("Programme")
    why, urgency = escape(_("Why")), escape(_("Urgency"))
    urgent_badge = f'<span class="badge-bad">{escape(_("Urgent"))}</span>'
    this_year = escape(_("This year"))
    name, organization, programme = escape(name), escape(organization), escape(programme)
    stages = {value: escape(str(label)) for value, label in MembershipStage.choices}
    rows = []
    for s in suggestions:
        key = escape(s.key)
        full_name = escape(s.full_name)
        choose, who = "", full_name
        if can_edit:
            flag = ' data-urgent="1"' if s.urgent else ""
            choose = f'<input type="checkbox" name="accept" value="{key}" id="accept-{key}"{flag}>'
            who = f'<label for="accept-{key}">{full_name}</label>'
        rows.append(
            f'<tr id="suggestion-{key}" class="{"is-urgent" if s.urgent else ""}">\n'
            f"        <td>{choose}</td>\n"
            f'        <td data-label="{name}">{who}<br><small class="muted">'
            f"{stages.get(s.stage, escape(s.stage))}</small></td>\n"
            f'        <td data-label="{organization}">{escape(s.organization_name)}</td>\n'
            f'        <td data-label="{programme}">{escape(s.programme_name)}</td>\n'
            f'        <td data-label="{why}">{escape(s.rule_label)}<br><small class="muted">'
            f"{escape(str(s.explanation))}</small></td>\n"
            f'        <td data-label="{urgency}">{urgent_badge if s.urgent else this_year}</td>\n'
            "      </tr>"
        )
    return SafeString("\n      ".join(rows))
