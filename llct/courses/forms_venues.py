"""Forms for venues and the class settings (holidays, scheduling rules). They keep what was
typed; the rules are checked in the courses services (venue_save, rules_update)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from llct.core.forms import number_formfield
from llct.core.text import clean_text
from llct.core.versions import VersionedForm
from llct.courses.models import SchedulingRules, Venue
from llct.courses.services.venues import HALF_DAYS, RULES_FIELDS, VENUE_FIELDS
from llct.organizations.forms import DateField, OrganizationChoiceField
from llct.organizations.models import Organization


class VenueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or address"), required=False)
    inactive = forms.BooleanField(label=_("Include venues no longer in use"), required=False)


class VenueForm(VersionedForm, forms.ModelForm[Venue]):
    owner = OrganizationChoiceField(
        label=_("Managed by"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("— the department —"),
    )

    class Meta:
        formfield_callback = number_formfield
        model = Venue
        fields = VENUE_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "equipment": forms.Textarea(attrs={"rows": 3}),
            "meeting_url": forms.URLInput(attrs={"placeholder": "https://"}),
        }
        help_texts = {
            "meeting_url": _("Required for an online room."),
            "equipment": _("e.g. projector, sound system, 2 microphones"),
        }

    def __init__(
        self, *args: Any, organizations: Any, owner_required: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owner: Any = self.fields["owner"]
        owner.queryset = organizations
        owner.required = owner_required
        if owner_required:
            owner.empty_label = None
        self.fields["name"].widget.attrs["size"] = 50
        self.fields["capacity"].widget.attrs["min"] = 1
        # The link is checked by the write function, so its message is the one shown.
        meeting_url: Any = self.fields["meeting_url"]
        meeting_url.validators = []

    def clean_name(self) -> str:
        return clean_text(self.cleaned_data["name"])

    def _post_clean(self) -> None:
        # The venue's rules (online needs a link) live in services.venue_validate.
        pass

    def venue_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in VENUE_FIELDS}


class HolidayForm(forms.Form):
    date = DateField(label=_("Date"))
    name = forms.CharField(label=_("Name"), max_length=150)


TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"placeholder": "hh:mm", "size": 6})


class RulesForm(VersionedForm, forms.ModelForm[SchedulingRules]):
    class Meta:
        formfield_callback = number_formfield
        model = SchedulingRules
        fields = RULES_FIELDS
        widgets = {name: TIME_WIDGET for pair in HALF_DAYS for name in pair}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pair in HALF_DAYS:
            for name in pair:
                self.fields[name].error_messages["invalid"] = _(
                    "Enter a time as hh:mm, for example 07:30."
                )

    def _post_clean(self) -> None:
        # Checked by services.rules_update, all at once.
        pass

    def rules_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in RULES_FIELDS}


class YearForm(forms.Form):
    """The year shown on the holidays page; a year out of range shows this year."""

    year = forms.IntegerField(min_value=1900, max_value=2200)

    @classmethod
    def year_of(cls, params: Any, *, default: int) -> int:
        form = cls(params)
        return int(form.cleaned_data["year"]) if form.is_valid() else default
