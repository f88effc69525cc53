"""Forms of oversight and reviews: they keep typed input and its errors; the rules live in
inspections.py, briefings.py, rounds.py and documents.py."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import set_choices, set_queryset
from llct.core.models import Role, User
from llct.core.versions import VersionedForm
from llct.organizations.forms import DateField, OrganizationChoiceField
from llct.organizations.models import Organization
from llct.organizations.widgets import OrganizationMultiPicker
from llct.reviews import figures
from llct.reviews.models import (
    Briefing,
    ChecklistTemplate,
    DocumentIssuer,
    Finding,
    Inspection,
    InspectionProgramme,
    RoundKind,
)

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class OrganizationsField(forms.ModelMultipleChoiceField[Organization]):
    widget = OrganizationMultiPicker

    def label_from_instance(self, obj: Organization) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class UsersField(forms.ModelMultipleChoiceField[User]):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: User) -> str:
        return str(obj.display_name)


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return str(obj.display_name)


def staff_users() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, role__in=[Role.DEPARTMENT, Role.ORG_OFFICER, Role.LEADER]
    ).order_by("last_name", "first_name", "username")


def active_organizations(max_depth: int | None = None) -> QuerySet[Organization]:
    qs = Organization.objects.filter(dissolved_on__isnull=True).order_by("path")
    return qs if max_depth is None else qs.filter(depth__lte=max_depth)


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ProgrammeForm(VersionedForm, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Name of the programme"), max_length=255)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea())


class InspectionForm(VersionedForm, forms.Form):
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
        set_queryset(self, "subjects", active_organizations(max_depth=2))
        set_queryset(self, "team", staff_users())
        set_queryset(self, "lead", staff_users())


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
        set_queryset(self, "organization", active_organizations().filter(under))
        set_queryset(
            self,
            "finding",
            Finding.objects.filter(
                inspection=inspection, result=Finding.Result.NOT_MET
            ).select_related("organization", "item"),
            label=lambda f: f"{f.organization.name}: {f.item.text[:80]}",
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


class ChecklistForm(VersionedForm, forms.Form):
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
        set_choices(self, "indicator", [("", _("None")), *figures.checklist_indicators().items()])


class BriefingForm(VersionedForm, forms.Form):
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

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)
        set_queryset(self, "attendees", staff_users())


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Task"), max_length=500)
    owner = OrganizationChoiceField(label=_("Owner"), queryset=Organization.objects.none())
    owner_name = forms.CharField(label=_("Person in charge"), max_length=150, required=False)
    deadline = DateField(label=_("Deadline"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "owner", active_organizations(max_depth=2))


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
        set_queryset(self, "organizations", active_organizations(max_depth=2).filter(depth__gte=1))


class RoundEditForm(VersionedForm, forms.Form):
    deadline = DateField(label=_("Deadline"))
    is_closed = forms.BooleanField(label=_("Closed"), required=False)


class ReportForm(VersionedForm, forms.Form):
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


class ReportTemplateForm(VersionedForm, forms.Form):
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


class IssuerForm(VersionedForm, forms.Form):
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
        set_queryset(self, "organization", active_organizations())


# The values an edit form opens with: the row as stored now (also on POST, so that a stale
# save is merged or refused, see llct/core/versions.py), or the defaults of a new one.

INSPECTION_FIELDS = (
    "kind",
    "title",
    "checklist",
    "lead",
    "period_start",
    "period_end",
    "scheduled_on",
)
BRIEFING_FIELDS = (
    "kind",
    "organization",
    "period_start",
    "period_end",
    "held_on",
    "place",
    "chair",
    "other_attendees",
    "agenda",
    "minutes",
)
ISSUER_FIELDS = (
    "organization",
    "body",
    "abbreviation",
    "place",
    "authority",
    "signer_position",
    "signer_name",
    "is_department",
)


def programme_initial(programme: InspectionProgramme | None, *, today: dt.date) -> dict[str, Any]:
    if programme is None:
        return {"year": today.year}
    return {"year": programme.year, "title": programme.title, "notes": programme.notes}


def inspection_initial(inspection: Inspection | None) -> dict[str, Any]:
    if inspection is None:
        return {}
    initial: dict[str, Any] = {name: getattr(inspection, name) for name in INSPECTION_FIELDS}
    initial["subjects"] = list(inspection.subjects.all())
    initial["team"] = list(inspection.team.all())
    return initial


def checklist_initial(checklist: ChecklistTemplate | None) -> dict[str, Any]:
    if checklist is None:
        return {"is_active": True}
    return {
        "name": checklist.name,
        "description": checklist.description,
        "is_active": checklist.is_active,
    }


def briefing_initial(
    briefing: Briefing | None,
    *,
    default_organization: Organization | None,
    period: tuple[dt.date, dt.date],
    today: dt.date,
) -> dict[str, Any]:
    """A new briefing: a monthly one for the user's organization over `period`, held today."""
    if briefing is None:
        return {
            "kind": Briefing.Kind.MONTHLY,
            "organization": default_organization,
            "period_start": period[0],
            "period_end": period[1],
            "held_on": today,
        }
    initial: dict[str, Any] = {name: getattr(briefing, name) for name in BRIEFING_FIELDS}
    initial["attendees"] = list(briefing.attendees.all())
    return initial


def issuer_initial(issuer: DocumentIssuer | None) -> dict[str, Any]:
    if issuer is None:
        return {"authority": "T/M BAN THƯỜNG VỤ"}
    return {name: getattr(issuer, name) for name in ISSUER_FIELDS}
