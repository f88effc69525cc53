"""Stored files served by views: a row whose file is missing from storage is a 404, not a 500."""

from typing import IO, Any

from django.db.models.fields.files import FieldFile
from django.http import Http404


def open_stored(field: FieldFile | None) -> IO[Any]:
    """The stored file, open for reading; Http404 when the row names none or storage lost it
    (a restore without the media folder, a file removed by hand)."""
    if not field:
        raise Http404
    try:
        return field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
