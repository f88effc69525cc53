import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import VietnameseDecimalField, number_formfield, set_choices, set_queryset
from llct.core.versions import VersionedForm
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


def indented(organization: Organization) -> str:
    """An organization's name indented by its depth, for a choice among a subtree's."""
    return "\u2003" * max(organization.depth - 1, 0) + organization.name


class OrganizationField(forms.ModelChoiceField[Organization]):
    widget = OrganizationPicker

    def label_from_instance(self, obj: Organization) -> str:
        return indented(obj)


class ProjectForm(VersionedForm, forms.ModelForm[Project]):
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
        set_queryset(self, "issuer", organizations)


class TargetForm(VersionedForm, forms.ModelForm[Target]):
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
        set_choices(
            self,
            "indicator",
            [("", _("— None: entered by hand with evidence —")), *indicators.choices()],
        )
        variants = indicators.get("cadres_trung_cap").variants()
        set_choices(self, "variant", [("", _("— All cadres —")), *variants])
        self.fields["variant"].help_text = _(
            "Only for “Cadres at trung cấp or above”: the positions of the required levels."
        )
        set_queryset(self, "scope_kind", OrganizationKind.objects.order_by("rank"))
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


class TaskForm(VersionedForm, forms.ModelForm[Task]):
    organizations = forms.ModelMultipleChoiceField[Organization](
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
        set_queryset(self, "organizations", organizations, label=indented)
        if self.instance.pk:
            self.initial["organizations"] = list(
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
        set_queryset(self, "organization", organizations)
        set_choices(self, "year", [(y, y) for y in target.project.years])

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
        set_queryset(self, "org", organizations)
        set_choices(self, "year", [(y, y) for y in years])

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


class SettingsForm(VersionedForm, forms.ModelForm[MonitoringSettings]):
    class Meta:
        formfield_callback = number_formfield
        model = MonitoringSettings
        fields = ["probation_watch_days", "certificate_watch_days", "at_risk_points"]


def clamp_year(year: int | None, project: Project, today: dt.date) -> int:
    chosen = year or today.year
    return min(max(chosen, project.start_year), project.end_year)
