"""Project pages: projects, targets (and values entered by hand), tasks, assignments and their
progress reports, settings. Views parse, call a service, redirect or render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.files import open_stored
from llct.core.forms import apply_errors, form_status
from llct.core.htmx import render_page
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.monitoring import dashboard, selectors, services
from llct.monitoring.forms import (
    EntryForm,
    ProjectForm,
    ReportForm,
    SettingsForm,
    TargetForm,
    TaskForm,
)
from llct.monitoring.models import (
    Assignment,
    MonitoringSettings,
    ProgressReport,
    Project,
    Target,
    TargetEntry,
    Task,
)
from llct.organizations.selectors import organization_choices


def _reader(request: AuthenticatedHttpRequest) -> Any:
    require(selectors.can_read_projects(request.user))
    return request.user


def _manager(request: AuthenticatedHttpRequest) -> Any:
    require(selectors.can_manage_projects(request.user))
    return request.user


def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _reader(request)
    return render_page(
        request,
        "monitoring/project_list.html",
        {
            "projects": selectors.project_list(user=user),
            "can_manage": selectors.can_manage_projects(user),
        },
    )


def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    project = selectors.project_get(user=user, pk=pk)
    targets = sorted(
        project.targets.select_related("scope_kind").prefetch_related("milestones"),
        key=dashboard.code_order,
    )
    return render_page(
        request,
        "monitoring/project_detail.html",
        {
            "project": project,
            "targets": [
                (
                    t,
                    dashboard.unit_label(dashboard.target_unit(t)),
                    {m.year: m.value for m in t.milestones.all()},
                )
                for t in targets
            ],
            "tasks": selectors.task_list(user=user, project=project),
            "today": timezone.localdate(),
            "can_manage": selectors.can_manage_projects(user),
        },
    )


def _project_form(request: AuthenticatedHttpRequest, project: Project | None) -> HttpResponse:
    user = _manager(request)
    form = ProjectForm(
        request.POST or None, instance=project, organizations=organization_choices(user=user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.project_save(project=project, data=form.cleaned_data, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect("monitoring:project", saved.pk)
    context = {"form": form, "project": project}
    return render_page(request, "monitoring/project_form.html", context, status=form_status(form))


def project_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _project_form(request, None)


def project_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _project_form(request, selectors.project_get(user=_manager(request), pk=pk))


def _target_form(
    request: AuthenticatedHttpRequest, project: Project, target: Target | None
) -> HttpResponse:
    user = _manager(request)
    form = TargetForm(request.POST or None, instance=target, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_save(
                target=target,
                project=project,
                data=form.target_data(),
                milestones=form.milestone_values(),
                actor=user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect(reverse("monitoring:project", args=[project.pk]) + "#targets")
    context = {"form": form, "project": project, "target": target}
    return render_page(request, "monitoring/target_form.html", context, status=form_status(form))


def target_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _target_form(request, selectors.project_get(user=_manager(request), pk=pk), None)


def target_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.target_get(user=_manager(request), pk=pk)
    return _target_form(request, target.project, target)


def target_entries(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A target measured by hand: the values entered with their evidence, and the form."""
    user = _reader(request)
    target = selectors.target_get(user=user, pk=pk)
    scope = organization_choices(user=user)
    form = EntryForm(
        request.POST or None, request.FILES or None, target=target, organizations=scope
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_entry_add(target=target, **form.cleaned_data, actor=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:target_entries", target.pk)
    context = {
        "target": target,
        "form": form,
        "entries": selectors.target_entries(target=target, organizations=scope),
        "can_enter": selectors.can_enter_values(user=user, target=target, organizations=scope),
    }
    return render_page(request, "monitoring/target_entries.html", context, status=form_status(form))


def entry_evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    user = _reader(request)
    entry = get_object_or_404(
        TargetEntry.objects.filter(organization__in=organization_choices(user=user)), pk=pk
    )
    return FileResponse(
        open_stored(entry.evidence), as_attachment=True, filename=entry.evidence_name
    )


def _task_form(
    request: AuthenticatedHttpRequest, project: Project, task: Task | None
) -> HttpResponse:
    user = _manager(request)
    form = TaskForm(
        request.POST or None, instance=task, organizations=organization_choices(user=user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            organizations = form.cleaned_data["organizations"]
            data = form.task_data()
            services.task_save(
                task=task, project=project, data=data, organizations=organizations, actor=user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            announce_merge(request, form)
            return redirect(reverse("monitoring:project", args=[project.pk]) + "#tasks")
    context = {"form": form, "project": project, "task": task}
    return render_page(request, "monitoring/task_form.html", context, status=form_status(form))


def task_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _task_form(request, selectors.project_get(user=_manager(request), pk=pk), None)


def task_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=_manager(request), pk=pk)
    return _task_form(request, task.project, task)


def assignment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    assignment = selectors.assignment_get(user=user, pk=pk)
    form = ReportForm(initial={"status": assignment.status, "reported_on": timezone.localdate()})
    return _assignment_page(request, assignment, form)


def _assignment_page(
    request: AuthenticatedHttpRequest, assignment: Assignment, form: ReportForm
) -> HttpResponse:
    return render_page(
        request,
        "monitoring/assignment_detail.html",
        {
            "assignment": assignment,
            "form": form,
            "reports": selectors.assignment_reports(assignment),
            "can_report": selectors.can_act_for(request.user, assignment.organization),
            "overdue": assignment.status != Assignment.Status.DONE
            and assignment.task.deadline < timezone.localdate(),
        },
        status=form_status(form),
    )


@require_POST
def assignment_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    assignment = selectors.assignment_get(user=user, pk=pk)
    require(selectors.can_act_for(user, assignment.organization))
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_report(
                assignment=assignment,
                status=data["status"],
                note=data["note"],
                evidence=data["evidence"],
                reported_on=data["reported_on"],
                actor=user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Progress reported."))
            return redirect("monitoring:assignment", assignment.pk)
    return _assignment_page(request, assignment, form)


def report_evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    user = _reader(request)
    report = get_object_or_404(ProgressReport, pk=pk)
    selectors.assignment_get(user=user, pk=report.assignment_id)
    return FileResponse(
        open_stored(report.evidence), as_attachment=True, filename=report.evidence_name
    )


def settings_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _manager(request)
    form = SettingsForm(request.POST or None, instance=MonitoringSettings.current())
    if request.method == "POST" and form.is_valid():
        services.settings_save(data=form.cleaned_data, actor=user)
        messages.success(request, _("Saved."))
        announce_merge(request, form)
        return redirect("monitoring:settings")
    return render_page(
        request, "monitoring/settings_form.html", {"form": form}, status=form_status(form)
    )


urlpatterns: list[URLPattern] = [
    path("", project_list, name="projects"),
    path("them/", project_create, name="project_create"),
    path("<int:pk>/", project_detail, name="project"),
    path("<int:pk>/sua/", project_edit, name="project_edit"),
    path("<int:pk>/chi-tieu/them/", target_create, name="target_create"),
    path("chi-tieu/<int:pk>/sua/", target_edit, name="target_edit"),
    path("chi-tieu/<int:pk>/so-lieu/", target_entries, name="target_entries"),
    path("so-lieu/<int:pk>/minh-chung/", entry_evidence, name="entry_evidence"),
    path("<int:pk>/nhiem-vu/them/", task_create, name="task_create"),
    path("nhiem-vu/<int:pk>/sua/", task_edit, name="task_edit"),
    path("giao/<int:pk>/", assignment_detail, name="assignment"),
    path("giao/<int:pk>/bao-cao/", assignment_report, name="assignment_report"),
    path("bao-cao/<int:pk>/minh-chung/", report_evidence, name="report_evidence"),
    path("cai-dat/", settings_edit, name="settings"),
]
