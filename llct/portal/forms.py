from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from llct.core.forms import VietnameseIntegerField, set_queryset
from llct.core.versions import VersionedForm
from llct.portal.models import Article, Category, Document, DocumentRelation


class ArticleForm(VersionedForm, forms.ModelForm[Article]):
    class Meta:
        model = Article
        fields = ["title", "category", "lead", "body", "author_name", "featured"]
        widgets = {
            "lead": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }
        help_texts = {
            "body": _(
                "Paragraphs, headings, lists, links and images are kept; scripts and styles "
                "are removed. Insert an uploaded image with the code shown beside it."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "category", Category.objects.all())


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name of the category"), max_length=100)
    rank = VietnameseIntegerField(
        label=_("Position on the bar"), min_value=0, max_value=32767, initial=0
    )


class ImageForm(forms.Form):
    image = forms.ImageField(label=_("Image"))
    caption = forms.CharField(label=_("Caption"), max_length=255, required=False)
    cover = forms.BooleanField(label=_("Use as the cover image"), required=False)


class PublishForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("Leave empty to publish now; a later time schedules the publication."),
    )


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("What should be changed"), max_length=500)


class DocumentForm(VersionedForm, forms.ModelForm[Document]):
    class Meta:
        model = Document
        fields = ["kind", "number", "issuer", "issued_on", "subject", "summary", "access"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"number": _("As printed on the document, e.g. 131-KH/ĐUK.")}


class DocumentFileForm(forms.Form):
    file = forms.FileField(label=_("File (.pdf or .docx)"))


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("This document"), choices=DocumentRelation.Kind.choices)
    target = forms.ModelChoiceField(label=_("Document"), queryset=Document.objects.none())

    def __init__(self, *args: Any, documents: QuerySet[Document], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "target", documents)


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Document.Kind.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1930, max_value=2100)
