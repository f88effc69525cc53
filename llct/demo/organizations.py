"""A fictional but lifelike province for demos, screenshots and benchmarks.

Everything is drawn from one `random.Random(seed)` and dated relative to `today`, so the same
seed on the same day gives the same province, person for person. The province, its committees
and its people are invented; the shape (a 2025-style tree, stage proportions, theory levels)
follows DOMAIN.md.

Organizations go through the services, so their versions and events are the real thing. People
and their history rows are bulk-inserted: 20,000 people through `person_create` would take
minutes, and the rules it enforces are checked on the generated data by the tests instead.
"""

# Over 600 lines on purpose: the people are one job, drawn person by person from one random
# stream (names, positions, stages, levels, dates, cards); the tree is in llct/demo/tree.py.

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError, QuerySet, RestrictedError

from llct.core.models import AuditEntry, User
from llct.demo.tree import FOUNDED_ON, MERGE, RENAME, REORGANIZED_ON, TREE, Node
from llct.organizations.counts import people_counts_apply
from llct.organizations.models import (
    MembershipChange,
    MembershipRules,
    MembershipStage,
    Organization,
    OrganizationEvent,
    OrganizationKind,
    OrganizationVersion,
    Person,
    RosterImport,
    Sex,
    TheoryLevel,
    TheoryLevelChange,
    add_months,
)
from llct.organizations.services import organization_create, organization_merge, organization_rename

# ---------------------------------------------------------------------------------------------
# Names. Weights are rough shares of the population; "Hoàng/Huỳnh" and "Vũ/Võ" are the northern
# and southern spellings of the same names, both found in any province's rolls.

SURNAMES: list[tuple[str, float]] = [
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Huỳnh", 1.5),
    ("Phan", 4.5),
    ("Vũ", 3),
    ("Võ", 1.5),
    ("Đặng", 2.1),
    ("Bùi", 2),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Đinh", 0.8),
    ("Trịnh", 0.7),
    ("Lương", 0.5),
    ("Tạ", 0.3),
]
MIDDLE_NAMES = {
    Sex.MALE: [
        ("Văn", 30),
        ("Đức", 8),
        ("Minh", 8),
        ("Hữu", 6),
        ("Quang", 6),
        ("Thanh", 5),
        ("Xuân", 4),
        ("Công", 4),
        ("Đình", 5),
        ("Tiến", 3),
        ("Mạnh", 3),
        ("Ngọc", 2),
        ("Trọng", 3),
        ("Bá", 2),
        ("Hoàng", 2),
        ("Quốc", 4),
    ],
    Sex.FEMALE: [
        ("Thị", 45),
        ("Thu", 6),
        ("Ngọc", 6),
        ("Thanh", 5),
        ("Minh", 3),
        ("Hồng", 4),
        ("Thùy", 3),
        ("Kim", 3),
        ("Phương", 3),
        ("Mai", 2),
        ("Bích", 2),
        ("Hải", 2),
        ("Thị Thu", 4),
        ("Thị Thanh", 3),
        ("Thị Minh", 2),
        ("Thị Ngọc", 2),
    ],
}


def _words(text: str) -> list[str]:
    return text.split()


GIVEN_NAMES = {
    Sex.MALE: _words(
        "An Anh Bảo Bình Cường Chiến Công Dũng Duy Dương Đạt Đông Đức Giang Hải Hiếu Hiệp Hòa "
        "Hoàng Hùng Huy Hưng Khải Khánh Khoa Kiên Lâm Long Lực Mạnh Minh Nam Nghĩa Nhân Phong "
        "Phúc Phương Quang Quân Quý Sơn Tài Tâm Thái Thắng Thành Thịnh Thông Toàn Trung Trường "
        "Tuấn Tùng Việt Vinh Vũ"
    ),
    Sex.FEMALE: _words(
        "An Anh Ánh Chi Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hồng Huệ Hương Hường Huyền Lan "
        "Liên Linh Loan Ly Mai My Nga Ngân Ngọc Nhung Oanh Phương Quyên Quỳnh Tâm Thảo Thoa "
        "Thủy Thúy Trang Trinh Tuyết Uyên Vân Yến"
    ),
}


