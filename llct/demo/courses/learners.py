"""The demo courses' learners: who is enrolled where, who withdrew, and their attendance."""

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone

from llct.core.models import User
from llct.courses.models import (
    Attendance,
    Course,
    Enrolment,
    Session,
)
from llct.courses.roll_call import roll_call_save
from llct.curriculum.models import Lecturer, Programme
from llct.demo.courses.catalogue import WITHDRAWAL_REASONS
from llct.demo.courses.schedule import Calendar, Plan
from llct.organizations.models import (
    MembershipStage,
    Person,
    TheoryLevel,
)

# --- Learners ---------------------------------------------------------------------------------


def _eligible(code: str, programme: Programme, person: Person) -> bool:
    """Whom each programme is for (DOMAIN.md), beyond the programme's own stage and level
    settings: sơ cấp for those without a level, trung cấp for those with sơ cấp, the
    professional courses for full members."""
    if person.stage == MembershipStage.LEFT:
        return False
    if programme.eligible_stages and person.stage not in programme.eligible_stages:
        return False
    return person.theory_level >= programme.min_theory_level and _fits_course(code, person)


def _fits_course(code: str, person: Person) -> bool:
    if code == "SC":
        return person.theory_level == TheoryLevel.NONE
    if code == "TC":
        return person.theory_level == TheoryLevel.SO_CAP
    if code == "NV":
        return person.stage == MembershipStage.FULL
    return True


def _priority(code: str, person: Person) -> int:
    """Who goes first: candidates before other non-members, cell committee members first to
    the professional courses."""
    if code == "NTVD":
        return 0 if person.stage == MembershipStage.CANDIDATE else 1
    if code == "NV":
        return 0 if "Bí thư" in person.position or "Chi ủy" in person.position else 1
    return 0


def enrol(
    rng: random.Random,
    plans: list[Plan],
    *,
    people: Sequence[Person],
    lecturers: list[Lecturer],
    learner: Person | None,
    calendar: Calendar,
    today: dt.date,
) -> list[Enrolment]:
    """Eligible people of the organizer's subtree, never two courses at once, never the same
    programme twice (resolutions apart); classes to come are still filling up."""
    teaching = {lec.person_id for lec in lecturers if lec.person_id}
    pools: dict[str, list[Person]] = {}
    taken: dict[str, set[int]] = defaultdict(set)
    rows: list[Enrolment] = []
    # The fixed courses first, so that the demo learner gets their seats.
    order = sorted(plans, key=lambda p: (not p.special, p.slots[0]))
    for plan in order:
        course = plan.course
        if course is None:
            continue
        code = plan.programme.code
        if code not in pools:
            pool = [
                p for p in people if p.pk not in teaching and _eligible(code, plan.programme, p)
            ]
            rng.shuffle(pool)
            pool.sort(key=lambda p: _priority(code, p))
            pools[code] = pool
        share = (0.3, 0.7) if course.status == Course.Status.OPEN else (0.6, 0.95)
        target = max(1, round(course.capacity * rng.uniform(*share)))
        slots = plan.slots
        chosen: list[Person] = []
        if learner is not None and plan.special in ("today", "learner_finished"):
            chosen.append(learner)
        if plan.special == "rule":
            chosen, target = list(plan.learners), 0
        path = plan.organizer.path
        once = code != "QTNQ"
        for person in pools[code]:
            if len(chosen) >= target:
                break
            if (
                (learner is not None and person.pk == learner.pk)
                or (once and person.pk in taken[code])
                or not person.organization.path.startswith(path)
                or (code == "DVM" and (person.admitted_on or dt.date.max) > slots[0][0])
                or not calendar.person_free(person.pk, slots)
            ):
                continue
            chosen.append(person)
        for person in chosen:
            taken[code].add(person.pk)
            calendar.book_person(person.pk, slots)
            rows.append(
                Enrolment(
                    course=course,
                    person=person,
                    enrolled_at=_enrolled_at(rng, course.starts_on, today=today),
                )
            )
    return rows


