from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from llct.assessment.selectors import Column
from llct.assessment.services import parse_score
from llct.core.forms import set_choices
from llct.core.spreadsheets import XLSX_TYPE, check_xlsx_upload
from llct.organizations.forms import DateField

MAX_GRADES_UPLOAD_BYTES = 5 * 1024 * 1024


class ScoreField(forms.Field):
    """A score as a person types it: "7,5" or "7.5"; blank is no score."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 4}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        return parse_score(value)


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("Score"))
    value = ScoreField(
        label=gettext_lazy("New score"),
        required=False,
        help_text=gettext_lazy("On the 10-point scale, one decimal. Blank removes the score."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: the second marking of the essay, decision no. ..."),
    )

    def __init__(self, *args: Any, columns: list[Column], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "field", [(c.field, c.label) for c in columns])
        # A programme graded by one piece (an essay, or the final exams) has nothing to choose:
        # the score is that one, whatever the hidden input carries.
        self.only = columns[0].field if len(columns) == 1 else ""
        if self.only:
            self.fields["field"].required = False
            self.fields["field"].widget = forms.HiddenInput()
            self.initial["field"] = self.only

    def clean_field(self) -> str:
        return self.only or str(self.cleaned_data["field"])

    def correction(self) -> dict[str, Any]:
        """The terms of services.score_correct."""
        data = self.cleaned_data
        return {"field_name": data["field"], "value": data["value"], "reason": data["reason"]}


class GradesUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Scores file (.xlsx)"),
        help_text=gettext_lazy(
            "The template of this course with the scores filled in; a blank cell leaves the "
            "score as it is."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )

    def clean_file(self) -> Any:
        return check_xlsx_upload(self.cleaned_data["file"], max_bytes=MAX_GRADES_UPLOAD_BYTES)


class ResolutionDateForm(forms.Form):
    on = DateField(
        label=gettext_lazy("Date of the cell's resolution"),
        required=False,
        help_text=gettext_lazy("The certificate must be valid on this date; today if blank."),
    )
