"""Forms of the plan pages. They parse and keep what was typed; the rules live in the plans
package."""

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import MoneyField, number_formfield, set_queryset
from llct.core.versions import VersionedForm
from llct.courses.forms import VenueChoiceField
from llct.courses.models import Venue
from llct.curriculum.models import Lecturer, Programme
from llct.organizations.forms import DateField, OrganizationChoiceField
from llct.organizations.models import Organization
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    FacilityNeed,
    Nomination,
    PlanDecision,
    PlannedCourse,
)
from llct.planning.plans import services as plan_services

# Norms are per unit (a session, a learner, a day): bounded so that a planned course's lines,
# the norm times at most LEARNERS_MAX learners or 32.767 sessions, still fit their column.
NORM_MAX = 999_999_999
LEARNERS_MAX = 99_999


MONTHS = [(m, _("Month %(n)s") % {"n": m}) for m in range(1, 13)]


class PlanForm(VersionedForm, forms.ModelForm[AnnualPlan]):
    issuer = OrganizationChoiceField(
        label=_("Issuing organization"), queryset=Organization.objects.none()
    )

    class Meta:
        formfield_callback = number_formfield
        model = AnnualPlan
        fields = list(plan_services.PLAN_FIELDS)
        widgets = {"introduction": forms.Textarea(attrs={"rows": 5})}
        labels = {
            "year": _("Year"),
            "number": _("Document number"),
            "title": _("Plan title"),
            "place": _("Place"),
            "issuing_body": _("Issuing body as printed"),
            "signing_authority": _("Signing authority"),
            "signer_position": _("Signer's position"),
            "introduction": _("Purpose and requirements"),
        }
        help_texts = {
            "number": _("e.g. 131-KH/ĐUK; leave empty until the number is given"),
            "issuing_body": _(
                "Printed under the issuing organization, e.g. Ban Tuyên giáo và Dân vận; leave "
                "empty when the organization's committee issues the plan."
            ),
            "signing_authority": _("e.g. T/M BAN THƯỜNG VỤ or K/T TRƯỞNG BAN"),
            "signer_position": _("e.g. Phó Trưởng ban"),
            "place": _("Printed before the date, e.g. Hòa Bình"),
            "introduction": _("Section I of the document; one paragraph per line."),
        }

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "issuer", organizations)
        self.fields["number"].required = False
        if not self.instance.pk:
            for name, value in plan_services.DEPARTMENT_DOCUMENT.items():
                self.initial.setdefault(name, value)

    def _post_clean(self) -> None:
        # The rules (one plan per year) live in the service.
        pass

    def plan_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in plan_services.PLAN_FIELDS}


class NominationChoiceField(forms.ModelMultipleChoiceField[Nomination]):
    def label_from_instance(self, obj: Nomination) -> str:
        quarter = _("Q%(n)s") % {"n": obj.quarter} if obj.quarter else _("any quarter")
        return f"{obj.person.full_name} — {obj.submission.organization.name} ({quarter})"


class LecturerMultipleField(forms.ModelMultipleChoiceField[Lecturer]):
    def label_from_instance(self, obj: Lecturer) -> str:
        return f"{obj.full_name} ({obj.get_kind_display()})"


