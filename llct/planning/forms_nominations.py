"""Forms of the nomination round: they keep typed input and its errors; the rules live in
the llct/planning/nominations package."""

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import set_queryset
from llct.core.versions import VersionedForm
from llct.curriculum.models import Programme
from llct.organizations.forms import DateField
from llct.organizations.models import Organization, TheoryLevel
from llct.planning.models import Nomination, PositionRequirement
from llct.planning.nominations.rules import QUARTER_CHOICES, RULE_LABELS, eligibility_warning
from llct.planning.nominations.services import NominationChange

QUARTER_FIELD_CHOICES = [("", _("Any quarter")), *QUARTER_CHOICES]
_KEY = re.compile(r"^\d+-\d+$")


def _label(what: str, name: str) -> str:
    labels = {
        "Priority": _("Priority"),
        "Preferred quarter": _("Preferred quarter"),
        "Note": _("Note"),
    }
    return f"{labels[what]}: {name}"


def _quarter_field(**kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Preferred quarter"),
        choices=QUARTER_FIELD_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        **kwargs,
    )


def _priority_field(**kwargs: Any) -> forms.TypedChoiceField:
    kwargs.setdefault("initial", Nomination.Priority.NORMAL)
    return forms.TypedChoiceField(
        label=_("Priority"), choices=Nomination.Priority.choices, coerce=int, **kwargs
    )


class ProgrammesField(forms.ModelMultipleChoiceField[Programme]):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Programme) -> str:
        return f"{obj.name} ({obj.code})"


class RoundForm(VersionedForm, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = DateField(label=_("Deadline for submissions"))
    programmes = ProgrammesField(label=_("Programmes on offer"), queryset=Programme.objects.none())
    instructions = forms.CharField(
        label=_("Instructions to the organizations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    is_closed = forms.BooleanField(
        label=_("Close the round (no more changes by anyone)"), required=False
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "programmes", Programme.objects.filter(is_active=True).order_by("code"))
        if editing:
            self.fields["year"].disabled = True
            self.fields["year"].required = False
            # A programme taken out of use stays listed while the round offers it.
            set_queryset(self, "programmes", Programme.objects.order_by("code"))
        else:
            del self.fields["is_closed"]


class KeysField(forms.Field):
    """The ticked suggestions, as "person-programme" keys."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        keys = [str(v) for v in values]
        if any(not _KEY.match(k) for k in keys):
            raise forms.ValidationError(_("Tick the suggestions to accept."))
        return keys


class AcceptForm(forms.Form):
    accept = KeysField(required=False)


class AddForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    priority = _priority_field()
    quarter = _quarter_field()
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "programme", programmes)


class IdsField(forms.Field):
    """Several ids from checkboxes or buttons of the same name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if any(not str(v).isdigit() for v in values):
            raise forms.ValidationError(_("Choose organizations from the list."))
        return [int(v) for v in values]


class RemindForm(forms.Form):
    """Remind the ticked organizations, or every one that has not submitted."""

    organization = IdsField(required=False)
    all_pending = forms.BooleanField(required=False)
    show = forms.CharField(required=False, max_length=20)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organization") and not data.get("all_pending"):
            raise forms.ValidationError(_("Choose the organizations to remind."))
        return data

    def chosen(self, organizations: QuerySet[Organization]) -> list[Organization]:
        """The ticked ones among `organizations` (the user's scope), or all of them."""
        ids = self.cleaned_data["organization"]
        return list(organizations.filter(pk__in=ids) if ids else organizations)


class ProvinceForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the organization's people by name"), required=False)


class NominationsForm(VersionedForm, forms.Form):
    """Priority, quarter and note of every nomination of a submission, in one form."""

    def __init__(self, *args: Any, nominations: list[Nomination], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nominations = nominations
        for n in nominations:
            name = n.person.full_name
            self.fields[f"priority-{n.pk}"] = _priority_field(
                initial=n.priority,
                widget=forms.Select(attrs={"aria-label": _label("Priority", name)}),
            )
            self.fields[f"quarter-{n.pk}"] = _quarter_field(
                initial=n.quarter,
                widget=forms.Select(attrs={"aria-label": _label("Preferred quarter", name)}),
            )
            self.fields[f"note-{n.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=500,
                initial=n.note,
                widget=forms.TextInput(attrs={"aria-label": _label("Note", name)}),
            )
            # Labelled with the person: a clash with someone else's save names the row.
            for what, key in (
                ("Priority", "priority"),
                ("Preferred quarter", "quarter"),
                ("Note", "note"),
            ):
                self.fields[f"{key}-{n.pk}"].label = _label(what, name)

    def rows(self) -> list[tuple[Nomination, str, Any, Any, Any, str]]:
        """Each nomination with its rule, its fields and the warning it raises (a non-member
        nominated for a class of members, say): the officer still decides."""
        return [
            (
                n,
                str(RULE_LABELS.get(n.rule, n.rule)),
                self[f"priority-{n.pk}"],
                self[f"quarter-{n.pk}"],
                self[f"note-{n.pk}"],
                eligibility_warning(person=n.person, programme=n.programme),
            )
            for n in self.nominations
        ]

    def changes(self) -> dict[int, NominationChange]:
        data = self.cleaned_data
        return {
            n.pk: NominationChange(
                priority=data[f"priority-{n.pk}"],
                quarter=data[f"quarter-{n.pk}"],
                note=data[f"note-{n.pk}"],
            )
            for n in self.nominations
        }


class ReopenForm(forms.Form):
    reopened_until = DateField(label=_("Open for changes until"))
    note = forms.CharField(
        label=_("Note to the organization (why, what to change)"),
        required=False,
        max_length=400,
    )


class StatusFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All organizations")),
            ("pending", _("Not submitted yet")),
            ("late", _("Late")),
            ("submitted", _("Submitted")),
        ],
    )


class RequirementForm(VersionedForm, forms.ModelForm[PositionRequirement]):
    required_level = forms.TypedChoiceField(
        label=_("Required theory level"),
        choices=[c for c in TheoryLevel.choices if c[0] != TheoryLevel.NONE],
        coerce=int,
    )

    class Meta:
        model = PositionRequirement
        fields = ["position", "required_level", "programme"]
        help_texts = {
            "position": _(
                "A phrase of the position, matched without diacritics as whole words: "
                "“bí thư chi bộ” matches “Phó Bí thư Chi bộ”."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "programme", Programme.objects.order_by("code"))

    def _post_clean(self) -> None:
        # The rules (a position once, without diacritics) live in the service.
        pass
