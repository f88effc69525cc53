"""Numbers as a Vietnamese writes them, bounded by what the column holds."""

from decimal import Decimal as D

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from llct.core.forms import (
    MoneyField,
    VietnameseDecimalField,
    VietnameseIntegerField,
    column_bounds,
    format_number,
    parse_number,
)
from llct.planning.models import BudgetNorms, PlannedCourse


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.500.000", D(1_500_000)),
        ("1.500.000,5", D("1500000.5")),
        ("1 500 000 đ", D(1_500_000)),
        ("1.500.000 VND", D(1_500_000)),
        ("8,5", D("8.5")),
        ("8.5", D("8.5")),
        ("1.500", D(1500)),
        ("2000", D(2000)),
        ("-3", D(-3)),
    ],
)
def test_numbers_are_read_as_written(typed, value):
    assert parse_number(typed) == value


@pytest.mark.parametrize("typed", ["1,500,000", "1.50.000", "một triệu", "1,5,5", "", "1e5"])
def test_ambiguous_or_wordy_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        parse_number(typed)


def test_numbers_are_shown_as_written():
    assert format_number(1_500_000) == "1.500.000"
    assert format_number(D("1500000.50"), 2) == "1.500.000,5"


def test_money_with_a_decimal_part_is_refused_not_read_as_fifteen_million():
    with pytest.raises(forms.ValidationError) as raised:
        MoneyField().clean("1.500.000,5")
    assert raised.value.code == "fraction"
    assert MoneyField().clean("1.500.000") == D(1_500_000)


def test_a_count_with_a_decimal_part_is_refused():
    field = VietnameseIntegerField(min_value=0, max_value=100_000)
    assert field.clean("1.500") == 1500
    with pytest.raises(forms.ValidationError):
        field.clean("1.500,5")
    with pytest.raises(forms.ValidationError):
        field.clean("100.001")


def test_a_decimal_keeps_its_decimal_part():
    field = VietnameseDecimalField(max_digits=14, decimal_places=2)
    assert field.clean("1.500.000,5") == D("1500000.5")


def test_bounds_come_from_the_column():
    assert column_bounds(PlannedCourse, "expected_learners") == {
        "min_value": 0,
        "max_value": 2_147_483_647,
    }
    money = column_bounds(BudgetNorms, "fee_guest")
    assert money["max_value"] == D("99999999999999")
    with pytest.raises(forms.ValidationError):
        MoneyField.for_column(BudgetNorms, "fee_guest").clean("100.000.000.000.000")


def test_a_fifteen_digit_norm_is_refused_with_a_message_and_the_page_still_works(client, world):
    client.force_login(world.department)
    url = reverse("planning:norms")
    data = {
        "fee_part_time": "123.456.789.012.345",
        "fee_guest": "1.500.000,5",
        "fee_full_time": "300.000",
        "materials_per_learner": "160.000",
        "venue_per_day": "2.500.000",
        "other_per_course": "1.000.000",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert 'value="123.456.789.012.345"' in response.text  # what was typed is kept
    assert 'value="1.500.000,5"' in response.text
    assert BudgetNorms.current().fee_guest == D(800_000)
    assert client.get(url).status_code == 200


def test_the_model_refuses_what_the_column_cannot_hold_on_every_database(world):
    """The API and imports go through full_clean(): on SQLite too, a count beyond PostgreSQL's
    integer column is refused instead of stored."""
    from llct.courses.models import Venue

    venue = Venue(name="Hội trường lớn", capacity=10**15)
    with pytest.raises(ValidationError) as raised:
        venue.full_clean()
    assert "capacity" in raised.value.message_dict


def test_every_number_field_of_every_form_reads_vietnamese_numbers():
    """Each money and count field on a form is one of the core's number fields (years and
    scores aside), so "1.500.000" means the same everywhere."""
    import glob
    import importlib
    import inspect

    from llct.core.forms import MoneyField as Money

    plain = []
    for path in sorted(glob.glob("llct/*/forms*.py") + glob.glob("llct/*/views*.py")):
        module = importlib.import_module(path[:-3].replace("/", "."))
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, forms.BaseForm)):
                continue
            if cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field.widget, forms.HiddenInput) or "year" in field_name:
                    continue
                if isinstance(field, forms.IntegerField | forms.DecimalField) and not isinstance(
                    field, VietnameseIntegerField | VietnameseDecimalField | Money
                ):
                    plain.append(f"{module.__name__}.{name}.{field_name}")
    allowed = {
        # Topics: a small count with its own bounds (1 to 200).
        "llct.curriculum.forms.TopicForm.sessions",
        # Days with a decimal comma: the curriculum's own field, bounded to the column.
        "llct.curriculum.forms.ProgrammeForm.default_days",
        # A checklist position, 1 to 999.
        "llct.reviews.forms.ChecklistItemForm.position",
    }
    assert set(plain) <= allowed, sorted(set(plain) - allowed)
