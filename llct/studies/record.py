"""The learner's study record (sổ học tập): classes with their results, certificates,
resolution-study campaigns with attendance and essay, online test scores and documents read,
on one page and as a PDF (WeasyPrint, DejaVu fonts as the certificates)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.template.loader import render_to_string

from llct.core.models import User
from llct.core.pdf import html_to_pdf
from llct.organizations.models import Person
from llct.organizations.selectors import person_get
from llct.portal.models import DocumentRead
from llct.studies.campaigns import attendance_map
from llct.studies.models import Attempt, Campaign, Essay


@dataclass
class CampaignLine:
    campaign: Campaign
    attended_on: list[dt.date]
    essay: Essay | None


@dataclass
class TestLine:
    contest_title: str
    attempts: int
    best: float | None
    last_at: dt.datetime | None


@dataclass
class StudyRecord:
    person: Person
    enrolments: list[Any]
    certificates: list[Any]
    campaigns: list[CampaignLine]
    tests: list[TestLine]
    reads: list[DocumentRead]
    as_of: dt.date


def record_person(*, user: User, pk: int | None) -> Person:
    """One's own record; staff open a record of someone in their scope (404 otherwise)."""
    if pk is None:
        if not user.is_authenticated or not user.person_id:
            raise Http404
        return Person.objects.select_related("organization").get(pk=user.person_id)
    if user.is_authenticated and user.person_id == pk:
        return Person.objects.select_related("organization").get(pk=pk)
    return person_get(user=user, pk=pk)


def study_record(*, person: Person, today: dt.date) -> StudyRecord:
    from llct.assessment.models import Certificate
    from llct.courses.models import Enrolment

    enrolments = list(
        Enrolment.objects.filter(person=person)
        .select_related("course__programme", "course__results_approval", "result")
        .order_by("-course__starts_on")
    )
    certificates = list(
        Certificate.objects.filter(person=person).select_related("programme").order_by("-issued_on")
    )
    campaigns = [
        c
        for c in Campaign.objects.select_related("document", "organization").filter(
            starts_on__lte=today
        )
        if person.organization.path.startswith(c.organization.path)
    ]
    campaigns = [c for c in campaigns if _in(c, person)]
    essays = {e.campaign_id: e for e in Essay.objects.filter(person=person)}
    lines = []
    for c in campaigns:
        lines.append(
            CampaignLine(
                campaign=c,
                attended_on=sorted(attendance_map(c, [person.pk]).get(person.pk, [])),
                essay=essays.get(c.pk),
            )
        )
    tests: dict[int, TestLine] = {}
    for a in Attempt.objects.filter(person=person).select_related("contest").order_by("started_at"):
        line = tests.setdefault(a.contest_id, TestLine(a.contest.title, 0, None, None))
        line.attempts += 1
        line.last_at = a.started_at
        if a.status == Attempt.Status.SUBMITTED and a.score is not None:
            line.best = max(line.best or 0.0, a.score)
    reads = list(
        DocumentRead.objects.filter(person=person)
        .select_related("document")
        .order_by("-first_read_at")
    )
    return StudyRecord(
        person=person,
        enrolments=enrolments,
        certificates=certificates,
        campaigns=lines,
        tests=list(tests.values()),
        reads=reads,
        as_of=today,
    )


def _in(campaign: Campaign, person: Person) -> bool:
    """The audience rule applied to a person already loaded (no query)."""
    from llct.organizations.models import MembershipStage

    if person.stage == MembershipStage.LEFT:
        return False
    if campaign.stages and person.stage not in campaign.stages:
        return False
    position = person.position.casefold()
    return not campaign.positions or any(w.casefold() in position for w in campaign.positions)


def record_pdf(record: StudyRecord) -> bytes:
    return html_to_pdf(render_to_string("studies/record_pdf.html", {"record": record}))
