from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from llct.core.permissions import can_read_rolls
from llct.organizations.models import Organization, Person


def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context: dict[str, Any] = {"can_read_rolls": can_read_rolls(user)}
    if can_read_rolls(user):
        from llct.organizations.selectors import organization_scope, person_list

        context["org_count"] = organization_scope(user=user).count()
        context["people_count"] = person_list(user=user).count()
    from llct.planning.nominations import open_round_for

    context["nomination_notice"] = open_round_for(user)
    if user.person_id:
        from llct.assessment.feedback import pending_surveys_for

        context["pending_surveys"] = pending_surveys_for(user)
        context["me"] = Person.objects.select_related("organization").get(pk=user.person_id)
    context["scope_org"] = (
        Organization.objects.get(pk=user.organization_id) if user.organization_id else None
    )
    return render(request, "core/home.html", context)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
