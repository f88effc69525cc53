import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from llct.api.models import EVENT_CHOICES, TOKEN_ROLES, ApiToken, WebhookDelivery
from llct.core.forms import VietnameseIntegerField, set_queryset
from llct.organizations.forms import DateField, OrganizationChoiceField
from llct.organizations.models import Organization


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Which system uses it, e.g. “CSDL đảng viên tỉnh”."),
    )
    organization = OrganizationChoiceField(
        label=_("Organization (the subtree it may read)"), queryset=Organization.objects.none()
    )
    role = forms.ChoiceField(label=_("Acts as"), choices=TOKEN_ROLES)
    can_write = forms.BooleanField(
        label=_("May write (people, attendance, scores)"), required=False
    )
    personal_data = forms.BooleanField(
        label=_("May read and send personal data (date of birth, party card number)"),
        required=False,
    )
    expires_on = DateField(label=_("Expires on"))
    rate_limit = VietnameseIntegerField(
        label=_("Requests per minute"), min_value=1, max_value=10_000, initial=120
    )

    def __init__(self, *args: Any, organizations: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)
        self.fields["expires_on"].initial = today.replace(
            year=today.year + 1, day=min(today.day, 28)
        )


class EndpointForm(forms.Form):
    token = forms.ModelChoiceField(label=_("API token"), queryset=ApiToken.objects.none())
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The receiving system's address; events are POSTed there as JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, tokens: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "token", tokens)


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *WebhookDelivery.Status.choices],
    )


class OrganizationForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)
