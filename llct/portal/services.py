"""Writes of the portal: articles through their workflow, images, categories.

Workflow: draft -> submitted -> published (now, or scheduled for a later time); a submitted
article may be returned to draft with a note; a published one may be withdrawn to draft.
Editors are the department's officers. Every write bumps the public cache's generation.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import audit_record
from llct.core.text import clean_text, fold
from llct.portal import cache
from llct.portal.images import resize_upload
from llct.portal.models import Article, ArticleImage, Category
from llct.portal.sanitize import html_text, sanitize_html, slug_from

Status = Article.Status


def may_edit_portal(user: Any) -> bool:
    return has_capability(user, Capability.EDIT_PORTAL)


def _require_editor(actor: Any) -> None:
    if not may_edit_portal(actor):
        raise PermissionDenied


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slug_from(title)
    others = Article.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def _fill(
    article: Article,
    *,
    title: str,
    category: Category,
    lead: str,
    body: str,
    author_name: str,
    featured: bool,
) -> None:
    article.title = clean_text(title)
    article.category = category
    article.lead = clean_text(lead)
    article.body = sanitize_html(body)
    article.author_name = clean_text(author_name)
    article.featured = featured
    article.search_text = fold(f"{article.title} {article.lead} {html_text(article.body)}")


@transaction.atomic
def article_create(
    *,
    title: str,
    category: Category,
    lead: str,
    body: str,
    author_name: str,
    featured: bool = False,
    actor: Any,
) -> Article:
    _require_editor(actor)
    article = Article(created_by=actor)
    _fill(
        article,
        title=title,
        category=category,
        lead=lead,
        body=body,
        author_name=author_name,
        featured=featured,
    )
    article.slug = unique_slug(article.title)
    article.full_clean()
    article.save()
    audit_record(actor=actor, obj=article, action="created", summary=article.title)
    cache.invalidate()
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    title: str,
    category: Category,
    lead: str,
    body: str,
    author_name: str,
    featured: bool,
    actor: Any,
) -> Article:
    _require_editor(actor)
    _fill(
        article,
        title=title,
        category=category,
        lead=lead,
        body=body,
        author_name=author_name,
        featured=featured,
    )
    if article.status == Status.DRAFT and article.published_at is None:
        # The address follows the title until the article was first published: links to a
        # published article must keep working.
        article.slug = unique_slug(article.title, exclude_pk=article.pk)
    article.full_clean()
    article.save()
    audit_record(actor=actor, obj=article, action="updated", summary=article.title)
    cache.invalidate()
    return article


def _move(article: Article, *, allowed_from: set[str], actor: Any) -> None:
    _require_editor(actor)
    if article.status not in allowed_from:
        raise ValidationError(
            _("This action is not possible while the article is “%(status)s”.")
            % {"status": article.get_status_display()}
        )


@transaction.atomic
def article_submit(*, article: Article, actor: Any) -> Article:
    _move(article, allowed_from={Status.DRAFT}, actor=actor)
    article.status = Status.SUBMITTED
    article.review_note = ""
    article.save(update_fields=["status", "review_note", "updated_at"])
    audit_record(actor=actor, obj=article, action="submitted")
    cache.invalidate()
    return article


@transaction.atomic
def article_return(*, article: Article, note: str, actor: Any) -> Article:
    _move(article, allowed_from={Status.SUBMITTED}, actor=actor)
    note = clean_text(note)
    if not note:
        raise ValidationError({"note": _("Say what should be changed.")})
    article.status = Status.DRAFT
    article.review_note = note
    article.save(update_fields=["status", "review_note", "updated_at"])
    audit_record(actor=actor, obj=article, action="returned", summary=note)
    cache.invalidate()
    return article


@transaction.atomic
def article_publish(
    *, article: Article, at: dt.datetime | None = None, now: dt.datetime, actor: Any
) -> Article:
    """Publish now, or at `at` (a scheduled article stays invisible until then)."""
    _move(article, allowed_from={Status.SUBMITTED}, actor=actor)
    when = at or now
    if when < now - dt.timedelta(minutes=1):
        raise ValidationError({"at": _("The publication time cannot be in the past.")})
    article.status = Status.PUBLISHED
    article.published_at = when
    article.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        obj=article,
        action="scheduled" if when > now else "published",
        summary=timezone.localtime(when).strftime("%d/%m/%Y %H:%M"),
    )
    cache.invalidate()
    return article


@transaction.atomic
def article_withdraw(*, article: Article, actor: Any) -> Article:
    _move(article, allowed_from={Status.PUBLISHED}, actor=actor)
    article.status = Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, obj=article, action="withdrawn")
    cache.invalidate()
    return article


@transaction.atomic
def article_image_add(
    *, article: Article, upload: Any, caption: str = "", cover: bool = False, actor: Any
) -> ArticleImage:
    _require_editor(actor)
    resized = resize_upload(upload)
    image = ArticleImage(
        article=article,
        caption=clean_text(caption),
        width=resized.width,
        height=resized.height,
    )
    image.image.save(resized.page.name or "image.jpg", resized.page, save=False)
    image.thumbnail.save(resized.thumbnail.name or "thumb.jpg", resized.thumbnail, save=False)
    image.save()
    if cover or article.cover_id is None:
        article.cover = image
        article.save(update_fields=["cover", "updated_at"])
    audit_record(actor=actor, obj=article, action="image_added", summary=image.caption)
    cache.invalidate()
    return image


@transaction.atomic
def category_create(*, name: str, rank: int = 0, actor: Any) -> Category:
    _require_editor(actor)
    category = Category(name=clean_text(name), slug=slug_from(name), rank=rank)
    category.full_clean()
    category.save()
    cache.invalidate()
    return category
