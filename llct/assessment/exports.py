"""The spreadsheets the assessment pages offer: the certificate register and the two tables of
the survey report. Values only (core.spreadsheets writes no live formula)."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from llct.assessment.certificates import RegisterRow
from llct.assessment.feedback.reports import FeedbackReport
from llct.assessment.models import Certificate
from llct.core.spreadsheets import write_xlsx


def certificate_register_xlsx(register: Iterable[RegisterRow]) -> bytes:
    """The register as listed, each certificate with its status today."""
    headers = [
        _("Serial number"),
        _("Holder"),
        _("Holder's organization"),
        _("Programme"),
        _("Course code"),
        _("Course"),
        _("Issue date"),
        _("Valid until"),
        _("Issuer"),
        _("Status"),
        _("Revoked on"),
        _("Reason for revoking"),
        _("Replaces"),
    ]
    rows = (_register_line(row.certificate, row.label) for row in register)
    return write_xlsx(headers, rows, title=_("Certificate register"))


def _register_line(c: Certificate, status_label: str) -> list[Any]:
    return [
        c.serial,
        c.holder_name,
        c.person.organization.name,
        c.programme.name,
        c.course.code,
        c.course.name,
        c.issued_on,
        c.expires_on,
        c.issuer_name,
        status_label,
        c.revoked_on,
        c.revoke_reason,
        c.replaces.serial if c.replaces else "",
    ]


def lecturer_ratings_xlsx(report: FeedbackReport) -> bytes:
    """The lecturers' table of feedback.reports.feedback_report (aggregates only, no comment)."""
    headers = [
        _("Year"),
        _("Lecturer"),
        _("Courses"),
        _("Answers"),
        _("Content"),
        _("Teaching method"),
        _("Connection to practice"),
        _("Overall"),
    ]
    rows = [
        [
            r.year,
            r.lecturer_name,
            r.courses,
            r.scores.answers,
            r.scores.content,
            r.scores.method,
            r.scores.practice,
            r.scores.overall,
        ]
        for r in report.lecturers
    ]
    return write_xlsx(headers, rows, title=_("Lecturers"))


def course_surveys_xlsx(report: FeedbackReport) -> bytes:
    """The courses' table of feedback.reports.feedback_report."""
    headers = [
        _("Code"),
        _("Course"),
        _("Programme"),
        _("Starts on"),
        _("Learners"),
        _("Answers"),
        _("Organization of the course"),
        _("Facilities"),
    ]
    rows = [
        [
            r.course.code,
            r.course.name,
            r.course.programme.name,
            r.course.starts_on.strftime("%d/%m/%Y"),
            r.learners,
            r.answers,
            r.organization,
            r.facilities,
        ]
        for r in report.courses
    ]
    return write_xlsx(headers, rows, title=_("Courses"))
