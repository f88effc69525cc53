"""Roster import pages: upload, preview with every rejected row, commit with a progress bar."""
# Being written: see the roster import work in progress.

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def roster_upload(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)
