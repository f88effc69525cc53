"""Demo data for evaluation: results of the finished courses, their approval (which issues the
certificates and raises theory levels), one certificate revoked and one re-issued, and the
anonymous course surveys. `manage.py seed_demo` calls `assessment_demo` once the courses are
seeded (llct.demo.courses).

Everything is drawn from the caller's `random.Random` and dated relative to `today`, so the same
seed on the same data gives the same results. The scores are bulk-inserted (with the ScoreChange
that entering each one leaves), computed with grading.classify from the real attendance rows;
what follows goes through the services: results_approve for every finished course but the
latest one that grades and certifies (left for the department to approve), score_correct +
certificate_revoke for the revocation, person_update + certificate_reissue for the re-issue.
Survey answers are bulk-inserted as survey_submit writes them: one receipt per answering
enrolment, apart from the answers, which name no one. Nothing renders a PDF.
"""

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from llct.assessment.certificates import certificate_reissue, certificate_revoke
from llct.assessment.feedback.reports import MIN_ANSWERS
from llct.assessment.grading import TENTH, classify, needed_scores
from llct.assessment.models import (
    Certificate,
    LecturerRating,
    Result,
    ResultsApproval,
    ScoreChange,
    SurveyReceipt,
    SurveyResponse,
)
from llct.assessment.selectors import attendance_percent
from llct.assessment.services import results_approve, score_correct
from llct.core.models import User
from llct.core.text import fold, name_sort_key
from llct.courses.models import Attendance, Course, Enrolment, Session
from llct.curriculum.models import AssessmentKind, Programme
from llct.demo.membership import membership_demo
from llct.organizations.models import MembershipRules, Person
from llct.organizations.person_services import person_update

# The few who fail on their scores (attendance makes its own failures).
FAIL_SHARE = 0.03
# Learners of the course left unapproved whose scores are still to be entered.
MISSING_SCORES = 2
# Answers in the course whose lecturers see only the count (below feedback.reports.MIN_ANSWERS).
FEW_ANSWERS = 3
ZERO = Decimal("0.0")
# The lowest mark of a learner the rolls say passed.
PASSED = Decimal("6.0")

REVOKE_REASONS = {
    "essay_score": (
        "Bài thu hoạch sao chép nguyên văn tài liệu, Hội đồng chấm lại 0 điểm",
        "Kết quả học tập được điều chỉnh sau khi chấm lại bài thu hoạch: học viên không đạt "
        "yêu cầu của lớp học",
    ),
    "test_score": (
        "Sử dụng tài liệu trong giờ kiểm tra, hủy kết quả bài kiểm tra",
        "Kết quả học tập được điều chỉnh sau khi hủy kết quả bài kiểm tra: học viên không đạt "
        "yêu cầu của lớp học",
    ),
}
NAME_NOTE = "Sửa họ tên theo Căn cước công dân"
REISSUE_NOTE = "Cấp lại do sai họ tên người được cấp"

COMMENTS = [
    "Nội dung bài giảng thiết thực, gắn với thực tiễn ở cơ sở.",
    "Đề nghị tăng thời gian trao đổi, thảo luận sau mỗi chuyên đề.",
    "Giảng viên nhiệt tình, truyền đạt dễ hiểu.",
    "Phòng học hơi nóng vào buổi chiều, đề nghị kiểm tra lại điều hòa.",
    "Tài liệu nên được gửi trước để học viên nghiên cứu.",
    "Âm thanh cuối hội trường nghe chưa rõ.",
    "Lịch học bố trí hợp lý, không ảnh hưởng nhiều đến công tác chuyên môn.",
    "Mong có thêm ví dụ, tình huống thực tế ở địa phương.",
    "Nên cho học viên được học tập kinh nghiệm ở một số chi bộ làm tốt.",
    "Công tác tổ chức lớp chu đáo, chu đáo cả khâu đón tiếp.",
    "Máy chiếu chữ nhỏ, ngồi cuối lớp khó đọc.",
    "Đề nghị rút ngắn thời gian giảng lý thuyết, tăng phần liên hệ thực tiễn.",
]


