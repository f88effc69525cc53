"""Reporting rounds (sơ kết 6 tháng, tổng kết năm, sơ kết/tổng kết đề án): the department opens
a round, each reporting organization writes the narrative of its report (its figures are
computed for its subtree) and submits; the department returns a report with a comment, the
organization resubmits; late organizations are listed and reminded. The department's own
report is the roll-up of the whole tree.

A report gets its number ("05-BC/ĐU") on its first submission and keeps it when resubmitted;
the department's report gets its number when issued."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import User, audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text
from llct.organizations.models import Organization
from llct.planning.nominations.reminders import organization_officers
from llct.reviews.access import acts_for
from llct.reviews.documents import department_issuer, issuer_for, number_issue
from llct.reviews.models import (
    SECTIONS,
    DocumentKind,
    Report,
    ReportEvent,
    ReportingRound,
    ReportTemplate,
    RoundKind,
)

SECTION_TITLES = {
    "results": "Kết quả đạt được",
    "limitations": "Hạn chế, khuyết điểm và nguyên nhân",
    "lessons": "Bài học kinh nghiệm",
    "directions": "Phương hướng, nhiệm vụ thời gian tới",
    "proposals": "Đề xuất, kiến nghị",
}

DEFAULT_TEXT = {
    "results": "Công tác giáo dục lý luận chính trị được cấp ủy quan tâm lãnh đạo, chỉ đạo; "
    "các lớp học được tổ chức theo kế hoạch, bảo đảm nội dung, chương trình.",
    "limitations": "Một số lớp học tổ chức chậm so với kế hoạch; tỷ lệ học viên đạt loại khá, "
    "giỏi chưa cao. Nguyên nhân: ...",
    "lessons": "Cấp ủy phải thường xuyên quan tâm, kiểm tra, đôn đốc; chuẩn bị chu đáo "
    "chương trình, tài liệu và đội ngũ giảng viên.",
    "directions": "Tiếp tục thực hiện kế hoạch đào tạo, bồi dưỡng; tập trung bồi dưỡng đảng "
    "viên mới trong thời gian dự bị.",
    "proposals": "",
}


def template_for(kind: str) -> ReportTemplate:
    template, _created = ReportTemplate.objects.get_or_create(kind=kind, defaults=DEFAULT_TEXT)
    return template


def department_organization() -> Organization:
    """The organization the department's roll-up covers: the department issuer's, or the root."""
    issuer = department_issuer()
    if issuer is not None:
        return issuer.organization
    root = Organization.objects.filter(parent__isnull=True, dissolved_on__isnull=True).first()
    if root is None:
        raise ValidationError(_("There is no organization tree yet."))
    return root


# ---------------------------------------------------------------------------------------------
# Reads


def can_see_rounds(user: Any) -> bool:
    return has_capability(user, Capability.READ_OVERSIGHT) and scope_path(user) is not None


def round_list(*, user: Any) -> QuerySet[ReportingRound]:
    path = scope_path(user)
    qs = ReportingRound.objects.all()
    if path is None:
        return qs.none()
    if path == ALL:
        return qs
    return qs.filter(organizations__path__startswith=path).distinct()


def round_get(*, user: Any, pk: int) -> ReportingRound:
    try:
        return round_list(user=user).get(pk=pk)
    except ReportingRound.DoesNotExist:
        raise Http404 from None


def report_scope(*, user: Any) -> QuerySet[Report]:
    path = scope_path(user)
    qs = Report.objects.select_related("round", "organization__parent", "submitted_by")
    if path is None:
        return qs.none()
    if path == ALL:
        return qs
    return qs.filter(organization__path__startswith=path, is_department=False)


def report_get(*, user: Any, pk: int) -> Report:
    try:
        return report_scope(user=user).get(pk=pk)
    except Report.DoesNotExist:
        raise Http404 from None


def department_report(reporting_round: ReportingRound) -> Report:
    return Report.objects.select_related("organization__parent", "round").get(
        round=reporting_round, is_department=True
    )


def is_late(report: Report, today: dt.date) -> bool:
    return report.status != Report.Status.SUBMITTED and today > report.round.deadline


def can_edit(user: Any, report: Report) -> bool:
    """Write the narrative: the reporting organization's officers (or the department) while
    the report is a draft or returned; the department's own report only by the department."""
    if report.round.is_closed or report.status == Report.Status.SUBMITTED:
        return False
    if report.is_department:
        return has_capability(user, Capability.MANAGE_REPORTING_ROUNDS)
    return acts_for(user, report.organization)


