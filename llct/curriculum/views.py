"""Programmes, topics, lesson plans and lecturers.

Everyone signed in reads programmes and lesson plans; the department edits; a lecturer uploads
lesson plans for the topics they are approved for."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.files import open_stored
from llct.core.forms import apply_errors as _apply_errors
from llct.core.forms import form_status as _status
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.curriculum import selectors, services
from llct.curriculum.forms import (
    LecturerFilterForm,
    LecturerForm,
    LessonPlanForm,
    ProgrammeForm,
    TopicForm,
    person_options,
)
from llct.curriculum.models import Lecturer, Programme

# --- Programmes ---------------------------------------------------------------------------


def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_page(
        request,
        "curriculum/programme_list.html",
        {
            "programmes": selectors.programme_list(),
            "can_edit": selectors.can_edit_curriculum(request.user),
        },
    )


def programme_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(pk=pk)
    can_edit = selectors.can_edit_curriculum(request.user)
    approved = selectors.approved_topic_ids(request.user)
    topics = list(programme.topics.all())
    return render_page(
        request,
        "curriculum/programme_detail.html",
        {
            "programme": programme,
            "topics": topics,
            "can_edit": can_edit,
            "can_upload_ids": {t.pk for t in topics} if can_edit else approved,
            "topic_form": TopicForm() if can_edit else None,
        },
    )


def programme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_edit_curriculum(request.user))
    programme = selectors.programme_get(pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            # A fresh copy: a refused change must not leak into the page's heading.
            services.programme_update(
                programme=Programme.objects.get(pk=pk),
                data=form.programme_data(),
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("curriculum:programme_detail", pk=pk)
    return render_page(
        request,
        "curriculum/programme_form.html",
        {"programme": programme, "form": form},
        status=_status(form),
    )


# --- Topics -------------------------------------------------------------------------------


def _topic_url(topic: Any) -> str:
    return reverse("curriculum:programme_detail", args=[topic.programme_id]) + f"#topic-{topic.pk}"


def topic_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_edit_curriculum(request.user))
    programme = selectors.programme_get(pk=pk)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_add(programme=programme, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Added topic %(title)s.") % {"title": topic.title})
            return redirect(_topic_url(topic))
    return render_page(
        request,
        "curriculum/topic_form.html",
        {"programme": programme, "topic": None, "form": form},
        status=_status(form),
    )


def topic_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_edit_curriculum(request.user))
    topic = selectors.topic_get(pk=pk)
    form = TopicForm(
        request.POST or None, initial={"title": topic.title, "sessions": topic.sessions}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(topic=topic, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect(_topic_url(topic))
    return render_page(
        request,
        "curriculum/topic_form.html",
        {"programme": topic.programme, "topic": topic, "form": form},
        status=_status(form),
    )


@require_POST
def topic_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_edit_curriculum(request.user))
    topic = selectors.topic_get(pk=pk)
    try:
        services.topic_move(
            topic=topic, direction=request.POST.get("direction", ""), actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_topic_url(topic))


def topic_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_edit_curriculum(request.user))
    topic = selectors.topic_get(pk=pk)
    if request.method == "POST":
        try:
            services.topic_delete(topic=topic, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_topic_url(topic))
        messages.success(request, _("Deleted topic %(title)s.") % {"title": topic.title})
        return redirect("curriculum:programme_detail", pk=topic.programme_id)
    return render_page(
        request,
        "curriculum/topic_confirm_delete.html",
        {"topic": topic, "blockers": services.topic_delete_blockers(topic)},
    )


# --- Lesson plans -------------------------------------------------------------------------


def _topic_page(
    request: AuthenticatedHttpRequest, topic: Any, form: LessonPlanForm | None, status: int = 200
) -> HttpResponse:
    return render_page(
        request,
        "curriculum/topic_detail.html",
        {
            "topic": topic,
            "programme": topic.programme,
            "versions": selectors.lesson_plan_versions(topic=topic),
            "form": form,
            "can_edit": selectors.can_edit_curriculum(request.user),
        },
        fragment="versions",
        status=status,
    )


def topic_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    topic = selectors.topic_get(pk=pk)
    can_upload = selectors.can_upload_lesson_plan(request.user, topic)
    return _topic_page(request, topic, LessonPlanForm() if can_upload else None)


def lesson_plan_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    topic = selectors.topic_get(pk=pk)
    require(selectors.can_upload_lesson_plan(request.user, topic))
    if request.method != "POST":
        return redirect("curriculum:topic_detail", pk=topic.pk)
    form = LessonPlanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            plan = services.lesson_plan_add(
                topic=topic,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                author=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Version %(n)s of the lesson plan is saved.") % {"n": plan.version}
            )
            return redirect("curriculum:topic_detail", pk=topic.pk)
    return _topic_page(request, topic, form, status=422)


def lesson_plan_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Lesson plans are served through this view, never from a public media URL."""
    plan = selectors.lesson_plan_get(pk=pk)
    return FileResponse(open_stored(plan.file), as_attachment=True, filename=plan.original_name)