def random_name(rng: random.Random, sex: str) -> str:
    surname = _pick(rng, SURNAMES)
    middle = _pick(rng, MIDDLE_NAMES[Sex(sex)])
    given = rng.choice(GIVEN_NAMES[Sex(sex)])
    return f"{surname} {middle} {given}"


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


# ---------------------------------------------------------------------------------------------
# Positions by kind of workplace; the party posts of each cell are handed out afterwards.

POSITIONS: dict[str, list[tuple[str, float]]] = {
    "party": [
        ("Chuyên viên", 8),
        ("Chuyên viên chính", 4),
        ("Phó Trưởng phòng", 2),
        ("Trưởng phòng", 1),
        ("Văn thư", 0.7),
        ("Kế toán", 0.5),
        ("Nhân viên", 1),
    ],
    "state": [
        ("Chuyên viên", 8),
        ("Chuyên viên chính", 3),
        ("Công chức", 3),
        ("Phó Trưởng phòng", 2),
        ("Trưởng phòng", 1),
        ("Thanh tra viên", 0.5),
        ("Kế toán", 0.7),
        ("Văn thư", 0.5),
        ("Nhân viên hợp đồng", 1),
    ],
    "academy": [
        ("Giảng viên", 6),
        ("Giảng viên chính", 3),
        ("Phó Trưởng khoa", 1),
        ("Trưởng khoa", 0.5),
        ("Chuyên viên", 2),
    ],
    "school": [
        ("Giáo viên", 12),
        ("Tổ trưởng chuyên môn", 1.5),
        ("Phó Hiệu trưởng", 0.5),
        ("Hiệu trưởng", 0.2),
        ("Nhân viên", 1),
        ("Kế toán", 0.3),
    ],
    "health": [
        ("Bác sĩ", 5),
        ("Điều dưỡng", 6),
        ("Dược sĩ", 1),
        ("Kỹ thuật viên", 1),
        ("Phó Trưởng khoa", 0.5),
        ("Trưởng khoa", 0.3),
    ],
    "press": [
        ("Phóng viên", 5),
        ("Biên tập viên", 3),
        ("Kỹ thuật viên", 1),
        ("Phó Trưởng phòng", 0.5),
        ("Trưởng phòng", 0.3),
    ],
    "police": [
        ("Cán bộ", 10),
        ("Phó Đội trưởng", 2),
        ("Đội trưởng", 1),
        ("Phó Trưởng phòng", 0.5),
        ("Trưởng phòng", 0.2),
    ],
    "military": [
        ("Trợ lý", 6),
        ("Cán bộ", 3),
        ("Nhân viên", 3),
        ("Phó Chỉ huy trưởng", 0.3),
    ],
    "commune": [
        ("Công chức", 8),
        ("Cán bộ", 4),
        ("Phó Chủ tịch UBND", 0.4),
        ("Chủ tịch Hội Nông dân", 0.3),
        ("Chủ tịch Hội Liên hiệp Phụ nữ", 0.3),
    ],
    "village": [
        ("Nông dân", 6),
        ("Hưu trí", 3),
        ("Lao động tự do", 2),
        ("Trưởng thôn", 0.4),
        ("Công an viên", 0.4),
        ("Chi hội trưởng Hội Nông dân", 0.3),
        ("Bí thư Chi đoàn", 0.3),
    ],
    "ward": [
        ("Hưu trí", 5),
        ("Kinh doanh", 3),
        ("Công nhân", 2),
        ("Lao động tự do", 2),
        ("Tổ trưởng tổ dân phố", 0.4),
        ("Bí thư Chi đoàn", 0.3),
    ],
}
# People in these positions are likelier to hold a higher theory level.
SENIOR_WORDS = ("Trưởng", "Hiệu trưởng", "Chủ tịch", "Giảng viên", "Bí thư chi bộ", "Chỉ huy")

