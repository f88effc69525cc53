"""Helpers every form view shares: a service's errors onto the form, the status code, query
values read safely, number fields that read numbers as a Vietnamese writes them, and typed
setters for what a form decides when it is built (the rows or choices a field offers), so that
forms need no exemption from the type checker for `self.fields[name].queryset = ...`."""

import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseForm, ChoiceField, Field, ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# The largest id a bigint column holds: a larger number names nothing.
ID_MAX = 2**63 - 1


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


def query_int(request: HttpRequest, name: str, *, default: int, low: int, high: int) -> int:
    """A whole number from the query string, or `default` when it is missing, not a number or
    outside [low, high]: a hand-edited address shows the usual page, never an error."""
    try:
        value = int(request.GET.get(name) or default)
    except ValueError:
        return default
    return value if low <= value <= high else default


# --- Numbers as a Vietnamese writes them ---------------------------------------------------------
# "1.500.000" is one and a half million (dots group thousands), "1.500.000,5" has a decimal comma.
# A single dot not followed by exactly three digits ("8.5") is read as a decimal point, as people
# who learnt on English software type it. Spaces and the currency (đ, ₫, VND, đồng) are ignored.
# Anything else ("1,500,000", "1.50.000") is refused rather than guessed.

_CURRENCY = re.compile(r"(?i)(vnđ|vnd|đồng|đ|₫)$")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^\d+$")

# What the columns hold, whatever the database (SQLite stores anything; PostgreSQL refuses).
COLUMN_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-32768, 32767),
    "PositiveSmallIntegerField": (0, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "PositiveIntegerField": (0, 2147483647),
    "BigIntegerField": (-ID_MAX - 1, ID_MAX),
    "PositiveBigIntegerField": (0, ID_MAX),
}


def parse_number(value: str) -> Decimal:
    """The number a Vietnamese means by `value`; ValueError when it cannot be told."""
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
    text = _CURRENCY.sub("", text)
    negative = text.startswith("-")
    text = text.removeprefix("-").removeprefix("+")
    whole, comma, fraction = text.partition(",")
    if comma:
        if not (_PLAIN.match(fraction) and (_PLAIN.match(whole) or _GROUPED.match(whole))):
            raise ValueError(value)
    elif _GROUPED.match(whole):
        pass
    elif whole.count(".") == 1:
        whole, fraction = whole.split(".")
        if not (_PLAIN.match(whole) and _PLAIN.match(fraction)):
            raise ValueError(value)
    elif not _PLAIN.match(whole):
        raise ValueError(value)
    digits = whole.replace(".", "") + ("." + fraction if fraction else "")
    number = Decimal(digits)
    return -number if negative else number


def format_number(value: Decimal | int, decimal_places: int = 0) -> str:
    """1500000.5 → "1.500.000,5" (no trailing zeros past the comma)."""
    number = Decimal(value)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):,.{decimal_places}f}"
    whole, _dot, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return sign + whole.replace(",", ".") + ("," + fraction if fraction else "")


def column_bounds(model: type[models.Model], name: str) -> dict[str, Any]:
    """min_value/max_value (and max_digits/decimal_places) of a model's number column."""
    field = model._meta.get_field(name)
    internal = field.get_internal_type()
    if internal in COLUMN_RANGES:
        low, high = COLUMN_RANGES[internal]
        return {"min_value": low, "max_value": high}
    if isinstance(field, models.DecimalField):
        places = field.decimal_places
        top = Decimal(10) ** (field.max_digits - places) - Decimal(10) ** -places
        return {"max_digits": field.max_digits, "decimal_places": places, "max_value": top}
    raise TypeError(f"{model.__name__}.{name} is not a number column")


class NumberInput(forms.TextInput):
    """A text box (a browser's number box refuses "1.500.000") with the right phone keyboard."""

    def __init__(self, attrs: dict[str, Any] | None = None, *, decimal: bool = False) -> None:
        base = {"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off"}
        super().__init__({**base, **(attrs or {})})


