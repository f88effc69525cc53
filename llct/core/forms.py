"""Helpers every form view shares: a service's errors onto the form, and the status code."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.forms import BaseForm
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
