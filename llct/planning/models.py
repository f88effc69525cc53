from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.core.models import ExportJob
from llct.courses.models import Course, Venue
from llct.curriculum.models import Lecturer, Programme
from llct.organizations.models import Organization, Person, TheoryLevel


class PositionRequirement(models.Model):
    """Setting: a position (matched without diacritics as a phrase in Person.position) requires
    a theory level; cadres below it are suggested for nomination."""

    position = models.CharField(_("position (phrase)"), max_length=150, unique=True)
    required_level = models.PositiveSmallIntegerField(
        _("required theory level"), choices=TheoryLevel.choices
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("programme to suggest"),
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.position


class NominationRound(models.Model):
    """The department opens a round for a year: programmes on offer, a deadline, instructions."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    deadline = models.DateField(_("deadline"))
    instructions = models.TextField(_("instructions"), blank=True)
    programmes = models.ManyToManyField(
        Programme, related_name="rounds", verbose_name=_("programmes on offer")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(db_default=Now())
    is_closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class SuggestionExport(ExportJob):
    """The whole province's suggestions for a year, written by a task into an .xlsx. Only its
    requester sees it."""

    year = models.PositiveSmallIntegerField(_("year"))
    # Steps: the rules' queries, then the rows written (total_rows known once computed).
    step = models.PositiveSmallIntegerField(default=0)
    organizations = models.PositiveIntegerField(default=0)
    urgent = models.PositiveIntegerField(default=0)

    class Meta(ExportJob.Meta):
        pass

    def __str__(self) -> str:
        return f"suggestions {self.year} ({self.status})"


class Submission(models.Model):
    """One organization's nominations for a round. After the deadline only the department can
    reopen it; every step is kept in SubmissionEvent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")

    round = models.ForeignKey(NominationRound, on_delete=models.CASCADE, related_name="submissions")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="submission_per_round_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.organization_id}"


class SubmissionEvent(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)  # submitted | reopened | reminded
    note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.action


class Nomination(models.Model):
    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        NORMAL = 2, _("Normal")
        LOW = 3, _("Low")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="nominations")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="nominations")
    quarter = models.PositiveSmallIntegerField(_("preferred quarter"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    rule = models.CharField(
        max_length=30,
        blank=True,
        help_text="The suggestion rule that made them due; blank if added by hand.",
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "person", "programme"], name="nomination_once"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4),
                name="nomination_quarter_1_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.programme_id}"


class BudgetNorms(models.Model):
    """Setting (one row): the norms budget lines are computed from, in VND."""

    fee_part_time = models.DecimalField(
        _("lecturer fee per session: part-time"),
        max_digits=14,
        decimal_places=0,
        default=Decimal("500000"),
    )
    fee_guest = models.DecimalField(
        _("lecturer fee per session: guest speaker"),
        max_digits=14,
        decimal_places=0,
        default=Decimal("800000"),
    )
    fee_full_time = models.DecimalField(
        _("lecturer fee per session: full-time"),
        max_digits=14,
        decimal_places=0,
        default=Decimal("300000"),
    )
    materials_per_learner = models.DecimalField(
        _("materials per learner"), max_digits=14, decimal_places=0, default=Decimal("150000")
    )
    venue_per_day = models.DecimalField(
        _("venue cost per day"), max_digits=14, decimal_places=0, default=Decimal("2000000")
    )
    other_per_course = models.DecimalField(
        _("other costs per course"), max_digits=14, decimal_places=0, default=Decimal("1000000")
    )

    def __str__(self) -> str:
        return "budget norms"

    @classmethod
    def current(cls) -> "BudgetNorms":
        norms, _created = cls.objects.get_or_create(pk=1)
        return norms


class AnnualPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned with comments")
        APPROVED = "approved", _("Approved")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    number = models.CharField(
        _("document number"), max_length=40, blank=True, help_text="e.g. 131-KH/ĐUK"
    )
    title = models.CharField(_("title"), max_length=255)
    issuer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing organization"),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    # The document's head and signature (Hướng dẫn 36-HD/VPTW): under the issuing organization,
    # the body that issues it ("Ban Tuyên giáo và Dân vận"); blank when the organization's
    # committee itself issues it. Then who signs: "T/M BAN THƯỜNG VỤ" or "K/T TRƯỞNG BAN", and
    # the signer's position.
    issuing_body = models.CharField(_("issuing body"), max_length=120, blank=True)
    signing_authority = models.CharField(
        _("signing authority"), max_length=80, blank=True, default="T/M BAN THƯỜNG VỤ"
    )
    signer_position = models.CharField(_("signer's position"), max_length=80, blank=True)
    introduction = models.TextField(_("purpose and requirements"), blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class PlannedCourse(models.Model):
    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="planned_courses")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    month = models.PositiveSmallIntegerField(_("month"))
    expected_learners = models.PositiveIntegerField(_("expected learners"))
    sessions = models.PositiveSmallIntegerField(_("sessions"), default=1)
    days = models.DecimalField(_("days"), max_digits=5, decimal_places=1, default=Decimal("1"))
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lecturers = models.ManyToManyField(Lecturer, blank=True, related_name="+")
    organizer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    nominations = models.ManyToManyField(Nomination, blank=True, related_name="planned_courses")
    course = models.OneToOneField(
        Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="planned_course"
    )

    class Meta:
        ordering = ["plan_id", "month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="planned_course_month"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    class Kind(models.TextChoices):
        LECTURER_FEES = "lecturer_fees", _("Lecturer fees")
        MATERIALS = "materials", _("Materials")
        VENUE = "venue", _("Venue")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="budget_lines")
    planned_course = models.ForeignKey(
        PlannedCourse, null=True, blank=True, on_delete=models.CASCADE, related_name="budget_lines"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=255, blank=True)
    computed_amount = models.DecimalField(max_digits=14, decimal_places=0, default=Decimal("0"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)
    adjustment_note = models.CharField(_("reason for adjustment"), max_length=500, blank=True)

    class Meta:
        ordering = ["plan_id", "planned_course_id", "kind"]
        constraints = [
            # A hand adjustment must say why.
            models.CheckConstraint(
                condition=models.Q(amount=models.F("computed_amount"))
                | ~models.Q(adjustment_note=""),
                name="budget_adjustment_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class FacilityNeed(models.Model):
    class Kind(models.TextChoices):
        HALL = "hall", _("Hall or classroom")
        ONLINE = "online", _("Online room")
        EQUIPMENT = "equipment", _("Equipment")

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="facility_needs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    estimated_cost = models.DecimalField(
        _("estimated cost"), max_digits=14, decimal_places=0, default=Decimal("0")
    )

    def __str__(self) -> str:
        return self.description


class PlanVersion(models.Model):
    """A frozen copy of the plan as submitted: the approver compares versions."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["plan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class PlanDecision(models.Model):
    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")

    version = models.OneToOneField(PlanVersion, on_delete=models.CASCADE, related_name="decision")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comments"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="returned") | ~models.Q(comment=""),
                name="plan_return_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return self.decision


class Expense(models.Model):
    """Money actually spent on a course, against the plan's budget."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="expenses")
    kind = models.CharField(max_length=20, choices=BudgetLine.Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)
    spent_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["spent_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} {self.amount}"
