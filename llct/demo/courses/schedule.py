"""Planning the demo's year: which courses, the classes the party rules call for, when and where
each is held (nothing booked twice), the courses and sessions created through the services,
and their lecturers."""

import datetime as dt
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from llct.core.models import User
from llct.courses.models import (
    Course,
    SchedulingRules,
    Session,
    Venue,
)
from llct.courses.services.courses import course_create
from llct.courses.services.sessions import course_generate_sessions, half_day_slots
from llct.curriculum.models import Lecturer, Programme
from llct.demo.courses.catalogue import (
    CLASS_SIZE,
    COURSES_PER_2000,
    LOCAL_HALLS,
    MAKE_UP_NOTE,
    PHYSICAL,
    PROFESSIONAL,
    PROVINCE,
    RESOLUTIONS,
    SCHOOL,
    VENUE_CHOICES,
    Slot,
)
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    Person,
)

# ---------------------------------------------------------------------------------------------
# The courses


@dataclass
class Plan:
    """A course to be: what it is, and where and when it was scheduled."""

    programme: Programme
    organizer: Organization
    wish: dt.date  # around when it should start
    special: str = ""  # "today", "learner_finished", "trung_cap", "rule" or ""
    title: str = ""
    start: dt.date | None = None
    slots: list[Slot] = field(default_factory=list)
    venue: Venue | None = None
    course: Course | None = None
    sessions: list[Session] = field(default_factory=list)
    # A class the party rules call for: exactly these learners (see rule_plans).
    learners: list[Person] = field(default_factory=list)


class Calendar:
    """Who and what is taken at each half-day, so that nothing is booked twice."""

    def __init__(self) -> None:
        self.venues: set[tuple[int, dt.date, str]] = set()
        self.lecturers: set[tuple[int, dt.date, str]] = set()
        self.people: dict[int, set[Slot]] = defaultdict(set)

    def venue_free(self, venue: Venue, slots: Iterable[Slot]) -> bool:
        return not any((venue.pk, d, p) in self.venues for d, p in slots)

    def lecturer_free(self, lecturer: Lecturer, slots: Iterable[Slot]) -> bool:
        return not any((lecturer.pk, d, p) in self.lecturers for d, p in slots)

    def person_free(self, person_id: int, slots: Iterable[Slot]) -> bool:
        taken = self.people.get(person_id)
        return not taken or not any(s in taken for s in slots)

    def book_venue(self, venue: Venue, slots: Iterable[Slot]) -> None:
        self.venues.update((venue.pk, d, p) for d, p in slots)

    def book_lecturer(self, lecturer: Lecturer, slots: Iterable[Slot]) -> None:
        self.lecturers.update((lecturer.pk, d, p) for d, p in slots)

    def book_person(self, person_id: int, slots: Iterable[Slot]) -> None:
        self.people[person_id].update(slots)


# --- Planning the year ------------------------------------------------------------------------


def _committee_of(person: Person, committees: list[Organization]) -> Organization | None:
    path = person.organization.path
    return next((c for c in committees if path.startswith(c.path)), None)


def plan_year(
    rng: random.Random,
    *,
    today: dt.date,
    people: Sequence[Person],
    programmes: dict[str, Programme],
    organizations: dict[str, Organization],
    learner: Person | None,
) -> list[Plan]:
    """The courses of the year: the three fixed ones first, then the rest spread over the
    months, organized by the province or by its committees in proportion to their people."""
    province = organizations.get(PROVINCE) or next(
        o for o in organizations.values() if not o.parent_id
    )
    committees = sorted(
        (o for o in organizations.values() if o.kind.code == "truc_thuoc"), key=lambda o: o.code
    )
    headcount = Counter(c.code for p in people if (c := _committee_of(p, committees)) is not None)
    week_start = today - dt.timedelta(days=today.weekday())
    plans: list[Plan] = []
    learner_committee = (
        _committee_of(learner, committees) if learner is not None else None
    ) or province
    if "DVM" in programmes:
        plans.append(Plan(programmes["DVM"], learner_committee, week_start, special="today"))
    if "QTNQ" in programmes:
        plans.append(
            Plan(
                programmes["QTNQ"],
                learner_committee,
                week_start - dt.timedelta(days=14),
                special="learner_finished",
            )
        )
    if "TC" in programmes:
        plans.append(
            Plan(programmes["TC"], province, week_start - dt.timedelta(weeks=8), "trung_cap")
        )

    factor = math.sqrt(max(len(people), 300) / 2000)
    year_start = dt.date(today.year, 1, 5)
    # Late in the year, the first courses of the next are already open for enrolment.
    year_end = max(dt.date(today.year, 12, 20), today + dt.timedelta(weeks=10))
    span = (year_end - year_start).days
    others: list[Plan] = []
    for code, base in COURSES_PER_2000.items():
        if code not in programmes:
            continue
        count = max(1, round(base * factor))
        for i in range(count):
            wish = year_start + dt.timedelta(days=int(span * (i + rng.random()) / count))
            others.append(
                Plan(programmes[code], _organizer(rng, code, province, committees, headcount), wish)
            )
    others.sort(key=lambda p: (p.wish, p.programme.code))
    return plans + others


