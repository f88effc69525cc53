"""Every form that names an organization uses the search-as-you-type picker: at national scale
a <select> of the whole tree is 30,000 options on every such page."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.urls import reverse

import llct
from llct.organizations.models import Organization
from llct.organizations.tests.factories import make_org
from llct.organizations.widgets import OrganizationMultiPicker, OrganizationPicker

# The issuing committee of a membership decision is chosen among the few committees above the
# person (passed in as a list of at most a handful), so a <select> stays short there.
SHORT_LISTS = {("llct.assessment.forms_membership", "DecisionForm", "issued_by")}
PICKERS = (OrganizationPicker, OrganizationMultiPicker, forms.HiddenInput)


def _form_classes():
    for app in pkgutil.iter_modules(llct.__path__):
        spec = importlib.util.find_spec(f"llct.{app.name}")
        if spec is None or not spec.submodule_search_locations:
            continue
        for module_info in pkgutil.iter_modules(spec.submodule_search_locations):
            if not module_info.name.startswith("forms"):
                continue
            module = importlib.import_module(f"llct.{app.name}.{module_info.name}")
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield module.__name__, name, cls


def test_every_organization_field_of_every_form_uses_the_picker():
    checked = []
    for module, name, cls in _form_classes():
        for field_name, field in cls.base_fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or queryset.model is not Organization:
                continue
            checked.append((module, name, field_name))
            if (module, name, field_name) in SHORT_LISTS:
                continue
            assert isinstance(field.widget, PICKERS), f"{module}.{name}.{field_name}"
    # The forms of the people list, courses, venues, plans, monitoring, reviews and the API.
    assert len(checked) >= 12


@pytest.fixture
def many_organizations(world):
    for n in range(60):
        make_org(f"Chi bộ số {n}", parent=world.org_a, code=f"A-{n:02d}")


def _organization_options(html: str) -> int:
    """Options or checkboxes that offer one of the sixty organizations."""
    return len(
        re.findall(r"<option[^>]*>[^<]*Chi bộ số|<label[^>]*>[^<]*<input[^>]*>[^<]*Chi bộ số", html)
    )


@pytest.mark.parametrize(
    "url",
    [
        "organizations:people",
        "organizations:person_create",
        "courses:create",
        "courses:venue_create",
        "monitoring:project_create",
        "reviews:inspection_create",
        "api:token_create",
    ],
)
def test_no_form_page_lists_the_organizations(client, world, many_organizations, url):
    client.force_login(world.department)
    response = client.get(reverse(url))
    assert response.status_code == 200
    assert _organization_options(response.text) == 0
    assert "data-org-picker" in response.text


def test_the_merge_form_chooses_several_with_the_picker(client, world, many_organizations):
    client.force_login(world.department)
    url = reverse("organizations:merge", args=[world.org_a.pk])
    response = client.get(url)
    assert _organization_options(response.text) == 0
    assert "data-org-multiple" in response.text
    # What was chosen comes back listed after an invalid submit, not lost.
    response = client.post(url, {"sources": [world.org_a1.pk], "effective_on": "not a date"})
    assert response.status_code == 422
    assert f'name="sources" value="{world.org_a1.pk}"' in response.text
    assert "Chi bộ A1 (A1)" in response.text


def test_the_picker_ignores_a_value_that_is_not_an_id():
    html = OrganizationPicker().render("organization", "abc", attrs={"id": "id_o"})
    assert 'value=""' in html.split('name="org_q"')[1][:40]
