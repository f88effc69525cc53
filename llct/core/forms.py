"""Helpers every form view shares: a service's errors onto the form, and the status code;
and typed setters for what a form decides when it is built (the rows or choices a field offers),
so that forms need no `type: ignore` for `self.fields[name].queryset = ...`."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm, ChoiceField, Field, ModelChoiceField
from django.http import HttpRequest


def apply_errors(form: BaseForm, error: ValidationError, *, skip: Sequence[str] = ()) -> None:
    """Put a service's errors on the form, field by field where the field is on it, the rest
    above the form. Messages in `skip` (shown elsewhere on the page) are not repeated."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            shown = [m for e in errors for m in e.messages if m not in skip]
            if shown:
                form.add_error(name if name in form.fields else None, shown)
    else:
        shown = [m for m in error.messages if m not in skip]
        if shown:
            form.add_error(None, shown)


def form_status(form: BaseForm | None) -> int:
    """422 for a refused form, so that tests and tools can tell it from a fresh one."""
    return 422 if form is not None and form.is_bound and form.errors else 200


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _field[F: Field](form: BaseForm, name: str, kind: type[F]) -> F:
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not {kind}")
    return field


def set_queryset(
    form: BaseForm,
    name: str,
    queryset: QuerySet[Any],
    *,
    label: Callable[[Any], str] | None = None,
) -> None:
    """Offer these rows in the choice field `name` (single or multiple), each shown by `label`
    when given. Raises TypeError when the field is not a choice of rows."""
    field = _field(form, name, ModelChoiceField)
    field.queryset = queryset
    if label is not None:
        # An instance attribute shadows the method, as Django's docs suggest; the one place
        # the type checker is told so.
        field.label_from_instance = label  # type: ignore[method-assign, assignment]


def set_choices(form: BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Offer these (value, label) pairs in the choice field `name`."""
    _field(form, name, ChoiceField).choices = list(choices)
