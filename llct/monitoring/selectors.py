"""Reads of projects, targets, tasks and assignments, starting from the user's scope.

Projects and their targets and tasks are the province's: every user who may read rolls sees
them. Values, lists of people and assignments are the subtree's: an organization officer sees
those of their organization and below, and an organization outside answers 404.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from llct.core.capabilities import Capability, has_capability
from llct.core.permissions import ALL, scope_path
from llct.monitoring.models import Assignment, ProgressReport, Project, Target, Task
from llct.organizations.models import Organization
from llct.organizations.selectors import organization_scope


def can_read_projects(user: Any) -> bool:
    return has_capability(user, Capability.READ_PROJECTS) and scope_path(user) is not None


def can_manage_projects(user: Any) -> bool:
    """Projects, targets, tasks and settings belong to the department."""
    return has_capability(user, Capability.MANAGE_PROJECTS)


def can_act_for(user: Any, organization: Organization) -> bool:
    """Report on a task or enter a value for an organization: the department for any, an
    organization officer for those of their subtree."""
    if not has_capability(user, Capability.REPORT_PROJECT_PROGRESS):
        return False
    path = scope_path(user)
    return path is not None and (path == ALL or organization.path.startswith(path))


def project_list(*, user: Any) -> QuerySet[Project]:
    if not can_read_projects(user):
        return Project.objects.none()
    return Project.objects.select_related("issuer").order_by("-start_year", "number")


def project_get(*, user: Any, pk: int) -> Project:
    try:
        return project_list(user=user).get(pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None


def target_get(*, user: Any, pk: int) -> Target:
    try:
        return (
            Target.objects.select_related("project", "project__issuer", "scope_kind")
            .prefetch_related("milestones")
            .get(pk=pk, project__in=project_list(user=user))
        )
    except Target.DoesNotExist:
        raise Http404 from None


def _assignments_in_scope(user: Any) -> QuerySet[Assignment]:
    path = scope_path(user)
    qs = Assignment.objects.select_related("organization", "task", "task__project")
    if path is None:
        return qs.none()
    return qs if path == ALL else qs.filter(organization__path__startswith=path)


def task_list(*, user: Any, project: Project) -> list[Task]:
    """The project's tasks, each with the assignments the user may see (`visible`)."""
    return list(
        project.tasks.prefetch_related(
            Prefetch(
                "assignments",
                queryset=_assignments_in_scope(user).order_by("organization__path"),
                to_attr="visible",
            )
        ).order_by("deadline", "code", "pk")
    )


def task_get(*, user: Any, pk: int) -> Task:
    try:
        task = Task.objects.select_related("project").get(
            pk=pk, project__in=project_list(user=user)
        )
    except Task.DoesNotExist:
        raise Http404 from None
    return task


def assignment_get(*, user: Any, pk: int) -> Assignment:
    try:
        return _assignments_in_scope(user).get(pk=pk)
    except Assignment.DoesNotExist:
        raise Http404 from None


def assignment_reports(assignment: Assignment) -> QuerySet[ProgressReport]:
    return assignment.reports.select_related("reported_by").order_by("-reported_on", "-id")


def organization_for(*, user: Any, pk: Any, default: Organization | None) -> Organization:
    """The organization a dashboard or a list is about: `pk` if given and in scope (404
    otherwise), else `default` if in scope, else the user's own subtree root."""
    scope = organization_scope(user=user, include_dissolved=True)
    if pk not in (None, ""):
        try:
            return scope.get(pk=int(pk))
        except (Organization.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
    if default is not None and scope.filter(pk=default.pk).exists():
        return default
    path = scope_path(user)
    root = scope.filter(path=path).first() if path and path != ALL else None
    if root is None:
        root = scope.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise Http404
    return root


def organization_options(*, user: Any) -> QuerySet[Organization]:
    """The organizations a dashboard may switch to: the user's scope, active ones."""
    return organization_scope(user=user).order_by("path")


def ancestors_in_scope(*, user: Any, organization: Organization) -> list[Organization]:
    """The organizations above `organization` the user may open, top first (a breadcrumb)."""
    ids = [int(p) for p in organization.path.strip("/").split("/") if p][:-1]
    if not ids:
        return []
    return list(
        organization_scope(user=user, include_dissolved=True).filter(pk__in=ids).order_by("depth")
    )
