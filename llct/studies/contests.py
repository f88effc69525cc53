"""Online tests: question banks imported from .xlsx, contests, attempts timed on the server,
the weekly cap, and results per organization.

The timer lives on the server: an attempt's deadline is fixed when it starts, and a submission
that arrives after it (plus GRACE for the network) is kept as late and does not count. The
browser's countdown is only a display.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from llct.core.capabilities import Capability, has_capability
from llct.core.models import audit_record
from llct.core.permissions import ALL, scope_path
from llct.core.text import clean_text, fold
from llct.organizations.models import MembershipStage, Organization, Person
from llct.studies.models import Attempt, Contest, Question, QuestionBank

GRACE = dt.timedelta(seconds=10)
LETTERS = "ABCDEFGH"
MAX_ROWS = 5000


# --- Question banks ---------------------------------------------------------------------------


@dataclass
class BankImport:
    imported: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def _columns(header: list[Any]) -> tuple[int, list[int], int]:
    names = [fold(h) for h in header]
    question = next((i for i, n in enumerate(names) if n.startswith("cau hoi")), -1)
    answer = next((i for i, n in enumerate(names) if n.startswith("dap an")), -1)
    options = [i for i, n in enumerate(names) if n.startswith("phuong an")]
    if question < 0 or answer < 0 or len(options) < 2:
        raise ValidationError(
            _("The first row must name the columns: Câu hỏi, Phương án A, Phương án B, …, Đáp án.")
        )
    return question, options[: len(LETTERS)], answer


def read_bank_rows(upload: Any) -> tuple[list[Question], list[dict[str, Any]]]:
    """Every row checked; the valid ones as unsaved questions, the others with their reasons."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises many kinds on a broken file
        raise ValidationError(_("This file cannot be read as an .xlsx workbook.")) from None
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ValidationError(_("The sheet is empty."))
    q_col, option_cols, answer_col = _columns(list(header))
    questions: list[Question] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append({"row": number, "name": "", "reason": _("Too many rows.")})
            break
        cells = list(row) + [None] * (max(answer_col, *option_cols) + 1 - len(row))
        text = clean_text(cells[q_col])
        options = [clean_text(cells[i]) for i in option_cols]
        while options and not options[-1]:
            options.pop()
        if not text and not any(options):
            continue  # a blank row
        reasons = []
        if not text:
            reasons.append(_("the question is empty"))
        if len(options) < 2 or not all(options):
            reasons.append(_("at least two options, with no gap between them"))
        letter = clean_text(cells[answer_col]).upper()
        if len(letter) != 1 or letter not in LETTERS[: len(options)]:
            reasons.append(
                _("the answer must be one of the letters %(letters)s")
                % {"letters": ", ".join(LETTERS[: max(len(options), 2)])}
            )
        key = fold(text)
        if key and key in seen:
            reasons.append(_("same question as row %(row)s") % {"row": seen[key]})
        seen.setdefault(key, number)
        if reasons:
            errors.append({"row": number, "name": text[:80], "reason": "; ".join(reasons)})
            continue
        questions.append(
            Question(text=text, options=options, answer=LETTERS.index(letter), row=number)
        )
    if not questions and not errors:
        raise ValidationError(_("The sheet has no question."))
    return questions, errors


def may_manage_tests(user: Any) -> bool:
    return has_capability(user, Capability.MANAGE_TESTS)


@transaction.atomic
def bank_create(*, document: Any, title: str, actor: Any) -> QuestionBank:
    if not may_manage_tests(actor):
        raise PermissionDenied
    bank = QuestionBank(document=document, title=clean_text(title), created_by=actor)
    bank.full_clean()
    bank.save()
    return bank


@transaction.atomic
def bank_import(*, bank: QuestionBank, upload: Any, actor: Any) -> BankImport:
    """All or nothing: a single bad row and nothing is written; every bad row is reported."""
    if not may_manage_tests(actor):
        raise PermissionDenied
    questions, errors = read_bank_rows(upload)
    if errors:
        return BankImport(imported=0, errors=errors)
    existing = {fold(t) for t in bank.questions.values_list("text", flat=True)}
    duplicates = [q for q in questions if fold(q.text) in existing]
    if duplicates:
        return BankImport(
            errors=[
                {"row": q.row, "name": q.text[:80], "reason": _("already in this bank")}
                for q in duplicates
            ]
        )
    for q in questions:
        q.bank = bank
    Question.objects.bulk_create(questions)
    audit_record(actor=actor, obj=bank, action="imported", summary=str(len(questions)))
    return BankImport(imported=len(questions))


