import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from llct.core.health import health_report
from llct.core.models import Role
from llct.core.permissions import can_read_rolls
from llct.organizations.models import Organization, Person


def _sessions_soon(user: Any, today: dt.date) -> list[Any]:
    """The next week's sessions that concern this user: the ones a lecturer teaches, the ones a
    learner attends, or, for staff, every session of today."""
    from llct.courses.models import Course
    from llct.courses.selectors import sessions_between

    if user.role == Role.LECTURER:
        lecturer = getattr(user, "lecturer", None)
        if lecturer is None:
            return []
        qs = sessions_between(
            start=today, end=today + dt.timedelta(days=7), lecturer_id=lecturer.pk
        )
    elif user.role == Role.LEARNER:
        if not user.person_id:
            return []
        qs = sessions_between(
            start=today, end=today + dt.timedelta(days=7), person_id=user.person_id
        )
    else:
        qs = sessions_between(start=today, end=today)
    return list(qs.exclude(course__status=Course.Status.CANCELLED)[:12])


def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    context: dict[str, Any] = {"can_read_rolls": can_read_rolls(user), "today": today}
    if can_read_rolls(user):
        from llct.organizations.selectors import organization_scope, people_count_in_scope

        context["org_count"] = organization_scope(user=user).count()
        context["people_count"] = people_count_in_scope(user=user)
        from llct.monitoring.watchlists import watchlists

        context["watchlists"] = watchlists(user=user, today=today, counts_only=True)
        from llct.reviews.selectors import home_summary

        context["oversight"] = home_summary(user=user, today=today)
    if user.is_superuser or user.role in (Role.DEPARTMENT, Role.LEADER):
        from llct.assessment.models import ResultsApproval
        from llct.courses.models import Course
        from llct.planning.models import AnnualPlan

        context["courses_running"] = Course.objects.filter(status=Course.Status.IN_PROGRESS).count()
        context["results_pending"] = (
            Course.objects.filter(status=Course.Status.FINISHED)
            .exclude(pk__in=ResultsApproval.objects.values("course_id"))
            .count()
        )
        context["plans_submitted"] = AnnualPlan.objects.filter(
            status=AnnualPlan.Status.SUBMITTED
        ).count()
    context["sessions_soon"] = _sessions_soon(user, today)
    from llct.planning.nominations.selectors import open_round_for

    context["nomination_notice"] = open_round_for(user)
    if user.person_id:
        from llct.assessment.feedback import pending_surveys_for

        context["pending_surveys"] = pending_surveys_for(user)
        from llct.corps.online import online_classes_for

        context["online_classes"] = online_classes_for(user=user, now=timezone.now())
        context["me"] = Person.objects.select_related("organization").get(pk=user.person_id)
    context["scope_org"] = (
        Organization.objects.get(pk=user.organization_id) if user.organization_id else None
    )
    return render(request, "core/home.html", context)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: database, cache and the task worker's heartbeat."""
    report, status = health_report()
    return JsonResponse(report, status=status)
