"""The editors' side of the portal (department officers): write, submit, return, publish or
schedule, withdraw, upload images, preview."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from llct.core.forms import apply_errors, form_status
from llct.core.permissions import require
from llct.core.types import AuthenticatedHttpRequest
from llct.core.versions import announce_merge
from llct.portal import selectors, services
from llct.portal.forms import ArticleForm, CategoryForm, ImageForm, PublishForm, ReturnForm
from llct.portal.models import Article


def _article_fields(form: ArticleForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {k: data[k] for k in ("title", "category", "lead", "body", "author_name", "featured")}


def article_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(services.may_edit_portal(request.user))
    status = request.GET.get("status", "")
    status = status if status in Article.Status.values else ""
    articles = selectors.editor_articles(user=request.user, status=status)[:200]
    return render(
        request,
        "portal/editor_list.html",
        {
            "articles": articles,
            "status": status,
            "statuses": Article.Status.choices,
            "now": timezone.now(),
        },
    )


def article_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(services.may_edit_portal(request.user))
    form = ArticleForm(request.POST or None, initial={"author_name": request.user.display_name})
    if form.is_bound and form.is_valid():
        try:
            item = services.article_create(**_article_fields(form), actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("portal:edit", item.pk)
    return render(request, "portal/editor_form.html", {"form": form}, status=form_status(form))


def article_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.editor_article_get(user=request.user, pk=pk)
    form = ArticleForm(request.POST or None, instance=item)
    if form.is_bound and form.is_valid():
        try:
            services.article_update(article=item, **_article_fields(form), actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The article is saved."))
            announce_merge(request, form)
            return redirect("portal:edit", item.pk)
    context = {
        "form": form,
        "article": item,
        "images": item.images.all(),
        "image_form": ImageForm(),
        "publish_form": PublishForm(),
        "return_form": ReturnForm(),
        "now": timezone.now(),
    }
    return render(request, "portal/editor_form.html", context, status=form_status(form))


@require_POST
def article_image(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.editor_article_get(user=request.user, pk=pk)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.article_image_add(
                article=item,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                cover=form.cleaned_data["cover"],
                actor=request.user,
            )
            messages.success(request, _("The image is uploaded."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("image", [])))
    return redirect("portal:edit", item.pk)


@require_POST
def article_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.editor_article_get(user=request.user, pk=pk)
    return _step(
        request,
        item,
        lambda: services.article_submit(article=item, actor=request.user),
        _("The article is submitted for review."),
    )


@require_POST
def article_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.editor_article_get(user=request.user, pk=pk)
    note = request.POST.get("note", "")
    return _step(
        request,
        item,
        lambda: services.article_return(article=item, note=note, actor=request.user),
        _("The article is returned to its author."),
    )


@require_POST
def article_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.editor_article_get(user=request.user, pk=pk)
    form = PublishForm(request.POST)
    at = form.cleaned_data["at"] if form.is_valid() else None
    if not form.is_valid():
        messages.error(request, _("Enter the publication time as dd/mm/yyyy hh:mm."))
        return redirect("portal:edit", item.pk)
    return _step(
        request,
        item,
        lambda: services.article_publish(
            article=item, at=at, now=timezone.now(), actor=request.user
        ),
        _("The article is published.") if at is None else _("The publication is scheduled."),
    )


@require_POST
def article_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.editor_article_get(user=request.user, pk=pk)
    return _step(
        request,
        item,
        lambda: services.article_withdraw(article=item, actor=request.user),
        _("The article is withdrawn from the portal."),
    )


def article_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.editor_article_get(user=request.user, pk=pk)
    return render(
        request,
        "portal/article.html",
        {"article": item, "preview": True, "portal_categories": list(selectors.categories())},
    )


def category_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The categories of the portal: the department adds them (their order on the bar too)."""
    require(services.may_edit_portal(request.user))
    form = CategoryForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.category_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The category is added."))
            return redirect("portal:categories")
    context = {"form": form, "categories": selectors.categories()}
    return render(request, "portal/category_list.html", context, status=form_status(form))


def _step(request: AuthenticatedHttpRequest, item: Article, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("portal:edit", item.pk)


urlpatterns: list[URLPattern] = [
    path("bien-tap/", article_list, name="editor"),
    path("bien-tap/them/", article_create, name="create"),
    path("bien-tap/chuyen-muc/", category_list, name="categories"),
    path("bien-tap/<int:pk>/", article_edit, name="edit"),
    path("bien-tap/<int:pk>/anh/", article_image, name="upload_image"),
    path("bien-tap/<int:pk>/gui-duyet/", article_submit, name="submit"),
    path("bien-tap/<int:pk>/tra-lai/", article_return, name="return"),
    path("bien-tap/<int:pk>/xuat-ban/", article_publish, name="publish"),
    path("bien-tap/<int:pk>/go-xuong/", article_withdraw, name="withdraw"),
    path("bien-tap/<int:pk>/xem-truoc/", article_preview, name="preview"),
]
