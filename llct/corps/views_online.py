"""Online classes: the learner's join (recorded, then redirected to the room) and the staff
page of an online session with its participant-report import."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.corps import online
from llct.corps.models import OnlineJoin, OnlinePresence
from llct.courses.attendance import may_take_attendance, session_get
from llct.courses.models import Session


class ReportForm(forms.Form):
    file = forms.FileField(
        label=_("Participant report (.csv)"),
        help_text=_(
            "Columns: name or email, join time, leave time (as the meeting service exports)."
        ),
    )


def online_join(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = Session.objects.select_related("course__venue", "venue").filter(pk=pk).first()
    if session is None:
        raise Http404
    url = online.online_join(user=request.user, session=session, now=timezone.now())
    return redirect(url)


@require_http_methods(["GET", "POST"])
def online_session(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = session_get(user=request.user, pk=pk)
    require(may_take_attendance(request.user, session) and online.is_online(session))
    form = ReportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = online.online_report_import(
            file=form.cleaned_data["file"], session=session, actor=request.user
        )
    context = {
        "session": session,
        "url": online.join_url(session),
        "form": form,
        "result": result,
        "joins": OnlineJoin.objects.filter(session=session).select_related("enrolment__person"),
        "presence": OnlinePresence.objects.filter(session=session)
        .select_related("enrolment__person")
        .order_by("enrolment__person__sort_key"),
    }
    return render(request, "corps/online_session.html", context)


urlpatterns: list[URLPattern] = [
    path("truc-tuyen/<int:pk>/vao/", online_join, name="online_join"),
    path("truc-tuyen/<int:pk>/", online_session, name="online_session"),
]
