import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import VietnameseDecimalField, number_formfield
from llct.monitoring import indicators
from llct.monitoring.models import (
    Assignment,
    Milestone,
    MonitoringSettings,
    Project,
    Target,
    TargetEntry,
    Task,
)
from llct.organizations.models import Organization, OrganizationKind
from llct.organizations.widgets import OrganizationMultiPicker, OrganizationPicker

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_UPLOAD = 20 * 1024 * 1024


def _check_upload(upload: Any) -> Any:
    if upload and upload.size > MAX_UPLOAD:
        raise forms.ValidationError(_("The file is larger than 20 MB."))
    return upload


class OrganizationField(forms.ModelChoiceField):  # type: ignore[type-arg]
    widget = OrganizationPicker

    def label_from_instance(self, obj: Any) -> str:
        indent: str = "\u2003" * max(int(obj.depth) - 1, 0)
        return indent + str(obj.name)


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    issuer = OrganizationField(queryset=Organization.objects.none(), label=_("issued by"))

    class Meta:
        formfield_callback = number_formfield
        model = Project
        fields = [
            "number",
            "title",
            "issuer",
            "issued_on",
            "start_year",
            "end_year",
            "resolutions",
            "summary",
        ]
        widgets = {
            "issued_on": DATE,
            "resolutions": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = organizations  # type: ignore[attr-defined]


class TargetForm(forms.ModelForm):  # type: ignore[type-arg]
    indicator = forms.ChoiceField(label=_("indicator"), required=False)
    variant = forms.ChoiceField(label=_("position group"), required=False)

    class Meta:
        formfield_callback = number_formfield
        model = Target
        fields = [
            "code",
            "title",
            "indicator",
            "variant",
            "manual_unit",
            "direction",
            "baseline",
            "baseline_year",
            "final_value",
            "scope",
            "scope_kind",
        ]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            ("", _("— None: entered by hand with evidence —")),
            *indicators.choices(),
        ]
        variants = indicators.get("cadres_trung_cap").variants()
        self.fields["variant"].choices = [  # type: ignore[attr-defined]
            ("", _("— All cadres —")),
            *variants,
        ]
        self.fields["variant"].help_text = _(
            "Only for “Cadres at trung cấp or above”: the positions of the required levels."
        )
        self.fields["scope_kind"].queryset = OrganizationKind.objects.order_by("rank")  # type: ignore[attr-defined]
        milestones = (
            {m.year: m.value for m in self.instance.milestones.all()} if (self.instance.pk) else {}
        )
        for year in project.years:
            self.fields[f"milestone_{year}"] = VietnameseDecimalField.for_column(
                Milestone,
                "value",
                label=_("Milestone %(year)s") % {"year": year},
                required=False,
                initial=milestones.get(year),
            )

    def milestone_values(self) -> dict[int, Decimal]:
        return {
            year: self.cleaned_data[f"milestone_{year}"]
            for year in self.project.years
            if self.cleaned_data.get(f"milestone_{year}") is not None
        }

    def target_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class TaskForm(forms.ModelForm):  # type: ignore[type-arg]
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        label=_("assigned to"),
        widget=OrganizationMultiPicker,
    )

    class Meta:
        model = Task
        fields = ["kind", "code", "title", "description", "deadline"]
        widgets = {"deadline": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organizations"]
        field.queryset = organizations  # type: ignore[attr-defined]
        field.label_from_instance = OrganizationField.label_from_instance.__get__(field)  # type: ignore[attr-defined]
        if self.instance.pk:
            field.initial = list(
                self.instance.assignments.values_list("organization_id", flat=True)
            )

    def task_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ReportForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Assignment.Status.choices)
    note = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 3}))
    reported_on = forms.DateField(label=_("date"), widget=DATE)
    evidence = forms.FileField(label=_("evidence file"), required=False)

    def clean_evidence(self) -> Any:
        return _check_upload(self.cleaned_data.get("evidence"))


class EntryForm(forms.Form):
    organization = OrganizationField(queryset=Organization.objects.none(), label=_("organization"))
    year = forms.TypedChoiceField(label=_("year"), coerce=int)
    value = VietnameseDecimalField.for_column(TargetEntry, "value", label=_("value"))
    note = forms.CharField(
        label=_("how it was measured"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(label=_("evidence file"))

    def __init__(
        self, *args: Any, target: Target, organizations: QuerySet[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, y) for y in target.project.years]  # type: ignore[attr-defined]

    def clean_evidence(self) -> Any:
        return _check_upload(self.cleaned_data.get("evidence"))


class DashboardForm(forms.Form):
    """The dashboard's and lists' filter: organization, year and date (all optional)."""

    # The organization is chosen by drilling down the rankings and up the breadcrumb: a
    # select of a thousand cells helps nobody.
    org = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, widget=forms.HiddenInput
    )
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False)
    as_of = forms.DateField(label=_("as of"), required=False, widget=DATE)

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        formfield_callback = number_formfield
        model = MonitoringSettings
        fields = ["probation_watch_days", "certificate_watch_days", "at_risk_points"]


def clamp_year(year: int | None, project: Project, today: dt.date) -> int:
    chosen = year or today.year
    return min(max(chosen, project.start_year), project.end_year)