def can_return(user: Any, report: Report) -> bool:
    return (
        has_capability(user, Capability.MANAGE_REPORTING_ROUNDS)
        and not report.is_department
        and report.status == Report.Status.SUBMITTED
        and not report.round.is_closed
    )


@dataclass
class StatusRow:
    report: Report
    late: bool
    last_reminded: dt.datetime | None

    @property
    def organization(self) -> Organization:
        return self.report.organization


@dataclass
class StatusTable:
    rows: list[StatusRow] = field(default_factory=list)
    page: Any = None  # the Paginator's page of the rows shown
    total: int = 0
    submitted: int = 0
    returned: int = 0
    late: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.submitted


STATUS_PAGE_SIZE = 50
NOT_SUBMITTED = ~Q(status=Report.Status.SUBMITTED)


def _shown(reports: QuerySet[Report], show: str, late_now: bool) -> QuerySet[Report]:
    if show == "late":
        return reports.filter(NOT_SUBMITTED) if late_now else reports.none()
    if show == "pending":
        return reports.filter(NOT_SUBMITTED)
    if show == "submitted":
        return reports.filter(status=Report.Status.SUBMITTED)
    if show == "returned":
        return reports.filter(status=Report.Status.RETURNED)
    return reports


def status_table(
    *,
    user: Any,
    reporting_round: ReportingRound,
    today: dt.date,
    show: str = "",
    page: Any = 1,
) -> StatusTable:
    """The counts of the round's reports in the user's scope (one aggregate query) and one
    page of them (a count and a page query): the same few queries for 10 organizations or
    1,000."""
    reports = report_scope(user=user).filter(round=reporting_round, is_department=False)
    late_now = today > reporting_round.deadline
    counts = reports.aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(status=Report.Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Report.Status.RETURNED)),
    )
    table = StatusTable(
        total=counts["total"], submitted=counts["submitted"], returned=counts["returned"]
    )
    table.late = table.pending if late_now else 0
    shown = _shown(reports, show, late_now).order_by("organization__path")
    table.page = Paginator(shown, STATUS_PAGE_SIZE).get_page(page)
    # The last reminder of the page's reports only: grouping every report of a large round to
    # show fifty of them costs more than this second query.
    reminded = dict(
        ReportEvent.objects.filter(
            report__in=[r.pk for r in table.page.object_list],
            action=ReportEvent.Action.REMINDED,
        )
        .values("report")
        .annotate(last=Max("at"))
        .values_list("report", "last")
    )
    for report in table.page.object_list:
        report.round = reporting_round
        table.rows.append(StatusRow(report, is_late(report, today), reminded.get(report.pk)))
    return table


def pending_reports(
    *, user: Any, reporting_round: ReportingRound, pk: int | None = None
) -> list[Report]:
    """The reports not yet submitted (or the one asked for), to remind."""
    reports = report_scope(user=user).filter(
        NOT_SUBMITTED, round=reporting_round, is_department=False
    )
    if pk is not None:
        reports = reports.filter(pk=pk)
    return list(reports.order_by("organization__path"))


def my_reports(*, user: Any) -> QuerySet[Report]:
    """The reports an organization officer writes: their organization's, in open rounds."""
    # The department writes its own report from the round's page, not from this list.
    if not has_capability(user, Capability.WRITE_REPORTS) or scope_path(user) in (None, ALL):
        return Report.objects.none()
    return (
        report_scope(user=user)
        .filter(round__is_closed=False)
        .order_by("round__deadline", "organization__path")
    )


# ---------------------------------------------------------------------------------------------
# Writes


