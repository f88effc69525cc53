"""Forms of the course pages. They parse and keep what was typed; the rules live in services."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import number_formfield, set_choices, set_queryset
from llct.core.models import User
from llct.core.spreadsheets import XLSX_TYPE, check_xlsx_upload
from llct.core.versions import VersionedForm
from llct.courses.models import Attendance, Course, Session, Venue
from llct.courses.selectors import organization_learners
from llct.courses.services.courses import COURSE_FIELDS
from llct.curriculum.models import Lecturer, LessonPlan, Programme
from llct.organizations.forms import DateField, OrganizationChoiceField, PersonFilterForm
from llct.organizations.models import Organization, Person
from llct.organizations.selectors import PersonFilter
from llct.organizations.widgets import OrganizationPicker

TIME_WIDGET = forms.TimeInput(
    format="%H:%M", attrs={"placeholder": "hh:mm", "inputmode": "numeric", "size": 6}
)


class CourseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or code"), required=False)
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, empty_value=None, required=False, choices=[]
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Course.Status.choices], required=False
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "year", [("", _("All")), *((y, str(y)) for y in years)])

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of selectors.course_list; none when the query is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "year": data["year"],
            "programme_id": data["programme"].pk if data["programme"] else None,
            "status": data["status"],
            "q": data["q"],
        }


class VenueChoiceField(forms.ModelChoiceField[Venue]):
    def label_from_instance(self, obj: Venue) -> str:
        if obj.kind == Venue.Kind.ONLINE:
            return str(_("%(name)s (online, %(n)s seats)") % {"name": obj.name, "n": obj.capacity})
        return str(_("%(name)s (%(n)s seats)") % {"name": obj.name, "n": obj.capacity})


def _in_use(qs: QuerySet[Any], current_id: int | None) -> QuerySet[Any]:
    """What is in use, plus what the object already points at (so an edit never loses it)."""
    return qs.filter(Q(is_active=True) | Q(pk=current_id or 0))


class CourseForm(VersionedForm, forms.ModelForm[Course]):
    starts_on = DateField(label=_("Starts on"))
    ends_on = DateField(label=_("Ends on"))
    organizer = OrganizationChoiceField(
        label=_("Organized by"), queryset=Organization.objects.none()
    )
    venue = VenueChoiceField(label=_("Main venue"), queryset=Venue.objects.none(), required=False)

    class Meta:
        formfield_callback = number_formfield
        model = Course
        fields = list(COURSE_FIELDS)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        set_queryset(self, "organizer", organizations)
        set_queryset(
            self, "programme", _in_use(Programme.objects.order_by("name"), instance.programme_id)
        )
        set_queryset(self, "venue", _in_use(Venue.objects.all(), instance.venue_id))
        self.fields["code"].widget.attrs["autocomplete"] = "off"

    def _post_clean(self) -> None:
        # The rules (unique code, dates, scope of the organizer) live in the service.
        pass

    def course_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in COURSE_FIELDS}


class LessonPlanChoiceField(forms.ModelChoiceField[LessonPlan]):
    def label_from_instance(self, obj: LessonPlan) -> str:
        return f"{obj.topic.order}. {obj.topic.title[:60]} — v{obj.version}"


class LecturerChoiceField(forms.ModelChoiceField[Lecturer]):
    def label_from_instance(self, obj: Lecturer) -> str:
        return f"{obj.full_name} ({obj.get_kind_display()})"


class SessionForm(VersionedForm, forms.ModelForm[Session]):
    date = DateField(label=_("Date"))
    starts_at = forms.TimeField(
        label=_("Starts at"),
        required=False,
        widget=TIME_WIDGET,
        help_text=_("Only for exact times; a half-day takes its times from the settings."),
    )
    ends_at = forms.TimeField(label=_("Ends at"), required=False, widget=TIME_WIDGET)
    lecturer = LecturerChoiceField(
        label=_("Lecturer"), queryset=Lecturer.objects.none(), required=False
    )
    venue = VenueChoiceField(label=_("Venue"), queryset=Venue.objects.none(), required=False)
    lesson_plan = LessonPlanChoiceField(
        label=_("Lesson plan version"),
        queryset=LessonPlan.objects.none(),
        required=False,
        empty_label=_("The latest version"),
    )

    class Meta:
        model = Session
        fields = [
            "date",
            "part",
            "starts_at",
            "ends_at",
            "topic",
            "lecturer",
            "venue",
            "lesson_plan",
            "note",
        ]

    def __init__(self, *args: Any, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        topics = course.programme.topics.order_by("order")
        set_queryset(self, "topic", topics)
        set_queryset(
            self, "lecturer", _in_use(Lecturer.objects.order_by("full_name"), instance.lecturer_id)
        )
        set_queryset(self, "venue", _in_use(Venue.objects.all(), instance.venue_id))
        set_queryset(
            self,
            "lesson_plan",
            LessonPlan.objects.filter(topic__programme_id=course.programme_id)
            .select_related("topic")
            .order_by("topic__order", "-version"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("part") == Session.Part.CUSTOM:
            for name in ("starts_at", "ends_at"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Give the exact time, or choose a half-day."))
        return data

    def _post_clean(self) -> None:
        # Times of a half-day, dates and conflicts are the service's business.
        pass

    def apply(self, session: Session) -> Session:
        for name in self.Meta.fields:
            value = self.cleaned_data.get(name)
            if name in ("starts_at", "ends_at") and value is None:
                continue
            setattr(session, name, value)
        if session.note is None:
            session.note = ""
        return session


class EnrolForm(forms.Form):
    """Who to enrol: one person, the people ticked in a list, or a whole organization (its
    subtree). The choices are limited to the user's scope: an id from elsewhere is refused."""

    person = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    people = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False)
    organization = OrganizationChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        widget=OrganizationPicker(attrs={"id": "id_whole_org"}),  # the search has its own
    )
    override_reason = forms.CharField(
        label=_("Reason for enrolling despite the warnings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_warnings = forms.BooleanField(
        label=_("I have read the warnings above; enrol anyway"), required=False
    )
    eligible_only = forms.BooleanField(label=_("Eligible people only"), required=False)

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        organizations: QuerySet[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "person", people)
        set_queryset(self, "people", people)
        set_queryset(self, "organization", organizations)
        self.organizations = organizations

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("person") or data.get("people") or data.get("organization")
        if not chosen and not self.errors:
            raise forms.ValidationError(
                _("Choose at least one person, or an organization."), code="empty"
            )
        return data

    @property
    def selection(self) -> str:
        data = getattr(self, "cleaned_data", {})
        if data.get("person"):
            return "person"
        if data.get("organization"):
            return "organization"
        return "people"

    def chosen(self, *, user: User, course: Course) -> list[Person]:
        """The people to enrol: the one, the ticked, or everyone enrollable in the
        organization's subtree (only the eligible ones when asked)."""
        data = self.cleaned_data
        if self.selection == "person":
            return [data["person"]]
        if self.selection == "organization":
            return organization_learners(
                user=user,
                organization=data["organization"],
                programme=course.programme,
                eligible=data["eligible_only"],
            )
        return list(data["people"])

    def terms(self) -> dict[str, Any]:
        """The service's terms: the reason for overriding warnings, and their confirmation."""
        return {
            "override_reason": self.cleaned_data["override_reason"],
            "confirm_warnings": self.cleaned_data["confirm_warnings"],
        }

    def carried(self) -> list[tuple[str, str]]:
        """What was chosen, as hidden inputs of the confirmation form: nothing is picked twice."""
        if not self.is_bound:
            return []
        names = [self.selection] if self.is_valid() else ["person", "people", "organization"]
        if "organization" in names:
            names.append("eligible_only")
        data: Any = self.data  # a QueryDict: a name may come several times
        return [(n, v) for n in names for v in data.getlist(n) if v]


def people_filter(form: PersonFilterForm, params: Mapping[str, Any]) -> PersonFilter:
    """The enrolment picker's filter: the subtree is included until the user unticks it."""
    if not form.is_valid():
        return PersonFilter()
    data = form.cleaned_data
    return PersonFilter(
        q=data["q"],
        organization=data["organization"],
        subtree=data["subtree"] if "subtree" in params or "q" in params else True,
        stage=data["stage"],
        theory_level=data["theory_level"],
    )


class WithdrawForm(forms.Form):
    on = DateField(label=_("Withdrawn on"))
    reason = forms.CharField(label=_("Reason for withdrawal"), max_length=255)


MAX_MARKS_UPLOAD_BYTES = 5 * 1024 * 1024


class MarksUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance file (.xlsx)"),
        help_text=_(
            "The template of this session, filled in: x present, P absent with leave, "
            "K or blank absent."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=255,
        required=False,
        help_text=_("Needed after the session's day: the change is then a correction."),
    )

    def clean_file(self) -> Any:
        return check_xlsx_upload(self.cleaned_data["file"], max_bytes=MAX_MARKS_UPLOAD_BYTES)


class MarkForm(forms.Form):
    """One learner's mark on the roll call, with the mark the officer saw (`original`: absent
    from the request when the page did not say, then not checked) and a correction's reason."""

    status = forms.ChoiceField(choices=Attendance.Status.choices)
    original = forms.CharField(required=False)
    reason = forms.CharField(required=False)

    def clean_original(self) -> str | None:
        return str(self.cleaned_data["original"]) if "original" in self.data else None


class AllPresentForm(forms.Form):
    """ "All present": the learners the officer saw unmarked (ids), and a correction's reason."""

    reason = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        posted: Any = self.data
        data["enrolment_ids"] = [int(v) for v in posted.getlist("enrolment") if v.isdigit()]
        return data
