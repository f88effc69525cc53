"""The organization pickers: a search box that asks the server as you type (htmx) and hidden
inputs holding the chosen ids. A <select> of every organization is 30,000 options at national
scale, half a second to render and megabytes to send, for every form that names one."""

from typing import Any

from django import forms
from django.urls import reverse

from llct.core.forms import ID_MAX
from llct.organizations.models import Organization


def _label(name: str, code: str) -> str:
    return f"{name} ({code})"


class OrganizationPicker(forms.Widget):
    """One organization (a ModelChoiceField)."""

    template_name = "organizations/widgets/organization_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        # What was typed is shown back, and may be anything: only an id is looked up.
        if str(value).isdigit() and int(value) <= ID_MAX:
            chosen = Organization.objects.filter(pk=int(value)).values("name", "code").first()
            if chosen:
                label = _label(chosen["name"], chosen["code"])
        context["widget"].update(label=label, search_url=reverse("organizations:picker"))
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name) or None


class OrganizationMultiPicker(forms.Widget):
    """Several organizations (a ModelMultipleChoiceField): the chosen ones listed, each with a
    button that removes it, and the same search box that adds one more."""

    template_name = "organizations/widgets/organization_multi_picker.html"

    def format_value(self, value: Any) -> list[str]:
        if value is None:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        ids = [int(v) for v in context["widget"]["value"] if v.isdigit()]
        found = {
            o["id"]: _label(o["name"], o["code"])
            for o in Organization.objects.filter(pk__in=ids).values("id", "name", "code")
        }
        context["widget"].update(
            chosen=[(pk, found[pk]) for pk in ids if pk in found],
            search_url=reverse("organizations:picker"),
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        # Like SelectMultiple: nothing chosen sends nothing, which is a choice of none.
        return False
