"""Oversight and reviews: inspections and supervision with their checklists, findings and
recommendations; briefings; reporting rounds and each organization's report; party-document
issuers and their number series."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.organizations.models import Organization

# ---------------------------------------------------------------------------------------------
# Party documents: who issues them and their number series


class DocumentKind(models.TextChoices):
    REPORT = "BC", _("Report (BC)")
    PLAN = "KH", _("Plan (KH)")
    NOTICE = "TB", _("Notice (TB)")
    DECISION = "QĐ", _("Decision (QĐ)")
    RESOLUTION = "NQ", _("Resolution (NQ)")
    LETTER = "CV", _("Official letter (CV)")


class DocumentIssuer(models.Model):
    """Setting: a body that signs party documents. Either an organization of the tree itself
    (body blank: its parent is the superior body) or a body of it (the department of the
    province: the organization is the superior body)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    body = models.CharField(
        _("issuing body"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Ban Tuyên giáo và Dân vận; blank when the organization itself issues."),
    )
    abbreviation = models.CharField(
        _("abbreviation in numbers"), max_length=20, help_text=_("e.g. BTG in 05-BC/BTG")
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    authority = models.CharField(
        _("signing authority"), max_length=100, default="T/M BAN THƯỜNG VỤ"
    )
    signer_position = models.CharField(_("signer's position"), max_length=100, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=150, blank=True)
    is_department = models.BooleanField(
        _("the department"),
        default=False,
        help_text=_("Issues the department's roll-up reports and inspection conclusions."),
    )

    class Meta:
        ordering = ["organization__path", "body"]
        verbose_name = _("document issuer")
        constraints = [
            models.UniqueConstraint(fields=["organization", "body"], name="issuer_org_body"),
            models.UniqueConstraint(
                fields=["is_department"],
                condition=models.Q(is_department=True),
                name="issuer_one_department",
            ),
        ]

    def __str__(self) -> str:
        return self.body or self.organization.name


class DocumentSeries(models.Model):
    """The last number issued per issuer, kind and year. Issued under SELECT ... FOR UPDATE of
    this row, so concurrent documents get consecutive numbers, never the same one, none skipped."""

    issuer = models.ForeignKey(DocumentIssuer, on_delete=models.CASCADE, related_name="series")
    kind = models.CharField(max_length=3, choices=DocumentKind)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind", "year"], name="series_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.issuer_id}/{self.year}: {self.last_number}"


class IssuedNumber(models.Model):
    """Every number given out: the register, and a second guard against a repeat."""

    series = models.ForeignKey(DocumentSeries, on_delete=models.PROTECT, related_name="numbers")
    number = models.PositiveIntegerField()
    text = models.CharField(max_length=60)
    subject = models.CharField(max_length=300)
    issued_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["series_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="issued_number_once"),
        ]

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------------------------
# Checklists and inspections


class ChecklistTemplate(models.Model):
    """Setting: what an inspection looks at, kept by the department."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("requirement"), max_length=500)
    guidance = models.TextField(_("how to check"), blank=True)
    indicator = models.CharField(
        _("figure from the data"),
        max_length=60,
        blank=True,
        help_text=_("The indicator whose value for the subject is filled in."),
    )

    class Meta:
        ordering = ["template_id", "position", "id"]

    def __str__(self) -> str:
        return self.text


class InspectionProgramme(models.Model):
    """The year's programme of inspection and supervision."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=255)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title


class Inspection(models.Model):
    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        SUPERVISION = "supervision", _("Regular supervision")
        TOPIC = "topic", _("Supervision by topic")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        CONCLUDED = "concluded", _("Concluded")

    programme = models.ForeignKey(
        InspectionProgramme, on_delete=models.PROTECT, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("content"), max_length=255)
    checklist = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("checklist")
    )
    subjects = models.ManyToManyField(
        Organization, related_name="inspections", verbose_name=_("subject organizations")
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspection_teams", verbose_name=_("team")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team leader"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    scheduled_on = models.DateField(_("scheduled on"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    conclusion = models.TextField(_("conclusions"), blank=True)
    concluded_on = models.DateField(null=True, blank=True)
    number = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["scheduled_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="inspection_period_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="concluded") | ~models.Q(conclusion=""),
                name="inspection_concluded_has_conclusion",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    class Result(models.TextChoices):
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    figure = models.CharField(_("figure from the data"), max_length=120, blank=True)
    note = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["inspection_id", "organization_id", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "organization", "item"], name="finding_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


class Recommendation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Remedy reported")
        ACCEPTED = "accepted", _("Accepted")
        REOPENED = "reopened", _("Reopened")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("organization that must act"),
    )
    text = models.TextField(_("recommendation"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            # The overdue selector: not accepted, deadline passed.
            models.Index(fields=["status", "deadline"], name="recommendation_due"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != self.Status.ACCEPTED and self.deadline < today


class Remedy(models.Model):
    """The subject organization reports what it did; the team accepts it or reopens."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting the team")
        ACCEPTED = "accepted", _("Accepted")
        REOPENED = "reopened", _("Reopened")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="remedies"
    )
    text = models.TextField(_("what was done"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(db_default=Now())
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    comment = models.TextField(_("team's comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="reopened") | ~models.Q(comment=""),
                name="remedy_reopen_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Evidence(models.Model):
    """A file attached to a finding or to a remedy (exactly one of them)."""

    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    remedy = models.ForeignKey(
        Remedy, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to="reviews/evidence/%Y/")
    name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(finding__isnull=False) & models.Q(remedy__isnull=True))
                | (models.Q(finding__isnull=True) & models.Q(remedy__isnull=False)),
                name="evidence_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------
# Briefings


class Briefing(models.Model):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("for")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chaired by"), max_length=150, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("attendees")
    )
    other_attendees = models.TextField(_("other attendees"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="briefing_period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y}"


class ActionItem(models.Model):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("task"), max_length=500)
    owner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    owner_name = models.CharField(_("person in charge"), max_length=150, blank=True)
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------------------------
# Reporting rounds


class RoundKind(models.TextChoices):
    HALF_YEAR = "half_year", _("Half-year review")
    ANNUAL = "annual", _("Annual review")
    PROJECT = "project", _("Project review")


class ReportTemplate(models.Model):
    """Setting, one per kind of round: the text each narrative section starts from, and the
    department's own .docx layout (optional)."""

    kind = models.CharField(max_length=10, choices=RoundKind, unique=True)
    results = models.TextField(_("results"), blank=True)
    limitations = models.TextField(_("limitations and their causes"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    directions = models.TextField(_("directions and tasks"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    docx = models.FileField(
        _("document layout (.docx)"), upload_to="reviews/templates/", blank=True
    )

    def __str__(self) -> str:
        return self.get_kind_display()


SECTIONS = ("results", "limitations", "lessons", "directions", "proposals")


class ReportingRound(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind)
    title = models.CharField(_("title"), max_length=255)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    deadline = models.DateField(_("deadline"))
    organizations = models.ManyToManyField(
        Organization, related_name="reporting_rounds", verbose_name=_("organizations that report")
    )
    is_closed = models.BooleanField(_("closed"), default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="round_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Report(models.Model):
    """One organization's report for a round (or the department's roll-up, with the department
    flag). Its figures are always computed for the organization's subtree, never typed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being written")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    is_department = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    results = models.TextField(_("results"), blank=True)
    limitations = models.TextField(_("limitations and their causes"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    directions = models.TextField(_("directions and tasks"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    number = models.CharField(max_length=60, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization", "is_department"], name="report_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.organization_id}"


class ReportEvent(models.Model):
    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        REMINDED = "reminded", _("Reminded")
        ISSUED = "issued", _("Issued")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action="returned") | ~models.Q(comment=""),
                name="report_return_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return self.action