@dataclass
class _Course:
    course: Course
    sessions: list[Session] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    # Who enters the scores: a lecturer of the course with an account, else the department.
    entered_by_id: int | None = None

    @property
    def last_day(self) -> dt.date:
        return max((s.date for s in self.sessions), default=self.course.ends_on)


def assessment_demo(*, rng: random.Random, today: dt.date, actor: User) -> dict[str, int]:
    """Results, approvals, certificates (one revoked, one re-issued) and survey answers for the
    finished courses. Returns what it made, by name."""
    # Fail reasons, sources of theory levels and audit summaries are stored text.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        return _demo(rng, today=today, actor=actor)


def _demo(rng: random.Random, *, today: dt.date, actor: User) -> dict[str, int]:
    courses = _load()
    # People with an account (the demo learner) keep their own results and surveys untouched.
    own = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
    needed = _needed(courses, cutover_on=MembershipRules.current().cutover_on)
    # The class left for the department to approve is none that an admission or a full
    # membership on the rolls depends on.
    pending = _left_unapproved(
        [c for c in courses if not any(e.pk in needed for e in c.enrolments)]
    )
    results = _results(rng, courses, pending=pending, needed=needed, today=today, actor=actor)
    to_approve = [c for c in courses if c is not pending]
    misspelt = _misspell_one(rng, to_approve, results, own=own)

    approval_day = {
        c.course.pk: min(today, c.last_day + dt.timedelta(days=rng.randint(7, 21)))
        for c in to_approve
    }
    certificates: list[Certificate] = []
    raised = 0
    for item in sorted(to_approve, key=lambda c: (approval_day[c.course.pk], c.course.code)):
        day = approval_day[item.course.pk]
        outcome = results_approve(course=item.course, actor=actor, today=day)
        approved_at = timezone.make_aware(dt.datetime.combine(day, dt.time(16, 0)))
        ResultsApproval.objects.filter(pk=outcome.approval.pk).update(approved_at=approved_at)
        certificates.extend(outcome.certificates)
        raised += len(outcome.raised)

    keep = own | {e.person_id for c in courses for e in c.enrolments if e.pk in needed}
    revoked = _revoke_one(rng, certificates, results, misspelt, own=keep, today=today, actor=actor)
    reissued = _reissue_one(certificates, misspelt, today=today, actor=actor)
    answers, ratings = _surveys(rng, courses, own=own, today=today)
    decisions = membership_demo(rng=rng, today=today, actor=actor)
    return {
        "results": len(results),
        "approved_courses": len(to_approve),
        "certificates": len(certificates) + reissued,
        "revoked": revoked,
        "reissued": reissued,
        "levels_raised": raised,
        "survey_responses": answers,
        "lecturer_ratings": ratings,
        **decisions,
    }


def _needed(courses: list[_Course], *, cutover_on: dt.date) -> set[int]:
    """The enrolments the rolls say were passed: the awareness class of someone admitted since
    the cut-over, after it ended; the new-member class of someone recognized as a full member
    since the cut-over, when it ended within their probation (llct.demo.courses scheduled these
    classes for them)."""
    needed: set[int] = set()
    for item in courses:
        kind = item.course.programme.kind
        for enrolment in item.enrolments:
            person = enrolment.person
            admitted, full = person.admitted_on, person.full_member_on
            ends = person.probation_ends_on()
            if admitted is None or ends is None:
                continue
            if kind == Programme.Kind.ADMISSION:
                if admitted >= cutover_on and admitted > item.last_day:
                    needed.add(enrolment.pk)
            elif (
                kind == Programme.Kind.NEW_MEMBER
                and full is not None
                and full >= cutover_on
                and admitted <= item.course.ends_on <= ends
            ):
                needed.add(enrolment.pk)
    return needed


