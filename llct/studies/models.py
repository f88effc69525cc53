"""Resolution study: campaigns on a document, study conferences with their attendance, essays
(bài thu hoạch); online tests: question banks, contests and attempts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from llct.assessment.models import GradeBand
from llct.organizations.models import Organization, Person
from llct.portal.models import Document, private_storage


class Campaign(models.Model):
    """A campaign to study a document (quán triệt nghị quyết) for an audience: the people of an
    organization's subtree, narrowed by membership stages and positions, by a deadline."""

    title = models.CharField(pgettext_lazy("campaign", "title"), max_length=255)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("document")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organization (with those below it)"),
    )
    # Membership stage codes; empty: every stage but "left".
    stages = models.JSONField(_("membership stages"), default=list, blank=True)
    # Words found in the person's position (any case); empty: every position.
    positions = models.JSONField(_("positions"), default=list, blank=True)
    starts_on = models.DateField(pgettext_lazy("campaign", "starts on"))
    deadline = models.DateField(_("deadline"))
    essay_required = models.BooleanField(_("an essay is required"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("study campaign")
        verbose_name_plural = _("study campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("starts_on")),
                name="campaign_deadline_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StudyConference(models.Model):
    """A study conference (hội nghị học tập, quán triệt) held or planned by an organization; a
    make-up one is for those who missed the first."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="conferences")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    held_on = models.DateField(_("date"))
    title = models.CharField(pgettext_lazy("campaign", "title"), max_length=255)
    place = models.CharField(pgettext_lazy("conference", "place"), max_length=255, blank=True)
    is_makeup = models.BooleanField(_("make-up conference"), default=False)
    attendees = models.ManyToManyField(
        Person, through="ConferenceAttendance", related_name="study_conferences"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]
        indexes = [
            # An organization's conferences in a campaign.
            models.Index(fields=["campaign", "organization"], name="conference_campaign_org"),
        ]

    def __str__(self) -> str:
        return self.title


class ConferenceAttendance(models.Model):
    conference = models.ForeignKey(
        StudyConference, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "person"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.conference_id}"


class Essay(models.Model):
    """A learner's bài thu hoạch for a campaign, graded by their cell."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="essays")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="essays")
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(storage=private_storage, upload_to="essays/%Y/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    submitted_at = models.DateTimeField()
    grade = models.CharField(_("grade"), max_length=10, choices=GradeBand.choices, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="essay_one_per_person"),
            models.CheckConstraint(
                condition=~models.Q(text="") | ~models.Q(file=""), name="essay_has_content"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.campaign_id}"


class QuestionBank(models.Model):
    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="question_banks",
        verbose_name=_("document"),
    )
    title = models.CharField(pgettext_lazy("campaign", "title"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField()
    options = models.JSONField()  # ["...", "...", ...] as imported
    answer = models.PositiveSmallIntegerField()  # index into options
    row = models.PositiveIntegerField(default=0)  # the row of the imported sheet

    class Meta:
        ordering = ["bank_id", "row", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(answer__lt=8), name="question_answer_range"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Contest(models.Model):
    """An online test (thi trực tuyến tìm hiểu nghị quyết): N random questions from a bank,
    timed on the server, with a cap on attempts per person per week."""

    title = models.CharField(pgettext_lazy("campaign", "title"), max_length=255)
    bank = models.ForeignKey(
        QuestionBank,
        on_delete=models.PROTECT,
        related_name="contests",
        verbose_name=_("question bank"),
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contests",
        verbose_name=_("campaign"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organization (with those below it)"),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    question_count = models.PositiveSmallIntegerField(_("questions per attempt"), default=20)
    minutes = models.PositiveSmallIntegerField(_("minutes per attempt"), default=30)
    attempts_per_week = models.PositiveSmallIntegerField(
        _("attempts per person per week"), default=3
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("online test")
        verbose_name_plural = _("online tests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="contest_closes_after"
            ),
            models.CheckConstraint(
                condition=models.Q(question_count__gte=1, minutes__gte=1, attempts_per_week__gte=1),
                name="contest_positive_settings",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Attempt(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        LATE = "late", _("Late: not counted")

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="attempts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attempts")
    # The Monday of the week it was started in, and its number in that week: the cap.
    week_start = models.DateField()
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    deadline_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # [[question id, [option order]], ...]: what this attempt shows, in its order.
    paper = models.JSONField(default=list)
    # {"question id": original option index}
    answers = models.JSONField(default=dict, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # Two starts at once cannot both take the same place under the weekly cap.
            models.UniqueConstraint(
                fields=["contest", "person", "week_start", "number"], name="attempt_week_number"
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_at__gt=models.F("started_at")),
                name="attempt_deadline_after_start",
            ),
        ]
        indexes = [
            # Results per organization: submitted attempts of a contest.
            models.Index(fields=["contest", "status", "person"], name="attempt_contest_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.contest_id} #{self.number}"

    @property
    def score(self) -> float | None:
        """Out of 10, rounded to 0.1."""
        if self.correct is None or not self.total:
            return None
        return round(self.correct * 10 / self.total, 1)
