"""Forms of oversight and reviews: they keep typed input and its errors; the rules live in
inspections.py, briefings.py, rounds.py and documents.py."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from llct.core.models import Role, User
from llct.organizations.forms import DateField, OrganizationChoiceField
from llct.organizations.models import Organization
from llct.organizations.widgets import OrganizationMultiPicker
from llct.reviews import figures
from llct.reviews.models import (
    Briefing,
    ChecklistTemplate,
    Finding,
    Inspection,
    RoundKind,
)

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class OrganizationsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = OrganizationMultiPicker

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class UsersField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def staff_users() -> Any:
    return User.objects.filter(
        is_active=True, role__in=[Role.DEPARTMENT, Role.ORG_OFFICER, Role.LEADER]
    ).order_by("last_name", "first_name", "username")


def active_organizations(max_depth: int | None = None) -> Any:
    qs = Organization.objects.filter(dissolved_on__isnull=True).order_by("path")
    return qs if max_depth is None else qs.filter(depth__lte=max_depth)


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ProgrammeForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Name of the programme"), max_length=255)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea())


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Inspection.Kind.choices)
    title = forms.CharField(label=_("Content"), max_length=255)
    checklist = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.filter(is_active=True)
    )
    subjects = OrganizationsField(
        label=_("Subject organizations"), queryset=Organization.objects.none()
    )
    team = UsersField(label=_("Team"), queryset=User.objects.none())
    lead = UserChoiceField(label=_("Team leader"), queryset=User.objects.none(), required=False)
    period_start = DateField(label=_("Period from"))
    period_end = DateField(label=_("Period to"))
    scheduled_on = DateField(label=_("Scheduled on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subjects"].queryset = active_organizations(max_depth=2)  # type: ignore[attr-defined]
        self.fields["team"].queryset = staff_users()  # type: ignore[attr-defined]
        self.fields["lead"].queryset = staff_users()  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=Finding.Result.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Notes"), required=False, widget=_textarea(2))
    file = forms.FileField(label=_("Evidence file"), required=False)


class RecommendationForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Organization that must act"), queryset=Organization.objects.none()
    )
    text = forms.CharField(label=_("Recommendation"), widget=_textarea(3))
    deadline = DateField(label=_("Deadline"))
    finding = forms.ModelChoiceField(
        label=_("From the finding"), queryset=Finding.objects.none(), required=False
    )

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        paths = [s.path for s in inspection.subjects.all()]
        under = Q(pk__in=[])
        for path in paths:
            under |= Q(path__startswith=path)
        self.fields["organization"].queryset = active_organizations().filter(under)  # type: ignore[attr-defined]
        self.fields["finding"].queryset = (  # type: ignore[attr-defined]
            Finding.objects.filter(
                inspection=inspection, result=Finding.Result.NOT_MET
            ).select_related("organization", "item")
        )
        self.fields["finding"].label_from_instance = (  # type: ignore[attr-defined]
            lambda f: f"{f.organization.name}: {f.item.text[:80]}"
        )


class ConcludeForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusions"), widget=_textarea(6))


class RemedyForm(forms.Form):
    text = forms.CharField(label=_("What was done"), widget=_textarea(4))
    file = forms.FileField(label=_("Evidence file"), required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the remedy")), ("reopen", _("Reopen the recommendation"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment of the team"), required=False, widget=_textarea(2))


class RecommendationFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("open", _("Not yet accepted")),
            ("overdue", _("Overdue")),
            ("reported", _("Awaiting the team")),
        ],
    )


class ChecklistForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(label=_("Description"), required=False, widget=_textarea(3))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class ChecklistItemForm(forms.Form):
    position = forms.IntegerField(label=_("Order"), min_value=1, max_value=999, initial=1)
    text = forms.CharField(label=_("Requirement"), max_length=500)
    guidance = forms.CharField(label=_("How to check"), required=False, widget=_textarea(2))
    indicator = forms.ChoiceField(label=_("Figure from the data"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *figures.checklist_indicators().items(),
        ]


class BriefingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Briefing.Kind.choices)
    organization = OrganizationChoiceField(label=_("For"), queryset=Organization.objects.none())
    period_start = DateField(label=_("Period from"))
    period_end = DateField(label=_("Period to"))
    held_on = DateField(label=_("Held on"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.CharField(label=_("Chaired by"), max_length=150, required=False)
    attendees = UsersField(label=_("Attendees"), queryset=User.objects.none(), required=False)
    other_attendees = forms.CharField(
        label=_("Other attendees"), required=False, widget=_textarea(2)
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=_textarea(10),
        help_text=_("Left blank, it starts from the period's figures and open recommendations."),
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=_textarea(10))

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["attendees"].queryset = staff_users()  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Task"), max_length=500)
    owner = OrganizationChoiceField(label=_("Owner"), queryset=Organization.objects.none())
    owner_name = forms.CharField(label=_("Person in charge"), max_length=150, required=False)
    deadline = DateField(label=_("Deadline"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_organizations(max_depth=2)  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RoundKind.choices)
    title = forms.CharField(label=_("Name of the round"), max_length=255)
    period_start = DateField(label=_("Period from"))
    period_end = DateField(label=_("Period to"))
    deadline = DateField(label=_("Deadline"))
    organizations = OrganizationsField(
        label=_("Organizations that report"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = active_organizations(max_depth=2).filter(  # type: ignore[attr-defined]
            depth__gte=1
        )


class RoundEditForm(forms.Form):
    deadline = DateField(label=_("Deadline"))
    is_closed = forms.BooleanField(label=_("Closed"), required=False)


class ReportForm(forms.Form):
    results = forms.CharField(label=_("Results achieved"), required=False, widget=_textarea(8))
    limitations = forms.CharField(
        label=_("Limitations and their causes"), required=False, widget=_textarea(6)
    )
    lessons = forms.CharField(label=_("Lessons"), required=False, widget=_textarea(4))
    directions = forms.CharField(
        label=_("Directions and tasks"), required=False, widget=_textarea(6)
    )
    proposals = forms.CharField(label=_("Proposals"), required=False, widget=_textarea(4))


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What must be corrected"), widget=_textarea(3))


class ReportTemplateForm(forms.Form):
    results = forms.CharField(label=_("Results achieved"), required=False, widget=_textarea(5))
    limitations = forms.CharField(
        label=_("Limitations and their causes"), required=False, widget=_textarea(4)
    )
    lessons = forms.CharField(label=_("Lessons"), required=False, widget=_textarea(3))
    directions = forms.CharField(
        label=_("Directions and tasks"), required=False, widget=_textarea(4)
    )
    proposals = forms.CharField(label=_("Proposals"), required=False, widget=_textarea(3))
    docx = forms.FileField(
        label=_("Document layout (.docx)"),
        required=False,
        help_text=_("A .docx with the documented placeholders; {{noi_dung}} is required."),
    )
    remove_docx = forms.BooleanField(label=_("Use the built-in layout"), required=False)

    def clean_docx(self) -> Any:
        upload = self.cleaned_data.get("docx")
        if upload and upload.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if upload and not upload.name.lower().endswith(".docx"):
            raise forms.ValidationError(_("Choose a .docx file."))
        return upload


class IssuerForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    body = forms.CharField(label=_("Body"), max_length=200, required=False)
    abbreviation = forms.CharField(label=_("Abbreviation in numbers"), max_length=20)
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    authority = forms.CharField(label=_("Signing authority"), max_length=100)
    signer_position = forms.CharField(label=_("Signer's position"), max_length=100, required=False)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=150, required=False)
    is_department = forms.BooleanField(label=_("The department"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = active_organizations()  # type: ignore[attr-defined]