def _load() -> list[_Course]:
    """The finished courses not approved yet, oldest first, with their sessions and enrolled
    learners. Three queries."""
    courses = {
        c.pk: _Course(c)
        for c in Course.objects.filter(status=Course.Status.FINISHED, results_approval__isnull=True)
        .select_related("programme", "organizer")
        .order_by("ends_on", "code")
    }
    for session in (
        Session.objects.filter(course_id__in=list(courses))
        .select_related("lecturer")
        .order_by("date", "starts_at", "pk")
    ):
        item = courses[session.course_id]
        item.sessions.append(session)
        if item.entered_by_id is None and session.lecturer and session.lecturer.user_id:
            item.entered_by_id = session.lecturer.user_id
    for enrolment in (
        Enrolment.objects.filter(
            course_id__in=list(courses), status=Enrolment.Status.ENROLLED, result__isnull=True
        )
        .select_related("person")
        .order_by("person__sort_key", "person_id")
    ):
        courses[enrolment.course_id].enrolments.append(enrolment)
    return sorted(courses.values(), key=lambda c: (c.last_day, c.course.code))


# --- Results ----------------------------------------------------------------------------------


def _mark(rng: random.Random, ability: float) -> Decimal:
    """A mark near the learner's ability, in half points as examiners give them."""
    value = min(10.0, max(0.0, rng.gauss(ability, 0.45)))
    return (Decimal(round(value * 2)) / 2).quantize(TENTH)


def _scores(
    rng: random.Random, kind: str, *, passed: bool = False
) -> tuple[Decimal | None, Decimal | None]:
    """(essay, written test) as the programme assesses: mostly 6.5–9.5, a few below 5; with
    `passed`, at least 6.0 each."""
    ability = rng.uniform(2.5, 4.5) if rng.random() < FAIL_SHARE else rng.gauss(8.0, 0.75)
    if passed:
        essay, test = _scores_of(rng, kind, max(ability, 7.5))
        return (
            max(essay, PASSED) if essay is not None else None,
            max(test, PASSED) if test is not None else None,
        )
    return _scores_of(rng, kind, ability)


def _scores_of(
    rng: random.Random, kind: str, ability: float
) -> tuple[Decimal | None, Decimal | None]:
    if kind == AssessmentKind.NONE:
        return None, None
    if kind == AssessmentKind.ESSAY:
        return _mark(rng, ability), None
    if kind in (AssessmentKind.TEST, AssessmentKind.FINAL_EXAMS):
        return None, _mark(rng, ability)
    if kind == AssessmentKind.TESTS_AND_ESSAY:
        return _mark(rng, ability), _mark(rng, ability)
    if kind == AssessmentKind.ESSAY_OR_TEST:
        return (_mark(rng, ability), None) if rng.random() < 0.85 else (None, _mark(rng, ability))
    # Optional: about half hand in an essay.
    return (_mark(rng, ability), None) if rng.random() < 0.5 else (None, None)


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=rng.randint(0, 540))
    return min(timezone.make_aware(moment), timezone.now())


