"""The document library: writes (documents, files with their text, relations) and reads that
start from what the user may see.

Access levels: public documents are for everyone, signed in or not; party-member documents
for signed-in party members (probationary and full), lecturers and staff; internal documents
for staff only (department, leaders, organization officers). A document the user may not see
answers 404, and so do its files: they live in private storage and are streamed by a view.
"""

import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import audit_record
from llct.core.text import clean_text, fold
from llct.organizations.models import MembershipStage
from llct.portal import cache
from llct.portal.models import AccessLevel, Document, DocumentFile, DocumentRead, DocumentRelation

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_TEXT_CHARS = 2_000_000  # folded text kept per file: a whole congress document fits
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def access_levels(user: Any) -> list[str]:
    if not user.is_authenticated:
        return [AccessLevel.PUBLIC]
    if has_capability(user, Capability.READ_INTERNAL_DOCUMENTS):
        return [AccessLevel.PUBLIC, AccessLevel.MEMBERS, AccessLevel.INTERNAL]
    if has_capability(user, Capability.READ_MEMBERS_DOCUMENTS):
        return [AccessLevel.PUBLIC, AccessLevel.MEMBERS]
    person = user.person if user.person_id else None
    if person is not None and person.stage in (MembershipStage.PROBATIONARY, MembershipStage.FULL):
        return [AccessLevel.PUBLIC, AccessLevel.MEMBERS]
    return [AccessLevel.PUBLIC]


def may_edit_library(user: Any) -> bool:
    return has_capability(user, Capability.EDIT_LIBRARY)


# --- Reads ------------------------------------------------------------------------------------


def document_list(
    *, user: Any, query: str = "", kind: str = "", year: int | None = None
) -> QuerySet[Document]:
    qs = Document.objects.filter(access__in=access_levels(user)).defer("search_text")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(issued_on__year=year)
    for word in fold(query).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-issued_on", "-id")


def document_get(*, user: Any, pk: int) -> Document:
    try:
        return document_list(user=user).get(pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None


def document_file_get(*, user: Any, document_pk: int, pk: int) -> DocumentFile:
    document = document_get(user=user, pk=document_pk)
    try:
        return document.files.get(pk=pk)
    except DocumentFile.DoesNotExist:
        raise Http404 from None


def document_relations(*, user: Any, document: Document) -> list[tuple[str, Document]]:
    """Both directions, in words ("implements", "is implemented by"), visible documents only."""
    levels = access_levels(user)
    out = [
        (str(r.get_kind_display()), r.target)
        for r in document.relations_out.select_related("target").filter(target__access__in=levels)
    ]
    reverse = {
        DocumentRelation.Kind.IMPLEMENTS: _("implemented by"),
        DocumentRelation.Kind.REPLACES: _("replaced by"),
        DocumentRelation.Kind.AMENDS: _("amended by"),
    }
    out += [
        (str(reverse[DocumentRelation.Kind(r.kind)]), r.source)
        for r in document.relations_in.select_related("source").filter(source__access__in=levels)
    ]
    return out


def document_choices(*, user: Any) -> QuerySet[Document]:
    return document_list(user=user).only("id", "number", "subject", "issued_on")


# --- Text extraction --------------------------------------------------------------------------


def extract_text(data: bytes, suffix: str) -> str:
    """The text of a .pdf (pypdf) or .docx (python-docx); '' when it has none (a scan)."""
    if suffix == ".pdf":
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            reader = PdfReader(io.BytesIO(data))
            parts = [page.extract_text() or "" for page in reader.pages[:500]]
        except (PyPdfError, ValueError, KeyError, TypeError):
            raise ValidationError(_("This PDF file cannot be read.")) from None
        return "\n".join(parts)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a broken file
        raise ValidationError(_("This Word file cannot be read.")) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def _refresh_search(document: Document) -> None:
    texts = list(document.files.values_list("text", flat=True))
    head = fold(f"{document.number} {document.issuer} {document.subject} {document.summary}")
    document.search_text = " ".join([head, *texts])
    document.save(update_fields=["search_text"])


# --- Writes -----------------------------------------------------------------------------------


def _require_editor(actor: Any) -> None:
    if not may_edit_library(actor):
        raise PermissionDenied


@transaction.atomic
def document_save(
    *,
    document: Document | None = None,
    kind: str,
    number: str,
    issuer: str,
    issued_on: Any,
    subject: str,
    summary: str = "",
    access: str = AccessLevel.PUBLIC,
    actor: Any,
) -> Document:
    """Create a document, or update the one given."""
    _require_editor(actor)
    created = document is None
    if document is None:
        document = Document(created_by=actor)
    document.kind = kind
    document.number = clean_text(number)
    document.issuer = clean_text(issuer)
    document.issued_on = issued_on
    document.subject = clean_text(subject)
    document.summary = summary.strip()
    document.access = access
    document.full_clean()
    document.save()
    _refresh_search(document)
    audit_record(
        actor=actor,
        obj=document,
        action="created" if created else "updated",
        summary=document.number,
    )
    cache.invalidate()
    return document


@transaction.atomic
def document_file_add(*, document: Document, upload: Any, actor: Any) -> DocumentFile:
    _require_editor(actor)
    name = clean_text(upload.name)
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in FILE_TYPES:
        raise ValidationError({"file": _("Only .pdf and .docx files can be attached.")})
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": _("The file is larger than 30 MB.")})
    data = upload.read()
    upload.seek(0)
    text = fold(extract_text(data, suffix))[:MAX_TEXT_CHARS]
    item = DocumentFile(document=document, original_name=name, size=len(data), text=text)
    item.file.save(name, upload, save=False)
    item.save()
    _refresh_search(document)
    audit_record(actor=actor, obj=document, action="file_added", summary=name)
    cache.invalidate()
    return item


@transaction.atomic
def document_file_delete(*, item: DocumentFile, actor: Any) -> None:
    _require_editor(actor)
    document = item.document
    item.file.delete(save=False)
    item.delete()
    _refresh_search(document)
    audit_record(actor=actor, obj=document, action="file_deleted", summary=item.original_name)
    cache.invalidate()


@transaction.atomic
def document_relate(
    *, source: Document, target: Document, kind: str, actor: Any
) -> DocumentRelation:
    _require_editor(actor)
    if source.pk == target.pk:
        raise ValidationError({"target": _("A document cannot refer to itself.")})
    relation, _created = DocumentRelation.objects.get_or_create(
        source=source, target=target, kind=kind
    )
    audit_record(actor=actor, obj=source, action="related", summary=f"{kind} {target.number}")
    cache.invalidate()
    return relation


def document_mark_read(*, user: Any, document: Document) -> None:
    """Count the document in the reader's study record (signed-in people on the rolls)."""
    if user.is_authenticated and user.person_id:
        DocumentRead.objects.get_or_create(document=document, person_id=user.person_id)


def visible_filter(user: Any) -> Q:
    return Q(access__in=access_levels(user))
