from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from llct.core.forms import set_choices, set_queryset
from llct.organizations.forms import DateField
from llct.organizations.models import Organization


class CommitteeChoiceField(forms.ModelChoiceField[Organization]):
    def label_from_instance(self, obj: Organization) -> str:
        return str(obj.name)


class DecisionForm(forms.Form):
    """An admission or full membership decision as the committee issued it. The reason field is
    there only where the department allows exceptions."""

    number = forms.CharField(
        label=gettext_lazy("Decision number"),
        max_length=50,
        help_text=gettext_lazy("As written on the decision, for example 125-QĐ/ĐU."),
    )
    decided_on = DateField(label=gettext_lazy("Decision date"))
    issued_by = CommitteeChoiceField(
        label=gettext_lazy("Issuing committee"), queryset=Organization.objects.none()
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the exception"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Only when the rule's evidence is missing: the decision is then recorded as an "
            "exception, flagged on the person and listed for the department."
        ),
    )

    def __init__(
        self, *args: Any, committees: list[Organization], exceptions_allowed: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(
            self, "issued_by", Organization.objects.filter(pk__in=[c.pk for c in committees])
        )
        set_choices(self, "issued_by", [(c.pk, c.name) for c in committees])
        if not exceptions_allowed:
            del self.fields["reason"]
