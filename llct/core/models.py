import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DEPARTMENT = "department", _("Department officer")
    ORG_OFFICER = "org_officer", _("Organization officer")
    LEADER = "leader", _("Leader")
    LECTURER = "lecturer", _("Lecturer")
    LEARNER = "learner", _("Learner")


class User(AbstractUser):
    """A signed-in user. The role decides what they may do; the organization, what they may see."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.LEARNER)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    person = models.OneToOneField(
        "organizations.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # An organization officer without an organization would see nothing, or worse,
            # be mistaken for a department officer by careless code.
            models.CheckConstraint(
                condition=~models.Q(role="org_officer") | models.Q(organization__isnull=False),
                name="org_officer_has_organization",
            ),
        ]

    def get_full_name(self) -> str:
        # Vietnamese order: surname and middle name (last_name), then the given name.
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_department(self) -> bool:
        return self.role == Role.DEPARTMENT or self.is_superuser

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_org_officer(self) -> bool:
        return self.role == Role.ORG_OFFICER

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class AuditEntry(models.Model):
    """Who changed what, when. Written by services, shown on an object's history tab."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)
    # audit_object_at (content type, object, time) serves every lookup by content type.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=30)
    summary = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The history tab of one object, newest first.
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.content_type_id}:{self.object_id}"


class ExportJob(models.Model):
    """A file written by a task for the person who asked for it (`core/jobs.py: export_run`):
    a province's rows take longer than a request may. Its page polls the status and progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Working")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    WORKING = (Status.QUEUED, Status.RUNNING)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    language = models.CharField(max_length=10, default="vi")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def working(self) -> bool:
        return self.status in self.WORKING


class WorkerHeartbeat(models.Model):
    """One row per running task worker (`manage.py worker`), touched every few seconds by a
    thread of the worker, even while a long task runs. /healthz reads the freshest."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)  # /healthz: the freshest beat
    tasks_run = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


def audit_value(obj: models.Model, field: str) -> str:
    """A field's value as the history tab shows it: choices by their label, dates day first."""
    value = getattr(obj, field)
    if value is None:
        return ""
    display = getattr(obj, f"get_{field}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def audit_record(
    *,
    actor: User | None,
    obj: models.Model,
    action: str,
    summary: str = "",
    changes: list[dict[str, Any]] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        summary=summary,
        changes=changes or [],
    )
