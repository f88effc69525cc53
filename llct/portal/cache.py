"""Public pages cached whole in the shared cache (the file cache, or Redis when configured:
every web worker sees the same entries).

What invalidates them:
- every write of the portal (an article saved, submitted, published, withdrawn; an image; a
  category; a document or its files) bumps a generation number, and the keys carry it, so
  all cached pages go at once;
- a scheduled article: an entry never outlives the next scheduled publication time, so an
  article appears on time with no job running;
- otherwise entries live PAGE_TTL seconds.
Only anonymous GETs are served from or stored in the cache: signed-in users (editors
previewing their work) always get a fresh page.
"""

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone

PAGE_TTL = 300
GENERATION_KEY = "portal:generation"

View = Callable[..., HttpResponse]


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def invalidate() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def _next_scheduled(gen: int) -> float:
    """Epoch seconds of the next scheduled publication (0: none), cached with the pages."""
    key = f"portal:{gen}:next"
    value = cache.get(key)
    if value is None:
        from llct.portal.models import Article

        at = (
            Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        value = at.timestamp() if at else 0.0
        cache.set(key, value, _ttl(value))
    return float(value)


def _ttl(next_at: float) -> int:
    if not next_at:
        return PAGE_TTL
    return max(1, min(PAGE_TTL, int(next_at - time.time())))


def public_cache(view: View) -> View:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        gen = generation()
        next_at = _next_scheduled(gen)
        if next_at and next_at <= time.time():
            # A scheduled article is due: everything cached before it is stale.
            invalidate()
            gen = generation()
            next_at = _next_scheduled(gen)
        digest = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
        htmx = "h" if request.headers.get("HX-Request") else "p"
        key = f"portal:{gen}:{getattr(request, 'LANGUAGE_CODE', '')}:{htmx}:{digest}"
        hit = cache.get(key)
        if hit is not None:
            status, content_type, content = hit
            response = HttpResponse(content, status=status, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            response.render()  # a TemplateResponse (the sitemap): its content is needed now
        if response.status_code == 200 and not response.streaming and not response.cookies:
            value = (response.status_code, response["Content-Type"], response.content)
            cache.set(key, value, _ttl(next_at))
        return response

    wrapper.__name__ = getattr(view, "__name__", type(view).__name__)
    wrapper.__doc__ = view.__doc__
    wrapper.__dict__.update(getattr(view, "__dict__", {}))
    return wrapper
