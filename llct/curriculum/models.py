from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.organizations.models import MembershipStage, Person, TheoryLevel


class AssessmentKind(models.TextChoices):
    NONE = "none", _("No assessment")
    ESSAY = "essay", _("Essay (bài thu hoạch)")
    TEST = "test", _("Written test")
    ESSAY_OR_TEST = "essay_or_test", _("Essay or written test")
    TESTS_AND_ESSAY = "tests_and_essay", _("Tests and essay")
    FINAL_EXAMS = "final_exams", _("Final exams")
    OPTIONAL = "optional", _("Optional")


class Programme(models.Model):
    """A kind of class (chương trình), with the rules the system enforces for it.

    Everything here is a setting with a default (DOMAIN.md); the department edits it in the app.
    """

    class Kind(models.TextChoices):
        ADMISSION = "admission", _("Admission candidates (nhận thức về Đảng)")
        NEW_MEMBER = "new_member", _("New party members")
        SO_CAP = "so_cap", _("Sơ cấp LLCT")
        TRUNG_CAP = "trung_cap", _("Trung cấp LLCT")
        PROFESSIONAL = "professional", _("Professional (nghiệp vụ)")
        RESOLUTION = "resolution", _("Resolution study / current affairs")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    eligible_stages = models.JSONField(
        _("who may attend (membership stages)"),
        default=list,
        blank=True,
        help_text=_("Empty means everyone."),
    )
    min_theory_level = models.PositiveSmallIntegerField(
        _("minimum theory level"), choices=TheoryLevel.choices, default=TheoryLevel.NONE
    )
    default_days = models.DecimalField(
        _("default length (days)"), max_digits=5, decimal_places=1, default=Decimal("5")
    )
    default_sessions = models.PositiveSmallIntegerField(_("default number of sessions"), default=10)
    assessment_kind = models.CharField(
        _("assessment"), max_length=20, choices=AssessmentKind, default=AssessmentKind.ESSAY
    )
    issues_certificate = models.BooleanField(_("issues a certificate"), default=True)
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"), null=True, blank=True
    )
    raises_level_to = models.PositiveSmallIntegerField(
        _("raises the theory level to"), choices=TheoryLevel.choices, null=True, blank=True
    )
    attendance_threshold = models.PositiveSmallIntegerField(_("minimum attendance (%)"), default=80)
    band_excellent = models.DecimalField(
        _("Xuất sắc from"), max_digits=3, decimal_places=1, default=Decimal("9.0")
    )
    band_good = models.DecimalField(
        _("Giỏi from"), max_digits=3, decimal_places=1, default=Decimal("8.0")
    )
    band_fair = models.DecimalField(
        _("Khá from"), max_digits=3, decimal_places=1, default=Decimal("7.0")
    )
    band_pass = models.DecimalField(
        _("Trung bình from"), max_digits=3, decimal_places=1, default=Decimal("5.0")
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            # Bands must be ordered, or a score could fall into two of them.
            models.CheckConstraint(
                condition=models.Q(band_excellent__gt=models.F("band_good"))
                & models.Q(band_good__gt=models.F("band_fair"))
                & models.Q(band_fair__gt=models.F("band_pass")),
                name="programme_bands_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(attendance_threshold__lte=100),
                name="programme_attendance_threshold_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def stage_labels(self) -> list[str]:
        labels = dict(MembershipStage.choices)
        return [str(labels.get(s, s)) for s in self.eligible_stages]


class Topic(models.Model):
    """A chuyên đề of a programme, in teaching order."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="topics")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=255)
    sessions = models.PositiveSmallIntegerField(
        _("half-day sessions"), default=1, help_text=_("How many half-days this topic takes.")
    )

    class Meta:
        ordering = ["programme_id", "order"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["programme", "order"], name="topic_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class LessonPlan(models.Model):
    """One version of a topic's lesson plan (giáo án). A new version is a new row: nothing is
    overwritten, and a session keeps the version it used."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="lesson_plans")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="lesson-plans/%Y/")
    original_name = models.CharField(max_length=255)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["topic_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "version"], name="lesson_plan_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} v{self.version}"


class Lecturer(models.Model):
    class Kind(models.TextChoices):
        PART_TIME = "part_time", _("Part-time lecturer (kiêm chức)")
        GUEST = "guest", _("Guest speaker (báo cáo viên)")
        FULL_TIME = "full_time", _("Full-time lecturer")

    full_name = models.CharField(_("full name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PART_TIME)
    person = models.OneToOneField(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lecturer",
        verbose_name=_("person on the rolls"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lecturer",
        verbose_name=_("user account"),
    )
    workplace = models.CharField(_("workplace"), max_length=255, blank=True)
    qualifications = models.TextField(_("qualifications"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="lecturers", verbose_name=_("approved topics")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("lecturer")
        verbose_name_plural = _("lecturers")

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        from llct.core.text import clean_text

        self.full_name = clean_text(self.full_name)
        super().save(*args, **kwargs)
