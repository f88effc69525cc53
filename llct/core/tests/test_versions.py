"""The version an edit form carries, and how a stale save is merged or refused."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.http import QueryDict

from llct.core.versions import (
    VERSION_FIELD,
    VersionedForm,
    canonical,
    decode,
    encode,
    three_way,
)


class ThingForm(VersionedForm, forms.Form):
    name = forms.CharField()
    size = forms.DecimalField(required=False)
    kind = forms.ChoiceField(choices=[("a", "Loại A"), ("b", "Loại B")])
    on = forms.DateField(required=False, input_formats=["%d/%m/%Y"])


STORED = {"name": "Hội trường", "size": Decimal("7.50"), "kind": "a", "on": dt.date(2026, 3, 1)}


def opened(stored=STORED):
    """The version a user received with the page."""
    form = ThingForm(initial=stored)
    return form[VERSION_FIELD].value()


def posted(version, **typed):
    data = {"name": "Hội trường", "size": "7.5", "kind": "a", "on": "01/03/2026"}
    data.update(typed)
    query = QueryDict(mutable=True)
    query.update({**data, VERSION_FIELD: version})
    return query


def test_stored_and_typed_values_compare_equal_once_canonical():
    assert canonical(Decimal("7.50")) == canonical(Decimal("7.5")) == canonical(7.5) == "7.5"
    assert canonical(None) == canonical("") == canonical(False) == canonical([]) == ""
    assert canonical(dt.date(2026, 3, 1)) == "2026-03-01"
    assert canonical([3, 1]) == canonical(["1", "3"])


def test_a_mangled_or_missing_version_reads_as_none():
    token = encode({"name": "x"})
    assert decode(token) == {"name": "x"}
    assert decode(token[:-2] + "xx") is None
    assert decode("") is None and decode(None) is None


def test_three_way_tells_mine_theirs_and_clashes():
    merge = three_way(
        original={"a": "1", "b": "1", "c": "1", "d": "1"},
        current={"a": "2", "b": "1", "c": "2", "d": "2"},
        submitted={"a": "1", "b": "3", "c": "3", "d": "2"},
    )
    assert merge.mine == {"b", "c", "d"}
    assert merge.theirs == {"a", "c", "d"}
    assert merge.clashes == {"c"}  # d: both made the same change
    assert merge.kept_theirs == {"a"}


def test_an_unchanged_record_saves_what_was_typed():
    form = ThingForm(posted(opened(), name="Hội trường lớn"), initial=STORED)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Hội trường lớn"
    assert VERSION_FIELD not in form.cleaned_data  # never reaches a service
    assert form.merged == []


def test_a_field_only_the_other_user_changed_keeps_their_value():
    version = opened()
    now = {**STORED, "kind": "b"}  # someone else changed the kind meanwhile
    form = ThingForm(posted(version, name="Hội trường lớn"), initial=now)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["kind"] == "b"
    assert form.cleaned_data["name"] == "Hội trường lớn"
    assert form.merged == ["Kind"]


def test_a_field_both_changed_is_refused_with_both_values_and_a_new_version():
    version = opened()
    now = {**STORED, "name": "Phòng họp số 2", "on": dt.date(2026, 4, 1)}
    form = ThingForm(posted(version, name="Hội trường lớn"), initial=now)
    assert not form.is_valid()
    (clash,) = form.clashes
    assert (clash.field, clash.theirs, clash.yours) == ("name", "Phòng họp số 2", "Hội trường lớn")
    assert "Phòng họp số 2" in form.errors["name"][0]
    # The page keeps what was typed, shows the other user's date, and carries the new version:
    assert form["name"].value() == "Hội trường lớn"
    assert form["on"].value() == "01/04/2026"
    again = ThingForm(
        posted(form[VERSION_FIELD].value(), name="Hội trường lớn", on="01/04/2026"), initial=now
    )
    assert again.is_valid(), again.errors
    assert again.cleaned_data["name"] == "Hội trường lớn"
    assert again.cleaned_data["on"] == dt.date(2026, 4, 1)


def test_a_form_posted_without_a_version_is_not_checked():
    data = posted("", name="Hội trường lớn")
    form = ThingForm(data, initial={**STORED, "name": "Phòng họp số 2"})
    assert form.is_valid()
    assert form.cleaned_data["name"] == "Hội trường lớn"
