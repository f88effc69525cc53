"""Forms keep what was typed and show errors; the rules themselves live in services.py."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from llct.core.forms import number_formfield, set_queryset
from llct.core.models import Role, User
from llct.core.text import clean_text
from llct.core.versions import VersionedForm
from llct.curriculum import services
from llct.curriculum.models import Lecturer, Programme, Topic
from llct.curriculum.selectors import person_matches
from llct.organizations.models import MembershipStage, Person, TheoryLevel


class ScoreField(forms.CharField):
    """A score on the 10-point scale, typed with a comma or a dot ("8,5" or "8.5"). The range
    and the one-decimal rule are checked by the service, so all band errors show together."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "size": 5})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return Decimal(str(text).replace(",", ".").strip())
        except InvalidOperation:
            raise forms.ValidationError(
                _("Enter a score from 0 to 10, for example 8,5."), code="invalid"
            ) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value).replace(".", ",")
        return value


class CommaDecimalField(forms.DecimalField):
    """A decimal typed the Vietnamese way ("5,5") or with a dot; never a thousands separator."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace(",", ".").strip()
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value).replace(".", ",")
        return value


class ProgrammeForm(VersionedForm, forms.ModelForm[Programme]):
    eligible_stages = forms.MultipleChoiceField(
        label=_("Who may attend (membership stages)"),
        choices=[c for c in MembershipStage.choices if c[0] != MembershipStage.LEFT],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick none to let everyone attend."),
    )
    default_days = CommaDecimalField(
        label=_("Default length (days)"),
        max_digits=5,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    band_excellent = ScoreField(label=_("Xuất sắc from"))
    band_good = ScoreField(label=_("Giỏi from"))
    band_fair = ScoreField(label=_("Khá from"))
    band_pass = ScoreField(label=_("Trung bình from"), help_text=_("Below this: Không đạt."))

    class Meta:
        formfield_callback = number_formfield
        model = Programme
        fields = services.PROGRAMME_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["size"] = 60
        raises: Any = self.fields["raises_level_to"]
        raises.choices = [
            ("", _("— does not raise the level —")),
            *[c for c in TheoryLevel.choices if c[0] != TheoryLevel.NONE],
        ]

    def clean_name(self) -> str:
        return clean_text(self.cleaned_data["name"])

    def _post_clean(self) -> None:
        # The programme's rules live in services.programme_validate, which reports all at once.
        pass

    def programme_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.PROGRAMME_FIELDS}


class TopicForm(VersionedForm, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    sessions = forms.IntegerField(
        label=_("Half-day sessions"),
        min_value=1,
        max_value=200,
        initial=1,
        help_text=_("How many half-days this topic takes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["size"] = 60


class LessonPlanForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, Word, PowerPoint or OpenDocument (.pdf .doc .docx .ppt .pptx .odt), up to 20 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(services.LESSON_PLAN_EXTENSIONS)}
        ),
    )
    note = forms.CharField(label=_("What changed"), max_length=500, required=False)

    def clean_file(self) -> "UploadedFile[Any]":
        file: UploadedFile[Any] = self.cleaned_data["file"]
        errors = services.lesson_plan_file_errors(file)
        if errors:
            raise forms.ValidationError(errors)
        return file


class LecturerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or workplace"), required=False)
    inactive = forms.BooleanField(label=_("Include inactive lecturers"), required=False)


class PersonChoiceField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.full_name} — {obj.organization.name}"


class LecturerForm(VersionedForm, forms.ModelForm[Lecturer]):
    """The person link is a select of the people matching a name search: the rolls are far too
    long for one select. Any existing person validates; only the matches are offered."""

    person_q = forms.CharField(
        label=_("Find a person on the rolls"),
        required=False,
        help_text=_("Type part of the name, then choose below."),
    )
    person = PersonChoiceField(
        label=_("Person on the rolls"),
        queryset=Person.objects.select_related("organization"),
        required=False,
        empty_label=_("— not on the rolls —"),
    )
    user = forms.ModelChoiceField(
        label=_("User account"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— no account —"),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Approved topics"),
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    field_order = [
        "full_name",
        "kind",
        "person_q",
        "person",
        "user",
        "workplace",
        "qualifications",
        "email",
        "phone",
        "topics",
        "is_active",
    ]

    class Meta:
        model = Lecturer
        fields = [
            "full_name",
            "kind",
            "person",
            "user",
            "workplace",
            "qualifications",
            "email",
            "phone",
            "topics",
            "is_active",
        ]
        widgets = {"qualifications": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["size"] = 40
        # htmx refreshes the person select's options as a name is typed.
        search_widget: Any = self.fields["person_q"].widget
        search_widget.input_type = "search"
        search_widget.attrs.update(
            {
                "autocomplete": "off",
                "hx-get": reverse("curriculum:lecturer_person_options"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#id_person",
                "hx-swap": "innerHTML",
                "hx-include": "#id_person",
            }
        )
        current = self.instance.person_id
        if self.is_bound:
            current = self.data.get("person") or current
        query = (self.data.get("person_q") if self.is_bound else "") or ""
        person_field: Any = self.fields["person"]
        person_field.widget.choices = person_options(
            q=query, current=current, empty_label=str(person_field.empty_label)
        )
        # Lecturer accounts, plus the one already linked whatever its role.
        users = User.objects.filter(role=Role.LECTURER)
        if self.instance.user_id:
            users = users | User.objects.filter(pk=self.instance.user_id)
        set_queryset(
            self,
            "user",
            users.order_by("username"),
            label=lambda u: f"{u.display_name} ({u.username})",
        )
        topics_field: Any = self.fields["topics"]
        topics_field.widget.choices = topic_choices_by_programme()

    def clean_full_name(self) -> str:
        return clean_text(self.cleaned_data["full_name"])

    def _post_clean(self) -> None:
        # Uniqueness of the person and account links is checked by the service.
        pass

    def lecturer_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in services.LECTURER_FIELDS}


def person_options(*, q: str, current: Any, empty_label: str) -> list[tuple[Any, str]]:
    """The choices of the person select: the currently linked person, then the matches."""
    options: list[tuple[Any, str]] = [("", empty_label)]
    seen = set()
    if current:
        try:
            person = Person.objects.select_related("organization").get(pk=int(current))
        except (Person.DoesNotExist, ValueError, TypeError):
            person = None
        if person is not None:
            options.append((person.pk, f"{person.full_name} — {person.organization.name}"))
            seen.add(person.pk)
    for person in person_matches(q=q):
        if person.pk not in seen:
            options.append((person.pk, f"{person.full_name} — {person.organization.name}"))
    return options


def topic_choices_by_programme() -> list[tuple[str, list[tuple[int, str]]]]:
    """Topic checkboxes grouped under their programme's name. One query."""
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for topic in Topic.objects.select_related("programme").order_by("programme__code", "order"):
        group = groups.setdefault(topic.programme_id, (topic.programme.name, []))
        group[1].append((topic.pk, f"{topic.order}. {topic.title}"))
    return list(groups.values())
