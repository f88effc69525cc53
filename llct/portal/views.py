"""The public portal: home, category and article pages, search, images, RSS/Atom and the
sitemap. No login: everything here shows only published articles whose time has come.
Anonymous pages are cached whole (llct.portal.cache says what invalidates them)."""

import hashlib
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from llct.core.files import open_stored
from llct.core.htmx import render_page
from llct.portal import selectors
from llct.portal.cache import public_cache
from llct.portal.models import Article, Category, Document

PAGE_SIZE = 12
FEED_SIZE = 30


def _context(**extra: Any) -> dict[str, Any]:
    return {"portal_categories": list(selectors.categories()), **extra}


@login_not_required
@require_GET
@public_cache
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    articles = selectors.published_articles(now=now)
    featured = list(articles.filter(featured=True)[:3])
    latest = list(articles.exclude(pk__in=[a.pk for a in featured])[:PAGE_SIZE])
    return render_page(
        request, "portal/index.html", _context(featured=featured, latest=latest, now=now)
    )


@login_not_required
@require_GET
@public_cache
def category(request: HttpRequest, slug: str) -> HttpResponse:
    current = selectors.category_get(slug=slug)
    qs = selectors.published_articles(now=timezone.now()).filter(category=current)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "portal/category.html",
        _context(category=current, page=page),
        fragment="list",
    )


@login_not_required
@require_GET
@public_cache
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    qs = selectors.article_search(query=q, now=timezone.now())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "portal/search.html", _context(q=q, page=page), fragment="results")


@login_not_required
@require_GET
@public_cache
def article(request: HttpRequest, slug: str) -> HttpResponse:
    now = timezone.now()
    item = selectors.article_public_get(slug=slug, now=now)
    return render_page(
        request,
        "portal/article.html",
        _context(
            article=item,
            related=selectors.related_articles(article=item, now=now),
            description=item.lead[:300],
            absolute_url=request.build_absolute_uri(),
            cover_url=(
                request.build_absolute_uri(reverse("portal:image", args=[item.cover_id, "page"]))
                if item.cover_id
                else ""
            ),
        ),
    )


@login_not_required
@require_GET
def image(request: HttpRequest, pk: int, size: str) -> HttpResponseBase:
    """An article image, streamed from disk with an ETag and a day of browser caching. An image
    of an unpublished article is for editors only."""
    if size not in ("page", "thumb"):
        raise Http404
    item = selectors.image_get(user=request.user, pk=pk, now=timezone.now())
    field = item.image if size == "page" else item.thumbnail
    etag = '"' + hashlib.md5((field.name or "").encode(), usedforsecurity=False).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    response = FileResponse(open_stored(field), content_type="image/jpeg")
    response["ETag"] = etag
    public = not request.user.is_authenticated
    response["Cache-Control"] = "public, max-age=86400" if public else "private, max-age=600"
    return response


# --- Feeds and sitemap ------------------------------------------------------------------------


class LatestArticles(Feed[Article, None]):
    title = _("News from the propaganda and education department")
    description = _("The latest articles of the portal.")

    def link(self) -> str:
        return reverse("portal:index")

    def items(self) -> list[Article]:
        return list(selectors.published_articles(now=timezone.now())[:FEED_SIZE])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.lead

    def item_link(self, item: Article) -> str:
        return reverse("portal:article", args=[item.slug])

    def item_pubdate(self, item: Article) -> Any:
        return item.published_at

    def item_author_name(self, item: Article) -> str:
        return item.author_name

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name]


class LatestArticlesAtom(LatestArticles):
    feed_type = Atom1Feed
    subtitle = LatestArticles.description


rss = login_not_required(public_cache(LatestArticles()))
atom = login_not_required(public_cache(LatestArticlesAtom()))


class ArticleSitemap(Sitemap[Article]):
    changefreq = "weekly"
    limit = 5000

    def items(self) -> Any:
        return (
            selectors.published_articles(now=timezone.now())
            .select_related(None)
            .only("slug", "updated_at")
        )

    def location(self, item: Article) -> str:
        return reverse("portal:article", args=[item.slug])

    def lastmod(self, item: Article) -> Any:
        return item.updated_at


class CategorySitemap(Sitemap[Category]):
    changefreq = "daily"

    def items(self) -> Any:
        return Category.objects.all()

    def location(self, item: Category) -> str:
        return reverse("portal:category", args=[item.slug])


class DocumentSitemap(Sitemap[Document]):
    changefreq = "monthly"

    def items(self) -> Any:
        return Document.objects.filter(access="public").only("id", "updated_at")

    def location(self, item: Document) -> str:
        return reverse("portal:document", args=[item.pk])

    def lastmod(self, item: Document) -> Any:
        return item.updated_at


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap, "documents": DocumentSitemap}