def _results(
    rng: random.Random,
    courses: list[_Course],
    *,
    pending: _Course | None,
    needed: set[int],
    today: dt.date,
    actor: User,
) -> dict[int, Result]:
    """A result for every enrolled learner, classified on the real attendance (all the
    sessions of a finished course count), and a ScoreChange for every score entered."""
    present = dict(
        Attendance.objects.filter(
            session__course_id__in=[c.course.pk for c in courses],
            status=Attendance.Status.PRESENT,
        )
        .values("enrolment_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("enrolment_id", "n")
    )
    results: list[Result] = []
    entered: list[tuple[Result, dt.datetime, int | None]] = []
    for item in courses:
        programme = item.course.programme
        allowed = needed_scores(programme)
        held = len(item.sessions)
        blank: set[int] = set()
        if item is pending and allowed:
            picks = rng.sample(item.enrolments, min(MISSING_SCORES, len(item.enrolments)))
            blank = {e.pk for e in picks}
        for enrolment in item.enrolments:
            essay, test = _scores(rng, programme.assessment_kind, passed=enrolment.pk in needed)
            if enrolment.pk in blank:
                essay = test = None
            assert (essay is None or "essay_score" in allowed) and (
                test is None or "test_score" in allowed
            )
            percent = attendance_percent(present.get(enrolment.pk, 0), held)
            outcome = classify(
                programme=programme, essay=essay, test=test, attendance_percent=percent
            )
            result = Result(
                enrolment=enrolment,
                essay_score=essay,
                test_score=test,
                final_score=outcome.final,
                band=outcome.band,
                attendance_percent=percent,
                passed=outcome.passed,
                fail_reason=outcome.reason[:255],
            )
            results.append(result)
            day = min(today, item.last_day + dt.timedelta(days=rng.randint(1, 5)))
            entered.append((result, _at(rng, day), item.entered_by_id))
    Result.objects.bulk_create(results, batch_size=1000)
    changes = [
        ScoreChange(
            result=result,
            field=name,
            old_value=None,
            new_value=getattr(result, name),
            actor_id=by or getattr(actor, "pk", None),
            at=at,
        )
        for result, at, by in entered
        for name in ("essay_score", "test_score")
        if getattr(result, name) is not None
    ]
    ScoreChange.objects.bulk_create(changes, batch_size=1000)
    return {r.enrolment_id: r for r in results}


def _left_unapproved(courses: list[_Course]) -> _Course | None:
    """The latest finished course with scores to show (and certificates to issue, where one
    has them), so that the grade sheet has something to do. With a single finished course, it
    is approved."""
    if len(courses) < 2:
        return None
    graded = [c for c in courses if needed_scores(c.course.programme) and c.enrolments]
    certified = [c for c in graded if c.course.programme.issues_certificate]
    return (certified or graded or courses)[-1]


# --- Revoking and re-issuing ------------------------------------------------------------------


def _strip_marks(word: str) -> str:
    """ "Hương" typed without its marks: "Huong"."""
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


@dataclass(frozen=True)
class _Misspelt:
    person: Person
    enrolment_id: int
    correct_name: str


def _misspell_one(
    rng: random.Random, courses: list[_Course], results: dict[int, Result], *, own: set[int]
) -> _Misspelt | None:
    """A passer whose given name is on the rolls without its diacritics when the certificate
    is issued: the name is corrected afterwards, and the certificate re-issued."""
    candidates = [
        e
        for c in courses
        if c.course.programme.issues_certificate
        for e in c.enrolments
        if results[e.pk].passed
        and e.person_id not in own
        and _strip_marks(e.person.full_name.split(" ")[-1]) != e.person.full_name.split(" ")[-1]
    ]
    if not candidates:
        return None
    enrolment = rng.choice(candidates)
    person = enrolment.person
    correct = person.full_name
    *rest, given = correct.split(" ")
    wrong = " ".join([*rest, _strip_marks(given)])
    Person.objects.filter(pk=person.pk).update(
        full_name=wrong, search_key=fold(wrong), sort_key=name_sort_key(wrong)
    )
    return _Misspelt(person=person, enrolment_id=enrolment.pk, correct_name=correct)


def _revoke_one(
    rng: random.Random,
    certificates: list[Certificate],
    results: dict[int, Result],
    misspelt: _Misspelt | None,
    *,
    own: set[int],
    today: dt.date,
    actor: User,
) -> int:
    """A score found void after approval: corrected to 0 with the reason (score_correct), which
    makes the learner fail, then the certificate revoked (certificate_revoke)."""
    skip = misspelt.enrolment_id if misspelt else None
    for certificate in rng.sample(certificates, len(certificates)):
        if certificate.enrolment_id == skip or certificate.person_id in own:
            continue
        result = results[certificate.enrolment_id]
        for name in ("essay_score", "test_score"):
            if getattr(result, name) is None:
                continue
            outcome = classify(
                programme=certificate.programme,
                essay=ZERO if name == "essay_score" else result.essay_score,
                test=ZERO if name == "test_score" else result.test_score,
                attendance_percent=result.attendance_percent,
            )
            if outcome.passed:
                continue
            correction_reason, revoke_reason = REVOKE_REASONS[name]
            correction = score_correct(
                enrolment=certificate.enrolment,
                field_name=name,
                value=ZERO,
                reason=correction_reason,
                actor=actor,
                today=today,
            )
            assert correction.certificate_action == "revoke"
            certificate_revoke(
                certificate=certificate, reason=revoke_reason, actor=actor, today=today
            )
            return 1
    return 0


def _reissue_one(
    certificates: list[Certificate], misspelt: _Misspelt | None, *, today: dt.date, actor: User
) -> int:
    """The misspelt name corrected on the rolls (person_update), then the certificate
    re-issued with it (certificate_reissue): the old one is revoked "re-issued as ..."."""
    if misspelt is None:
        return 0
    certificate = next((c for c in certificates if c.enrolment_id == misspelt.enrolment_id), None)
    person = Person.objects.get(pk=misspelt.person.pk)
    person_update(
        person=person,
        data={"full_name": misspelt.correct_name},
        actor=actor,
        today=today,
        note=NAME_NOTE,
    )
    if certificate is None:
        return 0
    certificate_reissue(certificate=certificate, actor=actor, today=today, note=REISSUE_NOTE)
    return 1


# --- Surveys ----------------------------------------------------------------------------------


def _rating(rng: random.Random, base: float) -> int:
    return min(5, max(1, round(rng.gauss(base, 0.7))))


def _surveys(
    rng: random.Random, courses: list[_Course], *, own: set[int], today: dt.date
) -> tuple[int, int]:
    """Most learners of each finished course answer its survey; one course gets only a few
    answers, so that its lecturers see the count without averages. Learners with an account
    (the demo learner) are left to answer themselves."""
    # The lecturers of each course, each rated against their first session there
    # (feedback.surveys.survey_lecturers).
    lecturers: dict[int, dict[int, int]] = {}
    for item in courses:
        first: dict[int, int] = {}
        for session in item.sessions:
            if session.lecturer_id is not None:
                first.setdefault(session.lecturer_id, session.pk)
        lecturers[item.course.pk] = first
    few = _few_answers(courses, lecturers)

    quality: dict[int, float] = {}
    receipts: list[SurveyReceipt] = []
    responses: list[SurveyResponse] = []
    rated: list[tuple[SurveyResponse, int, int]] = []  # response, lecturer, session
    for item in courses:
        course = item.course
        answering = [e for e in item.enrolments if e.person_id not in own]
        count = round(len(answering) * rng.uniform(0.6, 0.9))
        if item is few:
            count = min(FEW_ANSWERS, len(answering))
        elif len(answering) > MIN_ANSWERS:
            count = max(count, MIN_ANSWERS + 1)
        course_base = rng.uniform(3.8, 4.7)
        days = []
        for enrolment in rng.sample(answering, count):
            day = min(today, item.last_day + dt.timedelta(days=rng.randint(0, 6)))
            days.append(day)
            receipts.append(SurveyReceipt(enrolment=enrolment, submitted_at=_at(rng, day)))
        for day in sorted(days):
            response = SurveyResponse(
                course=course,
                organization_rating=_rating(rng, course_base),
                facilities_rating=_rating(rng, course_base - 0.3),
                comments=rng.choice(COMMENTS) if rng.random() < 0.25 else "",
                submitted_on=day,
            )
            responses.append(response)
            for lecturer_id, session_id in lecturers[course.pk].items():
                rated.append((response, lecturer_id, session_id))
                quality.setdefault(lecturer_id, rng.uniform(3.6, 4.8))
    SurveyReceipt.objects.bulk_create(
        sorted(receipts, key=lambda r: r.submitted_at), batch_size=1000
    )
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    ratings = [
        LecturerRating(
            response=response,
            lecturer_id=lecturer_id,
            session_id=session_id,
            content=_rating(rng, quality[lecturer_id]),
            method=_rating(rng, quality[lecturer_id] - 0.2),
            practice=_rating(rng, quality[lecturer_id] - 0.1),
        )
        for response, lecturer_id, session_id in rated
    ]
    LecturerRating.objects.bulk_create(ratings, batch_size=2000)
    return len(responses), len(ratings)


def _few_answers(courses: list[_Course], lecturers: dict[int, dict[int, int]]) -> _Course | None:
    """The course with only a few answers: one taught by the demo lecturer (a lecturer with an
    account) when she teaches more than one, so that her page shows the floor next to the
    averages; else the smallest class."""
    if len(courses) < 2:
        return None
    taught = [c for c in courses if c.entered_by_id is not None and lecturers[c.course.pk]]
    if len(taught) >= 2:
        return taught[0]
    return min(
        (c for c in courses if lecturers[c.course.pk]),
        key=lambda c: (len(c.enrolments), c.course.code),
        default=None,
    )
