import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.courses.models import Course, Enrolment, Session
from llct.curriculum.models import Lecturer, Programme
from llct.organizations.models import MembershipChange, Organization, Person


class GradeBand(models.TextChoices):
    EXCELLENT = "excellent", _("Xuất sắc")
    GOOD = "good", _("Giỏi")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    FAIL = "fail", _("Không đạt")


class Result(models.Model):
    """A learner's scores in a course (10-point scale, one decimal) and what they add up to.
    The band and the pass are computed by the service from the programme's bands and the
    attendance rule, and stored so that reports read them without recomputing."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="result")
    essay_score = models.DecimalField(
        _("essay"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    test_score = models.DecimalField(
        _("written test"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    final_score = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    band = models.CharField(max_length=10, choices=GradeBand.choices, blank=True)
    attendance_percent = models.PositiveSmallIntegerField(default=0)
    passed = models.BooleanField(default=False)
    fail_reason = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(essay_score__isnull=True)
                    | models.Q(essay_score__gte=0, essay_score__lte=10)
                )
                & (
                    models.Q(test_score__isnull=True)
                    | models.Q(test_score__gte=0, test_score__lte=10)
                ),
                name="result_scores_on_ten_point_scale",
            ),
        ]
        indexes = [
            # Suggestions' retake rule: the few failed results among millions.
            models.Index(
                fields=["enrolment"], condition=models.Q(passed=False), name="result_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.final_score} {self.band}"


class ResultsApproval(models.Model):
    """The department's approval of a course's results: from then on scores change only through
    a ScoreCorrection with a reason."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="results_approval")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"approval {self.course_id}"


class ScoreChange(models.Model):
    """Every change of a score: who, when, old value, new value and, after approval, why."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20)
    old_value = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    new_value = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    is_correction = models.BooleanField(default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.result_id} {self.field}: {self.old_value} → {self.new_value}"


class CertificateSeries(models.Model):
    """A numbering series per programme and year. Numbers are allocated under a row lock, so
    two approvals at once get consecutive numbers, without gaps or duplicates."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="series")
    year = models.PositiveSmallIntegerField()
    serial_format = models.CharField(
        max_length=60,
        default="{number:03d}/GCN-BTG",
        help_text=_("Python format with {number} and {year}, e.g. {number:03d}/GCN-ĐUK"),
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="series_per_programme_year"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.year}"


def verification_code() -> str:
    # Long and random, never the serial: the public page must not be enumerable.
    return secrets.token_urlsafe(18)


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="certificates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    series = models.ForeignKey(
        CertificateSeries, on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.PositiveIntegerField()
    serial = models.CharField(_("serial number"), max_length=80)
    issued_on = models.DateField(_("issue date"))
    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The issuer's name as it was on the issue date: organizations are renamed and merged.
    issuer_name = models.CharField(_("issuer"), max_length=255)
    holder_name = models.CharField(max_length=150)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    code = models.CharField(max_length=40, unique=True, default=verification_code, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    revoked_on = models.DateField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=500, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["series_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"], name="certificate_number_per_series"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="revoked")
                | (models.Q(revoked_on__isnull=False) & ~models.Q(revoke_reason="")),
                name="certificate_revocation_has_date_and_reason",
            ),
        ]
        indexes = [
            # The register: certificates of a programme and year.
            models.Index(fields=["programme", "issued_on"], name="certificate_programme_issued"),
            # Is this person's certificate valid on a date (admission rule, suggestions).
            models.Index(fields=["person", "programme"], name="certificate_person_programme"),
        ]

    def __str__(self) -> str:
        return self.serial


class SurveyReceipt(models.Model):
    """That a learner has answered a course's survey: one per enrolment. Kept apart from the
    answers, which carry no link to the person, so the answers stay anonymous."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="survey_receipt"
    )
    submitted_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"receipt {self.enrolment_id}"


class SurveyResponse(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="survey_responses")
    organization_rating = models.PositiveSmallIntegerField(_("organization of the course"))
    facilities_rating = models.PositiveSmallIntegerField(_("facilities"))
    comments = models.TextField(_("comments"), blank=True)
    submitted_on = models.DateField(db_default=Now())

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization_rating__gte=1, organization_rating__lte=5)
                & models.Q(facilities_rating__gte=1, facilities_rating__lte=5),
                name="survey_ratings_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"response {self.course_id}"


class LecturerRating(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="ratings")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    lecturer = models.ForeignKey(Lecturer, on_delete=models.CASCADE, related_name="ratings")
    content = models.PositiveSmallIntegerField(_("content"))
    method = models.PositiveSmallIntegerField(_("method"))
    practice = models.PositiveSmallIntegerField(_("connection to practice"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content__gte=1, content__lte=5)
                & models.Q(method__gte=1, method__lte=5)
                & models.Q(practice__gte=1, practice__lte=5),
                name="lecturer_rating_one_to_five",
            ),
        ]
        indexes = [models.Index(fields=["lecturer"], name="rating_lecturer")]

    def __str__(self) -> str:
        return f"rating {self.lecturer_id}"


class MembershipDecision(models.Model):
    """A decision that moves a person on: admission (kết nạp) or full membership (công nhận đảng
    viên chính thức). Recorded through llct.assessment.membership, which checks the party rule
    the decision depends on and keeps the evidence: the awareness certificate valid on the
    decision date, or the new-member class finished within the probation. Without the evidence
    the decision exists only as an exception the department allowed, with its reason."""

    class Kind(models.TextChoices):
        ADMISSION = "admission", _("Admission")
        FULL = "full", _("Full membership")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="membership_decisions"
    )
    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("decision number"), max_length=50)
    decided_on = models.DateField(_("decision date"))
    issued_by = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing committee"),
    )
    # The committee's name on the decision date: organizations are renamed and merged.
    issuer_name = models.CharField(max_length=255)
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_exception = models.BooleanField(default=False)
    exception_reason = models.CharField(_("reason for the exception"), max_length=500, blank=True)
    stage_change = models.OneToOneField(
        MembershipChange, on_delete=models.PROTECT, related_name="decision"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["person_id", "decided_on", "id"]
        constraints = [
            # An exception says why; a decision that is none rests on its evidence.
            models.CheckConstraint(
                condition=(models.Q(is_exception=True) & ~models.Q(exception_reason=""))
                | models.Q(is_exception=False, kind="admission", certificate__isnull=False)
                | models.Q(is_exception=False, kind="full", course__isnull=False),
                name="membership_decision_evidence_or_reason",
            ),
        ]
        indexes = [
            # The department's list of exceptions, newest first.
            models.Index(
                fields=["-decided_on"],
                condition=models.Q(is_exception=True),
                name="membership_decision_exceptions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.decided_on:%d/%m/%Y})"
