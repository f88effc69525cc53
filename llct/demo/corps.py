"""Demo data for the lecturer corps: standards, appointment decisions, grading that completes
most lecturers' yearly hours (two part-time lecturers are left short), and an observation."""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from llct.core.models import User
from llct.corps import services
from llct.corps.ledger import hours_ledger
from llct.corps.models import FollowUp, OnlineSettings, Post, default_post
from llct.courses.models import Session
from llct.curriculum.models import Lecturer
from llct.organizations.models import Person, TheoryLevel

DEGREES = ["Thạc sĩ Chính trị học", "Cử nhân Luật", "Thạc sĩ Lịch sử Đảng", "Tiến sĩ Triết học"]
TRAININGS = [
    "Bồi dưỡng nghiệp vụ giảng viên kiêm chức, Trường Chính trị tỉnh",
    "Bồi dưỡng báo cáo viên cấp tỉnh, Ban Tuyên giáo và Dân vận Tỉnh ủy",
]


def corps_demo(
    *, rng: random.Random, today: dt.date, actor: User, learner: Person | None = None
) -> dict[str, int]:
    lecturers = list(Lecturer.objects.filter(is_active=True).order_by("pk"))
    year_start = dt.date(today.year, 1, 1)
    for i, lecturer in enumerate(lecturers):
        post = default_post(lecturer.kind)
        if lecturer.kind == Lecturer.Kind.FULL_TIME and i == 0:
            post = Post.DEPUTY
        services.standards_set(
            lecturer=lecturer,
            post=post,
            theory_level=rng.choice([TheoryLevel.CAO_CAP, TheoryLevel.CU_NHAN]),
            degree=rng.choice(DEGREES),
            lecturer_training=rng.choice(TRAININGS),
            lecturer_training_year=rng.randint(2015, today.year - 1),
            actor=actor,
        )
        signed = dt.date(today.year - rng.randint(1, 4), rng.randint(1, 12), 5)
        # One term ends soon, so the register shows a renewal that is due.
        ends = today + dt.timedelta(days=40) if i == 1 else signed.replace(year=signed.year + 5)
        services.appointment_create(
            lecturer=lecturer,
            number=f"{100 + i}-QĐ/TU",
            signed_on=signed,
            issuer="Ban Thường vụ Tỉnh ủy",
            term_starts=signed,
            term_ends=ends,
            actor=actor,
        )
    # Grading completes the year for all but the two part-time lecturers with the fewest hours.
    ledger = hours_ledger(lecturers=lecturers, year=today.year)
    part_time = sorted(
        (row for row in ledger if row.post == Post.PART_TIME), key=lambda row: row.hours
    )
    left_short = {row.lecturer.pk for row in part_time[:2]}
    entries = 0
    for row in ledger:
        if row.lecturer.pk in left_short:
            if row.hours > 0:
                continue
            # Someone who taught nothing still graded a class's essays.
            essays = 30
        else:
            lacking = max(row.shortfall, Decimal(0)) + Decimal(rng.randint(1, 8))
            essays = int(lacking * 10)
            if row.lecturing_minimum and row.lecturing_hours < row.lecturing_minimum:
                # Full-time staff also lecture at study conferences and other schools.
                talks = int((row.lecturing_minimum - row.lecturing_hours) / 4) + 1
                services.work_record(
                    lecturer=row.lecturer,
                    kind="lecture",
                    quantity=talks,
                    date=min(today, year_start + dt.timedelta(days=45)),
                    note="Báo cáo viên tại hội nghị học tập, quán triệt nghị quyết",
                    actor=actor,
                )
                entries += 1
        day = min(
            today,
            year_start + dt.timedelta(days=rng.randint(20, max(20, (today - year_start).days))),
        )
        services.work_record(
            lecturer=row.lecturer,
            kind="essays",
            quantity=essays,
            date=day,
            note="Chấm bài thu hoạch cuối khóa",
            actor=actor,
        )
        entries += 1
    observations = 0
    session = (
        Session.objects.filter(lecturer__isnull=False, date__lte=today, date__gte=year_start)
        .order_by("-date")
        .first()
    )
    if session is not None:
        services.observation_record(
            session=session,
            observer="Trần Văn Hùng, Phó Trưởng ban",
            content=9,
            method=8,
            time=9,
            response=8,
            note="Bài giảng bám sát nghị quyết, liên hệ thực tiễn địa phương tốt.",
            actor=actor,
        )
        observations = 1
    follow_ups = followups_demo(rng=rng, today=today, actor=actor)
    online = online_demo(rng=rng, today=today, actor=actor, learner=learner)
    equipment = facilities_demo(today=today)
    plans = lesson_plans_demo(rng=rng, actor=actor)
    return {
        "lesson plans": plans,
        "equipment": equipment,
        "online attendance imported": online,
        "follow-up evaluations": follow_ups,
        "lecturer appointments": len(lecturers),
        "work entries": entries,
        "lecturers short of hours": len(left_short),
        "observations": observations,
    }


