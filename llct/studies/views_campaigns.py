"""Resolution-study campaigns: the list, launching one, a campaign's page (participation rolled
up the tree for staff, attendance and essay for a learner), conferences and their attendance,
who missed them, essays and their grading."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.capabilities import Capability, has_capability
from llct.core.files import open_stored
from llct.core.forms import apply_errors, form_status
from llct.core.permissions import can_read_rolls, require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.organizations.selectors import organization_choices
from llct.portal.documents import document_choices
from llct.studies import campaigns as svc
from llct.studies.contests import contest_list
from llct.studies.forms import (
    CampaignForm,
    ConferenceForm,
    EssayForm,
    GradeForm,
    attendee_ids,
    people,
)


def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "campaigns": svc.campaign_list(user=user),
        "contests": contest_list(user=user)[:20],
        "can_manage": svc.may_manage_campaigns(user),
        "today": timezone.localdate(),
    }
    return render(request, "studies/campaign_list.html", context)


def campaign_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(svc.may_manage_campaigns(request.user))
    form = CampaignForm(
        request.POST or None,
        documents=document_choices(user=request.user),
        organizations=organization_choices(user=request.user),
    )
    if form.is_bound and form.is_valid():
        try:
            campaign = svc.campaign_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The campaign is launched."))
            return redirect("studies:campaign", campaign.pk)
    return render(request, "studies/campaign_form.html", {"form": form}, status=form_status(form))


def campaign_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = svc.campaign_get(user=user, pk=pk)
    today = timezone.localdate()
    context: dict[str, Any] = {"campaign": campaign, "today": today}
    if can_read_rolls(user):
        root = svc.scope_root(user, campaign)
        context.update(
            root=root,
            rows=svc.participation_tree(campaign=campaign, within=root, as_of=today),
            conferences=svc.conference_list(campaign=campaign, within=root),
            may_record=svc.may_record_for(user, root),
            essays_count=svc.essays_to_grade(user=user, campaign=campaign).count(),
        )
    if user.person_id:
        context["essay"] = campaign.essays.filter(person_id=user.person_id).first()
        context["attended"] = svc.attendance_map(campaign, [user.person_id]).get(user.person_id)
        context["essay_form"] = EssayForm(initial={"text": getattr(context["essay"], "text", "")})
    return render(request, "studies/campaign_detail.html", context)


def conference_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = svc.campaign_get(user=user, pk=pk)
    orgs = organization_choices(user=user).filter(path__startswith=campaign.organization.path)
    require(can_read_rolls(user) and has_capability(user, Capability.RECORD_STUDY))
    initial = {
        "is_makeup": request.GET.get("makeup") == "1",
        "organization": request.GET.get("organization"),
    }
    form = ConferenceForm(request.POST or None, organizations=orgs, initial=initial)
    if form.is_bound and form.is_valid():
        today = timezone.localdate()
        try:
            conference = svc.conference_record(
                campaign=campaign, **form.cleaned_data, attendees=[], today=today, actor=user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The conference is recorded. Tick who attended."))
            return redirect("studies:conference", conference.pk)
    context = {"form": form, "campaign": campaign}
    return render(request, "studies/conference_form.html", context, status=form_status(form))


def conference_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    conference = svc.conference_get(user=user, pk=pk)
    campaign = conference.campaign
    audience = (
        svc.campaign_audience(campaign, within=conference.organization)
        .select_related("organization")
        .order_by("organization__path", "sort_key")
    )
    present = set(conference.attendance.values_list("person_id", flat=True))
    context = {
        "conference": conference,
        "campaign": campaign,
        "audience": audience,
        "present": present,
        "may_record": svc.may_record_for(user, conference.organization),
        "held": conference.held_on <= timezone.localdate(),
    }
    return render(request, "studies/conference_detail.html", context)


@require_POST
def conference_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conference = svc.conference_get(user=request.user, pk=pk)
    try:
        svc.conference_set_attendance(
            conference=conference,
            attendees=people(attendee_ids(request.POST)),
            today=timezone.localdate(),
            actor=request.user,
        )
        messages.success(request, _("Attendance is saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("studies:conference", conference.pk)


def absentees(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(can_read_rolls(user))
    campaign = svc.campaign_get(user=user, pk=pk)
    root = svc.scope_root(user, campaign)
    people_missing = svc.absentees(campaign=campaign, within=root, as_of=timezone.localdate())
    context = {
        "campaign": campaign,
        "root": root,
        "people": people_missing[:1000],
        "count": people_missing.count(),
        "may_record": svc.may_record_for(user, root),
    }
    return render(request, "studies/absentees.html", context)


@require_POST
def essay_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = svc.campaign_get(user=user, pk=pk)
    person = user.person
    if person is None:
        raise Http404
    form = EssayForm(request.POST, request.FILES)
    form.is_valid()
    try:
        svc.essay_submit(
            campaign=campaign,
            person=person,
            text=form.cleaned_data.get("text") or "",
            upload=form.cleaned_data.get("file"),
            now=timezone.now(),
            actor=user,
        )
        messages.success(request, _("Your essay is submitted."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("studies:campaign", campaign.pk)


def essay_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(can_read_rolls(user) and has_capability(user, Capability.RECORD_STUDY))
    campaign = svc.campaign_get(user=user, pk=pk)
    essays = svc.essays_to_grade(user=user, campaign=campaign)
    context = {"campaign": campaign, "essays": essays, "grade_form": GradeForm()}
    return render(request, "studies/essay_list.html", context)


def essay_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    essay = svc.essay_get(user=request.user, pk=pk)
    may_grade = svc.may_grade(request.user, essay)
    form = GradeForm(request.POST or None, initial={"grade": essay.grade, "comment": essay.comment})
    if request.method == "POST":
        require(may_grade)
        if form.is_valid():
            try:
                svc.essay_grade(
                    essay=essay, **form.cleaned_data, now=timezone.now(), actor=request.user
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The grade is saved."))
                announce_merge(request, form)
                return redirect("studies:essays", essay.campaign_id)
    context = {"essay": essay, "form": form, "may_grade": may_grade}
    return render(request, "studies/essay_detail.html", context, status=form_status(form))


def essay_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    essay = svc.essay_get(user=request.user, pk=pk)
    response = FileResponse(
        open_stored(essay.file), as_attachment=True, filename=essay.original_name
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("", campaign_list, name="index"),
    path("dot/them/", campaign_create, name="campaign_create"),
    path("dot/<int:pk>/", campaign_detail, name="campaign"),
    path("dot/<int:pk>/hoi-nghi/them/", conference_create, name="conference_create"),
    path("dot/<int:pk>/vang/", absentees, name="absentees"),
    path("dot/<int:pk>/bai-thu-hoach/", essay_submit, name="essay_submit"),
    path("dot/<int:pk>/cham/", essay_list, name="essays"),
    path("hoi-nghi/<int:pk>/", conference_detail, name="conference"),
    path("hoi-nghi/<int:pk>/diem-danh/", conference_attendance, name="conference_attendance"),
    path("bai-thu-hoach/<int:pk>/", essay_detail, name="essay"),
    path("bai-thu-hoach/<int:pk>/tep/", essay_file, name="essay_file"),
]
