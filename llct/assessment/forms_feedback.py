"""Forms of the survey and of the feedback report. They parse and keep what was typed; the
rules (who may answer, every lecturer rated) live in llct/assessment/feedback/surveys.py."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from llct.assessment.feedback.surveys import (
    COMMENTS_MAX_LENGTH,
    COURSE_CRITERIA,
    LECTURER_CRITERIA,
    SCORES,
    LecturerAnswer,
    SurveyAnswers,
    SurveyLecturer,
    lecturer_field,
)
from llct.core.forms import set_choices
from llct.curriculum.models import Programme

CRITERION_LABELS = {
    "content": _("Content"),
    "method": _("Teaching method"),
    "practice": _("Connection to practice"),
    "organization_rating": _("Organization of the course"),
    "facilities_rating": _("Facilities"),
}


def _score_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(s, str(s)) for s in SCORES],
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )


class SurveyForm(forms.Form):
    organization_rating = _score_field(CRITERION_LABELS["organization_rating"])
    facilities_rating = _score_field(CRITERION_LABELS["facilities_rating"])
    comments = forms.CharField(
        label=_("Comments and suggestions"),
        required=False,
        max_length=COMMENTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Your answers are anonymous: do not write your name."),
    )

    def __init__(self, *args: Any, lecturers: list[SurveyLecturer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lecturers = lecturers
        for item in lecturers:
            for criterion in LECTURER_CRITERIA:
                self.fields[lecturer_field(item.lecturer.pk, criterion)] = _score_field(
                    CRITERION_LABELS[criterion]
                )

    def lecturer_groups(self) -> list[tuple[SurveyLecturer, list[forms.BoundField]]]:
        """Each lecturer with the bound fields of their three criteria, for the template."""
        return [
            (item, [self[lecturer_field(item.lecturer.pk, c)] for c in LECTURER_CRITERIA])
            for item in self.lecturers
        ]

    def course_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in COURSE_CRITERIA]

    def answers(self) -> SurveyAnswers:
        data = self.cleaned_data
        return SurveyAnswers(
            organization_rating=data.get("organization_rating"),
            facilities_rating=data.get("facilities_rating"),
            comments=data.get("comments") or "",
            lecturers={
                item.lecturer.pk: LecturerAnswer(
                    content=data.get(lecturer_field(item.lecturer.pk, "content")),
                    method=data.get(lecturer_field(item.lecturer.pk, "method")),
                    practice=data.get(lecturer_field(item.lecturer.pk, "practice")),
                )
                for item in self.lecturers
            },
        )


class FeedbackFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, empty_value=None, required=False, choices=[]
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "year", [("", _("All")), *((y, str(y)) for y in years)])
