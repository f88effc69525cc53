"""The tree and the rolls: organizations (as of a date), people, and people written in bulk."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema

from llct.api.auth import principal, require_personal, require_write, token_of
from llct.api.errors import ApiError
from llct.api.idempotency import IdempotencyKey, run_idempotent
from llct.api.pagination import DEFAULT_LIMIT, page
from llct.api.schemas import (
    ErrorOut,
    ImportOut,
    OrganizationOut,
    PeopleBulkIn,
    PersonOut,
    paged,
)
from llct.core.permissions import can_edit_rolls
from llct.organizations import selectors
from llct.organizations.models import Organization, OrganizationVersion, Person, TheoryLevel
from llct.organizations.roster.imports import ImportResult, person_import_rows

router = Router(tags=[gettext_noop("Tree and rolls")])
READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
ONE_ERRORS: dict[int, Any] = {**READ_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ONE_ERRORS, 409: ErrorOut, 429: ErrorOut}
PERSONAL_FIELDS = ("date_of_birth", "party_card_no")


# --- Organizations -----------------------------------------------------------------------------


def organization_out(o: Organization) -> dict[str, Any]:
    return {
        "id": o.pk,
        "code": o.code,
        "name": o.name,
        "kind": o.kind.code,
        "kind_name": o.kind.name,
        "parent_id": o.parent_id,
        "founded_on": o.founded_on,
        "dissolved_on": o.dissolved_on,
        "as_of": None,
    }


def version_out(v: OrganizationVersion, on: dt.date) -> dict[str, Any]:
    o = v.organization
    return {
        "id": o.pk,
        "code": o.code,
        "name": v.name,
        "kind": v.kind.code,
        "kind_name": v.kind.name,
        "parent_id": v.parent_id,
        "founded_on": o.founded_on,
        "dissolved_on": o.dissolved_on,
        "as_of": on,
    }


class OrganizationFilter(Schema):
    as_of: dt.date | None = None
    parent_id: int | None = None
    include_dissolved: bool = False
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(
    "/organizations",
    response={200: paged("OrganizationPage", OrganizationOut), **READ_ERRORS},
    summary=gettext_noop("Organizations within the token's scope, today or as of a date"),
)
def organization_list(request: HttpRequest, filters: Query[OrganizationFilter]) -> Any:
    user = principal(request)
    as_of = filters.as_of
    if as_of is not None:
        versions = selectors.organization_versions_as_of(user=user, on=as_of)
        versions = versions.select_related("organization", "kind")
        if filters.parent_id is not None:
            versions = versions.filter(parent_id=filters.parent_id)
        # Versions are paged by their organization: one version per organization on a day.
        result = page(
            versions.order_by("organization_id"),
            cursor=filters.cursor,
            limit=filters.limit,
            render=lambda v: version_out(v, as_of),
            key="organization_id",
        )
        return result
    qs = selectors.organization_scope(user=user, include_dissolved=filters.include_dissolved)
    if filters.parent_id is not None:
        qs = qs.filter(parent_id=filters.parent_id)
    return page(qs, cursor=filters.cursor, limit=filters.limit, render=organization_out)


@router.get(
    "/organizations/{int:organization_id}",
    response={200: OrganizationOut, **ONE_ERRORS},
    summary=gettext_noop("One organization"),
)
def organization_detail(request: HttpRequest, organization_id: int) -> Any:
    return organization_out(selectors.organization_get(user=principal(request), pk=organization_id))


# --- People ------------------------------------------------------------------------------------


def person_out(p: Person, *, personal: bool) -> dict[str, Any]:
    return {
        "id": p.pk,
        "full_name": p.full_name,
        "sex": p.sex,
        "position": p.position,
        "organization_id": p.organization_id,
        "stage": p.stage,
        "admitted_on": p.admitted_on,
        "full_member_on": p.full_member_on,
        "theory_level": TheoryLevel(p.theory_level).code,
        "theory_level_name": str(TheoryLevel(p.theory_level).label),
        "updated_at": p.updated_at,
        "date_of_birth": p.date_of_birth if personal else None,
        "party_card_no": p.party_card_no if personal else None,
    }


class PersonFilter(Schema):
    organization_id: int | None = None
    subtree: bool = True
    stage: str = ""
    theory_level: str = ""
    q: str = ""
    updated_since: dt.datetime | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


def _level(code: str) -> int | None:
    if not code:
        return None
    for level in TheoryLevel:
        if level.code == code.upper() or (code.upper() == "NONE" and level == TheoryLevel.NONE):
            return int(level)
    raise ApiError("invalid_request", _("Unknown theory level code: use SC, TC, CC, CN or NONE."))


@router.get(
    "/people",
    response={200: paged("PersonPage", PersonOut), **READ_ERRORS, 404: ErrorOut},
    summary=gettext_noop("People within the token's scope"),
)
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    user = principal(request)
    organization = None
    if filters.organization_id is not None:
        organization = selectors.organization_get(user=user, pk=filters.organization_id)
    qs = selectors.person_list(
        user=user,
        filters=selectors.PersonFilter(
            q=filters.q,
            organization=organization,
            subtree=filters.subtree,
            stage=filters.stage,
            theory_level=_level(filters.theory_level),
        ),
    )
    if filters.updated_since is not None:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    personal = token_of(request).personal_data
    return page(
        qs,
        cursor=filters.cursor,
        limit=filters.limit,
        render=lambda p: person_out(p, personal=personal),
    )


@router.get(
    "/people/{int:person_id}",
    response={200: PersonOut, **ONE_ERRORS},
    summary=gettext_noop("One person"),
)
def person_detail(request: HttpRequest, person_id: int) -> Any:
    person = selectors.person_get(user=principal(request), pk=person_id)
    return person_out(person, personal=token_of(request).personal_data)


def import_out(result: ImportResult) -> dict[str, Any]:
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "dry_run": result.dry_run,
        "rejected": [r.as_dict() for r in result.rejected],
    }


def import_answer(result: ImportResult) -> tuple[int, dict[str, Any]]:
    """200 with the counts, or 422 rows_rejected with every rejected row (nothing written)."""
    data = import_out(result)
    if result.rejected:
        n = len(result.rejected)
        raise ApiError(
            "rows_rejected",
            _("%(n)s row(s) rejected; nothing was written.") % {"n": n},
            details=data,
        )
    return 200, data


@router.post(
    "/people/bulk",
    response={200: ImportOut, **WRITE_ERRORS},
    summary=gettext_noop(
        "Add or update people in bulk, all or nothing (the roster import's rules)"
    ),
    description=gettext_noop(
        "Rows are matched as the roster import matches them (party card number, else name and "
        "date of birth in the organization's subtree); a blank value changes nothing. When any "
        "row is rejected nothing is written and the answer (422 rows_rejected) lists every "
        "rejected row with its reasons in `error.details.rejected`. Needs a token that may "
        "write; date_of_birth and party_card_no need the personal-data permission."
    ),
)
def people_bulk(
    request: HttpRequest,
    payload: PeopleBulkIn,
    idempotency_key: IdempotencyKey,
) -> JsonResponse:
    require_write(request)
    rows = [row.model_dump() for row in payload.rows]
    if any(row[name] for row in rows for name in PERSONAL_FIELDS):
        require_personal(request)
    user = principal(request)
    organization = selectors.organization_get(user=user, pk=payload.organization_id)
    if not can_edit_rolls(user):
        raise ApiError("forbidden")

    def work() -> tuple[int, dict[str, Any]]:
        result = person_import_rows(
            rows=rows,
            organization=organization,
            actor=user,
            today=timezone.localdate(),
            dry_run=payload.dry_run,
            note=_("Sent by %(name)s through the API") % {"name": token_of(request).name},
        )
        return import_answer(result)

    return run_idempotent(request, idempotency_key, work)