@dataclass
class _Need:
    """Someone the rules sent to a class, and when it had to take place: the class must start
    on or after `start` and end on or before `end`."""

    person: Person
    start: dt.date
    end: dt.date


# An awareness certificate is issued when the results are approved, one to three weeks after the
# class: the class ends a month before the admission at the latest.
AWARENESS_LEAD = dt.timedelta(days=30)
# The new-member class ends well within the probation, its results approved before the decision.
NEW_MEMBER_LEAD = dt.timedelta(days=25)
# People the rules would have sent to a class whom the demo leaves without one: the assessment
# demo records their decisions as the department's exceptions. (kind, how many, out of at least)
EXCEPTIONS = {"NTVD": (2, 10), "DVM": (1, 3)}


def rule_needs(
    people: Sequence[Person], *, cutover_on: dt.date, candidate_since: dict[int, dt.date]
) -> dict[str, list[_Need]]:
    """Who needed which class since the cut-over: the awareness class before an admission, the
    new-member class during a probation that ended in a full membership."""
    needs: dict[str, list[_Need]] = {"NTVD": [], "DVM": []}
    for person in people:
        admitted = person.admitted_on
        if admitted is None:
            continue
        if admitted >= cutover_on:
            since = candidate_since.get(person.pk, admitted - dt.timedelta(days=365))
            needs["NTVD"].append(_Need(person, since, admitted - AWARENESS_LEAD))
        ends = person.probation_ends_on()
        if person.full_member_on and person.full_member_on >= cutover_on and ends:
            needs["DVM"].append(
                _Need(person, admitted + dt.timedelta(days=7), ends - NEW_MEMBER_LEAD)
            )
    return needs


def rule_plans(
    rng: random.Random,
    *,
    people: Sequence[Person],
    programmes: dict[str, Programme],
    organizer: Organization,
    venues: dict[str, Venue],
    calendar: Calendar,
    rules: SchedulingRules,
    holidays: set[dt.date],
) -> list[Plan]:
    """The awareness and new-member classes the rolls since the cut-over call for, scheduled
    first (before the year's courses take the halls), as few as the deadlines allow: each class
    is placed before the earliest deadline still open and takes everyone whose window holds it."""
    cutover_on = MembershipRules.current().cutover_on
    candidate_since = dict(
        MembershipChange.objects.filter(
            person__in=[p.pk for p in people if p.admitted_on and p.admitted_on >= cutover_on],
            stage=MembershipStage.CANDIDATE,
        ).values_list("person_id", "effective_on")
    )
    needs = rule_needs(people, cutover_on=cutover_on, candidate_since=candidate_since)
    plans: list[Plan] = []
    for code, pending in needs.items():
        programme = programmes.get(code)
        if programme is None or not pending:
            continue
        count, least = EXCEPTIONS[code]
        if len(pending) >= least:
            left_out = {n.person.pk for n in rng.sample(pending, count)}
            pending = [n for n in pending if n.person.pk not in left_out]
        pending.sort(key=lambda n: (n.end, n.person.pk))
        size = CLASS_SIZE.get(code, 40)
        while pending:
            first = pending.pop(0)
            plan = _rule_class(rng, programme, organizer, first, venues, calendar, rules, holidays)
            if plan is None:
                continue
            begin, last = plan.slots[0][0], plan.slots[-1][0]
            fits = [
                n
                for n in pending
                if n.start <= begin
                and last <= n.end
                and calendar.person_free(n.person.pk, plan.slots)
            ][: size - 1]
            plan.learners = [first.person, *(n.person for n in fits)]
            taken = {n.person.pk for n in fits}
            pending = [n for n in pending if n.person.pk not in taken]
            for person in plan.learners:
                calendar.book_person(person.pk, plan.slots)
            plans.append(plan)
    return plans