# Shares of the rolls by stage (mostly full members).
STAGES: list[tuple[str, float]] = [
    (MembershipStage.FULL, 74),
    (MembershipStage.PROBATIONARY, 8),
    (MembershipStage.CANDIDATE, 5),
    (MembershipStage.NON_MEMBER, 11),
    (MembershipStage.LEFT, 2),
]
# Share of probationary members whose probation has ended without a decision yet.
LATE_DECISIONS = 0.06
# Theory level shares (none, SC, TC, CC, CN) by stage and seniority.
LEVELS: dict[str, list[float]] = {
    "senior": [0, 10, 50, 30, 10],
    MembershipStage.FULL: [30, 35, 27, 6, 2],
    MembershipStage.PROBATIONARY: [75, 20, 5, 0, 0],
    MembershipStage.CANDIDATE: [95, 5, 0, 0, 0],
    MembershipStage.NON_MEMBER: [95, 5, 0, 0, 0],
    MembershipStage.LEFT: [60, 30, 10, 0, 0],
}
LEVEL_SOURCES = {
    TheoryLevel.SO_CAP: "Trung tâm Chính trị",
    TheoryLevel.TRUNG_CAP: "Trường Chính trị tỉnh",
    TheoryLevel.CAO_CAP: "Học viện Chính trị khu vực",
    TheoryLevel.CU_NHAN: "Học viện Chính trị quốc gia Hồ Chí Minh",
}
# Cells of this kind get this many people relative to the others.
SECTOR_WEIGHT = {
    "party": 1.0,
    "state": 1.0,
    "academy": 1.0,
    "school": 1.4,
    "health": 2.0,
    "press": 1.0,
    "police": 1.6,
    "military": 1.4,
    "commune": 1.0,
    "village": 1.6,
    "ward": 1.6,
}


# ---------------------------------------------------------------------------------------------
# People


@dataclass
class FakePerson:
    """One generated person with the dated steps of their history."""

    full_name: str
    sex: str
    date_of_birth: dt.date
    position: str
    stage: str
    admitted_on: dt.date | None = None
    full_member_on: dt.date | None = None
    theory_level: int = TheoryLevel.NONE
    # (stage, date, note) in date order; the last one is the current stage.
    steps: list[tuple[str, dt.date, str]] = field(default_factory=list)
    level_on: dt.date | None = None


def _years_ago(today: dt.date, years: float) -> dt.date:
    return add_months(today, -round(years * 12))


def _between(
    rng: random.Random, start: dt.date, end: dt.date, mode: float | None = None
) -> dt.date:
    """A day in [start, end]; with mode in [0, 1], skewed towards that point of the span."""
    span = max((end - start).days, 0)
    if mode is None:
        return start + dt.timedelta(days=rng.randint(0, span))
    return start + dt.timedelta(days=round(rng.triangular(0, span, span * mode)))


