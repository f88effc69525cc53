"""The lecturer corps: appointments, standards, the teaching-hours ledger, observations.

A lecturer is `curriculum.Lecturer` (name, kind, workplace, approved topics); this app adds what
the register of the corps keeps about them. Norms and minimums are settings rows with defaults.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.courses.models import Course, Session
from llct.curriculum.models import Lecturer
from llct.organizations.models import TheoryLevel


class Post(models.TextChoices):
    """What the yearly minimum depends on: the lecturer's kind, or a full-time lecturer's post."""

    PART_TIME = "part_time", _("Part-time lecturer (kiêm chức)")
    GUEST = "guest", _("Guest speaker (báo cáo viên)")
    DIRECTOR = "director", _("Full-time: director of a political centre")
    DEPUTY = "deputy", _("Full-time: deputy director")
    LECTURER = "lecturer", _("Full-time lecturer")


def default_post(kind: str) -> str:
    posts: dict[str, str] = {
        Lecturer.Kind.PART_TIME: Post.PART_TIME,
        Lecturer.Kind.GUEST: Post.GUEST,
        Lecturer.Kind.FULL_TIME: Post.LECTURER,
    }
    return posts.get(kind, Post.PART_TIME)


class WorkKind(models.TextChoices):
    SESSION = "session", _("Lecture session (half a day)")
    # Lecturing outside the courses kept here: a study conference, another school's class.
    LECTURE = "lecture", _("Other lecture (conference, another school)")
    ESSAYS = "essays", _("Grading essays")
    FIELD_TRIP = "field_trip", _("Field trip")


# Defaults (DOMAIN.md; QĐ 1853-QĐ/BTGTW for full-time staff), our defaults where marked.
DEFAULT_NORMS = {
    "session": (1, Decimal(4), "Buổi giảng nửa ngày = 4 giờ chuẩn (our default)"),
    "lecture": (1, Decimal(4), "Buổi giảng ngoài các lớp của hệ thống (our default)"),
    "essays": (10, Decimal(1), "Chấm 10 bài thu hoạch = 1 giờ chuẩn (our default)"),
    "field_trip": (1, Decimal(4), "Đi thực tế một buổi = 4 giờ chuẩn (our default)"),
}
DEFAULT_MINIMUMS = {
    "part_time": (Decimal(20), Decimal(0), "Giảng viên kiêm chức: 20 giờ chuẩn (our default)"),
    "director": (Decimal(40), Decimal(30), "QĐ 1853-QĐ/BTGTW (2010), our default"),
    "deputy": (Decimal(60), Decimal(40), "QĐ 1853-QĐ/BTGTW (2010), our default"),
    "lecturer": (Decimal(120), Decimal(90), "QĐ 1853-QĐ/BTGTW (2010), our default"),
}


class WorkNorm(models.Model):
    """Setting: how many giờ chuẩn a unit of work is worth (one row per kind of work)."""

    kind = models.CharField(_("kind of work"), max_length=20, choices=WorkKind, unique=True)
    units = models.PositiveSmallIntegerField(_("per number of units"), default=1)
    hours = models.DecimalField(_("giờ chuẩn"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units__gte=1), name="work_norm_units_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.units} {self.kind} = {self.hours}"


class HoursMinimum(models.Model):
    """Setting: the yearly minimum of giờ chuẩn for a post (one row per post)."""

    post = models.CharField(_("post"), max_length=20, choices=Post, unique=True)
    hours = models.DecimalField(_("minimum giờ chuẩn a year"), max_digits=6, decimal_places=2)
    lecturing_hours = models.DecimalField(
        _("of which lecturing"), max_digits=6, decimal_places=2, default=Decimal(0)
    )
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["post"]

    def __str__(self) -> str:
        return f"{self.post}: {self.hours}"


class LecturerStandards(models.Model):
    """The standards a lecturer meets and the post their minimum follows (one row per lecturer)."""

    lecturer = models.OneToOneField(Lecturer, on_delete=models.CASCADE, related_name="standards")
    post = models.CharField(_("post"), max_length=20, choices=Post)
    theory_level = models.PositiveSmallIntegerField(
        _("political-theory level"), choices=TheoryLevel.choices, default=TheoryLevel.NONE
    )
    degree = models.CharField(_("degree"), max_length=150, blank=True)
    lecturer_training = models.CharField(
        _("lecturer training attended"), max_length=255, blank=True
    )
    lecturer_training_year = models.PositiveSmallIntegerField(
        _("year of the training"), null=True, blank=True
    )

    def __str__(self) -> str:
        return f"standards of {self.lecturer_id}"


class Appointment(models.Model):
    """A committee's decision appointing a lecturer for a term (quyết định công nhận)."""

    lecturer = models.ForeignKey(Lecturer, on_delete=models.CASCADE, related_name="appointments")
    number = models.CharField(_("decision number"), max_length=50)
    signed_on = models.DateField(_("signed on"))
    issuer = models.CharField(_("issued by"), max_length=255)
    term_starts = models.DateField(_("term starts"))
    term_ends = models.DateField(_("term ends"))
    renewal_due = models.DateField(_("renewal due"))
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-term_starts", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_ends__gt=models.F("term_starts")),
                name="appointment_term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(renewal_due__lte=models.F("term_ends")),
                name="appointment_renewal_within_term",
            ),
            models.UniqueConstraint(
                fields=["issuer", "number"], name="appointment_number_once_per_issuer"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class WorkEntry(models.Model):
    """Work other than lecturing that counts in the ledger (grading, field trips).

    Lecture sessions are not entered: the ledger counts them from `courses.Session`."""

    lecturer = models.ForeignKey(Lecturer, on_delete=models.CASCADE, related_name="work_entries")
    kind = models.CharField(
        _("kind of work"),
        max_length=20,
        choices=[(k, v) for k, v in WorkKind.choices if k != WorkKind.SESSION],
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    date = models.DateField(_("date"))
    course = models.ForeignKey(
        Course,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("course"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="work_quantity_positive"
            )
        ]
        # The ledger reads one lecturer's (or every lecturer's) entries for a year.
        indexes = [models.Index(fields=["date", "lecturer"], name="work_entry_date_lecturer")]

    def __str__(self) -> str:
        return f"{self.kind} x{self.quantity}"


class Observation(models.Model):
    """A peer's observation of a lecture (dự giờ), scored 1-10 on four criteria."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="observations")
    lecturer = models.ForeignKey(Lecturer, on_delete=models.CASCADE, related_name="observations")
    observer = models.CharField(_("observer"), max_length=150)
    content = models.PositiveSmallIntegerField(_("content"))
    method = models.PositiveSmallIntegerField(_("method"))
    time = models.PositiveSmallIntegerField(_("use of time"))
    response = models.PositiveSmallIntegerField(_("learner response"))
    note = models.TextField(_("remarks"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-session__date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content__gte=1, content__lte=10)
                & models.Q(method__gte=1, method__lte=10)
                & models.Q(time__gte=1, time__lte=10)
                & models.Q(response__gte=1, response__lte=10),
                name="observation_scores_one_to_ten",
            ),
        ]

    def __str__(self) -> str:
        return f"observation {self.pk}"

    @property
    def average(self) -> Decimal:
        total = self.content + self.method + self.time + self.response
        return (Decimal(total) / 4).quantize(Decimal("0.1"))


# ---------------------------------------------------------------------------------------------
# The effect of training: the learner's cell evaluates them some months after the course.


class FollowUpSettings(models.Model):
    """Setting (one row): when the cell is asked to evaluate a learner after the course."""

    months_after = models.PositiveSmallIntegerField(_("months after the course ends"), default=6)
    good_from = models.DecimalField(
        _("average counted as a good effect from"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("4.0"),
    )

    def __str__(self) -> str:
        return "follow-up settings"

    @classmethod
    def current(cls) -> "FollowUpSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


DEFAULT_CRITERIA = [
    "Vận dụng kiến thức đã học vào công tác",
    "Phẩm chất chính trị, đạo đức, lối sống",
    "Vai trò trong sinh hoạt chi bộ",
]


class FollowUpCriterion(models.Model):
    """A line of the cell's form (editable by the department); each is scored 1-5 with a note."""

    label = models.CharField(_("criterion"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def in_use(cls) -> list["FollowUpCriterion"]:
        """The criteria of the form; the defaults of DOMAIN.md when none was ever set."""
        if not FollowUpCriterion.objects.exists():
            FollowUpCriterion.objects.bulk_create(
                FollowUpCriterion(label=label, order=i)
                for i, label in enumerate(DEFAULT_CRITERIA, start=1)
            )
        return list(FollowUpCriterion.objects.filter(is_active=True))


class FollowUp(models.Model):
    """The cell's evaluation of one learner after one course (one per enrolment)."""

    enrolment = models.OneToOneField(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="follow_up"
    )
    # The learner's organization when the request opened: the cell that answers it.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    average = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The cell's list of pending evaluations, and the indicator's tally by organization.
            models.Index(fields=["organization", "answered_at"], name="follow_up_org_answered"),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.enrolment_id}"


class FollowUpScore(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(FollowUpCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "criterion"], name="follow_up_score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="follow_up_score_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


# ---------------------------------------------------------------------------------------------
# Online classes


def new_room_name() -> str:
    import secrets

    # Unguessable: nobody outside the class finds the room by trying names.
    return "llct-" + secrets.token_urlsafe(18).replace("_", "x").replace("-", "y")


class OnlineSettings(models.Model):
    """Setting (one row): the meeting service and the attendance rule of online sessions."""

    meeting_base_url = models.URLField(_("Jitsi Meet base URL"), default="https://meet.jit.si/")
    room_per_session = models.BooleanField(
        _("a new room for every session (rather than the venue's fixed link)"), default=True
    )
    opens_minutes = models.PositiveSmallIntegerField(
        _("the link shows this many minutes before the start"), default=15
    )
    late_after_minutes = models.PositiveSmallIntegerField(
        _("late when first joined this many minutes after the start"), default=15
    )
    min_minutes = models.PositiveSmallIntegerField(
        _("present only with at least this many minutes in the room"), default=120
    )

    def __str__(self) -> str:
        return "online settings"

    @classmethod
    def current(cls) -> "OnlineSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class OnlineRoom(models.Model):
    """The generated room of one online session."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="online_room")
    name = models.CharField(max_length=64, unique=True, default=new_room_name)

    def __str__(self) -> str:
        return self.name


class OnlineJoin(models.Model):
    """A learner followed the join link through LLCT."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="online_joins")
    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="online_joins"
    )
    joined_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["session", "enrolment"], name="online_join_session")]

    def __str__(self) -> str:
        return f"join {self.enrolment_id}@{self.session_id}"


class OnlinePresence(models.Model):
    """What the provider's participant report says of one learner in one session."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="online_presence")
    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="online_presence"
    )
    minutes = models.PositiveIntegerField(_("minutes in the room"))
    first_join = models.DateTimeField(_("first joined"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="online_presence_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}: {self.status}"


# ---------------------------------------------------------------------------------------------
# Facilities: equipment and investment proposals (halls and rooms are `courses.Venue`).


class Equipment(models.Model):
    class Kind(models.TextChoices):
        PROJECTOR = "projector", _("Projector")
        CAMERA = "camera", _("Camera")
        ONLINE_KIT = "online_kit", _("Online meeting kit")
        SOUND = "sound", _("Sound system")
        COMPUTER = "computer", _("Computer")
        OTHER = "other", _("Other")

    class Condition(models.TextChoices):
        GOOD = "good", _("Good condition")
        WORN = "worn", _("Worn, still usable")
        BROKEN = "broken", _("Broken")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    condition = models.CharField(
        _("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    venue = models.ForeignKey(
        "courses.Venue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="equipment_items",
        verbose_name=_("venue"),
    )
    location = models.CharField(_("location"), max_length=255, blank=True)
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class InvestmentProposal(models.Model):
    """A proposal to invest in halls, online rooms or equipment, and the target it serves."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        FUNDED = "funded", _("Funded")
        DONE = "done", _("Done")

    title = models.CharField(_("title"), max_length=255)
    cost = models.DecimalField(_("cost (VND)"), max_digits=16, decimal_places=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    venue = models.ForeignKey(
        "courses.Venue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("venue"),
    )
    target = models.ForeignKey(
        "monitoring.Target",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("project target it serves"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-year", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="proposal_cost_positive")
        ]

    def __str__(self) -> str:
        return self.title
