import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from llct.core.models import ExportJob
from llct.core.text import clean_text, fold, name_sort_key


class OrganizationKind(models.Model):
    """A kind of node (Tỉnh ủy, đảng bộ cơ sở, chi bộ...). Data, never a hard-coded level."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    rank = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_grassroots = models.BooleanField(_("grassroots"), default=False)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("organization kind")
        verbose_name_plural = _("organization kinds")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A node of the party organization tree, as it is today.

    The tree's past lives in OrganizationVersion; `path` ("/1/7/42/") serves subtree
    queries, the core of every scope check.
    """

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.ForeignKey(OrganizationKind, on_delete=models.PROTECT, verbose_name=_("kind"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The organization picker searches this: name and code, folded ("dang uy xa an binh xa01").
    search_key = models.CharField(max_length=300, editable=False, default="")
    # People on the rolls of this organization, and of its whole subtree. Stored so that the
    # tree shows a level at a time without counting a million people (llct.organizations.counts
    # keeps them in step; `manage.py refresh_people_counts` recounts).
    people_count = models.PositiveIntegerField(default=0, editable=False)
    subtree_people_count = models.PositiveIntegerField(default=0, editable=False)
    founded_on = models.DateField(_("founded on"), default=dt.date(2000, 1, 1))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dissolved_on__isnull=True)
                | models.Q(dissolved_on__gte=models.F("founded_on")),
                name="organization_dissolved_after_founded",
            ),
        ]
        # The organization picker offers the shallowest matches first: read in this order,
        # the database stops at the twentieth match instead of sorting every match.
        indexes = [models.Index(fields=["depth", "name", "id"], name="organization_picker_order")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = f"{fold(self.name)} {fold(self.code)}"[:300]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "code"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else "/"
        return f"{prefix}{self.pk}/"

    def is_within(self, other: "Organization") -> bool:
        """True when self is other or one of its descendants."""
        return self.path.startswith(other.path)


class OrganizationEvent(models.Model):
    """One dated change of the tree: created, renamed, moved, merged, split, dissolved."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        RENAMED = "renamed", _("Renamed")
        MOVED = "moved", _("Moved")
        MERGED = "merged", _("Merged")
        SPLIT = "split", _("Split")
        DISSOLVED = "dissolved", _("Dissolved")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    effective_on = models.DateField(_("effective date"))
    description = models.CharField(max_length=500)
    note = models.TextField(_("note"), blank=True)
    organizations = models.ManyToManyField(Organization, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return self.description


class OrganizationVersion(models.Model):
    """What an organization was called, where it hung and what kind it was, from one date to the
    next. Half-open interval [valid_from, valid_to); the open one is the current state."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="versions"
    )
    name = models.CharField(max_length=255)
    parent = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.ForeignKey(OrganizationKind, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    event = models.ForeignKey(
        OrganizationEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="org_version_valid_to_after_from",
            ),
            # At most one open version: the current state.
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(valid_to__isnull=True),
                name="org_version_one_current",
            ),
        ]
        indexes = [
            # The "as of date D" tree: versions whose interval contains D.
            models.Index(fields=["valid_from", "valid_to"], name="org_version_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MembershipStage(models.TextChoices):
    NON_MEMBER = "non_member", _("Non-member")
    CANDIDATE = "candidate", _("Admission candidate")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")
    LEFT = "left", _("Left the Party")


class TheoryLevel(models.IntegerChoices):
    """Ordered; "cử nhân chính trị" counts as cao cấp, so `level >= CAO_CAP` holds for both."""

    NONE = 0, _("None")
    SO_CAP = 1, _("Sơ cấp")
    TRUNG_CAP = 2, _("Trung cấp")
    CAO_CAP = 3, _("Cao cấp")
    CU_NHAN = 4, _("Cử nhân chính trị")

    @property
    def code(self) -> str:
        return {0: "", 1: "SC", 2: "TC", 3: "CC", 4: "CN"}[self.value]


class Person(models.Model):
    """Someone on the rolls: cadre, party member or non-member. Current state here, history in
    the change tables below; personal data (date of birth, card number) stays in scope."""

    full_name = models.CharField(_("full name"), max_length=150)
    # Indexed with the date of birth (Meta.indexes), which serves lookups by name alone too.
    search_key = models.CharField(max_length=150, editable=False)
    sort_key = models.CharField(max_length=255, editable=False)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    # No index of its own: person_org_sort (organization, sort_key) serves every lookup by
    # organization, and each person written (a roster writes thousands) updates one index less.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="people",
        verbose_name=_("organization"),
    )
    stage = models.CharField(
        _("membership stage"),
        max_length=20,
        choices=MembershipStage.choices,
        default=MembershipStage.NON_MEMBER,
    )
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    full_member_on = models.DateField(_("full member since"), null=True, blank=True)
    party_card_no = models.CharField(
        _("party card number"), max_length=20, null=True, blank=True, unique=True
    )
    theory_level = models.PositiveSmallIntegerField(
        _("political theory level"), choices=TheoryLevel.choices, default=TheoryLevel.NONE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    _loaded_organization_id: int | None = None

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_key", "id"]
        indexes = [
            # The people list: one organization's people in Vietnamese name order.
            models.Index(fields=["organization", "sort_key"], name="person_org_sort"),
            # The whole-province list in Vietnamese name order.
            models.Index(fields=["sort_key", "id"], name="person_sort"),
            # Namesakes, and for the roster import's matching those born on the row's day or
            # recorded without a date, found by index for ten thousand rows at once. It replaces
            # the name's own index (one fewer index for every person written).
            models.Index(fields=["search_key", "date_of_birth"], name="person_name_birth"),
            # The few recorded without a date of birth, whom a roster row may complete.
            models.Index(
                fields=["search_key"],
                condition=models.Q(date_of_birth__isnull=True),
                name="person_name_undated",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(full_member_on__isnull=True)
                | models.Q(admitted_on__isnull=False, full_member_on__gt=models.F("admitted_on")),
                name="person_full_after_admission",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Keys derive from the name; keeping them in step here is bookkeeping, not a rule.
        self.refresh_keys()
        adding = self._state.adding
        before = getattr(self, "_loaded_organization_id", None)
        super().save(*args, **kwargs)
        from llct.organizations.counts import people_counts_apply

        if adding:
            people_counts_apply({self.organization_id: 1})
        elif before is not None and before != self.organization_id:
            people_counts_apply({before: -1, self.organization_id: 1})
        self._loaded_organization_id = self.organization_id

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        organization_id = self.organization_id
        result = super().delete(*args, **kwargs)
        from llct.organizations.counts import people_counts_apply

        people_counts_apply({organization_id: -1})
        return result

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> "Person":
        person = super().from_db(db, field_names, values, **kwargs)
        # Remembered so that a move keeps the organizations' stored people counts in step.
        person._loaded_organization_id = person.__dict__.get("organization_id")
        return person

    def refresh_keys(self) -> None:
        self.full_name = clean_text(self.full_name)
        self.search_key = fold(self.full_name)
        self.sort_key = name_sort_key(self.full_name)
        self.position = clean_text(self.position)
        self.party_card_no = clean_text(self.party_card_no) or None

    def probation_ends_on(self) -> dt.date | None:
        """The last day of the 12 months of probation, which is also the first day the cell may
        decide on full membership. Counted as the Civil Code (2015, art. 148) counts months: the
        same day of the month 12 months on, or that month's last day when it has no such day,
        so admission on 29/02/2024 ends probation on 28/02/2025."""
        if self.admitted_on is None:
            return None
        return add_months(self.admitted_on, PROBATION_MONTHS)


# The Party Charter (Điều lệ Đảng, art. 5): probation lasts 12 months, and the cell must consider
# full membership within 30 working days after it ends. Fixed rules, not province settings.
PROBATION_MONTHS = 12
DECISION_WORKING_DAYS = 30


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # 29/02 + 12 months is 28/02: clamp to the month's last day.
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise ValueError(day)


class MembershipRules(models.Model):
    """Province-wide settings of the party rules LLCT enforces (one row, edited by the
    department). The certificate's validity is the admission programme's own setting."""

    cutover_on = models.DateField(
        _("LLCT in use from"),
        default=dt.date(2026, 1, 1),
        help_text=_(
            "Admissions and full memberships before this date are history: rosters and the "
            "person form record them without checks. From this date on they are decisions, "
            "recorded on the person's page and checked against the rules."
        ),
    )
    exceptions_allowed = models.BooleanField(
        _("allow exceptions"),
        default=False,
        help_text=_(
            "When on, an admission without a valid awareness certificate or a full membership "
            "without the new-member class may be recorded with a reason; it is flagged and "
            "listed among the exceptions. When off, it is refused."
        ),
    )

    class Meta:
        verbose_name = _("party rules")
        verbose_name_plural = _("party rules")

    def __str__(self) -> str:
        return str(_("Party rules"))

    @classmethod
    def current(cls) -> "MembershipRules":
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules


class MembershipChange(models.Model):
    """One step of a person's membership, with its date. Never overwritten."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=20, choices=MembershipStage.choices)
    effective_on = models.DateField()
    note = models.CharField(max_length=255, blank=True)
    # A step dated before the cut-over (MembershipRules.cutover_on), from a roster or the person
    # form: accepted as history, without the checks a decision goes through.
    as_history = models.BooleanField(_("recorded as history"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["person_id", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.stage} {self.effective_on}"


class TheoryLevelChange(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="level_changes")
    level = models.PositiveSmallIntegerField(choices=TheoryLevel.choices)
    effective_on = models.DateField()
    source = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["person_id", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.level} {self.effective_on}"


class Transfer(models.Model):
    """A person moving from one organization to another (chuyển sinh hoạt), or an organization
    merge carrying its people along."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="transfers")
    from_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField()
    note = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["person_id", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.person_id}: → {self.to_organization_id} {self.effective_on}"


class RosterImport(models.Model):
    """One uploaded roster, from upload through preview to commit. The file is personal data: it
    stays only while the import is open (served through a scoped view, for the rejected rows),
    and is deleted when the import is written, fails or is cancelled, or by `roster_sweep` when a
    preview is abandoned."""

    class Status(models.TextChoices):
        ANALYSING = "analysing", _("Checking")
        PREVIEW = "preview", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ANALYSING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # [{"row": 7, "name": "...", "reason": "..."}]: no dates of birth or card numbers here.
    rejected_rows = models.JSONField(default=list, blank=True)
    # What an organization cell naming no organization means, as the officer chose in the
    # preview (roster/placement.py): "" refused, "create" new cells, "root" this organization.
    placement = models.CharField(max_length=10, blank=True, default="")
    # [{"name": "Chi bộ 5", "rows": 12}]: organization cells that match no organization.
    missing_organizations = models.JSONField(default=list, blank=True)
    # [{"column", "written", "read", "rows"}]: how messy values were read. It may show dates of
    # birth, so it is emptied with the file when the import ends.
    readings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


class PeopleExport(ExportJob):
    """A people list export written by a task. The file holds personal data: only its requester
    downloads it, and it is removed a day later (`people_export_prune`)."""

    # The list's filters as submitted (search words, organization id, stage, level, position).
    filters = models.JSONField(default=dict, blank=True)

    class Meta(ExportJob.Meta):
        pass

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"