def fake_person(
    rng: random.Random, *, today: dt.date, sector: str, stage: str | None = None
) -> FakePerson:
    """A person whose dates obey the rules of the rolls: admitted at 18 or older, full member
    at least 12 months after admission, nothing after today."""
    stage = stage or _pick(rng, STAGES)
    sex = (
        Sex.MALE
        if rng.random() < (0.8 if sector in ("police", "military") else 0.52)
        else Sex.FEMALE
    )
    age_range = {
        MembershipStage.FULL: (24, 60),
        MembershipStage.PROBATIONARY: (20, 40),
        MembershipStage.CANDIDATE: (20, 35),
        MembershipStage.NON_MEMBER: (20, 60),
        MembershipStage.LEFT: (32, 60),
    }[MembershipStage(stage)]
    age = rng.randint(*age_range)
    # Born within the year before the anniversary `age` years ago: exactly `age` today.
    dob = add_months(today, -12 * age) - dt.timedelta(days=rng.randint(0, 364))
    adult = add_months(dob, 12 * 18)
    person = FakePerson(
        full_name=random_name(rng, sex),
        sex=sex,
        date_of_birth=dob,
        position=_pick(rng, POSITIONS[sector]),
        stage=stage,
    )
    steps = person.steps
    if stage == MembershipStage.NON_MEMBER:
        steps.append((stage, _between(rng, max(adult, _years_ago(today, 10)), today), ""))
    elif stage == MembershipStage.CANDIDATE:
        steps.append((stage, _between(rng, max(adult, today - dt.timedelta(days=700)), today), ""))
    else:
        if stage == MembershipStage.PROBATIONARY:
            # Within the 12 months of probation; a few whose probation has ended and whose cell
            # has yet to decide (some of them past the 30 working days it has for that).
            late = rng.random() < LATE_DECISIONS
            admitted = today - dt.timedelta(
                days=rng.randint(367, 430) if late else rng.randint(7, 360)
            )
        else:
            # Most join in their twenties; full members by 14 months ago, leavers earlier.
            latest = add_months(today, -14 if stage == MembershipStage.FULL else -40)
            admitted = _between(rng, add_months(adult, 6), latest, mode=0.15)
        candidate_on = max(adult, admitted - dt.timedelta(days=rng.randint(120, 540)))
        steps.append((MembershipStage.CANDIDATE, candidate_on, ""))
        steps.append((MembershipStage.PROBATIONARY, admitted, ""))
        person.admitted_on = admitted
        if stage != MembershipStage.PROBATIONARY:
            # The cell decides within about 30 working days after the probation ends.
            full_on = add_months(admitted, 12) + dt.timedelta(days=rng.randint(0, 45))
            person.full_member_on = full_on
            steps.append((MembershipStage.FULL, full_on, ""))
            if stage == MembershipStage.LEFT:
                left_on = _between(rng, add_months(full_on, 12), today - dt.timedelta(days=30))
                note = rng.choice(
                    [
                        "Chuyển sinh hoạt đảng ra ngoài tỉnh",
                        "Chuyển sinh hoạt đảng ra ngoài tỉnh",
                        "Xóa tên trong danh sách đảng viên",
                    ]
                )
                steps.append((MembershipStage.LEFT, left_on, note))
    _give_level(rng, person, today=today)
    return person


def _give_level(
    rng: random.Random, person: FakePerson, *, today: dt.date, level: int | None = None
) -> None:
    if level is None:
        senior = person.stage == MembershipStage.FULL and any(
            w in person.position for w in SENIOR_WORDS
        )
        shares = LEVELS["senior" if senior else person.stage]
        level = rng.choices(list(TheoryLevel), weights=shares)[0]
    person.theory_level = level
    if level == TheoryLevel.NONE:
        person.level_on = None
        return
    # Sơ cấp and trung cấp come a few years into working life, cao cấp later.
    start = add_months(person.date_of_birth, 12 * (22 if level <= TheoryLevel.TRUNG_CAP else 28))
    if person.admitted_on and level >= TheoryLevel.TRUNG_CAP:
        start = max(start, person.admitted_on)
    person.level_on = _between(rng, min(start, today), today - dt.timedelta(days=1), mode=0.6)