class VietnameseIntegerField(forms.IntegerField):
    """A count typed the Vietnamese way: "1.500" is fifteen hundred; "1,5" is refused."""

    default_error_messages = {
        "invalid": _("Enter a whole number, for example 1.500."),
        "fraction": _("Enter a whole number, without a decimal part."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", NumberInput())
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No min/max attributes: they would make the browser check a box that is plain text.
        return {}

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            number = parse_number(str(value))
        except (ValueError, InvalidOperation):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number != number.to_integral_value():
            raise forms.ValidationError(self.error_messages["fraction"], code="fraction")
        return int(number)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return format_number(value)
        return value

    @classmethod
    def for_column(
        cls, model: type[models.Model], name: str, **kwargs: Any
    ) -> "VietnameseIntegerField":
        """Bounded by what the column holds; a tighter min/max may be passed."""
        return cls(**{**column_bounds(model, name), **kwargs})


class VietnameseDecimalField(forms.DecimalField):
    """A decimal typed the Vietnamese way: "1.500.000,5", "8,5" (or "8.5")."""

    default_error_messages = {
        "invalid": _("Enter a number, for example 1.500.000 or 8,5."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", NumberInput(decimal=True))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}

    # Django's DecimalField derives from IntegerField; the stubs narrow its to_python to Decimal
    # with their own ignore, which a subclass must repeat.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return Decimal(value)
        try:
            return parse_number(str(value))
        except (ValueError, InvalidOperation):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_number(value, self.decimal_places or 0)
        return value

    @classmethod
    def for_column(
        cls, model: type[models.Model], name: str, **kwargs: Any
    ) -> "VietnameseDecimalField":
        return cls(**{**column_bounds(model, name), **kwargs})


class MoneyField(VietnameseDecimalField):
    """Whole đồng: "1.500.000" or "1.500.000 đ"; "1.500.000,5" is refused, never read as
    15.000.005. Never negative; at most what the column holds (or a tighter `max_value`)."""

    default_error_messages = {
        "invalid": _("Enter an amount in đồng, for example 1.500.000."),
        "fraction": _("Enter whole đồng, without a decimal part."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", NumberInput())
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 14)
        kwargs["decimal_places"] = 0
        super().__init__(**kwargs)

    # Django's DecimalField derives from IntegerField; the stubs narrow its to_python to Decimal
    # with their own ignore, which a subclass must repeat.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        number = super().to_python(value)
        if number is not None and number != number.to_integral_value():
            raise forms.ValidationError(self.error_messages["fraction"], code="fraction")
        return number if number is None else number.quantize(Decimal(1))

    @classmethod
    def for_column(cls, model: type[models.Model], name: str, **kwargs: Any) -> "MoneyField":
        bounds = column_bounds(model, name)
        bounds.pop("decimal_places", None)
        return cls(**{**bounds, **kwargs})


def number_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """A ModelForm's `formfield_callback`: number columns get the Vietnamese number fields,
    bounded by what the column holds; years stay plain (2026, not 2.026)."""
    if isinstance(db_field, models.DecimalField) and not db_field.choices:
        bounds = column_bounds(db_field.model, db_field.name)
        if db_field.decimal_places == 0:
            bounds.pop("decimal_places")
            return db_field.formfield(form_class=MoneyField, **{**bounds, **kwargs})
        return db_field.formfield(form_class=VietnameseDecimalField, **{**bounds, **kwargs})
    if db_field.get_internal_type() in COLUMN_RANGES and not db_field.choices:
        low, high = COLUMN_RANGES[db_field.get_internal_type()]
        if "year" in db_field.name:
            kwargs = {"min_value": 1900, "max_value": 2999, **kwargs}
            return db_field.formfield(**kwargs)
        kwargs = {"min_value": low, "max_value": high, **kwargs}
        return db_field.formfield(form_class=VietnameseIntegerField, **kwargs)
    return db_field.formfield(**kwargs)
