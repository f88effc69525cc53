from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from llct.assessment.models import GradeBand
from llct.core.forms import number_formfield, set_queryset
from llct.core.spreadsheets import check_xlsx_upload
from llct.core.versions import VersionedForm
from llct.organizations.forms import OrganizationChoiceField
from llct.organizations.models import MembershipStage, Organization, Person
from llct.portal.models import Document
from llct.studies.models import Contest, QuestionBank

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
STAGES = [(v, label) for v, label in MembershipStage.choices if v != MembershipStage.LEFT]


class CampaignForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("campaign", "Title"), max_length=255)
    document = forms.ModelChoiceField(label=_("Document studied"), queryset=Document.objects.none())
    organization = OrganizationChoiceField(
        label=_("Organization (with those below it)"), queryset=Organization.objects.none()
    )
    stages = forms.MultipleChoiceField(
        label=_("Membership stages"),
        choices=STAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone on the rolls."),
    )
    positions = forms.CharField(
        label=_("Positions"),
        required=False,
        max_length=500,
        help_text=_(
            "Words of the position, separated by commas (e.g. Bí thư, Phó Bí thư); empty: all."
        ),
    )
    starts_on = forms.DateField(label=pgettext_lazy("campaign", "Starts on"), widget=DATE)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    essay_required = forms.BooleanField(
        label=_("An essay is required"), required=False, initial=True
    )

    def __init__(self, *args: Any, documents: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "document", documents)
        set_queryset(self, "organization", organizations)


class ConferenceForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=pgettext_lazy("campaign", "Title"), max_length=255)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(
        label=pgettext_lazy("conference", "Place"), max_length=255, required=False
    )
    is_makeup = forms.BooleanField(label=_("Make-up conference"), required=False)

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)


def attendee_ids(data: Any) -> list[int]:
    return [int(v) for v in data.getlist("attendees") if str(v).isdigit()]


def people(ids: list[int]) -> list[Person]:
    return list(Person.objects.filter(pk__in=ids))


class EssayForm(forms.Form):
    text = forms.CharField(
        label=_("Your essay"), widget=forms.Textarea(attrs={"rows": 14}), required=False
    )
    file = forms.FileField(label=_("Or attach the file"), required=False)


class GradeForm(VersionedForm, forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=GradeBand.choices)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class BankForm(forms.ModelForm[QuestionBank]):
    class Meta:
        model = QuestionBank
        fields = ["title", "document"]

    def __init__(self, *args: Any, documents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "document", documents)


class BankImportForm(forms.Form):
    file = forms.FileField(label=_("Questions (.xlsx)"))

    def clean_file(self) -> Any:
        return check_xlsx_upload(self.cleaned_data["file"], max_bytes=5 * 1024 * 1024)


class ContestForm(forms.ModelForm[Contest]):
    class Meta:
        formfield_callback = number_formfield
        model = Contest
        fields = [
            "title",
            "bank",
            "campaign",
            "organization",
            "opens_at",
            "closes_at",
            "question_count",
            "minutes",
            "attempts_per_week",
        ]
        widgets = {"opens_at": DATETIME, "closes_at": DATETIME}
        field_classes = {"organization": OrganizationChoiceField}

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)
        for name in ("opens_at", "closes_at"):
            field = self.fields[name]
            assert isinstance(field, forms.DateTimeField)
            field.input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