def _party_posts(rng: random.Random, members: list[FakePerson], *, today: dt.date) -> None:
    """A cell's committee: one secretary, a deputy and up to three members, all full members."""
    full = [p for p in members if p.stage == MembershipStage.FULL]
    rng.shuffle(full)
    posts = ["Bí thư chi bộ"]
    if len(members) >= 7:
        posts.append("Phó Bí thư chi bộ")
    posts += ["Chi ủy viên"] * min(3, len(members) // 12)
    for person, post in zip(full, posts, strict=False):
        person.position = post
        if post == "Bí thư chi bộ" and person.theory_level < TheoryLevel.TRUNG_CAP:
            # A cell secretary is expected to hold at least trung cấp.
            _give_level(rng, person, today=today, level=TheoryLevel.TRUNG_CAP)


def _card_numbers(rng: random.Random, count: int) -> list[str]:
    """Unique 8-9 digit card numbers."""
    return [str(n) for n in rng.sample(range(10_000_000, 1_000_000_000), count)]


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Share `total` people among cells in proportion to the weights, every cell getting one
    before any gets a second when there are fewer people than cells."""
    if total < len(weights):
        counts = [0] * len(weights)
        for i in rng.sample(range(len(weights)), total):
            counts[i] = 1
        return counts
    scale = sum(weights)
    counts = [max(1, int(total * w / scale)) for w in weights]
    # Hand out (or take back) the rounding remainder one person at a time.
    order = list(range(len(weights)))
    rng.shuffle(order)
    i = 0
    while sum(counts) != total:
        j = order[i % len(order)]
        if sum(counts) < total:
            counts[j] += 1
        elif counts[j] > 1:
            counts[j] -= 1
        i += 1
    return counts


# ---------------------------------------------------------------------------------------------
# The tree and its people


@dataclass(frozen=True)
class Province:
    organizations: dict[str, Organization]  # by code, as the tree stands today
    people: list[Person]
    events: list[str]  # the 2025 reorganization, in words


def organizations_demo(rng: random.Random, *, people: int, today: dt.date, actor: User) -> Province:
    """The province's tree (with its 2025 renaming and merger) and `people` people with their
    stage and theory-level history."""
    # Organizations: through the service, so that each gets its first version and event.
    kinds = {k.code: k for k in OrganizationKind.objects.all()}
    orgs: dict[str, Organization] = {}
    cells: list[tuple[Organization, str]] = []

    def create(node: Node, parent: Organization | None) -> None:
        org = organization_create(
            code=node.code,
            name=node.name,
            kind=kinds[node.kind],
            parent=parent,
            founded_on=FOUNDED_ON,
            actor=actor,
        )
        orgs[node.code] = org
        if not node.children:
            cells.append((org, node.sector))
        for child in node.children:
            create(child, org)

    create(TREE, None)

    # The 2025 reorganization, so that the tree "as of" an earlier date differs from today's.
    events = []
    event_on = min(REORGANIZED_ON, today)
    old_name = orgs[RENAME[0]].name
    organization_rename(
        organization=orgs[RENAME[0]],
        name=RENAME[1],
        effective_on=event_on,
        today=today,
        actor=actor,
        note="Theo Quyết định của Bộ Chính trị về sắp xếp tổ chức đảng cấp tỉnh",
    )
    events.append(f"{event_on:%d/%m/%Y}: {old_name} → {RENAME[1]}")
    source, target = orgs[MERGE[0]], orgs[MERGE[1]]
    organization_merge(
        sources=[source],
        target=target,
        effective_on=event_on,
        today=today,
        actor=actor,
        note="Sắp xếp đơn vị hành chính cấp xã",
    )
    events.append(f"{event_on:%d/%m/%Y}: {source.name} + {target.name} → {target.name}")

    # The merge moved the merged commune's cells: read the tree back as it is now.
    orgs = {o.code: o for o in Organization.objects.filter(pk__in=[o.pk for o in orgs.values()])}
    cells = [(orgs[org.code], sector) for org, sector in cells]
    return Province(
        organizations=orgs,
        people=_people(rng, cells, count=people, today=today, actor=actor),
        events=events,
    )


def _people(
    rng: random.Random,
    cells: list[tuple[Organization, str]],
    *,
    count: int,
    today: dt.date,
    actor: User,
) -> list[Person]:
    """People, cell by cell, then their history rows."""
    weights = [SECTOR_WEIGHT[sector] * rng.uniform(0.5, 1.5) for _, sector in cells]
    fakes: list[tuple[Organization, FakePerson]] = []
    for (org, sector), n in zip(cells, _split(rng, count, weights), strict=True):
        members = [fake_person(rng, today=today, sector=sector) for _ in range(n)]
        _party_posts(rng, members, today=today)
        fakes.extend((org, f) for f in members)
    full_count = sum(1 for _, f in fakes if f.stage == MembershipStage.FULL)
    cards = iter(_card_numbers(rng, full_count))
    rows = []
    for org, f in fakes:
        person = Person(
            full_name=f.full_name,
            sex=f.sex,
            date_of_birth=f.date_of_birth,
            position=f.position,
            organization=org,
            stage=f.stage,
            admitted_on=f.admitted_on,
            full_member_on=f.full_member_on,
            # Cards are issued on full membership and withdrawn on leaving.
            party_card_no=next(cards) if f.stage == MembershipStage.FULL else None,
            theory_level=f.theory_level,
        )
        person.refresh_keys()  # bulk_create skips save()
        rows.append(person)
    Person.objects.bulk_create(rows, batch_size=2000)
    people_counts_apply(Counter(p.organization_id for p in rows))  # bulk_create skips save()
    # Steps before LLCT came into use are history; the admissions and full memberships since are
    # decisions, which llct.demo.membership records on these steps.
    cutover_on = MembershipRules.current().cutover_on
    MembershipChange.objects.bulk_create(
        (
            MembershipChange(
                person=p,
                stage=stage,
                effective_on=on,
                note=note,
                actor=actor,
                as_history=on < cutover_on,
            )
            for p, (_, f) in zip(rows, fakes, strict=True)
            for stage, on, note in f.steps
        ),
        batch_size=2000,
    )
    TheoryLevelChange.objects.bulk_create(
        (
            TheoryLevelChange(
                person=p,
                level=f.theory_level,
                effective_on=f.level_on,
                source=LEVEL_SOURCES[TheoryLevel(f.theory_level)],
                actor=actor,
            )
            for p, (_, f) in zip(rows, fakes, strict=True)
            if f.theory_level != TheoryLevel.NONE and f.level_on is not None
        ),
        batch_size=2000,
    )
    return rows


def organizations_demo_reset() -> None:
    """The rolls and the tree, once the rows of the apps built on them are gone."""
    person_type = ContentType.objects.get_for_model(Person)
    org_type = ContentType.objects.get_for_model(Organization)
    delete_all(AuditEntry.objects.filter(content_type__in=[person_type, org_type]))
    delete_all(User.objects.filter(is_superuser=False))
    User.objects.update(organization=None, person=None)
    delete_all(RosterImport.objects.all())
    # The demo turns exceptions on: the settings go back to their defaults.
    delete_all(MembershipRules.objects.all())
    delete_all(Person.objects.all())  # cascades to stage, level and transfer rows
    delete_all(OrganizationVersion.objects.all())
    delete_all(OrganizationEvent.objects.all())
    # The tree protects itself (parent is PROTECT): cut it loose first.
    Organization.objects.update(parent=None)
    delete_all(Organization.objects.all())


def delete_all(queryset: QuerySet[Any], depth: int = 0) -> None:
    """Delete, first deleting whatever PROTECTs or RESTRICTs the rows."""
    try:
        queryset.delete()
    except (ProtectedError, RestrictedError) as error:
        if depth > 10:
            raise
        blockers = (
            error.protected_objects
            if isinstance(error, ProtectedError)
            else error.restricted_objects
        )
        by_model: dict[type[Any], list[Any]] = defaultdict(list)
        for obj in blockers:
            by_model[type(obj)].append(obj.pk)
        for model, pks in by_model.items():
            delete_all(model._default_manager.filter(pk__in=pks), depth + 1)
        queryset.delete()