def bank_template() -> bytes:
    from llct.core.spreadsheets import write_xlsx

    return write_xlsx(
        ["Câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Phương án D", "Đáp án"],
        [
            [
                "Đại hội đại biểu toàn quốc lần thứ XIII của Đảng họp năm nào?",
                "2016",
                "2020",
                "2021",
                "2022",
                "C",
            ],
        ],
        title="Ngân hàng câu hỏi",
    )


# --- Contests ---------------------------------------------------------------------------------


@transaction.atomic
def contest_create(*, actor: Any, **fields: Any) -> Contest:
    if not may_manage_tests(actor):
        raise PermissionDenied
    contest = Contest(created_by=actor, **fields)
    contest.title = clean_text(contest.title)
    contest.full_clean()
    if contest.bank.questions.count() < contest.question_count:
        raise ValidationError(
            {"question_count": _("The bank has fewer questions than an attempt draws.")}
        )
    contest.save()
    audit_record(actor=actor, obj=contest, action="created", summary=contest.title)
    return contest


def contest_audience(contest: Contest) -> QuerySet[Person]:
    return Person.objects.filter(organization__path__startswith=contest.organization.path).exclude(
        stage=MembershipStage.LEFT
    )


def contest_list(*, user: Any) -> QuerySet[Contest]:
    qs = Contest.objects.select_related("bank__document", "organization", "campaign")
    path = scope_path(user)
    if path == ALL:
        return qs
    if path is not None:
        parts = [p for p in path.split("/") if p]
        ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
        return qs.filter(
            Q(organization__path__startswith=path) | Q(organization__path__in=ancestors)
        )
    if user.is_authenticated and user.person_id:
        person_path = Person.objects.filter(pk=user.person_id).values_list(
            "organization__path", flat=True
        )[0]
        parts = [p for p in person_path.split("/") if p]
        ancestors = ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
        return qs.filter(organization__path__in=ancestors)
    return qs.none()


def contest_get(*, user: Any, pk: int) -> Contest:
    try:
        return contest_list(user=user).get(pk=pk)
    except Contest.DoesNotExist:
        raise Http404 from None


def week_start(now: dt.datetime) -> dt.date:
    day = timezone.localtime(now).date()
    return day - dt.timedelta(days=day.weekday())


def attempts_this_week(contest: Contest, person: Person, now: dt.datetime) -> int:
    return contest.attempts.filter(person=person, week_start=week_start(now)).count()


def attempt_start(
    *, contest: Contest, person: Person, now: dt.datetime, actor: Any, rng: Any = None
) -> Attempt:
    """A new attempt (or the one still running): N questions drawn at random, options shuffled,
    the deadline fixed now. Refused outside the contest's window or past the weekly cap."""
    if not actor.is_authenticated or actor.person_id != person.pk:
        raise PermissionDenied
    if not contest_audience(contest).filter(pk=person.pk).exists():
        raise PermissionDenied
    if not (contest.opens_at <= now < contest.closes_at):
        raise ValidationError(_("This test is not open now."))
    running = contest.attempts.filter(
        person=person, status=Attempt.Status.OPEN, deadline_at__gt=now
    ).first()
    if running is not None:
        return running
    used = attempts_this_week(contest, person, now)
    if used >= contest.attempts_per_week:
        raise ValidationError(
            _("You have used your %(n)s attempts of this week.") % {"n": contest.attempts_per_week}
        )
    rng = rng or random.SystemRandom()
    bank = list(contest.bank.questions.values_list("id", "options"))
    drawn = rng.sample(bank, min(contest.question_count, len(bank)))
    paper = [[qid, rng.sample(range(len(options)), len(options))] for qid, options in drawn]
    minutes = dt.timedelta(minutes=contest.minutes)
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                contest=contest,
                person=person,
                week_start=week_start(now),
                number=used + 1,
                started_at=now,
                # The contest's closing time cuts an attempt short.
                deadline_at=min(now + minutes, contest.closes_at),
                paper=paper,
                total=len(paper),
            )
    except IntegrityError:
        # Another start of the same person took this place under the cap at the same moment.
        raise ValidationError(_("Another attempt was started at the same time.")) from None


def attempt_get(*, user: Any, pk: int) -> Attempt:
    """Learners see their own attempts; nobody else opens a paper."""
    if not user.is_authenticated or not user.person_id:
        raise Http404
    try:
        return Attempt.objects.select_related("contest").get(pk=pk, person_id=user.person_id)
    except Attempt.DoesNotExist:
        raise Http404 from None


def paper_questions(attempt: Attempt) -> list[tuple[Question, list[tuple[int, str]]]]:
    """The attempt's questions in its order, each with (original index, text) options in the
    shuffled order. Option values are original indexes: the order itself is the shuffle."""
    ids = [qid for qid, _order in attempt.paper]
    by_id = Question.objects.in_bulk(ids)
    out = []
    for qid, order in attempt.paper:
        q = by_id.get(qid)
        if q is not None:
            out.append((q, [(i, q.options[i]) for i in order if i < len(q.options)]))
    return out


