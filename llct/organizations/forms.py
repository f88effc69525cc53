import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import set_queryset
from llct.core.models import User
from llct.core.text import clean_text
from llct.core.versions import VersionedForm
from llct.organizations.models import (
    MembershipRules,
    MembershipStage,
    Organization,
    OrganizationKind,
    Person,
    TheoryLevel,
)
from llct.organizations.person_services import TRACKED_FIELDS
from llct.organizations.selectors import PersonFilter, organization_choices
from llct.organizations.services import SplitPart
from llct.organizations.widgets import OrganizationMultiPicker, OrganizationPicker

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
)


class DateField(forms.DateField):
    widget = DATE_WIDGET

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"])
        kwargs.setdefault(
            "error_messages", {"invalid": _("Enter a date as dd/mm/yyyy, for example 25/11/2026.")}
        )
        super().__init__(**kwargs)


class OrganizationChoiceField(forms.ModelChoiceField[Organization]):
    """One organization, chosen with the search-as-you-type picker (never a <select> of the
    whole tree)."""

    widget = OrganizationPicker

    def label_from_instance(self, obj: Organization) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False)
    organization = OrganizationChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.none(),
        required=False,
        widget=OrganizationPicker,
    )
    subtree = forms.BooleanField(label=_("Include sub-organizations"), required=False, initial=True)
    stage = forms.ChoiceField(
        label=_("Membership stage"),
        choices=[("", _("All")), *MembershipStage.choices],
        required=False,
    )
    theory_level = forms.TypedChoiceField(
        label=_("Theory level"),
        choices=[("", _("All")), *TheoryLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    position = forms.CharField(label=_("Position"), required=False)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)

    def person_filter(self) -> PersonFilter:
        """The selector's filter; the subtree box counts as ticked unless the form was sent
        (a first visit, or a link that names only an organization, shows the whole subtree)."""
        if not self.is_valid():
            return PersonFilter()
        data = self.cleaned_data
        sent = "subtree" in self.data or "q" in self.data
        return PersonFilter(
            q=data["q"],
            organization=data["organization"],
            subtree=data["subtree"] if sent else True,
            stage=data["stage"],
            theory_level=data["theory_level"],
            position=data["position"],
        )


FILTER_FIELDS = ("q", "organization", "subtree", "stage", "theory_level", "position")


def person_filter_form(*, user: User, data: Any) -> PersonFilterForm:
    """The people list's filter form for this user's scope, from a query (or stored) dict."""
    return PersonFilterForm(data or None, organizations=organization_choices(user=user))


class PersonForm(VersionedForm, forms.ModelForm[Person]):
    date_of_birth = DateField(label=_("Date of birth"), required=False)
    admitted_on = DateField(label=_("Admitted on"), required=False)
    full_member_on = DateField(label=_("Full member since"), required=False)
    effective_on = DateField(
        label=_("Effective date of this change"),
        required=False,
        help_text=_("For a transfer or a new theory level; today if left blank."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    organization = OrganizationChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), widget=OrganizationPicker
    )

    class Meta:
        model = Person
        fields = TRACKED_FIELDS

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        cutover_on: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organization", organizations)
        self.fields["party_card_no"].widget.attrs["autocomplete"] = "off"
        if cutover_on is not None:
            history = _(
                "Before %(date)s only: from then on, admission and full membership are "
                "decisions recorded on the person's page."
            ) % {"date": cutover_on.strftime("%d/%m/%Y")}
            for name in ("admitted_on", "full_member_on"):
                self.fields[name].help_text = history
        if not self.instance.pk:
            del self.fields["effective_on"]
            del self.fields["note"]

    def clean_full_name(self) -> str:
        return clean_text(self.cleaned_data["full_name"])

    def _post_clean(self) -> None:
        # The domain rules live in the service (person_validate), which reports all at once.
        pass

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class RenameForm(VersionedForm, forms.Form):
    name = forms.CharField(label=_("New name"), max_length=255)
    effective_on = DateField(label=_("Effective date"))
    note = forms.CharField(label=_("Note (decision number, reason)"), required=False)


class MoveForm(VersionedForm, forms.Form):
    new_parent = OrganizationChoiceField(
        label=_("New parent organization"),
        queryset=Organization.objects.none(),
        widget=OrganizationPicker,
    )
    effective_on = DateField(label=_("Effective date"))
    note = forms.CharField(label=_("Note (decision number, reason)"), required=False)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "new_parent", organizations)


class MergeForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(
        label=_("Organizations merged into this one"),
        queryset=Organization.objects.none(),
        widget=OrganizationMultiPicker,
    )
    effective_on = DateField(label=_("Effective date"))
    note = forms.CharField(label=_("Note (decision number, reason)"), required=False)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "sources", organizations, label=lambda o: f"{o.name} ({o.code})")


class SplitForm(forms.Form):
    parts = forms.CharField(
        label=_("New organizations, one per line: code | name"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    keep_original = forms.BooleanField(
        label=_("The original organization goes on"), required=False, initial=True
    )
    effective_on = DateField(label=_("Effective date"))
    note = forms.CharField(label=_("Note (decision number, reason)"), required=False)

    def clean_parts(self) -> list[SplitPart]:
        parts = []
        for number, line in enumerate(self.cleaned_data["parts"].splitlines(), start=1):
            if not line.strip():
                continue
            code, sep, name = line.partition("|")
            if not sep or not clean_text(code) or not clean_text(name):
                raise forms.ValidationError(
                    _("Line %(n)s: write the code, a vertical bar, then the name.") % {"n": number}
                )
            parts.append(SplitPart(code=clean_text(code).upper(), name=clean_text(name)))
        if not parts:
            raise forms.ValidationError(_("Enter at least one new organization."))
        codes = [p.code for p in parts]
        taken = set(Organization.objects.filter(code__in=codes).values_list("code", flat=True))
        if taken or len(set(codes)) != len(codes):
            raise forms.ValidationError(
                _("These codes are already used: %(codes)s")
                % {"codes": ", ".join(sorted(taken or {c for c in codes if codes.count(c) > 1}))}
            )
        return parts


class OrganizationCreateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=OrganizationKind.objects.all())
    founded_on = DateField(label=_("Founded on"), initial=dt.date.today)

    def clean_code(self) -> str:
        code = clean_text(self.cleaned_data["code"]).upper()
        if Organization.objects.filter(code=code).exists():
            raise forms.ValidationError(_("This code is already used."))
        return code


class AsOfForm(forms.Form):
    on = DateField(label=_("As of"), required=False)


class MembershipRulesForm(VersionedForm, forms.ModelForm[MembershipRules]):
    cutover_on = DateField(
        label=_("LLCT in use from"),
        help_text=MembershipRules._meta.get_field("cutover_on").help_text,
    )

    class Meta:
        model = MembershipRules
        fields = ["cutover_on", "exceptions_allowed"]

    def _post_clean(self) -> None:
        # The service validates and saves.
        pass