# --- Lecturers ----------------------------------------------------------------------------


def lecturer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(selectors.can_read_lecturers(request.user))
    form = LecturerFilterForm(request.GET or None)
    q, inactive = "", False
    if form.is_valid():
        q, inactive = form.cleaned_data["q"], form.cleaned_data["inactive"]
    lecturers = selectors.lecturer_list(q=q, include_inactive=inactive)
    return render_page(
        request,
        "curriculum/lecturer_list.html",
        {
            "form": form,
            "lecturers": lecturers,
            "can_edit": selectors.can_edit_curriculum(request.user),
        },
        fragment="results",
    )


def lecturer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_read_lecturers(request.user))
    lecturer = selectors.lecturer_get(pk=pk)
    today = timezone.localdate()
    log = selectors.lecturer_teaching_log(lecturer=lecturer, today=today)
    return render_page(
        request,
        "curriculum/lecturer_detail.html",
        {
            "lecturer": lecturer,
            "log": log,
            "total_sessions": sum(row.sessions for row in log),
            "recent": selectors.lecturer_recent_sessions(lecturer=lecturer, today=today),
            "upcoming": selectors.lecturer_upcoming_sessions(lecturer=lecturer, today=today),
            "can_edit": selectors.can_edit_curriculum(request.user),
        },
    )


def _lecturer_form(request: AuthenticatedHttpRequest, lecturer: Lecturer | None) -> HttpResponse:
    require(selectors.can_edit_curriculum(request.user))
    initial = {"topics": list(lecturer.topics.all())} if lecturer else None
    form = LecturerForm(request.POST or None, instance=lecturer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.lecturer_save(
                lecturer=lecturer,
                data=form.lecturer_data(),
                topics=list(form.cleaned_data["topics"]),
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("curriculum:lecturer_detail", pk=saved.pk)
    context = {"lecturer": lecturer, "form": form}
    return render_page(request, "curriculum/lecturer_form.html", context, status=_status(form))


def lecturer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _lecturer_form(request, None)


def lecturer_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require(selectors.can_edit_curriculum(request.user))
    return _lecturer_form(request, selectors.lecturer_get(pk=pk))


def lecturer_person_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The <option>s of the person select for a name search (htmx)."""
    require(selectors.can_edit_curriculum(request.user))
    options = person_options(
        q=request.GET.get("person_q", ""),
        current=request.GET.get("person"),
        empty_label=_("— not on the rolls —"),
    )
    selected = request.GET.get("person", "")
    return render_page(
        request,
        "curriculum/lecturer_form.html#person_options",
        {"options": options, "selected": selected},
    )


urlpatterns: list[URLPattern] = [
    path("", programme_list, name="programme_list"),
    path("<int:pk>/", programme_detail, name="programme_detail"),
    path("<int:pk>/sua/", programme_edit, name="programme_edit"),
    path("<int:pk>/them-chuyen-de/", topic_create, name="topic_create"),
    path("chuyen-de/<int:pk>/", topic_detail, name="topic_detail"),
    path("chuyen-de/<int:pk>/sua/", topic_edit, name="topic_edit"),
    path("chuyen-de/<int:pk>/di-chuyen/", topic_move, name="topic_move"),
    path("chuyen-de/<int:pk>/xoa/", topic_delete, name="topic_delete"),
    path("chuyen-de/<int:pk>/giao-an/", lesson_plan_upload, name="lesson_plan_upload"),
    path("giao-an/<int:pk>/tai-ve/", lesson_plan_download, name="lesson_plan_download"),
    path("giang-vien/", lecturer_list, name="lecturer_list"),
    path("giang-vien/them/", lecturer_create, name="lecturer_create"),
    path("giang-vien/tim-nguoi/", lecturer_person_options, name="lecturer_person_options"),
    path("giang-vien/<int:pk>/", lecturer_detail, name="lecturer_detail"),
    path("giang-vien/<int:pk>/sua/", lecturer_edit, name="lecturer_edit"),
]