NOTES = [
    "",
    "",
    "Tích cực vận dụng vào công tác chuyên môn",
    "Cần phát huy hơn vai trò trong chi bộ",
]


def followups_demo(*, rng: random.Random, today: dt.date, actor: User) -> int:
    """The cells are asked about last year's courses; most have answered, some not yet."""
    from llct.corps import followups

    followups.followups_open(today=today)
    criteria = followups.criteria()
    asked = list(FollowUp.objects.filter(enrolment__course__ends_on__year__lt=today.year))
    answered = 0
    for follow_up in asked:
        if rng.random() < 0.2:
            continue  # this cell has not answered yet: the reminders are for them
        scores = {c.pk: (rng.choice([3, 4, 4, 4, 5, 5]), rng.choice(NOTES)) for c in criteria}
        followups.followup_answer(follow_up=follow_up, scores=scores, actor=actor)
        answered += 1
    return answered


def online_demo(*, rng: random.Random, today: dt.date, actor: User, learner: Person | None) -> int:
    """An evening online class: last week's session with the provider's report imported, and
    tonight's session, whose link the demo learner sees on their home page from 18:45."""
    import io

    from llct.corps.online import online_report_import
    from llct.courses.models import Course, Enrolment, Venue
    from llct.curriculum.models import Programme

    venue = Venue.objects.filter(kind=Venue.Kind.ONLINE).order_by("-pk").first()
    programme = Programme.objects.filter(kind=Programme.Kind.RESOLUTION).order_by("pk").first()
    if venue is None or programme is None or learner is None:
        return 0
    course = Course.objects.create(
        code=f"TT-{today.year}-01",
        name="Lớp thông tin thời sự trực tuyến (buổi tối)",
        programme=programme,
        organizer=learner.organization.parent or learner.organization,
        starts_on=today - dt.timedelta(days=7),
        ends_on=today,
        venue=venue,
        capacity=100,
        status=Course.Status.OPEN,  # a short evening series, still taking learners
    )
    topic = programme.topics.order_by("order").first()
    past, _tonight = (
        Session.objects.create(
            course=course,
            date=day,
            part=Session.Part.EVENING,
            starts_at=dt.time(19, 0),
            ends_at=dt.time(21, 0),
            topic=topic,
            venue=venue,
        )
        for day in (today - dt.timedelta(days=7), today)
    )
    people = list(
        Person.objects.filter(organization=learner.organization).exclude(pk=learner.pk)[:14]
    )
    people.append(learner)
    for person in people:
        Enrolment.objects.create(course=course, person=person)
    lines = ["Tên,Thời gian vào,Thời gian ra"]
    day = past.date.isoformat()
    for person in people[:-2]:  # two never joined
        start = 19 * 60 + rng.choice([-5, 0, 2, 5, 25])
        end = 21 * 60 - rng.choice([0, 0, 10, 70])
        lines.append(
            f"{person.full_name},{day} {start // 60:02d}:{start % 60:02d},"
            f"{day} {end // 60:02d}:{end % 60:02d}"
        )
    OnlineSettings.objects.update_or_create(pk=1, defaults={"min_minutes": 90})
    report = io.BytesIO("\n".join(lines).encode())
    result = online_report_import(file=report, session=past, actor=actor)
    return result.written


