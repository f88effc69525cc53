"""Certificates (and their verification), nominations and annual plans."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema

from llct.api.auth import principal
from llct.api.endpoints.rolls import ONE_ERRORS, READ_ERRORS
from llct.api.errors import ApiError
from llct.api.pagination import DEFAULT_LIMIT, page
from llct.api.schemas import (
    CertificateOut,
    NominationOut,
    Paging,
    PlanDetailOut,
    PlanOut,
    VerificationOut,
    paged,
)
from llct.assessment import certificates
from llct.assessment.models import Certificate
from llct.organizations import selectors as org_selectors
from llct.planning.models import AnnualPlan, Nomination
from llct.planning.nominations.selectors import nomination_list
from llct.planning.plans import budget as plan_budget
from llct.planning.plans import permissions as plan_permissions
from llct.planning.plans import selectors as plan_selectors

router = Router(tags=[gettext_noop("Certificates, nominations and plans")])


# --- Certificates ------------------------------------------------------------------------------


def certificate_out(c: Certificate, today: dt.date) -> dict[str, Any]:
    return {
        "id": c.pk,
        "serial": c.serial,
        "status": c.status,
        "status_today": certificates.certificate_status_on(c, today),
        "person_id": c.person_id,
        "holder_name": c.holder_name,
        "programme_id": c.programme_id,
        "course_id": c.course_id,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
        "issuer_name": c.issuer_name,
        "revoked_on": c.revoked_on,
        "revoke_reason": c.revoke_reason,
        "replaces_id": c.replaces_id,
    }


class CertificateFilter(Schema):
    programme_id: int | None = None
    year: int | None = None
    organization_id: int | None = None
    course_id: int | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(
    "/certificates",
    response={200: paged("CertificatePage", CertificateOut), **ONE_ERRORS},
    summary=gettext_noop("The certificate register within the token's scope"),
)
def certificate_list(request: HttpRequest, filters: Query[CertificateFilter]) -> Any:
    user = principal(request)
    organization = None
    if filters.organization_id is not None:
        organization = org_selectors.organization_get(user=user, pk=filters.organization_id)
    qs = certificates.certificate_register(
        user=user,
        programme_id=filters.programme_id,
        year=filters.year,
        organization=organization,
        course_id=filters.course_id,
    )
    today = timezone.localdate()
    return page(
        qs, cursor=filters.cursor, limit=filters.limit, render=lambda c: certificate_out(c, today)
    )


class VerifyQuery(Schema):
    code: str = ""
    serial: str = ""
    on: dt.date | None = None


@router.get(
    "/certificates/verify",
    response={200: VerificationOut, **ONE_ERRORS},
    summary=gettext_noop("Verify a certificate by its QR code or serial, as the public page does"),
    description=gettext_noop(
        "Answers what the public verification page shows anyone holding the certificate: its "
        "facts and its status on a day (today by default). Nothing else about the holder."
    ),
)
def certificate_verify(request: HttpRequest, query: Query[VerifyQuery]) -> Any:
    qs = Certificate.objects.select_related("programme")
    if query.code:
        found = list(qs.filter(code=query.code)[:2])
    elif query.serial:
        found = list(qs.filter(serial=query.serial.strip())[:2])
    else:
        raise ApiError("invalid_request")
    if len(found) != 1:
        raise ApiError("not_found")
    certificate = found[0]
    on = query.on or timezone.localdate()
    return {
        "serial": certificate.serial,
        "status": certificates.certificate_status_on(certificate, on),
        "on": on,
        "holder_name": certificate.holder_name,
        "programme": certificate.programme.name,
        "issuer_name": certificate.issuer_name,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "revoked_on": certificate.revoked_on,
    }


@router.get(
    "/certificates/{int:certificate_id}",
    response={200: CertificateOut, **ONE_ERRORS},
    summary=gettext_noop("One certificate"),
)
def certificate_detail(request: HttpRequest, certificate_id: int) -> Any:
    certificate = certificates.certificate_get(user=principal(request), pk=certificate_id)
    return certificate_out(certificate, timezone.localdate())


# --- Nominations -----------------------------------------------------------------------------


def nomination_out(n: Nomination) -> dict[str, Any]:
    return {
        "id": n.pk,
        "year": n.submission.round.year,
        "organization_id": n.submission.organization_id,
        "submission_status": n.submission.status,
        "person_id": n.person_id,
        "programme_id": n.programme_id,
        "quarter": n.quarter,
        "priority": n.priority,
        "rule": n.rule,
    }


class NominationFilter(Schema):
    year: int | None = None
    programme_id: int | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get(
    "/nominations",
    response={200: paged("NominationPage", NominationOut), **READ_ERRORS},
    summary=gettext_noop("Nominations of the organizations within the token's scope"),
)
def nominations(request: HttpRequest, filters: Query[NominationFilter]) -> Any:
    qs = nomination_list(user=principal(request), year=filters.year)
    if filters.programme_id is not None:
        qs = qs.filter(programme_id=filters.programme_id)
    return page(qs, cursor=filters.cursor, limit=filters.limit, render=nomination_out)


# --- Annual plans --------------------------------------------------------------------------------


def plan_out(p: AnnualPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "year": p.year,
        "number": p.number,
        "title": p.title,
        "status": p.status,
        "issuer_id": p.issuer_id,
    }


@router.get(
    "/plans",
    response={200: paged("PlanPage", PlanOut), **READ_ERRORS},
    summary=gettext_noop("Annual training plans (the department and leaders)"),
)
def plan_list(request: HttpRequest, paging: Query[Paging]) -> Any:
    if not plan_permissions.can_read_plans(principal(request)):
        raise ApiError("forbidden")
    qs = plan_selectors.plan_list(user=principal(request))
    return page(qs, cursor=paging.cursor, limit=paging.limit, render=plan_out)


@router.get(
    "/plans/{int:plan_id}",
    response={200: PlanDetailOut, **ONE_ERRORS},
    summary=gettext_noop("One annual plan with its planned courses and budget total"),
)
def plan_detail(request: HttpRequest, plan_id: int) -> Any:
    plan = plan_selectors.plan_get(user=principal(request), pk=plan_id)
    courses = plan_selectors.planned_courses(plan=plan)
    totals = plan_budget.plan_totals(plan_budget.budget_lines(plan=plan), plan.facility_needs.all())
    return {
        **plan_out(plan),
        "planned_courses": [
            {
                "id": c.pk,
                "programme_id": c.programme_id,
                "name": c.name,
                "month": c.month,
                "sessions": c.sessions,
                "organizer_id": c.organizer_id,
                "venue_id": c.venue_id,
                "course_id": c.course_id,
            }
            for c in courses
        ],
        "budget_total": totals.grand,
    }
