"""Placeholder: being written."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

# Public pages (no sign-in), mounted at the site root by config/urls.py.
public_urlpatterns: list[URLPattern] = []