def facilities_demo(*, today: dt.date) -> int:
    """Equipment in the demo venues and two investment proposals toward the project's target."""
    from llct.corps.models import Equipment, InvestmentProposal
    from llct.courses.models import Venue

    venues = list(Venue.objects.order_by("pk"))
    if not venues:
        return 0
    physical = [v for v in venues if v.kind == Venue.Kind.PHYSICAL] or venues
    online = [v for v in venues if v.kind == Venue.Kind.ONLINE] or venues
    items = [
        Equipment(
            name="Máy chiếu Epson EB-X51", kind="projector", venue=physical[0], location="Treo trần"
        ),
        Equipment(
            name="Máy chiếu Sony VPL-EX455", kind="projector", venue=physical[-1], condition="worn"
        ),
        Equipment(name="Camera hội nghị Logitech Rally", kind="camera", venue=online[0]),
        Equipment(name="Bộ thiết bị họp trực tuyến Polycom", kind="online_kit", venue=online[-1]),
        Equipment(
            name="Hệ thống âm thanh hội trường",
            kind="sound",
            venue=physical[0],
            condition="broken",
            location="Phòng kỹ thuật",
        ),
        Equipment(
            name="Máy tính xách tay giảng viên",
            kind="computer",
            location="Kho thiết bị, Ban Tuyên giáo",
        ),
    ]
    Equipment.objects.bulk_create(items)
    target = _facilities_target()
    InvestmentProposal.objects.bulk_create(
        [
            InvestmentProposal(
                title="Nâng cấp hệ thống âm thanh, màn hình LED hội trường",
                cost=Decimal("1250000000"),
                status=InvestmentProposal.Status.APPROVED,
                venue=physical[0],
                target=target,
                year=today.year,
                note="Thay thế hệ thống âm thanh đã hỏng, lắp màn hình LED 200 inch.",
            ),
            InvestmentProposal(
                title="Trang bị phòng họp trực tuyến cho các đảng ủy cơ sở",
                cost=Decimal("2400000000"),
                status=InvestmentProposal.Status.PROPOSED,
                venue=online[0],
                target=target,
                year=today.year + 1,
                note="12 điểm cầu, mỗi điểm một bộ camera, micro và màn hình.",
            ),
        ]
    )
    return len(items)


def _facilities_target() -> Any:
    from llct.monitoring.models import Target

    target = (
        Target.objects.filter(title__icontains="cơ sở vật chất").order_by("pk").first()
        or Target.objects.filter(indicator="").order_by("pk").first()
    )
    return target or Target.objects.order_by("pk").first()


def lesson_plans_demo(*, rng: random.Random, actor: User) -> int:
    """Versioned lesson plans (giáo án) for the topics of the programmes, written by a lecturer
    approved for each topic: a first version, and for some topics a revised second one."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from docx import Document

    from llct.curriculum.models import Topic
    from llct.curriculum.services import lesson_plan_add

    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    added = 0
    topics = Topic.objects.filter(lecturers__isnull=False).select_related("programme").distinct()
    for topic in topics.order_by("programme_id", "order"):
        lecturer = topic.lecturers.order_by("pk").first()
        author = (lecturer.user if lecturer and lecturer.user_id else None) or actor
        versions = [("", "Giáo án ban đầu")]
        if rng.random() < 0.4:
            versions.append(("Cập nhật", "Bổ sung nội dung Nghị quyết Đại hội XIV của Đảng"))
        for label, note in versions:
            document = Document()
            document.add_heading(f"GIÁO ÁN: {topic.title}", level=1)
            document.add_paragraph(f"Chương trình: {topic.programme.name}")
            document.add_paragraph(f"Người soạn: {lecturer.full_name if lecturer else ''}")
            document.add_paragraph("I. Mục đích, yêu cầu. II. Nội dung. III. Phương pháp.")
            buffer = io.BytesIO()
            document.save(buffer)
            name = (
                f"giao-an-{topic.programme.code}-{topic.order}{'-' + label if label else ''}.docx"
            )
            upload = SimpleUploadedFile(name, buffer.getvalue(), content_type=DOCX)
            lesson_plan_add(topic=topic, file=upload, note=note, author=author)
            added += 1
    return added


def corps_demo_reset() -> None:
    """The demo's rows of this app, and the demo lesson plans (nothing else writes them)."""
    from llct.corps import models as corps
    from llct.courses.models import Session
    from llct.curriculum.models import LessonPlan

    for model in (
        corps.FollowUpScore,
        corps.FollowUp,
        corps.OnlinePresence,
        corps.OnlineJoin,
        corps.OnlineRoom,
        corps.Observation,
        corps.WorkEntry,
        corps.Appointment,
        corps.LecturerStandards,
        corps.Equipment,
        corps.InvestmentProposal,
    ):
        model.objects.all().delete()
    Session.objects.filter(lesson_plan__isnull=False).update(lesson_plan=None)
    for plan in LessonPlan.objects.all():
        plan.file.delete(save=False)
        plan.delete()