class PlannedCourseForm(VersionedForm, forms.ModelForm[PlannedCourse]):
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, coerce=int)
    organizer = OrganizationChoiceField(
        label=_("Organized by"), queryset=Organization.objects.none()
    )
    venue = VenueChoiceField(
        label=_("Venue"),
        queryset=Venue.objects.none(),
        required=False,
        help_text=_("An online room costs nothing for the venue."),
    )
    lecturers = LecturerMultipleField(
        label=_("Lecturers"),
        queryset=Lecturer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Without a lecturer the fees are estimated at the part-time rate."),
    )
    nominations = NominationChoiceField(
        label=_("Linked nominations"),
        queryset=Nomination.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        formfield_callback = number_formfield
        model = PlannedCourse
        fields = [*plan_services.PLANNED_FIELDS, "lecturers", "nominations"]
        labels = {
            "programme": _("Programme"),
            "name": _("Course name"),
            "sessions": _("Sessions (half-days)"),
        }

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        nominations: QuerySet[Nomination] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        lecturer_ids = list(instance.lecturers.values_list("pk", flat=True)) if instance.pk else []
        set_queryset(
            self,
            "programme",
            Programme.objects.filter(Q(is_active=True) | Q(pk=instance.programme_id or 0)).order_by(
                "name"
            ),
        )
        set_queryset(self, "organizer", organizations)
        self.fields["expected_learners"].validators.append(MaxValueValidator(LEARNERS_MAX))
        set_queryset(
            self, "venue", Venue.objects.filter(Q(is_active=True) | Q(pk=instance.venue_id or 0))
        )
        set_queryset(
            self,
            "lecturers",
            Lecturer.objects.filter(Q(is_active=True) | Q(pk__in=lecturer_ids)).order_by(
                "full_name"
            ),
        )
        # Left empty, the programme's length is used: a class added by hand is budgeted for
        # the sessions and days its programme takes, not one of each.
        for name in ("sessions", "days"):
            self.fields[name].required = False
            self.fields[name].help_text = _("Leave empty to use the programme's length.")
        if not instance.pk and not self.is_bound:
            self.initial["sessions"] = self.initial["days"] = None
        if nominations is None:
            del self.fields["nominations"]
        else:
            set_queryset(self, "nominations", nominations)

    def _post_clean(self) -> None:
        # The rules (nominations of this year and programme, the budget) live in the service.
        pass

    def course_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in plan_services.PLANNED_FIELDS}


class NominationPickForm(forms.Form):
    nominations = forms.ModelMultipleChoiceField(
        queryset=Nomination.objects.none(),
        error_messages={"required": _("Choose at least one nomination.")},
    )

    def __init__(self, *args: Any, nominations: QuerySet[Nomination], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "nominations", nominations)


class ProgrammeFilterForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "programme", programmes)


class BudgetLineForm(VersionedForm, forms.Form):
    amount = MoneyField(label=_("Amount (đồng)"))
    adjustment_note = forms.CharField(
        label=_("Reason for adjustment"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the amount differs from the one computed from the norms."),
    )


class FacilityNeedForm(VersionedForm, forms.ModelForm[FacilityNeed]):
    estimated_cost = MoneyField(
        label=_("Estimated cost (đồng)"), help_text=_("For the whole quantity.")
    )

    class Meta:
        formfield_callback = number_formfield
        model = FacilityNeed
        fields = list(plan_services.FACILITY_FIELDS)
        labels = {"kind": _("Kind")}

    def _post_clean(self) -> None:
        pass

    def need_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in plan_services.FACILITY_FIELDS}


class NormsForm(VersionedForm, forms.Form):
    fee_part_time = MoneyField(
        label=_("Lecturer fee per session: part-time lecturer"), max_value=NORM_MAX
    )
    fee_guest = MoneyField(label=_("Lecturer fee per session: guest speaker"), max_value=NORM_MAX)
    fee_full_time = MoneyField(
        label=_("Lecturer fee per session: full-time lecturer"), max_value=NORM_MAX
    )
    materials_per_learner = MoneyField(label=_("Materials per learner"), max_value=NORM_MAX)
    venue_per_day = MoneyField(
        label=_("Venue cost per day"),
        help_text=_("Nothing is counted for online rooms."),
        max_value=NORM_MAX,
    )
    other_per_course = MoneyField(label=_("Other costs per course"), max_value=NORM_MAX)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=PlanDecision.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the plan is returned: say what must be changed."),
    )


class CreateCourseForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason for enrolling despite the warnings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_warnings = forms.BooleanField(
        label=_("I have read the warnings above; enrol anyway"), required=False
    )


class ExpenseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BudgetLine.Kind.choices)
    amount = MoneyField(label=_("Amount (đồng)"))
    spent_on = DateField(label=_("Date"))
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
