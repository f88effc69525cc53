"""What every step of the planning demo shares: the texts it writes, an order of organizations
that does not depend on primary keys, and the dating of the rows each step writes."""

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Max
from django.utils import timezone

from llct.core.models import AuditEntry
from llct.courses.models import Course, Enrolment
from llct.curriculum.models import Programme
from llct.planning.models import (
    AnnualPlan,
    BudgetLine,
    FacilityNeed,
    Nomination,
    PlanDecision,
    PlanVersion,
    SubmissionEvent,
)

Kind = Programme.Kind
# The programmes a round offers: everything but resolution study, which everyone attends.
OFFERED_KINDS = (
    Kind.ADMISSION,
    Kind.NEW_MEMBER,
    Kind.SO_CAP,
    Kind.TRUNG_CAP,
    Kind.PROFESSIONAL,
)
# The reminder goes through the real service, but a demo must not send mail anywhere.
NO_MAIL = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
# Officers need an address for the reminder to reach them (a reserved top-level domain).
MAIL_DOMAIN = "hoabinhson.example"

ROUND_INSTRUCTIONS = (
    "Các tổ chức cơ sở đảng rà soát đội ngũ cán bộ, đảng viên, đối tượng kết nạp đảng; "
    "đề xuất danh sách học viên tham gia các lớp đào tạo, bồi dưỡng lý luận chính trị năm "
    "{year}.\n\n"
    "Ưu tiên đảng viên dự bị chưa học lớp bồi dưỡng lý luận chính trị cho đảng viên mới, "
    "quần chúng ưu tú chưa có giấy chứng nhận lớp nhận thức về Đảng còn hiệu lực và cán bộ "
    "chưa đạt chuẩn trình độ lý luận chính trị theo chức danh."
)
PLAN_INTRODUCTION = (
    "Nâng cao nhận thức chính trị, bản lĩnh, phẩm chất đạo đức cho đội ngũ cán bộ, đảng viên; "
    "bảo đảm 100% đảng viên mới được bồi dưỡng trong thời gian dự bị, 100% quần chúng ưu tú "
    "được kết nạp có giấy chứng nhận lớp nhận thức về Đảng còn hiệu lực.\n\n"
    "Việc tổ chức các lớp học phải thiết thực, hiệu quả, tiết kiệm; bám sát đề xuất của các "
    "tổ chức cơ sở đảng và định mức chi hiện hành."
)
RETURN_COMMENT = (
    "Đề nghị bổ sung {course} (tháng {month}) theo đề xuất của các tổ chức cơ sở đảng; "
    "tính lại kinh phí tài liệu cho phù hợp với giáo trình mới. Hoàn chỉnh, trình lại."
)
APPROVE_COMMENT = "Đồng ý. Ban Tuyên giáo và Dân vận chủ trì, phối hợp tổ chức thực hiện."
VENUE_NOTE = (
    "Học tại hội trường Trường Chính trị tỉnh: chỉ chi điện, nước, phục vụ lớp học, "
    "không thuê hội trường"
)
MATERIALS_NOTE = "Bổ sung tài liệu theo giáo trình mới, in thêm tài liệu tham khảo"
REOPEN_NOTES = [
    "Đồng chí Bí thư đi học tập trung, chi bộ đề nghị gia hạn để họp xét danh sách",
    "Đơn vị đang kiện toàn cấp ủy, đề nghị gia hạn nộp danh sách đề xuất",
]
# (kind, description, quantity, estimated cost in VND)
FACILITIES: list[tuple[str, str, int, int]] = [
    (
        FacilityNeed.Kind.HALL,
        "Cải tạo, nâng cấp hệ thống âm thanh, điều hòa hội trường Trường Chính trị tỉnh",
        1,
        350_000_000,
    ),
    (
        FacilityNeed.Kind.ONLINE,
        "Bản quyền phần mềm phòng họp trực tuyến 12 tháng (300 điểm kết nối)",
        1,
        36_000_000,
    ),
    (
        FacilityNeed.Kind.EQUIPMENT,
        "Máy chiếu đa năng cho các điểm cầu trực tuyến cấp xã",
        4,
        72_000_000,
    ),
]
# Added by hand: (programme kind, who qualifies, note, priority, quarter)
MANUAL_ADDITIONS: list[tuple[str, str, str, int, int]] = [
    (
        Kind.SO_CAP,
        "no_level",
        "Đồng chí được quy hoạch cấp ủy nhiệm kỳ tới, cần học Sơ cấp lý luận chính trị",
        Nomination.Priority.HIGH,
        2,
    ),
    (
        Kind.PROFESSIONAL,
        "member",
        "Mới được phân công làm công tác văn phòng cấp ủy, cần bồi dưỡng nghiệp vụ",
        Nomination.Priority.NORMAL,
        1,
    ),
]
EXPENSE_NOTES: dict[str, str] = {
    BudgetLine.Kind.LECTURER_FEES: "Thù lao giảng viên, báo cáo viên theo bảng chấm công",
    BudgetLine.Kind.MATERIALS: "In, photo tài liệu học tập",
    BudgetLine.Kind.VENUE: "Thuê hội trường, âm thanh, ánh sáng",
    BudgetLine.Kind.OTHER: "Nước uống, văn phòng phẩm, khai giảng, bế giảng",
}
OVER_NOTE = "Phát sinh thêm buổi báo cáo thực tế tại cơ sở theo đề nghị của học viên"


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def thousands(amount: Decimal) -> Decimal:
    """Money as accountants write it: to the thousand đồng."""
    return (amount / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000


# Organizations in an order that does not depend on primary keys (paths are made of them), so
# that the same seed on the same rolls draws the same organizations.
STABLE = ("code", "name", "pk")

# Rows the services stamp with the clock, and the field that holds the stamp.
STAMPED: list[tuple[type[models.Model], str]] = [
    (SubmissionEvent, "at"),
    (AuditEntry, "at"),
    (Nomination, "created_at"),
]
PLAN_STAMPED: list[tuple[type[models.Model], str]] = [
    (AuditEntry, "at"),
    (AnnualPlan, "created_at"),
    (PlanVersion, "submitted_at"),
    (PlanDecision, "decided_at"),
]
COURSE_STAMPED: list[tuple[type[models.Model], str]] = [
    (AuditEntry, "at"),
    (Course, "created_at"),
    (Enrolment, "enrolled_at"),
]


@contextmanager
def dated(when: dt.datetime, stamped: Sequence[tuple[type[models.Model], str]]) -> Iterator[None]:
    """Move the rows written inside the block to `when` (ids grow, so new rows are those above
    the highest id before the block)."""
    before = [
        (model, name, model._default_manager.aggregate(top=Max("pk"))["top"] or 0)
        for model, name in stamped
    ]
    yield
    for model, name, top in before:
        model._default_manager.filter(pk__gt=top).update(**{name: when})