def _rule_class(
    rng: random.Random,
    programme: Programme,
    organizer: Organization,
    need: _Need,
    venues: dict[str, Venue],
    calendar: Calendar,
    rules: SchedulingRules,
    holidays: set[dt.date],
) -> Plan | None:
    """A class within the need's window, a few weeks before its end when there is room."""
    latest = need.end - dt.timedelta(days=14)
    wish = max(need.start + dt.timedelta(days=7), latest - dt.timedelta(days=rng.randint(0, 42)))
    for shift in (0, -7, 7, -14, -21, -28, -35):
        plan = Plan(programme, organizer, wish + dt.timedelta(days=shift), special="rule")
        probe = Calendar()
        probe.venues = set(calendar.venues)
        if not schedule_plan(
            plan, venues=venues, calendar=probe, rules=rules, holidays=holidays, week=(wish, wish)
        ):
            continue
        if need.start <= plan.slots[0][0] and plan.slots[-1][0] <= need.end:
            calendar.venues = probe.venues
            return plan
    return None


def _organizer(
    rng: random.Random,
    code: str,
    province: Organization,
    committees: list[Organization],
    headcount: Counter[str],
) -> Organization:
    """Committees run the classes for their own people (candidates, new members, resolutions);
    the province runs sơ cấp with the school, and half of the professional courses."""
    provincial = {"SC": 0.6, "NV": 0.5, "QTNQ": 0.3}.get(code, 0.0)
    if not committees or rng.random() < provincial:
        return province
    return rng.choices(committees, weights=[headcount.get(c.code, 0) + 1 for c in committees])[0]


def schedule_plan(
    plan: Plan,
    *,
    venues: dict[str, Venue],
    calendar: Calendar,
    rules: SchedulingRules,
    holidays: set[dt.date],
    week: tuple[dt.date, dt.date],
) -> bool:
    """Find a start near the wished date and a venue free at every half-day of it. Courses
    other than the fixed ones keep clear of this week. False when nothing fits."""
    n = sum(max(t.sessions, 1) for t in plan.programme.topics.all())
    if not n:
        return False
    keys = list(VENUE_CHOICES.get(plan.programme.code, ["truong"]))
    local = LOCAL_HALLS.get(plan.organizer.code)
    if local:
        keys.insert(0, local)
    if plan.special == "today":
        keys = [k for k in keys if k != "a1"] + ["a1"]
    keys += [k for k in venues if k not in keys and venues[k].kind == PHYSICAL]
    shifts = [0] if plan.special else [0, 7, -7, 14, -14, 21, -21, 28, 35, 42]
    for shift in shifts:
        start = plan.wish + dt.timedelta(days=shift)
        if plan.programme.code not in ("QTNQ", "NV") or plan.special:
            start -= dt.timedelta(days=start.weekday())  # classes start on a Monday
        slots = [
            (d, str(part))
            for d, part, _s, _e in itertools.islice(
                half_day_slots(start=start, holidays=holidays, rules=rules), n
            )
        ]
        if not plan.special and slots[0][0] <= week[1] and slots[-1][0] >= week[0]:
            continue
        if plan.special == "learner_finished" and slots[-1][0] >= week[0]:
            continue
        for key in keys:
            venue = venues.get(key)
            if venue is not None and calendar.venue_free(venue, slots):
                calendar.book_venue(venue, slots)
                # A course starts on its first working half-day, not on the weekend before.
                plan.start, plan.slots, plan.venue = slots[0][0], slots, venue
                return True
    return False


