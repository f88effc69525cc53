"""Online tests: question banks and their import, contests, taking an attempt (phone first),
results per organization and their .xlsx export."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.forms import apply_errors, form_status
from llct.core.permissions import require
from llct.core.spreadsheets import XLSX_TYPE, file_response
from llct.core.types import AuthenticatedHttpRequest
from llct.organizations.selectors import organization_choices
from llct.portal.documents import document_choices
from llct.studies import contests as svc
from llct.studies.forms import BankForm, BankImportForm, ContestForm
from llct.studies.models import Attempt, QuestionBank


def bank_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(svc.may_manage_tests(request.user))
    form = BankForm(request.POST or None, documents=document_choices(user=request.user))
    if form.is_bound and form.is_valid():
        bank = svc.bank_create(**form.cleaned_data, actor=request.user)
        return redirect("studies:bank", bank.pk)
    banks = QuestionBank.objects.select_related("document").order_by("-created_at")
    return render(
        request, "studies/bank_list.html", {"banks": banks, "form": form}, status=form_status(form)
    )


def bank_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(svc.may_manage_tests(request.user))
    bank = get_object_or_404(QuestionBank.objects.select_related("document"), pk=pk)
    form = BankImportForm(request.POST or None, request.FILES or None)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = svc.bank_import(
                bank=bank, upload=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not result.errors:
                messages.success(request, _("%(n)s questions imported.") % {"n": result.imported})
                return redirect("studies:bank", bank.pk)
    context = {"bank": bank, "form": form, "result": result, "questions": bank.questions.all()}
    status = 422 if (result and result.errors) else form_status(form)
    return render(request, "studies/bank_detail.html", context, status=status)


def bank_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(svc.may_manage_tests(request.user))
    return file_response(
        svc.bank_template(), filename="mau-ngan-hang-cau-hoi.xlsx", content_type=XLSX_TYPE
    )


def contest_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(svc.may_manage_tests(request.user))
    form = ContestForm(request.POST or None, organizations=organization_choices(user=request.user))
    if form.is_bound and form.is_valid():
        try:
            contest = svc.contest_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The test is created."))
            return redirect("studies:contest", contest.pk)
    return render(request, "studies/contest_form.html", {"form": form}, status=form_status(form))


def contest_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contest = svc.contest_get(user=user, pk=pk)
    now = timezone.now()
    context: dict[str, Any] = {
        "contest": contest,
        "now": now,
        "open": contest.opens_at <= now < contest.closes_at,
        "may_see_results": svc.may_see_results(user),
    }
    if user.person_id:
        mine = list(svc.my_attempts(contest=contest, person_id=user.person_id))
        context["attempts"] = mine
        context["used"] = sum(1 for a in mine if a.week_start == svc.week_start(now))
        context["running"] = next(
            (a for a in mine if a.status == Attempt.Status.OPEN and a.deadline_at > now), None
        )
    return render(request, "studies/contest_detail.html", context)


@require_POST
def attempt_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    contest = svc.contest_get(user=user, pk=pk)
    person = user.person
    if person is None:
        raise Http404
    try:
        attempt = svc.attempt_start(contest=contest, person=person, now=timezone.now(), actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("studies:contest", contest.pk)
    return redirect("studies:attempt", attempt.pk)


def attempt_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The paper while the attempt runs; its result once submitted."""
    attempt = svc.attempt_get(user=request.user, pk=pk)
    now = timezone.now()
    context = {
        "attempt": attempt,
        "contest": attempt.contest,
        "now": now,
        "questions": svc.paper_questions(attempt),
        "remaining": max(0, int((attempt.deadline_at - now).total_seconds())),
    }
    return render(request, "studies/attempt.html", context)


@require_POST
def attempt_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attempt = svc.attempt_get(user=request.user, pk=pk)
    answers: dict[int, int] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("q") and key[1:].isdigit() and value.isdigit():
            answers[int(key[1:])] = int(value)
    attempt = svc.attempt_submit(
        attempt=attempt, answers=answers, now=timezone.now(), actor=request.user
    )
    if attempt.status == Attempt.Status.LATE:
        messages.error(request, _("Time was up: this submission does not count."))
    return redirect("studies:attempt", attempt.pk)


def contest_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(svc.may_see_results(user))
    contest = svc.contest_get(user=user, pk=pk)
    root = svc.results_root(user, contest)
    rows = svc.contest_results(contest=contest, within=root)
    if request.GET.get("format") == "xlsx":
        return file_response(
            svc.results_xlsx(contest=contest, rows=rows),
            filename=f"ket-qua-thi-{contest.pk}.xlsx",
            content_type=XLSX_TYPE,
        )
    return render(
        request, "studies/contest_results.html", {"contest": contest, "rows": rows, "root": root}
    )


urlpatterns: list[URLPattern] = [
    path("ngan-hang/", bank_list, name="banks"),
    path("ngan-hang/mau.xlsx", bank_template, name="bank_template"),
    path("ngan-hang/<int:pk>/", bank_detail, name="bank"),
    path("thi/them/", contest_create, name="contest_create"),
    path("thi/<int:pk>/", contest_detail, name="contest"),
    path("thi/<int:pk>/bat-dau/", attempt_start, name="attempt_start"),
    path("thi/<int:pk>/ket-qua/", contest_results, name="contest_results"),
    path("bai-thi/<int:pk>/", attempt_page, name="attempt"),
    path("bai-thi/<int:pk>/nop/", attempt_submit, name="attempt_submit"),
]
