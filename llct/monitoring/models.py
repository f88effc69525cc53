"""Projects (đề án) as data: targets measured by indicators, tasks assigned to organizations,
their progress reports, and the yearly snapshots of indicator values."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.organizations.models import Organization, OrganizationKind


class MonitoringSettings(models.Model):
    """Province-wide settings of the watchlists and dashboards (one row, edited by the
    department)."""

    probation_watch_days = models.PositiveSmallIntegerField(
        _("warn when probation ends within (days)"), default=60
    )
    certificate_watch_days = models.PositiveSmallIntegerField(
        _("warn when an awareness certificate expires within (days)"), default=90
    )
    at_risk_points = models.DecimalField(
        _("at risk within (points of the milestone)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("5.0"),
        help_text=_(
            "Percentage points for targets in %; for other units the same share of the "
            "milestone (5 means within 5% of it)."
        ),
    )

    class Meta:
        verbose_name = _("monitoring settings")
        verbose_name_plural = _("monitoring settings")

    def __str__(self) -> str:
        return str(_("Monitoring settings"))

    @classmethod
    def current(cls) -> "MonitoringSettings":
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class Project(models.Model):
    """A đề án: "06-ĐA/TU", issued by a committee, for a period of years."""

    number = models.CharField(_("number"), max_length=40, unique=True, help_text="06-ĐA/TU")
    title = models.CharField(_("title"), max_length=500)
    issuer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("issued by"),
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    resolutions = models.TextField(
        _("resolutions it implements"),
        blank=True,
        help_text=_("One per line: the number and title, or a link."),
    )
    summary = models.TextField(_("purpose"), blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-start_year", "number"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="project_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class TargetUnit(models.TextChoices):
    """The unit of a target entered by hand (an indicator brings its own)."""

    PERCENT = "percent", _("%")
    POINTS = "points", _("points (1–5)")
    NUMBER = "number", _("number")


class Target(models.Model):
    """A chỉ tiêu: measured by an indicator of the registry, or, when no data can measure it,
    entered by hand with an evidence file (`indicator` blank)."""

    class Scope(models.TextChoices):
        WHOLE = "whole", _("The issuer's whole subtree")
        EACH_OF_KIND = "each_of_kind", _("Each organization of a kind")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("number"), max_length=10, help_text="1.1")
    title = models.CharField(_("target"), max_length=500)
    indicator = models.CharField(
        _("indicator"),
        max_length=40,
        blank=True,
        help_text=_("Blank when no data can measure it: values are then entered by hand."),
    )
    variant = models.CharField(_("position group"), max_length=150, blank=True)
    manual_unit = models.CharField(
        _("unit (entered by hand)"),
        max_length=10,
        choices=TargetUnit,
        default=TargetUnit.PERCENT,
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, default=Direction.AT_LEAST
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    final_value = models.DecimalField(_("final value"), max_digits=14, decimal_places=2)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.WHOLE)
    scope_kind = models.ForeignKey(
        OrganizationKind,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kind of organization"),
    )

    class Meta:
        ordering = ["project_id", "code", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="target_code_per_project"),
            models.CheckConstraint(
                condition=~models.Q(scope="each_of_kind") | models.Q(scope_kind__isnull=False),
                name="target_each_of_kind_names_the_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def is_manual(self) -> bool:
        return not self.indicator


class Milestone(models.Model):
    """The value a target must reach by the end of a year of the project."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("milestone"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["target_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="milestone_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class TargetEntry(models.Model):
    """A value entered by hand for a target no data can measure, with its evidence. Entries
    are kept; the latest of an organization and year is the one in force."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="entries")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("how it was measured"), blank=True)
    evidence = models.FileField(_("evidence file"), upload_to="projects/evidence/%Y/")
    evidence_name = models.CharField(max_length=255)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["target_id", "year", "-entered_at", "-id"]
        indexes = [
            # The value in force: the latest entry of a target, organization and year.
            models.Index(fields=["target", "organization", "year"], name="target_entry_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.year}: {self.value}"


class Task(models.Model):
    """A nhiệm vụ or giải pháp of the project, assigned to organizations with a deadline."""

    class Kind(models.TextChoices):
        TASK = "task", _("Task")
        SOLUTION = "solution", _("Solution")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    code = models.CharField(_("number"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("deadline"))
    organizations = models.ManyToManyField(
        Organization,
        through="Assignment",
        related_name="project_tasks",
        verbose_name=_("assigned to"),
    )

    class Meta:
        ordering = ["project_id", "deadline", "code", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """A task given to one organization; its latest report tells where it stands."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["task_id", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["task", "organization"], name="assignment_once"),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(done_on__isnull=False),
                name="assignment_done_has_date",
            ),
        ]
        indexes = [
            # Watchlist: open assignments by deadline.
            models.Index(fields=["status"], name="assignment_status"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.organization_id}"


class ProgressReport(models.Model):
    """An organization's report on its assignment: a note, the status, an optional file."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(_("status"), max_length=12, choices=Assignment.Status.choices)
    note = models.TextField(_("progress"))
    evidence = models.FileField(_("evidence file"), upload_to="projects/reports/%Y/", blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    reported_on = models.DateField(_("date"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["assignment_id", "-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.reported_on}"


class IndicatorSnapshot(models.Model):
    """An indicator's value for an organization's subtree and a year, as computed at
    `computed_at` (as of `as_of`). Past years are read from here, not recomputed."""

    indicator = models.CharField(max_length=40)
    variant = models.CharField(max_length=150, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    numerator = models.DecimalField(max_digits=18, decimal_places=2)
    denominator = models.DecimalField(max_digits=18, decimal_places=2)
    as_of = models.DateField()
    computed_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "variant", "organization", "year"],
                name="snapshot_once_per_year",
            ),
        ]
        indexes = [
            # The trend of one subtree, and the ranking of the children of one node.
            models.Index(fields=["indicator", "variant", "year"], name="snapshot_indicator_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.organization_id} {self.year}"