def _status(first: dt.date, last: dt.date, today: dt.date) -> str:
    if last < today:
        return Course.Status.FINISHED
    if first > today:
        return Course.Status.OPEN
    return Course.Status.IN_PROGRESS


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def create_courses(plans: list[Plan], *, today: dt.date, actor: User) -> None:
    """Number the courses of each programme and year in date order, then create them and
    generate their sessions through the services."""
    plans_in_order = sorted(plans, key=lambda p: (p.slots[0], p.programme.code, p.organizer.code))
    numbers: Counter[tuple[str, int]] = Counter()
    titles = {"QTNQ": itertools.cycle(RESOLUTIONS), "NV": itertools.cycle(PROFESSIONAL)}
    for plan in plans_in_order:
        assert plan.start is not None and plan.venue is not None
        programme, year = plan.programme, plan.start.year
        numbers[(programme.code, year)] += 1
        n = numbers[(programme.code, year)]
        if programme.code in titles:
            name = next(titles[programme.code])
        else:
            name = f"Lớp {_lower_first(programme.name)} khóa {n} năm {year}"
        if plan.organizer.code != PROVINCE:
            name += f" ({plan.organizer.name})"
        first, last = plan.slots[0][0], plan.slots[-1][0]
        size = CLASS_SIZE.get(programme.code, 50)
        plan.course = course_create(
            data={
                "code": f"{programme.code}-{year}-{n:02d}",
                "name": name,
                "programme": programme,
                "organizer": plan.organizer,
                "partner": SCHOOL
                if plan.venue.owner and plan.venue.owner.code == "CQD-TCT"
                else "",
                "starts_on": plan.start,
                "ends_on": plan.start,
                "venue": plan.venue,
                "capacity": min(size, plan.venue.capacity),
                "status": _status(first, last, today),
            },
            actor=actor,
        )
        plan.sessions = course_generate_sessions(course=plan.course, actor=actor)


def session_today(
    plan: Plan, *, today: dt.date, rules: SchedulingRules, calendar: Calendar
) -> None:
    """A weekend or a holiday: the class of this week makes up a session today, so that the
    roll call and the QR check-in have something to show."""
    if any(s.date == today for s in plan.sessions) or plan.course is None:
        return
    before = [s for s in plan.sessions if s.date < today] or plan.sessions
    slot = (today, str(Session.Part.MORNING))
    session = Session.objects.create(
        course=plan.course,
        date=today,
        part=Session.Part.MORNING,
        starts_at=rules.morning_start,
        ends_at=rules.morning_end,
        topic=before[-1].topic,
        venue=plan.venue,
        lesson_plan=before[-1].lesson_plan,
        note=MAKE_UP_NOTE,
    )
    if plan.venue is not None:
        calendar.book_venue(plan.venue, [slot])
    plan.sessions.append(session)
    plan.sessions.sort(key=lambda s: (s.date, s.starts_at))
    plan.slots = [(s.date, s.part) for s in plan.sessions]
    if today > plan.course.ends_on:
        plan.course.ends_on = today
        plan.course.save(update_fields=["ends_on"])


def assign_lecturers(
    rng: random.Random,
    plan: Plan,
    *,
    approved: dict[int, list[Lecturer]],
    calendar: Calendar,
    prefer: Lecturer | None,
) -> None:
    """One lecturer per topic, or per two days of a long topic, among those approved for it
    and free at those half-days; a session nobody can take stays unassigned."""
    by_topic: dict[int | None, list[Session]] = defaultdict(list)
    for session in plan.sessions:
        by_topic[session.topic_id].append(session)
    for topic_id, sessions in by_topic.items():
        teaching = list(approved.get(topic_id, [])) if topic_id else []
        for i in range(0, len(sessions), 4):
            chunk = sessions[i : i + 4]
            slots = [(s.date, s.part) for s in chunk]
            order = rng.sample(teaching, len(teaching))
            if prefer is not None and prefer in order:
                order.remove(prefer)
                order.insert(0, prefer)
            lecturer = next((lec for lec in order if calendar.lecturer_free(lec, slots)), None)
            if lecturer is not None:
                calendar.book_lecturer(lecturer, slots)
                for session in chunk:
                    session.lecturer = lecturer
                continue
            for session in chunk:
                slot = [(session.date, session.part)]
                one = next((lec for lec in order if calendar.lecturer_free(lec, slot)), None)
                if one is not None:
                    calendar.book_lecturer(one, slot)
                    session.lecturer = one
