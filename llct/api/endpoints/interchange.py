"""Interchange files through the API: the party-member database layout both ways, and an
organization's study sessions as .ics and JSON (by token, or by the organization's secret
feed link, which needs no token)."""

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import File, Form, Router
from ninja.files import UploadedFile

from llct.api import interchange
from llct.api.auth import principal, require_personal, require_write
from llct.api.endpoints.rolls import ONE_ERRORS, WRITE_ERRORS, import_answer
from llct.api.errors import ApiError
from llct.api.idempotency import IdempotencyKey, run_idempotent
from llct.api.models import StudyFeed
from llct.api.schemas import ErrorOut, ImportOut
from llct.core.permissions import can_edit_rolls
from llct.core.spreadsheets import XLSX_TYPE
from llct.organizations import selectors
from llct.organizations.models import Organization
from llct.organizations.roster.imports import person_import_roster
from llct.organizations.roster.reader import RosterFileError

router = Router(tags=[gettext_noop("Interchange files")])
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def file_doc(media: str) -> dict[str, Any]:
    """The 200 answer of an operation that sends a file, for the schema."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {"200": {"description": "The file.", "content": {media: binary}}}}


@router.get(
    "/interchange/people.xlsx",
    response=ONE_ERRORS,
    openapi_extra=file_doc(XLSX_TYPE),
    summary=gettext_noop(
        "People of an organization's subtree in the party-member database layout (.xlsx)"
    ),
    description=gettext_noop(
        "Columns: STT, Họ và tên, Ngày sinh, Ngày vào Đảng, Ngày chính thức, Số thẻ đảng viên, "
        "Trình độ LLCT, Đơn vị (code). Needs the personal-data permission."
    ),
)
def people_xlsx(request: HttpRequest, organization_id: int) -> HttpResponse:
    require_personal(request)
    organization = selectors.organization_get(user=principal(request), pk=organization_id)
    content = interchange.party_db_xlsx(user=principal(request), organization=organization)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="dang-vien-{organization.code}-{stamp}.xlsx"'
    )
    return response


@router.post(
    "/interchange/people.xlsx",
    response={200: ImportOut, **WRITE_ERRORS},
    summary=gettext_noop(
        "Import people from a file in that layout (the roster import), all or nothing"
    ),
    description=gettext_noop(
        "Any roster the import page accepts is accepted. When any row is rejected nothing is "
        "written (422 rows_rejected, every row with its reasons). Needs the write and the "
        "personal-data permissions."
    ),
)
def people_xlsx_import(
    request: HttpRequest,
    file: File[UploadedFile],
    organization_id: Form[int],
    idempotency_key: IdempotencyKey,
    dry_run: Form[bool] = False,
) -> JsonResponse:
    require_write(request)
    require_personal(request)
    user = principal(request)
    organization = selectors.organization_get(user=user, pk=organization_id)
    if not can_edit_rolls(user):
        raise ApiError("forbidden")
    if file.size is None or file.size > MAX_UPLOAD_BYTES:
        raise ApiError("bad_file", _("The file is larger than 20 MB."))
    content = file.read()
    file.seek(0)
    mark = hashlib.sha256(b"%d:%d:" % (organization.pk, dry_run) + content).hexdigest()

    def work() -> tuple[int, dict[str, Any]]:
        try:
            result = person_import_roster(
                file=file,
                organization=organization,
                actor=user,
                today=timezone.localdate(),
                dry_run=dry_run,
                all_or_nothing=True,
            )
        except RosterFileError as error:
            raise ApiError("bad_file", str(error)) from None
        return import_answer(result)

    return run_idempotent(request, idempotency_key, work, fingerprint=mark)


# --- Study sessions ---------------------------------------------------------------------------

FEED_ERRORS: dict[int, Any] = {404: ErrorOut}


def _sessions_response(organization: Organization, fmt: str) -> HttpResponse:
    now = timezone.now()
    sessions = interchange.study_sessions(organization=organization, today=timezone.localdate())
    if fmt == "ics":
        body = interchange.sessions_ics(organization=organization, sessions=sessions, now=now)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    else:
        data = interchange.sessions_json(organization=organization, sessions=sessions)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, max-age=300"
    return response


@router.get(
    "/organizations/{int:organization_id}/sessions.ics",
    response=ONE_ERRORS,
    openapi_extra=file_doc("text/calendar"),
    summary=gettext_noop("An organization's study sessions as a calendar (.ics)"),
)
def organization_sessions_ics(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = selectors.organization_get(user=principal(request), pk=organization_id)
    return _sessions_response(organization, "ics")


@router.get(
    "/organizations/{int:organization_id}/sessions.json",
    response=ONE_ERRORS,
    openapi_extra=file_doc("application/json"),
    summary=gettext_noop("An organization's study sessions as JSON (for a member app)"),
)
def organization_sessions_json(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = selectors.organization_get(user=principal(request), pk=organization_id)
    return _sessions_response(organization, "json")


def _feed(code: str) -> Organization:
    feed = StudyFeed.objects.select_related("organization").filter(code=code).first()
    if feed is None or len(code) < 20:
        raise ApiError("not_found")
    return feed.organization


@router.get(
    "/feeds/{code}/sessions.ics",
    auth=None,
    url_name="feed_ics",
    response=FEED_ERRORS,
    openapi_extra=file_doc("text/calendar"),
    summary=gettext_noop(
        "The study sessions behind an organization's secret feed link (.ics, no token)"
    ),
)
def feed_ics(request: HttpRequest, code: str) -> HttpResponse:
    return _sessions_response(_feed(code), "ics")


@router.get(
    "/feeds/{code}/sessions.json",
    auth=None,
    url_name="feed_json",
    response=FEED_ERRORS,
    openapi_extra=file_doc("application/json"),
    summary=gettext_noop(
        "The study sessions behind an organization's secret feed link (JSON, no token)"
    ),
)
def feed_json(request: HttpRequest, code: str) -> HttpResponse:
    return _sessions_response(_feed(code), "json")
