"""The organization picker: a search box that asks the server as you type (htmx) and a hidden
input holding the chosen id. A <select> of every organization is 30,000 options at national
scale, half a second to render and megabytes to send, for every form that names one."""

from typing import Any

from django import forms
from django.urls import reverse

from llct.core.forms import ID_MAX
from llct.organizations.models import Organization


class OrganizationPicker(forms.Widget):
    template_name = "organizations/widgets/organization_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        label = ""
        # What was typed is shown back, and may be anything: only an id is looked up.
        if str(value).isdigit() and int(value) <= ID_MAX:
            chosen = Organization.objects.filter(pk=int(value)).values("name", "code").first()
            if chosen:
                label = f"{chosen['name']} ({chosen['code']})"
        context["widget"].update(label=label, search_url=reverse("organizations:picker"))
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name) or None
