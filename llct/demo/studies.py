"""Demo resolution study: a finished campaign (conferences in every cell, a make-up one,
graded essays), a running one half-way, and an online test on the resolution with its
question bank and a few hundred attempts."""

import datetime as dt
import random
from typing import Any

from django.db.models import Count
from django.utils import timezone

from llct.core.models import User
from llct.organizations.models import MembershipStage, Organization, Person
from llct.studies import campaigns, contests
from llct.studies.models import (
    Attempt,
    Campaign,
    ConferenceAttendance,
    Contest,
    Essay,
    Question,
    QuestionBank,
    StudyConference,
)

MEMBERS: list[str] = [MembershipStage.PROBATIONARY, MembershipStage.FULL]

QUESTIONS = [
    (
        "Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI có nhiệm kỳ nào?",
        ["2020–2025", "2025–2030", "2026–2031", "2030–2035"],
        1,
    ),
    (
        "Khâu đột phá về nguồn nhân lực tập trung vào nội dung nào?",
        ["Đào tạo cán bộ chủ chốt", "Xây dựng hạ tầng", "Thu hút đầu tư", "Cải cách hành chính"],
        0,
    ),
    (
        "Mục tiêu đảng viên mới được bồi dưỡng trong thời gian dự bị là bao nhiêu phần trăm?",
        ["80%", "90%", "95%", "100%"],
        3,
    ),
    (
        "Bài thu hoạch sau học tập nghị quyết do ai nhận xét, đánh giá?",
        ["Chi bộ", "Ban Tuyên giáo", "Trường Chính trị", "Hội đồng thi"],
        0,
    ),
    (
        "Cơ quan tham mưu công tác giáo dục lý luận chính trị của Tỉnh ủy là?",
        ["Văn phòng Tỉnh ủy", "Ban Tổ chức", "Ban Tuyên giáo và Dân vận", "Ủy ban Kiểm tra"],
        2,
    ),
    (
        "Chương trình sơ cấp lý luận chính trị nâng trình độ của người học lên mức nào?",
        ["Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân"],
        0,
    ),
    (
        "Giấy chứng nhận bồi dưỡng nhận thức về Đảng có giá trị trong bao lâu?",
        ["12 tháng", "24 tháng", "36 tháng", "60 tháng"],
        3,
    ),
    (
        "Thời gian dự bị của đảng viên là bao lâu?",
        ["6 tháng", "12 tháng", "18 tháng", "24 tháng"],
        1,
    ),
]


def _bank_questions(bank: QuestionBank, rng: random.Random) -> None:
    rows = list(QUESTIONS)
    topics = [
        "công tác xây dựng Đảng",
        "phát triển kinh tế",
        "văn hóa – xã hội",
        "quốc phòng – an ninh",
        "chuyển đổi số",
        "cải cách hành chính",
        "giáo dục lý luận",
        "dân vận",
    ]
    for i in range(40 - len(rows)):
        topic = topics[i % len(topics)]
        target = rng.choice([70, 80, 85, 90, 95])
        options = [f"{target - 10}%", f"{target}%", f"{target + 3}%", "Không quy định"]
        rows.append(
            (f"Câu {i + 9}: Chỉ tiêu về {topic} đến năm 2030 mà Nghị quyết đề ra là?", options, 1)
        )
    Question.objects.bulk_create(
        Question(bank=bank, text=t, options=o, answer=a, row=i + 2)
        for i, (t, o, a) in enumerate(rows)
    )


def _cells(campaign: Campaign) -> list[Organization]:
    """Organizations that hold audience members, each one records its own conference."""
    ids = (
        campaigns.campaign_audience(campaign)
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", flat=True)
    )
    return list(Organization.objects.filter(pk__in=list(ids)).order_by("code"))  # not path: ids


def _run_conferences(
    campaign: Campaign,
    *,
    rng: random.Random,
    held_on: dt.date,
    share: float,
    cover: float,
    today: dt.date,
    actor: User,
) -> list[Person]:
    """A conference in `cover` of the cells, each attended by about `share` of its audience;
    returns who missed."""
    missed: list[Person] = []
    for org in _cells(campaign):
        people = list(campaigns.campaign_audience(campaign).filter(organization=org))
        if rng.random() > cover:
            missed += people
            continue
        attended = [p for p in people if rng.random() < share]
        missed += [p for p in people if p not in attended]
        conference = StudyConference.objects.create(
            campaign=campaign,
            organization=org,
            title=f"Hội nghị học tập, quán triệt – {org.name}",
            held_on=held_on + dt.timedelta(days=rng.randint(0, 6)),
            place="Hội trường cơ quan",
            created_by=actor,
        )
        ConferenceAttendance.objects.bulk_create(
            ConferenceAttendance(conference=conference, person=p) for p in attended
        )
    return missed


