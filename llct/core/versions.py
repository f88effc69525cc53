"""Edits that never silently undo someone else's.

Every edit form, and every cell of the grade and attendance sheets, carries the values it was
opened with: its version. A save compares, field by field, what the user started from
(original), what the row holds now (current) and what the user sends (submitted):

- a field only this user changed is written;
- a field only someone else changed keeps their value: the form merges it in;
- a field both changed, to different values, is a clash: nothing is written, the form comes
  back with what was typed, the other value beside it, and the version of what is stored now,
  so that saving again deliberately keeps the user's value.

Forms get this from `VersionedForm`; the sheets, whose cells are saved one by one, call
`three_way` with the cell's values.
"""

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

SALT = "llct.versions"
VERSION_FIELD = "_version"


def canonical(value: Any) -> str:
    """One text per value, so that what the database holds and what a form cleans compare
    equal: a row by its key, 7.50 as 7.5, dates in ISO, nothing (None, "", False, []) as ""."""
    if isinstance(value, str | Model) or not isinstance(value, Iterable):
        return _canonical_one(value)
    # Lists, sets, querysets: a set of keys.
    items = sorted(canonical(v) for v in value)
    return json.dumps(items) if items else ""


def _canonical_one(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, Decimal | int | float):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def encode(values: Mapping[str, str]) -> str:
    """The version a form carries: its values, signed so that a mangled one reads as none."""
    return signing.dumps(dict(values), salt=SALT, compress=True)


def decode(token: object) -> dict[str, str] | None:
    """The values a form was opened with; None when it carries no (readable) version, as a
    form posted by an older page or a script: such a save is not checked."""
    if not isinstance(token, str) or not token:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items()}


@dataclass(frozen=True)
class Merge:
    mine: frozenset[str]  # changed by this user
    theirs: frozenset[str]  # changed by someone else since the user opened the page
    clashes: frozenset[str]  # changed by both, to different values

    @property
    def kept_theirs(self) -> frozenset[str]:
        """Fields to take from the stored row: only the other user changed them."""
        return self.theirs - self.mine


def three_way(
    *, original: Mapping[str, str], current: Mapping[str, str], submitted: Mapping[str, str]
) -> Merge:
    """Compare canonical values of the fields present in all three."""
    names = set(original) & set(current) & set(submitted)
    mine = frozenset(n for n in names if submitted[n] != original[n])
    theirs = frozenset(n for n in names if current[n] != original[n])
    clashes = frozenset(n for n in mine & theirs if submitted[n] != current[n])
    return Merge(mine=mine, theirs=theirs, clashes=clashes)


@dataclass(frozen=True)
class Clash:
    """A field two users changed: what is stored now and what this user typed, as shown."""

    field: str
    label: str
    theirs: str
    yours: str


