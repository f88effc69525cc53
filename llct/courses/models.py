import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.curriculum.models import Lecturer, LessonPlan, Programme, Topic
from llct.organizations.models import Organization, Person


def new_code() -> str:
    # Long and random: a check-in or calendar link must not be guessable.
    return secrets.token_urlsafe(24)


class Severity(models.TextChoices):
    WARNING = "warning", _("Warning")
    BLOCK = "block", _("Block")


class SchedulingRules(models.Model):
    """Province-wide settings for running classes (one row, edited by the department)."""

    checkin_opens_minutes = models.PositiveSmallIntegerField(
        _("QR check-in opens (minutes before the start)"), default=30
    )
    checkin_closes_minutes = models.PositiveSmallIntegerField(
        _("QR check-in closes (minutes after the start)"), default=60
    )
    roll_call_opens_days = models.PositiveSmallIntegerField(
        _("roll call opens (days before the session)"),
        default=0,
        help_text=_(
            "0: on the session's day. After that day a mark changes only as a correction, "
            "with its reason."
        ),
    )
    venue_double_booked = models.CharField(
        _("venue double-booked"), max_length=10, choices=Severity.choices, default=Severity.BLOCK
    )
    lecturer_double_booked = models.CharField(
        _("lecturer in two places"), max_length=10, choices=Severity.choices, default=Severity.BLOCK
    )
    learner_double_booked = models.CharField(
        _("learner with two sessions at once"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.WARNING,
    )
    capacity_exceeded = models.CharField(
        _("capacity or seat limit exceeded"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.BLOCK,
    )
    lecturer_not_approved = models.CharField(
        _("lecturer not approved for the topic"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.WARNING,
    )
    morning_start = models.TimeField(_("morning starts"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("morning ends"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("afternoon starts"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("afternoon ends"), default=dt.time(17, 0))
    evening_start = models.TimeField(_("evening starts"), default=dt.time(19, 0))
    evening_end = models.TimeField(_("evening ends"), default=dt.time(21, 0))

    class Meta:
        verbose_name = _("scheduling rules")
        verbose_name_plural = _("scheduling rules")

    def __str__(self) -> str:
        return str(_("Scheduling rules"))

    @classmethod
    def current(cls) -> "SchedulingRules":
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules


class Holiday(models.Model):
    """The public-holiday calendar: session generation skips these days."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class Venue(models.Model):
    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("Hall or classroom")
        ONLINE = "online", _("Online room")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    address = models.CharField(_("address"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity / seat limit"), help_text=_("Seats in the hall, or the online room's limit.")
    )
    meeting_url = models.URLField(_("meeting link"), blank=True)
    equipment = models.TextField(_("equipment"), blank=True)
    owner = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="venues",
        verbose_name=_("managed by"),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="online") | ~models.Q(meeting_url=""),
                name="venue_online_has_link",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """One run of a programme (lớp học)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for enrolment")
        IN_PROGRESS = "in_progress", _("In progress")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="courses", verbose_name=_("programme")
    )
    organizer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="organized_courses",
        verbose_name=_("organized by"),
    )
    partner = models.CharField(
        _("partner institution"),
        max_length=255,
        blank=True,
        help_text=_("e.g. the provincial political school"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("main venue"),
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=50)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_start",
            ),
        ]
        indexes = [
            # The course list of a year, newest first.
            models.Index(fields=["starts_on"], name="course_starts_on"),
        ]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """A buổi học: one half-day (or exact times) of a course."""

    class Part(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")
        EVENING = "evening", _("Evening")
        CUSTOM = "custom", _("Exact times")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    part = models.CharField(_("part of day"), max_length=10, choices=Part.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("topic"),
    )
    lecturer = models.ForeignKey(
        Lecturer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("lecturer"),
    )
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("venue"),
    )
    lesson_plan = models.ForeignKey(
        LessonPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lesson plan version used"),
    )
    checkin_code = models.CharField(max_length=64, unique=True, default=new_code, editable=False)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["date", "starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]
        indexes = [
            # Conflict checks: sessions of a venue / a lecturer on a day.
            models.Index(fields=["venue", "date"], name="session_venue_date"),
            models.Index(fields=["lecturer", "date"], name="session_lecturer_date"),
            # Calendars and the learner clash check: sessions in a date range.
            models.Index(fields=["date", "starts_at"], name="session_date_time"),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.date:%d/%m/%Y} {self.get_part_display()}"

    def start_datetime(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.date, self.starts_at))

    def end_datetime(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.make_aware(dt.datetime.combine(self.date, self.ends_at))


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENROLLED)
    enrolled_at = models.DateTimeField(db_default=Now())
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.TextField(
        _("reason for overriding the eligibility warning"), blank=True
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=255, blank=True)

    class Meta:
        ordering = ["course_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="enrolment_once_per_course"),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn")
                | (models.Q(withdrawn_on__isnull=False) & ~models.Q(withdrawal_reason="")),
                name="enrolment_withdrawal_has_date_and_reason",
            ),
        ]
        indexes = [
            # A person's courses (learner clash check, the person's page).
            models.Index(fields=["person", "status"], name="enrolment_person_status"),
            # Suggestions' retake rule: the few withdrawals among millions of enrolments.
            models.Index(
                fields=["person"],
                condition=models.Q(status="withdrawn"),
                name="enrolment_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.course}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Absent with leave")
        ABSENT = "absent", _("Absent")

    class Method(models.TextChoices):
        ROLL_CALL = "roll_call", _("Roll call")
        QR = "qr", _("QR self check-in")
        IMPORT = "import", _("Imported sign-in sheet")
        API = "api", _("Sent by another system (API)")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(max_length=10, choices=Status.choices)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.ROLL_CALL)
    marked_at = models.DateTimeField(auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="attendance_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}: {self.status}"


class CalendarFeed(models.Model):
    """A secret link to a user's .ics feed: phone calendars cannot sign in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_code)

    def __str__(self) -> str:
        return f"feed {self.user_id}"
