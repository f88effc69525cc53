"""Reads of the portal. Public reads see only what is published and due; editors see all."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from llct.core.models import User
from llct.core.text import fold
from llct.portal.models import Article, ArticleImage, Category
from llct.portal.services import may_edit_portal


def published_articles(*, now: dt.datetime) -> QuerySet[Article]:
    """What the public sees: published, and the publication time has come."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
        .select_related("category", "cover")
        .defer("body", "search_text")
        .order_by("-published_at", "-id")
    )


def article_public_get(*, slug: str, now: dt.datetime) -> Article:
    try:
        return (
            Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
            .select_related("category", "cover")
            .get(slug=slug)
        )
    except Article.DoesNotExist:
        raise Http404 from None


def article_search(*, query: str, now: dt.datetime) -> QuerySet[Article]:
    """Every word of the query, without diacritics or case, in the title, lead or body."""
    qs = published_articles(now=now)
    words = fold(query).split()
    if not words:
        return qs.none()
    condition = Q()
    for word in words[:8]:
        condition &= Q(search_text__contains=word)
    return qs.filter(condition)


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.get(slug=slug)
    except Category.DoesNotExist:
        raise Http404 from None


def related_articles(*, article: Article, now: dt.datetime, limit: int = 4) -> list[Article]:
    return list(
        published_articles(now=now).filter(category=article.category).exclude(pk=article.pk)[:limit]
    )


def editor_articles(*, user: User, status: str = "") -> QuerySet[Article]:
    if not may_edit_portal(user):
        return Article.objects.none()
    qs = Article.objects.select_related("category").defer("body", "search_text")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-id")


def editor_article_get(*, user: User, pk: int) -> Article:
    try:
        return editor_articles(user=user).select_related("cover").get(pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None


def image_get(*, user: User | AnonymousUser, pk: int, now: dt.datetime) -> ArticleImage:
    """An image is public once its article is; editors see every image."""
    qs = ArticleImage.objects.all()
    if not may_edit_portal(user):
        qs = qs.filter(article__status=Article.Status.PUBLISHED, article__published_at__lte=now)
    try:
        return qs.get(pk=pk)
    except ArticleImage.DoesNotExist:
        raise Http404 from None
