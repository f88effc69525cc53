"""The public portal (news articles and their images) and the document library.

An article is visible to the public when it is published and its publication time has come:
a scheduled article (published_at in the future) stays invisible until then, without any job
running, because every public read filters on `published_at <= now`.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/private/, with no URL: they are served only through views that
    check who is asking (document files), never by a web server from MEDIA_URL."""

    @cached_property
    def base_location(self) -> str:
        return os.path.join(str(settings.MEDIA_ROOT), "private")

    @cached_property
    def base_url(self) -> str:
        return "/nowhere/"  # url() is never used for these files; views serve them


private_storage = PrivateStorage()


class Category(models.Model):
    """A news category ("Chính trị", "Xây dựng Đảng"...), data the department edits."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("address"), max_length=100, unique=True)
    rank = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("article", "Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(pgettext_lazy("article", "title"), max_length=255)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    lead = models.TextField(_("lead"), max_length=600)
    # Sanitized HTML: services clean every body before it is stored.
    body = models.TextField(_("body"))
    author_name = models.CharField(_("author"), max_length=150)
    cover = models.ForeignKey(
        "ArticleImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cover image"),
    )
    featured = models.BooleanField(_("featured"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    # Folded title, lead and body text: search without diacritics.
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # The public lists: published articles, newest first.
            models.Index(fields=["status", "-published_at"], name="article_public"),
            # A category's page.
            models.Index(fields=["category", "status", "-published_at"], name="article_category"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleImage(models.Model):
    """An image uploaded by an editor, resized on upload: `image` at most 1200 px wide for the
    article page, `thumbnail` at most 480 px for lists. Public once its article is."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="portal/images/%Y/%m/")
    thumbnail = models.ImageField(upload_to="portal/thumbs/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or os.path.basename(self.image.name or "")


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Party members")
    INTERNAL = "internal", _("Internal")


class Document(models.Model):
    """A party document in the library: resolution, directive, plan, guidance, project..."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution")
        DIRECTIVE = "directive", _("Directive")
        CONCLUSION = "conclusion", _("Conclusion")
        PLAN = "plan", _("Plan")
        GUIDANCE = "guidance", _("Guidance")
        PROJECT = "project", _("Project")
        DECISION = "decision", _("Decision")
        OTHER = "other", pgettext_lazy("document", "Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("number and symbol"), max_length=60)
    issuer = models.CharField(pgettext_lazy("document", "issuer"), max_length=255)
    issued_on = models.DateField(_("date of issue"))
    subject = models.CharField(_("subject"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    access = models.CharField(
        _("access"), max_length=20, choices=AccessLevel, default=AccessLevel.PUBLIC
    )
    # Folded number, issuer, subject, summary and the text of its files.
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            # The library list for one access level, newest first.
            models.Index(fields=["access", "-issued_on"], name="document_access_date"),
        ]
        constraints = [
            # One number per issuer: "131-KH/ĐUK" is never issued twice by the same body.
            models.UniqueConstraint(fields=["number", "issuer"], name="document_number_issuer"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to="documents/%Y/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    # Text extracted at upload (pypdf for .pdf, python-docx for .docx), folded for search.
    text = models.TextField(default="", editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class DocumentRelation(models.Model):
    class Kind(models.TextChoices):
        IMPLEMENTS = "implements", _("implements")
        REPLACES = "replaces", _("replaces")
        AMENDS = "amends", _("amends")

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="document_relation"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="document_relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class DocumentRead(models.Model):
    """A signed-in person opened a document: "materials read" in their study record."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(
        "organizations.Person", on_delete=models.CASCADE, related_name="document_reads"
    )
    first_read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_read_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "person"], name="document_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.document_id}"