def _essays(
    campaign: Campaign,
    *,
    rng: random.Random,
    share: float,
    graded: float,
    at: dt.datetime,
    actor: User,
) -> int:
    studied = campaigns.campaign_audience(campaign).filter(
        pk__in=campaigns.studied_ids(campaign, as_of=dt.date.max)
    )
    bands = ["excellent", "good", "good", "fair", "fair", "fair", "average"]
    rows = []
    for person in studied:
        if rng.random() > share:
            continue
        is_graded = rng.random() < graded
        rows.append(
            Essay(
                campaign=campaign,
                person=person,
                submitted_at=at - dt.timedelta(hours=rng.randint(0, 200)),
                text="Qua học tập Nghị quyết, bản thân nhận thức sâu sắc hơn về mục tiêu, nhiệm vụ "
                "của Đảng bộ; cam kết gương mẫu thực hiện nhiệm vụ được giao.",
                grade=rng.choice(bands) if is_graded else "",
                graded_by=actor if is_graded else None,
                graded_at=at if is_graded else None,
            )
        )
    Essay.objects.bulk_create(rows)
    return len(rows)


def studies_demo(
    *,
    rng: random.Random,
    today: dt.date,
    actor: User,
    documents: dict[str, Any],
    learner: Person | None = None,
) -> dict[str, int]:
    province = Organization.objects.filter(parent=None, dissolved_on=None).order_by("pk").first()
    if province is None:
        return {}
    now = timezone.now()
    finished = campaigns.campaign_create(
        title="Học tập, quán triệt Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XVI",
        document=documents["resolution"],
        organization=province,
        stages=MEMBERS,
        positions="",
        starts_on=today - dt.timedelta(days=120),
        deadline=today - dt.timedelta(days=30),
        actor=actor,
    )
    missed = _run_conferences(
        finished,
        rng=rng,
        held_on=today - dt.timedelta(days=110),
        share=0.93,
        cover=1.0,
        today=today,
        actor=actor,
    )
    # A make-up conference in the organization that missed the most.
    if missed:
        org = max(
            {p.organization for p in missed},
            key=lambda o: sum(p.organization_id == o.pk for p in missed),
        )
        makeup = StudyConference.objects.create(
            campaign=finished,
            organization=org,
            title="Hội nghị học bù",
            is_makeup=True,
            held_on=today - dt.timedelta(days=60),
            place="Phòng họp trực tuyến",
            created_by=actor,
        )
        ConferenceAttendance.objects.bulk_create(
            ConferenceAttendance(conference=makeup, person=p)
            for p in missed
            if p.organization_id == org.pk
        )
    essays = _essays(
        finished, rng=rng, share=0.9, graded=1.0, at=now - dt.timedelta(days=40), actor=actor
    )
    running = campaigns.campaign_create(
        title="Triển khai Kế hoạch 131-KH/ĐUK: học tập Nghị quyết Đại hội Đảng bộ tỉnh",
        document=documents["plan"],
        organization=province,
        stages=MEMBERS,
        positions="",
        starts_on=today - dt.timedelta(days=10),
        deadline=today + dt.timedelta(days=40),
        actor=actor,
    )
    _run_conferences(
        running,
        rng=rng,
        held_on=today - dt.timedelta(days=8),
        share=0.85,
        cover=0.6,
        today=today,
        actor=actor,
    )
    if learner is not None:
        # The demo learner has not studied yet: their home shows what to do.
        ConferenceAttendance.objects.filter(conference__campaign=running, person=learner).delete()
    essays += _essays(
        running, rng=rng, share=0.4, graded=0.3, at=now - dt.timedelta(days=1), actor=actor
    )
    bank = contests.bank_create(
        document=documents["resolution"], title="Tìm hiểu Nghị quyết Đại hội XVI", actor=actor
    )
    _bank_questions(bank, rng)
    contest = contests.contest_create(
        actor=actor,
        title="Cuộc thi trực tuyến tìm hiểu Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XVI",
        bank=bank,
        campaign=running,
        organization=province,
        opens_at=now - dt.timedelta(days=3),
        closes_at=now + dt.timedelta(days=18),
        question_count=20,
        minutes=30,
        attempts_per_week=3,
    )
    attempts = _attempts(contest, rng=rng, now=now, learner=learner)
    return {
        "campaigns": 2,
        "conferences": StudyConference.objects.count(),
        "essays": essays,
        "questions": bank.questions.count(),
        "attempts": attempts,
    }


def _attempts(
    contest: Contest, *, rng: random.Random, now: dt.datetime, learner: Person | None
) -> int:
    audience = contests.contest_audience(contest)
    people = list(audience.exclude(pk=learner.pk) if learner is not None else audience)
    takers = rng.sample(people, min(300, len(people)))
    ids = list(contest.bank.questions.values_list("id", flat=True))
    rows = []
    for person in takers:
        started = now - dt.timedelta(days=rng.randint(0, 2), minutes=rng.randint(30, 600))
        correct = max(0, min(20, int(rng.gauss(15, 3))))
        rows.append(
            Attempt(
                contest=contest,
                person=person,
                week_start=contests.week_start(started),
                number=1,
                started_at=started,
                deadline_at=started + dt.timedelta(minutes=30),
                submitted_at=started + dt.timedelta(minutes=rng.randint(6, 28)),
                paper=[[q, [0, 1, 2, 3]] for q in rng.sample(ids, 20)],
                correct=correct,
                total=20,
                status=Attempt.Status.SUBMITTED,
            )
        )
    Attempt.objects.bulk_create(rows)
    return len(rows)


def studies_demo_reset() -> None:
    Attempt.objects.all().delete()
    Contest.objects.all().delete()
    QuestionBank.objects.all().delete()
    Campaign.objects.all().delete()