@transaction.atomic
def round_open(
    *,
    kind: str,
    title: str,
    period_start: dt.date,
    period_end: dt.date,
    deadline: dt.date,
    organizations: Sequence[Organization],
    today: dt.date,
    actor: Any,
) -> ReportingRound:
    errors: dict[str, list[str]] = {}
    if period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    elif period_start.year != period_end.year:
        errors["period_end"] = [_("The period must lie within one year.")]
    if deadline < today:
        errors["deadline"] = [_("The deadline is in the past.")]
    if not organizations:
        errors["organizations"] = [_("Choose the organizations that report.")]
    if errors:
        raise ValidationError(errors)
    if kind not in RoundKind.values:
        raise ValidationError({"kind": [_("Unknown kind of round.")]})
    reporting_round = ReportingRound(
        kind=kind,
        title=clean_text(title),
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        opened_by=actor,
    )
    reporting_round.full_clean()
    reporting_round.save()
    reporting_round.organizations.set(organizations)
    template = template_for(kind)
    start = {name: getattr(template, name) for name in SECTIONS}
    Report.objects.bulk_create(
        [Report(round=reporting_round, organization=o, **start) for o in organizations]
        + [
            Report(
                round=reporting_round,
                organization=department_organization(),
                is_department=True,
                **start,
            )
        ]
    )
    audit_record(actor=actor, obj=reporting_round, action="opened", summary=reporting_round.title)
    return reporting_round


@transaction.atomic
def round_update(
    *, reporting_round: ReportingRound, deadline: dt.date, is_closed: bool, actor: Any
) -> ReportingRound:
    reporting_round.deadline = deadline
    reporting_round.is_closed = is_closed
    reporting_round.full_clean()
    reporting_round.save(update_fields=["deadline", "is_closed"])
    audit_record(actor=actor, obj=reporting_round, action="saved", summary=reporting_round.title)
    return reporting_round


def _locked(report: Report) -> Report:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    locked.round = report.round
    locked.organization = report.organization
    return locked


@transaction.atomic
def report_save(*, report: Report, sections: dict[str, str], actor: Any) -> Report:
    if not can_edit(actor, report):
        raise ValidationError(_("This report cannot be changed now."))
    report = _locked(report)
    for name in SECTIONS:
        if name in sections:
            setattr(report, name, sections[name].strip())
    report.full_clean()
    report.save()
    audit_record(actor=actor, obj=report, action="saved", summary=report.organization.name)
    return report


@transaction.atomic
def report_submit(*, report: Report, actor: Any, today: dt.date) -> Report:
    """Submit (or resubmit after a return). The first submission takes the number of the
    organization's BC series; a resubmission keeps it."""
    if report.is_department:
        raise ValidationError(_("The department issues its report; it does not submit it."))
    if not can_edit(actor, report):
        raise ValidationError(_("This report cannot be submitted now."))
    report = _locked(report)
    missing = [
        SECTION_TITLES[name]
        for name in ("results", "limitations", "directions")
        if not getattr(report, name).strip()
    ]
    if missing:
        raise ValidationError(
            _("Write these sections before submitting: %(sections)s.")
            % {"sections": ", ".join(missing)}
        )
    action = ReportEvent.Action.SUBMITTED
    if not report.number:
        report.number = number_issue(
            issuer=issuer_for(report.organization),
            kind=DocumentKind.REPORT,
            day=today,
            subject=report.round.title,
            actor=actor,
        )
        report.issued_on = today
    report.status = Report.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.save()
    ReportEvent.objects.create(report=report, action=action, actor=actor)
    audit_record(actor=actor, obj=report, action="submitted", summary=report.number)
    return report


@transaction.atomic
def report_return(*, report: Report, comment: str, actor: Any) -> Report:
    if not can_return(actor, report):
        raise ValidationError(_("Only a submitted report can be returned."))
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what must be corrected.")]})
    report = _locked(report)
    report.status = Report.Status.RETURNED
    report.save(update_fields=["status", "updated_at"])
    ReportEvent.objects.create(
        report=report, action=ReportEvent.Action.RETURNED, comment=comment.strip(), actor=actor
    )
    audit_record(actor=actor, obj=report, action="returned", summary=comment.strip()[:200])
    return report


