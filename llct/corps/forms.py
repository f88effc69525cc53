from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import number_formfield, set_queryset
from llct.core.versions import VersionedForm
from llct.corps.models import (
    Appointment,
    Equipment,
    FollowUp,
    FollowUpCriterion,
    FollowUpSettings,
    HoursMinimum,
    InvestmentProposal,
    LecturerStandards,
    Observation,
    WorkEntry,
    WorkNorm,
)
from llct.courses.models import Session

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCORE = forms.NumberInput(attrs={"min": 1, "max": 10})


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        required=False,
    )


class AppointmentForm(forms.ModelForm[Appointment]):
    renewal_due = forms.DateField(
        label=_("Renewal due"),
        required=False,
        widget=DATE,
        help_text=_("Empty: 60 days before the term ends."),
    )

    class Meta:
        model = Appointment
        fields = ["number", "signed_on", "issuer", "term_starts", "term_ends", "renewal_due"]
        widgets = {"signed_on": DATE, "term_starts": DATE, "term_ends": DATE}


class StandardsForm(VersionedForm, forms.ModelForm[LecturerStandards]):
    class Meta:
        formfield_callback = number_formfield
        model = LecturerStandards
        fields = ["post", "theory_level", "degree", "lecturer_training", "lecturer_training_year"]


class WorkForm(forms.ModelForm[WorkEntry]):
    class Meta:
        formfield_callback = number_formfield
        model = WorkEntry
        fields = ["kind", "quantity", "date", "course", "note"]
        widgets = {"date": DATE}


class ObservationForm(forms.ModelForm[Observation]):
    class Meta:
        formfield_callback = number_formfield
        model = Observation
        fields = ["session", "observer", "content", "method", "time", "response", "note"]
        widgets = {
            "content": SCORE,
            "method": SCORE,
            "time": SCORE,
            "response": SCORE,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "session", sessions, label=_session_label)
        for name in ("content", "method", "time", "response"):
            self.fields[name].help_text = _("1 to 10")


def _session_label(session: Session) -> str:
    return f"{session.date:%d/%m/%Y} · {session.course.name} · {session.topic or ''}"


class EquipmentForm(VersionedForm, forms.ModelForm[Equipment]):
    class Meta:
        model = Equipment
        fields = ["name", "kind", "condition", "venue", "location", "acquired_on"]
        widgets = {"acquired_on": DATE}


class ProposalForm(VersionedForm, forms.ModelForm[InvestmentProposal]):
    class Meta:
        formfield_callback = number_formfield
        model = InvestmentProposal
        fields = ["title", "cost", "status", "venue", "target", "year", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


WorkNormFormSet = forms.modelformset_factory(WorkNorm, fields=["units", "hours", "source"], extra=0)
HoursMinimumFormSet = forms.modelformset_factory(
    HoursMinimum, fields=["hours", "lecturing_hours", "source"], extra=0
)


class FollowUpSettingsForm(VersionedForm, forms.ModelForm[FollowUpSettings]):
    class Meta:
        formfield_callback = number_formfield
        model = FollowUpSettings
        fields = ["months_after", "good_from"]


CriterionFormSet = forms.modelformset_factory(
    FollowUpCriterion, fields=["label", "order", "is_active"], extra=1
)


class ScoreForm(VersionedForm, forms.Form):
    """One score (1-5) and note per criterion in use; fields are added per criterion. Two
    evaluators scoring the same follow-up at once merge or are refused (its version)."""

    criteria: list[FollowUpCriterion]

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"note_{c.pk}"])
            for c in self.criteria
        }

    def rows(self) -> list[tuple[FollowUpCriterion, Any, Any]]:
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]


SCALE = [(i, str(i)) for i in range(1, 6)]


def score_form(criteria: list[FollowUpCriterion], data: Any, *, follow_up: FollowUp) -> ScoreForm:
    initial: dict[str, Any] = {}
    for s in follow_up.scores.all():
        initial[f"score_{s.criterion_id}"] = s.score
        initial[f"note_{s.criterion_id}"] = s.note
    form = ScoreForm(data, initial=initial)
    form.criteria = criteria
    for c in criteria:
        form.fields[f"score_{c.pk}"] = forms.TypedChoiceField(
            label=c.label, choices=SCALE, coerce=int, widget=forms.RadioSelect
        )
        form.fields[f"note_{c.pk}"] = forms.CharField(
            label=_("Note"), required=False, max_length=500
        )
    return form
