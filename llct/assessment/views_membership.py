"""Membership pages: the membership section of a person's page, recording an admission or a full
membership decision, and the department's list of exceptions. The rules are in `membership`."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.assessment import membership
from llct.assessment.forms_membership import DecisionForm
from llct.assessment.models import MembershipDecision
from llct.core.capabilities import Capability, has_capability
from llct.core.forms import apply_errors, form_status, query_without_page
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.organizations.models import MembershipRules, MembershipStage
from llct.organizations.selectors import person_get

EXCEPTIONS_PAGE_SIZE = 50
STAGE_FOR: dict[str, str] = {
    MembershipDecision.Kind.ADMISSION: MembershipStage.CANDIDATE,
    MembershipDecision.Kind.FULL: MembershipStage.PROBATIONARY,
}
RECORD: dict[str, Callable[..., MembershipDecision]] = {
    MembershipDecision.Kind.ADMISSION: membership.admission_record,
    MembershipDecision.Kind.FULL: membership.full_membership_record,
}


def _today() -> dt.date:
    return timezone.localdate()


def membership_section(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The person's decisions, probation clock and actions; an htmx request (the section on the
    person's page) gets the section alone."""
    person = person_get(user=request.user, pk=pk)
    data = membership.person_membership(person=person, user=request.user, today=_today())
    return render_page(
        request, "assessment/membership.html", {"person": person, "data": data}, fragment="section"
    )


def _evidence(person: Any, kind: str, today: dt.date) -> dict[str, Any]:
    if kind == MembershipDecision.Kind.ADMISSION:
        return {"certificates": membership.admission_certificates(person=person)}
    return {
        "check": membership.new_member_check(person=person),
        "clock": membership.probation_clock(person, today=today),
    }


def _decision(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    require(membership.may_record_decisions(request.user))
    person = person_get(user=request.user, pk=pk)
    today, rules = _today(), MembershipRules.current()
    committees = list(membership.decision_committees(person=person).select_related("kind"))
    form = DecisionForm(
        request.POST or None,
        committees=committees,
        exceptions_allowed=rules.exceptions_allowed,
        initial={"decided_on": today, "issued_by": membership.default_committee(committees)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = RECORD[kind]
            decision = record(person=person, actor=request.user, today=today, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _recorded(decision))
            return redirect("organizations:person_detail", pk=person.pk)
    context = {"person": person, "form": form, "kind": kind, "rules": rules, "today": today}
    context |= {"right_stage": person.stage == STAGE_FOR[kind], **_evidence(person, kind, today)}
    status = form_status(form)
    return render_page(request, "assessment/membership_decision.html", context, status=status)


def _recorded(decision: MembershipDecision) -> str:
    values = {
        "name": decision.person.full_name,
        "number": decision.number,
        "date": decision.decided_on.strftime("%d/%m/%Y"),
    }
    if decision.kind == MembershipDecision.Kind.ADMISSION:
        text = _("Recorded the admission of %(name)s: decision %(number)s of %(date)s.") % values
    else:
        text = (
            _("Recorded the full membership of %(name)s: decision %(number)s of %(date)s.") % values
        )
    if decision.is_exception:
        text += " " + _("It is recorded as an exception.")
    return text


def admission(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, MembershipDecision.Kind.ADMISSION)


def full_membership(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decision(request, pk, MembershipDecision.Kind.FULL)


def exceptions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The department's list of decisions recorded as exceptions (leaders read it too)."""
    user = request.user
    require(has_capability(user, Capability.READ_MEMBERSHIP_EXCEPTIONS))
    kind = request.GET.get("kind", "")
    kind = kind if kind in MembershipDecision.Kind.values else ""
    decisions = membership.membership_exceptions(user=user, kind=kind)
    page = Paginator(decisions, EXCEPTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "assessment/membership_exceptions.html",
        {
            "page": page,
            "kind": kind,
            "kinds": MembershipDecision.Kind.choices,
            "query": query_without_page(request),
            "rules": MembershipRules.current(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/", membership_section, name="person"),
    path("<int:pk>/ket-nap/", admission, name="admit"),
    path("<int:pk>/cong-nhan-chinh-thuc/", full_membership, name="recognize"),
    path("ngoai-le/", exceptions, name="exceptions"),
]
