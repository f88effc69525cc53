"""Indicators (llct.monitoring.indicators): each a numerator over a denominator for an
organization's subtree as of a date, rolled up by summing both. Counts only: no one's data."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema

from llct.api.auth import principal
from llct.api.endpoints.rolls import ONE_ERRORS, READ_ERRORS
from llct.api.errors import ApiError
from llct.api.pagination import DEFAULT_LIMIT, page
from llct.api.schemas import paged
from llct.monitoring import indicators
from llct.organizations import selectors
from llct.organizations.models import Organization

router = Router(tags=[gettext_noop("Indicators")])


class IndicatorOut(Schema):
    code: str
    label: str
    unit: str
    subject: str
    numerator_label: str
    denominator_label: str
    variants: list[str] = Field(description="Values the `variant` parameter accepts.")


class IndicatorValueOut(Schema):
    organization_id: int
    indicator: str
    as_of: dt.date
    year: int
    variant: str
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None = Field(description="In the indicator's unit; null without data.")


def _definition(i: indicators.Indicator) -> dict[str, Any]:
    return {
        "code": i.code,
        "label": str(i.label),
        "unit": str(i.unit),
        "subject": str(i.subject),
        "numerator_label": str(i.numerator_label),
        "denominator_label": str(i.denominator_label),
        "variants": [v for v, _label in i.variants()],
    }


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], **READ_ERRORS},
    summary=gettext_noop("The indicators targets are measured by"),
)
def indicator_list(request: HttpRequest) -> Any:
    return [_definition(i) for i in indicators.all_indicators()]


class ValueQuery(Schema):
    organization_id: int
    as_of: dt.date | None = None
    year: int | None = None
    variant: str = ""
    children: bool = Field(False, description="The organization's children, each its subtree.")
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(
    "/indicators/{code}/values",
    response={200: paged("IndicatorValuePage", IndicatorValueOut), **ONE_ERRORS},
    summary=gettext_noop(
        "An indicator's value for an organization's subtree (or each child's) as of a date"
    ),
)
def indicator_values(request: HttpRequest, code: str, query: Query[ValueQuery]) -> Any:
    indicator = _indicator(code, variant=query.variant)
    user = principal(request)
    organization = selectors.organization_get(user=user, pk=query.organization_id)
    as_of = query.as_of or timezone.localdate()
    year = query.year or as_of.year
    orgs = (
        selectors.organization_scope(user=user).filter(parent=organization)
        if query.children
        else selectors.organization_scope(user=user, include_dissolved=True).filter(
            pk=organization.pk
        )
    )
    result = page(orgs, cursor=query.cursor, limit=query.limit, render=lambda o: o)
    shown: list[Organization] = result["items"]
    values = indicator.compute_many(orgs=shown, as_of=as_of, year=year, variant=query.variant)
    head = {"indicator": indicator.code, "as_of": as_of, "year": year, "variant": query.variant}
    result["items"] = [_value_out(indicator, o, values[o.pk], head) for o in shown]
    return result


def _indicator(code: str, *, variant: str) -> indicators.Indicator:
    """The indicator of the code, with the variant it offers; 404 or 400 otherwise."""
    try:
        indicator = indicators.get(code)
    except KeyError:
        raise ApiError("not_found") from None
    if variant and variant not in {v for v, _label in indicator.variants()}:
        raise ApiError("invalid_request")
    return indicator


def _value_out(
    indicator: indicators.Indicator,
    organization: Organization,
    value: indicators.Value,
    head: dict[str, Any],
) -> dict[str, Any]:
    return {
        "organization_id": organization.pk,
        **head,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "value": indicator.value_of(value),
    }