def _flat_choices(choices: Iterable[Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, list | tuple):  # an optgroup
            flat.update(_flat_choices(label))
        else:
            flat[canonical(value)] = str(label)
    return flat


def display(field: forms.Field, value: Any) -> str:
    """A value as the user reads it in the form: the label of a choice, dd/mm/yyyy, 7,5."""
    if canonical(value) == "":
        return _("(empty)")
    if isinstance(field, forms.ChoiceField):
        return _choice_display(field, value)
    return _value_display(field, value)


def _choice_display(field: forms.ChoiceField, value: Any) -> str:
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(field.label_from_instance(v) for v in value)
    if isinstance(field, forms.ModelChoiceField):
        return str(field.label_from_instance(value))
    # Django normalizes choices when set; the stubs type the getter as what may be set
    # (a callable among others).
    labels = _flat_choices(field.choices)  # type: ignore[arg-type]
    if isinstance(value, list | tuple | set):
        return ", ".join(labels.get(canonical(v), str(v)) for v in value)
    return labels.get(canonical(value), str(value))


def _value_display(field: forms.Field, value: Any) -> str:
    if value is True:
        return _("Yes")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    shown = field.prepare_value(value)
    if isinstance(shown, Decimal | float):
        return number_format(shown)
    return str(shown)


class VersionedForm(forms.BaseForm):
    """A form that carries its version (a hidden field) and, when bound, merges a stale save
    or refuses it with the clashes (`clashes`, also as field errors). Put it first among the
    bases: `class PersonForm(VersionedForm, forms.ModelForm)`.

    The stored values are the form's initial values, so the view builds the form from the row
    as it is now, on GET and on POST alike (a ModelForm's instance, or `initial=`). Fields in
    `version_exclude`, disabled fields and file fields are not compared."""

    version_exclude: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clashes: list[Clash] = []
        self.merged: list[str] = []  # labels of fields kept from someone else's save
        # Computed when rendered: subclasses add and remove fields after this __init__.
        self.fields[VERSION_FIELD] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=lambda: encode(self.stored_values)
        )

    def _versioned(self) -> dict[str, forms.Field]:
        return {
            name: field
            for name, field in self.fields.items()
            if name != VERSION_FIELD
            and name not in self.version_exclude
            and not field.disabled
            and not isinstance(field, forms.FileField)
        }

    @cached_property
    def stored_values(self) -> dict[str, str]:
        """The row as stored now (read when the form was built), canonical."""
        return {
            name: canonical(self.get_initial_for_field(field, name))
            for name, field in self._versioned().items()
        }

    def stored_value(self, name: str) -> Any:
        """The stored value of a field, cleaned as if typed (a row for a choice of rows)."""
        field = self.fields[name]
        return field.clean(field.prepare_value(self.get_initial_for_field(field, name)))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned is None:  # pragma: no cover - Django's clean returns the data
            cleaned = self.cleaned_data
        cleaned.pop(VERSION_FIELD, None)
        original = decode(self.data.get(self.add_prefix(VERSION_FIELD)))
        if original is None:
            return cleaned
        submitted = {
            name: canonical(cleaned[name]) for name in self._versioned() if name in cleaned
        }
        merge = three_way(original=original, current=self.stored_values, submitted=submitted)
        clashes = set(merge.clashes)
        taken: dict[str, Any] = {}
        for name in merge.kept_theirs:
            try:
                taken[name] = self.stored_value(name)
            except ValidationError:  # the stored value is no longer on offer: ask the user
                clashes.add(name)
        if clashes:
            self._refuse(sorted(clashes, key=list(self.fields).index), cleaned, taken)
            return cleaned
        cleaned.update(taken)
        self.merged = [str(self[name].label) for name in taken]
        return cleaned

    def _refuse(self, names: list[str], cleaned: dict[str, Any], taken: dict[str, Any]) -> None:
        for name in names:
            field = self.fields[name]
            try:
                theirs = display(field, self.stored_value(name))
            except ValidationError:
                theirs = str(self.get_initial_for_field(field, name))
            yours = display(field, cleaned.get(name))
            self.clashes.append(Clash(name, str(self[name].label), theirs, yours))
            self.add_error(
                name,
                _("Someone else has just changed this to “%(theirs)s”.") % {"theirs": theirs},
            )
        self.add_error(
            None,
            _(
                "Someone else saved this record after you opened it. Nothing of yours has been "
                "saved yet, and what you typed is still here: compare it with what they saved, "
                "then save again to keep your values."
            ),
        )
        # Saving again now means "keep mine": the form carries the version just read, and
        # the fields only the other user changed show their values.
        posted = self.data  # a QueryDict from a request, a dict in tests
        data = posted.copy() if isinstance(posted, MultiValueDict) else dict(posted)
        data[self.add_prefix(VERSION_FIELD)] = encode(self.stored_values)
        for name in taken:
            _put(data, self.add_prefix(name), self.fields[name], self.stored_value(name))
        self.data = data


def _put(data: Any, key: str, field: forms.Field, value: Any) -> None:
    """Set a field's posted value to `value`, as its widget would post it."""
    widget = field.widget
    prepared = field.prepare_value(value)
    if isinstance(widget, forms.CheckboxInput):
        if prepared:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif getattr(widget, "allow_multiple_selected", False):
        values = [str(v) for v in prepared or []]
        if hasattr(data, "setlist"):
            data.setlist(key, values)
        else:
            data[key] = values
    else:
        shown = widget.format_value(prepared)
        if isinstance(shown, list):  # a single choice widget
            shown = shown[0] if shown else ""
        data[key] = "" if shown is None else shown


def announce_merge(request: HttpRequest, form: Any) -> None:
    """After a save merged someone else's changes, say so beside the success message."""
    merged = getattr(form, "merged", None)
    if merged:
        messages.info(
            request,
            _(
                "Someone else had changed %(fields)s meanwhile; their changes are kept "
                "together with yours."
            )
            % {"fields": ", ".join(f"“{label}”" for label in merged)},
        )