@transaction.atomic
def attempt_submit(
    *, attempt: Attempt, answers: dict[int, int], now: dt.datetime, actor: Any
) -> Attempt:
    """Grade at once. Late (past the deadline and GRACE): kept, marked late, not counted."""
    if not actor.is_authenticated or actor.person_id != attempt.person_id:
        raise PermissionDenied
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.status != Attempt.Status.OPEN:
        return attempt  # a double tap on "submit": the first one counted
    ids = [qid for qid, _order in attempt.paper]
    attempt.answers = {str(k): v for k, v in answers.items() if k in ids}
    attempt.submitted_at = now
    if now > attempt.deadline_at + GRACE:
        attempt.status = Attempt.Status.LATE
        attempt.correct = None
    else:
        key = dict(Question.objects.filter(pk__in=ids).values_list("id", "answer"))
        attempt.correct = sum(1 for qid in ids if answers.get(qid) == key.get(qid))
        attempt.status = Attempt.Status.SUBMITTED
    attempt.save(update_fields=["answers", "submitted_at", "status", "correct"])
    return attempt


def my_attempts(*, contest: Contest, person_id: int) -> QuerySet[Attempt]:
    return contest.attempts.filter(person_id=person_id).order_by("-started_at")


# --- Results per organization -----------------------------------------------------------------


@dataclass
class ResultRow:
    organization: Organization
    depth: int
    audience: int = 0
    participants: int = 0
    score_sum: float = 0.0
    attempts: int = 0
    children: list["ResultRow"] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(self.participants * 100 / self.audience, 2) if self.audience else None

    @property
    def average(self) -> float | None:
        return round(self.score_sum / self.participants, 2) if self.participants else None


def may_see_results(user: Any) -> bool:
    return has_capability(user, Capability.READ_TEST_RESULTS)


def results_root(user: Any, contest: Contest) -> Organization:
    path = scope_path(user)
    if path in (None, ALL) or contest.organization.path.startswith(str(path)):
        return contest.organization
    return Organization.objects.get(pk=user.organization_id)


def contest_results(*, contest: Contest, within: Organization) -> list[ResultRow]:
    """Per organization of the subtree: audience, participants (a counted attempt), average of
    each participant's best score, attempts; parents sum their children. Three queries."""
    from django.db.models import Count

    audience = dict(
        contest_audience(contest)
        .filter(organization__path__startswith=within.path)
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    best: dict[int, tuple[int, float]] = {}
    attempts: dict[int, int] = defaultdict(int)
    for person_id, org_id, correct, total in contest.attempts.filter(
        status=Attempt.Status.SUBMITTED, person__organization__path__startswith=within.path
    ).values_list("person_id", "person__organization_id", "correct", "total"):
        score = round((correct or 0) * 10 / total, 1) if total else 0.0
        attempts[org_id] += 1
        if person_id not in best or best[person_id][1] < score:
            best[person_id] = (org_id, score)
    orgs = list(
        Organization.objects.filter(path__startswith=within.path, dissolved_on__isnull=True)
        .order_by("path")
        .only("id", "name", "path", "parent_id")
    )
    rows = {
        o.pk: ResultRow(organization=o, depth=o.path.count("/") - within.path.count("/"))
        for o in orgs
    }
    own: dict[int, tuple[int, int, float, int]] = {}
    for o in orgs:
        scores = [s for org, s in best.values() if org == o.pk]
        own[o.pk] = (audience.get(o.pk, 0), len(scores), sum(scores), attempts.get(o.pk, 0))
        parent = rows.get(o.parent_id) if o.parent_id else None
        if parent is not None and o.pk != within.pk:
            parent.children.append(rows[o.pk])
    for o in reversed(orgs):
        row = rows[o.pk]
        a, p, s, n = own[o.pk]
        row.audience = a + sum(c.audience for c in row.children)
        row.participants = p + sum(c.participants for c in row.children)
        row.score_sum = s + sum(c.score_sum for c in row.children)
        row.attempts = n + sum(c.attempts for c in row.children)
    return [rows[o.pk] for o in orgs if rows[o.pk].audience or o.pk == within.pk]


def results_xlsx(*, contest: Contest, rows: list[ResultRow]) -> bytes:
    from llct.core.spreadsheets import write_xlsx

    return write_xlsx(
        [
            _("Organization"),
            _("People"),
            _("Took part"),
            _("Rate (%)"),
            _("Average score"),
            _("Attempts"),
        ],
        (
            [
                "  " * r.depth + r.organization.name,
                r.audience,
                r.participants,
                r.rate if r.rate is not None else "",
                r.average if r.average is not None else "",
                r.attempts,
            ]
            for r in rows
        ),
        title=_("Results"),
    )