@transaction.atomic
def department_report_issue(*, report: Report, actor: Any, today: dt.date) -> Report:
    """The department's roll-up report takes its number from the department's BC series."""
    if not report.is_department or not has_capability(actor, Capability.MANAGE_REPORTING_ROUNDS):
        raise ValidationError(_("Only the department issues its own report."))
    report = _locked(report)
    if report.number:
        raise ValidationError(_("This report was already issued."))
    issuer = department_issuer()
    if issuer is None:
        raise ValidationError(_("Set up the department as a document issuer first."))
    report.number = number_issue(
        issuer=issuer, kind=DocumentKind.REPORT, day=today, subject=report.round.title, actor=actor
    )
    report.issued_on = today
    report.status = Report.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.save()
    ReportEvent.objects.create(report=report, action=ReportEvent.Action.ISSUED, actor=actor)
    audit_record(actor=actor, obj=report, action="issued", summary=report.number)
    return report


@dataclass
class ReminderResult:
    sent: list[tuple[Organization, list[str]]] = field(default_factory=list)
    nobody: list[Organization] = field(default_factory=list)


def _reminder(
    *, reporting_round: ReportingRound, organization: Organization, link: str, to: list[str]
) -> EmailMessage:
    # Officers read Vietnamese whatever language the department's screen is in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder: %(round)s — report of %(organization)s") % {
            "round": reporting_round.title,
            "organization": organization.name,
        }
        body = "\n\n".join(
            [
                _(
                    "%(organization)s has not yet submitted its report for %(round)s. "
                    "The deadline is %(deadline)s."
                )
                % {
                    "organization": organization.name,
                    "round": reporting_round.title,
                    "deadline": reporting_round.deadline.strftime("%d/%m/%Y"),
                },
                _("The figures are filled in; write the narrative and submit it here: %(link)s")
                % {"link": link},
                _("The propaganda and education department"),
            ]
        )
    return EmailMessage(subject=subject, body=body, to=to)


@transaction.atomic
def reports_remind(
    *,
    reporting_round: ReportingRound,
    reports: Sequence[Report],
    link_for: Callable[[Report], str],
    actor: Any,
) -> ReminderResult:
    """Email the officers of each organization (or of a committee above it) whose report is
    not submitted, and record a "reminded" event for each one reached."""
    if reporting_round.is_closed:
        raise ValidationError(_("This round is closed."))
    pending = [r for r in reports if r.status != Report.Status.SUBMITTED and not r.is_department]
    officers: dict[int, list[User]] = organization_officers([r.organization for r in pending])
    result = ReminderResult()
    messages = []
    reached = []
    for report in pending:
        emails = list(dict.fromkeys(u.email for u in officers[report.organization.pk] if u.email))
        if not emails:
            result.nobody.append(report.organization)
            continue
        messages.append(
            _reminder(
                reporting_round=reporting_round,
                organization=report.organization,
                link=link_for(report),
                to=emails,
            )
        )
        result.sent.append((report.organization, emails))
        reached.append(report)
    if messages:
        mailers.default.send_messages(messages)
    who = actor if getattr(actor, "pk", None) else None
    ReportEvent.objects.bulk_create(
        [
            ReportEvent(
                report=report,
                action=ReportEvent.Action.REMINDED,
                actor=who,
                comment=", ".join(emails)[:500],
            )
            for report, (_org, emails) in zip(reached, result.sent, strict=True)
        ]
    )
    return result


def is_reader_of_all(user: Any) -> bool:
    return scope_path(user) == ALL


@transaction.atomic
def template_save(
    *,
    template: ReportTemplate,
    results: str,
    limitations: str,
    lessons: str,
    directions: str,
    proposals: str,
    docx: Any,
    remove_docx: bool,
    actor: Any,
) -> ReportTemplate:
    """The department's starting texts and, optionally, its own .docx layout (checked: it must
    open and carry {{noi_dung}})."""
    from llct.core.party_documents import check_template

    template.results = results.strip()
    template.limitations = limitations.strip()
    template.lessons = lessons.strip()
    template.directions = directions.strip()
    template.proposals = proposals.strip()
    if docx:
        data = docx.read()
        check_template(data)  # raises TemplateError
        docx.seek(0)
        template.docx.save(f"mau-{template.kind}.docx", docx, save=False)
    elif remove_docx and template.docx:
        template.docx.delete(save=False)
        template.docx = ""
    template.full_clean()
    template.save()
    audit_record(actor=actor, obj=template, action="saved", summary=template.get_kind_display())
    return template