def _enrolled_at(rng: random.Random, starts_on: dt.date, *, today: dt.date) -> dt.datetime:
    """A working day one to three weeks before the start; for classes to come, lately."""
    day = min(starts_on - dt.timedelta(days=rng.randint(7, 21)), today - dt.timedelta(days=1))
    moment = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=rng.randint(0, 480))
    return timezone.make_aware(moment)


def withdrawals(
    rng: random.Random,
    rows: list[Enrolment],
    *,
    plans: list[Plan],
    today: dt.date,
    keep: Person | None,
) -> list[Enrolment]:
    """A few learners of courses already under way leave before the end, with a reason (never
    the demo learner: their course of today must stay theirs)."""
    held: dict[int, list[dt.date]] = {}
    for plan in plans:
        # Those the rules sent to a class stayed to the end: they were admitted or recognized.
        if plan.course is not None and plan.special != "rule":
            held[plan.course.pk] = [d for d, _p in plan.slots if d < today]
    for row in rows:
        days = held.get(row.course.pk, [])
        if (
            len(days) >= 3
            and row.course.programme.code != "QTNQ"
            and rng.random() < 0.03
            and (keep is None or row.person.pk != keep.pk)
        ):
            row.status = Enrolment.Status.WITHDRAWN
            row.withdrawn_on = rng.choice(days[1:])
            row.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
    return rows


CORRECTION_REASONS = [
    "Học viên nộp giấy xác nhận đi công tác, đã ký bổ sung vào phiếu",
    "Ghi nhầm dòng khi điểm danh, sửa theo phiếu ký tên",
]


def corrections(marks: list[Attendance], *, today: dt.date, actor: User) -> None:
    """Two marks corrected after their session, with the reason, as an officer does when the
    paper sign-in sheet comes back: the roll call shows them under "Corrections"."""
    absent = sorted(
        (m for m in marks if m.status == Attendance.Status.ABSENT),
        key=lambda m: (m.session.date, m.session.pk, m.enrolment.pk),
        reverse=True,
    )
    for mark, reason in zip(absent, CORRECTION_REASONS, strict=False):
        roll_call_save(
            session=mark.session,
            enrolment=mark.enrolment,
            status=Attendance.Status.PRESENT,
            original=Attendance.Status.ABSENT,
            reason=reason,
            actor=actor,
            today=today,
        )


def attendance_marks(
    rng: random.Random,
    plans: list[Plan],
    enrolments: list[Enrolment],
    *,
    today: dt.date,
    actor: User,
) -> list[Attendance]:
    """Marks for every session before today: mostly present, some absent with leave, a few
    absent; a withdrawn learner is marked until the withdrawal."""
    by_course: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_course[enrolment.course.pk].append(enrolment)
    marks: list[Attendance] = []
    for plan in plans:
        if plan.course is None:
            continue
        past = [s for s in plan.sessions if s.date < today]
        if not past:
            continue
        for enrolment in by_course.get(plan.course.pk, []):
            # Most learners hardly miss a session; a few miss several. Those the rules sent
            # missed none.
            present = 0.97 if rng.random() < 0.85 else 0.8
            if plan.special == "rule":
                present = 1.0
            for session in past:
                if enrolment.withdrawn_on is not None and session.date >= enrolment.withdrawn_on:
                    break
                marks.append(_mark(rng, session, enrolment, present=present, actor=actor))
    return marks


def _mark(
    rng: random.Random, session: Session, enrolment: Enrolment, *, present: float, actor: User
) -> Attendance:
    """Present with probability `present` (some by QR code); of the others, six in ten absent
    with leave."""
    draw = rng.random()
    if draw < present:
        status = Attendance.Status.PRESENT
        method = Attendance.Method.QR if rng.random() < 0.3 else Attendance.Method.ROLL_CALL
    elif draw < present + (1 - present) * 0.6:
        status, method = Attendance.Status.EXCUSED, Attendance.Method.ROLL_CALL
    else:
        status, method = Attendance.Status.ABSENT, Attendance.Method.ROLL_CALL
    lecturer = session.lecturer
    return Attendance(
        session=session,
        enrolment=enrolment,
        status=status,
        method=method,
        marked_by=(lecturer.user if lecturer is not None and lecturer.user_id else actor)
        if method != Attendance.Method.QR
        else None,
    )
