"""The shapes the API reads and writes, as the OpenAPI schema publishes them.

Lists come as {"items": [...], "next_cursor": ...}. Personal data (date_of_birth,
party_card_no) is always in the person's shape and null unless the token may read it."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, create_model


class ErrorBody(Schema):
    code: str = Field(description="Stable code, e.g. not_found, rows_rejected.")
    message: str = Field(description="For people, in Vietnamese.")
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody


def paged(name: str, item: type[Schema]) -> type[Schema]:
    model: type[Schema] = create_model(
        name,
        __base__=Schema,
        # A model built at run time: the item schema is a parameter, not a type mypy can read.
        items=(list[item], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, Field(None, description="Pass as `cursor` for the next page.")),
    )
    return model


class Paging(Schema):
    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(100, description="At most 500.")


class OrganizationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_name: str
    parent_id: int | None
    founded_on: dt.date
    dissolved_on: dt.date | None
    as_of: dt.date | None = Field(None, description="Set when the tree was read as of a date.")


class PersonOut(Schema):
    id: int
    full_name: str
    sex: str
    position: str
    organization_id: int
    stage: str
    admitted_on: dt.date | None
    full_member_on: dt.date | None
    theory_level: str = Field(description="SC, TC, CC, CN or empty.")
    theory_level_name: str
    updated_at: dt.datetime
    date_of_birth: dt.date | None = Field(None, description="Only with personal-data permission.")
    party_card_no: str | None = Field(None, description="Only with personal-data permission.")


class ProgrammeOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    assessment_kind: str
    issues_certificate: bool
    certificate_valid_months: int | None
    raises_level_to: str | None
    attendance_threshold: int
    is_active: bool


class CourseOut(Schema):
    id: int
    code: str
    name: str
    programme_id: int
    organizer_id: int
    partner: str
    starts_on: dt.date
    ends_on: dt.date
    venue_id: int | None
    capacity: int
    status: str


class SessionOut(Schema):
    id: int
    course_id: int
    date: dt.date
    part: str
    starts_at: dt.time
    ends_at: dt.time
    topic: str | None
    lecturer: str | None
    venue: str | None


class EnrolmentOut(Schema):
    id: int
    course_id: int
    person_id: int
    full_name: str
    organization_id: int
    status: str
    withdrawn_on: dt.date | None


class AttendanceOut(Schema):
    id: int
    session_id: int
    enrolment_id: int
    status: str
    method: str
    marked_at: dt.datetime


class ResultOut(Schema):
    enrolment_id: int
    person_id: int
    essay_score: Decimal | None
    test_score: Decimal | None
    final_score: Decimal | None
    band: str
    attendance_percent: int
    passed: bool
    fail_reason: str
    approved: bool = Field(description="The course's results are approved by the department.")
    updated_at: dt.datetime


class CertificateOut(Schema):
    id: int
    serial: str
    status: str
    status_today: str = Field(description="valid, expired, revoked or not_yet.")
    person_id: int
    holder_name: str
    programme_id: int
    course_id: int
    issued_on: dt.date
    expires_on: dt.date | None
    issuer_name: str
    revoked_on: dt.date | None
    revoke_reason: str
    replaces_id: int | None


class VerificationOut(Schema):
    serial: str
    status: str = Field(description="On the day asked: valid, expired, revoked or not_yet.")
    on: dt.date
    holder_name: str
    programme: str
    issuer_name: str
    issued_on: dt.date
    expires_on: dt.date | None
    revoked_on: dt.date | None


class NominationOut(Schema):
    id: int
    year: int
    organization_id: int
    submission_status: str
    person_id: int
    programme_id: int
    quarter: int | None
    priority: int
    rule: str


class PlanOut(Schema):
    id: int
    year: int
    number: str
    title: str
    status: str
    issuer_id: int


class PlannedCourseOut(Schema):
    id: int
    programme_id: int
    name: str
    month: int
    sessions: int
    organizer_id: int
    venue_id: int | None
    course_id: int | None


class PlanDetailOut(PlanOut):
    planned_courses: list[PlannedCourseOut]
    budget_total: Decimal


# --- Writes -----------------------------------------------------------------------------------


class PersonRow(BaseModel):
    """One person as a roster row: each value is read as the roster import reads a cell.
    A plain pydantic model, not a ninja Schema: ninja's attribute getter around each of tens
    of thousands of rows cost more than the import's own checks."""

    full_name: str = Field(max_length=200)
    sex: str | None = Field(None, description="Nam or Nữ.")
    date_of_birth: str | None = Field(None, description="yyyy-mm-dd or dd/mm/yyyy. Personal.")
    position: str | None = None
    organization: str | None = Field(
        None, description="Code or name, within the importing organization's subtree."
    )
    stage: str | None = Field(None, description="e.g. chính thức, dự bị, quần chúng.")
    admitted_on: str | None = None
    full_member_on: str | None = None
    party_card_no: str | None = Field(None, description="Personal.")
    theory_level: str | None = Field(None, description="Sơ cấp, TC, Trung cấp LLCT, ...")


class PeopleBulkIn(BaseModel):
    organization_id: int = Field(description="The importing organization.")
    rows: list[PersonRow] = Field(max_length=20_000)
    dry_run: bool = False


class RejectedRowOut(Schema):
    row: int = Field(description="1-based position in `rows`.")
    name: str
    reason: str


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    rejected: list[RejectedRowOut]


class MarkIn(Schema):
    enrolment_id: int
    status: Literal["present", "excused", "absent"]
    original: Literal["present", "excused", "absent", ""] | None = Field(
        None, description='The mark as last read ("" for none); checked when given.'
    )


class MarksIn(Schema):
    marks: list[MarkIn] = Field(min_length=1, max_length=2000)
    reason: str = Field(
        "", max_length=255, description="Required after the session's day (a correction)."
    )


class MarksOut(Schema):
    session_id: int
    marked: int


class ScoreIn(Schema):
    enrolment_id: int
    field: Literal["essay_score", "test_score"]
    value: Decimal | None = Field(description="0 to 10, one decimal; null clears it.")
    reason: str = Field("", description="Required once the results are approved (a correction).")
    original: str | None = Field(
        None, description='The score as last read ("" for none); checked when given.'
    )


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(min_length=1, max_length=2000)


class ScoresOut(Schema):
    course_id: int
    corrected: bool = Field(description="True when the scores went in as corrections.")
    results: list[ResultOut]
