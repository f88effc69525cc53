from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from llct.core.types import AuthenticatedHttpRequest
from llct.home.selectors import home_context


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = home_context(user=request.user, today=timezone.localdate(), now=timezone.now())
    return render(request, "home/home.html", context)
