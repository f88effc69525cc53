"""What the demo's courses are drawn from: the venues, the lecturers and the themes they teach,
the courses' titles, the reasons for withdrawals and corrections."""

import datetime as dt
from dataclasses import dataclass

from llct.courses.models import (
    Venue,
)
from llct.curriculum.models import Lecturer

# A half-day: (date, part). Every demo session is a whole morning or afternoon, so two sessions
# overlap exactly when their half-days are equal.
Slot = tuple[dt.date, str]

PROVINCE = "HBS"
SCHOOL = "Trường Chính trị tỉnh"

# ---------------------------------------------------------------------------------------------
# Venues: (key, name, kind, address, capacity, equipment, owner code, meeting link)

PHYSICAL, ONLINE = Venue.Kind.PHYSICAL, Venue.Kind.ONLINE
VENUES: list[tuple[str, str, str, str, int, str, str, str]] = [
    (
        "tinh_uy",
        "Hội trường Tỉnh ủy",
        PHYSICAL,
        "Số 1 đường Trần Hưng Đạo, phường Bình Minh",
        300,
        "Màn hình LED, âm thanh hội trường, 4 micro không dây, điểm cầu truyền hình trực tuyến",
        "HBS",
        "",
    ),
    (
        "truong",
        "Hội trường Trường Chính trị tỉnh",
        PHYSICAL,
        "Số 25 đường Lê Lợi, phường Bình Minh",
        200,
        "Máy chiếu, màn chiếu, âm thanh hội trường, 2 micro không dây",
        "CQD-TCT",
        "",
    ),
    (
        "a1",
        "Phòng học A1 Trường Chính trị tỉnh",
        PHYSICAL,
        "Nhà A, Trường Chính trị tỉnh, số 25 đường Lê Lợi",
        60,
        "Máy chiếu, bảng trắng, âm thanh, điều hòa",
        "CQD-TCT",
        "",
    ),
    (
        "a2",
        "Phòng học A2 Trường Chính trị tỉnh",
        PHYSICAL,
        "Nhà A, Trường Chính trị tỉnh, số 25 đường Lê Lợi",
        50,
        "Tivi 75 inch, bảng trắng, micro, điều hòa",
        "CQD-TCT",
        "",
    ),
    (
        "xa_dong_tam",
        "Hội trường UBND xã Đồng Tâm",
        PHYSICAL,
        "Trụ sở UBND xã Đồng Tâm",
        120,
        "Máy chiếu, loa kéo, 2 micro",
        "HBS-XDT",
        "",
    ),
    (
        "phuong_binh_minh",
        "Hội trường UBND phường Bình Minh",
        PHYSICAL,
        "Số 8 đường Nguyễn Trãi, phường Bình Minh",
        100,
        "Màn hình LED, âm thanh hội trường",
        "HBS-PBM",
        "",
    ),
    (
        "online_tinh_uy",
        "Phòng họp trực tuyến Tỉnh ủy",
        ONLINE,
        "",
        500,
        "Điểm cầu trung tâm tại Hội trường Tỉnh ủy; các điểm cầu xã, phường kết nối qua mạng "
        "truyền số liệu chuyên dùng",
        "HBS",
        "https://hop.hoabinhson.example/tinh-uy",
    ),
    (
        "online_truong",
        "Phòng học trực tuyến Trường Chính trị tỉnh",
        ONLINE,
        "",
        100,
        "Phần mềm học trực tuyến, ghi hình bài giảng",
        "CQD-TCT",
        "https://hoc.hoabinhson.example/truong-chinh-tri",
    ),
]
# Where each programme is usually held, first choice first.
VENUE_CHOICES = {
    "NTVD": ["a2", "a1", "truong"],
    "DVM": ["a2", "a1", "truong"],
    "SC": ["a2", "a1", "truong"],
    "TC": ["a1"],
    "NV": ["truong", "online_truong", "a2", "a1"],
    "QTNQ": ["tinh_uy", "online_tinh_uy", "truong"],
}
# A commune or ward holds its own courses in its own hall.
LOCAL_HALLS = {"HBS-XDT": "xa_dong_tam", "HBS-PBM": "phuong_binh_minh"}
# Seats a class of each programme is planned for.
CLASS_SIZE = {"NTVD": 40, "DVM": 40, "SC": 50, "TC": 60, "NV": 60, "QTNQ": 200}
# Courses a year for 2,000 people on the rolls (trung cấp apart: one class, running now).
COURSES_PER_2000 = {"NTVD": 5, "DVM": 6, "SC": 3, "NV": 6, "QTNQ": 10}

# ---------------------------------------------------------------------------------------------
# Lecturers. Topics are given by theme; a theme lists (programme code, topic order).

THEMES: dict[str, list[tuple[str, int]]] = {
    "marxism": [("DVM", 1), ("SC", 1), ("SC", 2), ("TC", 1), ("NTVD", 4)],
    "history": [("NTVD", 1), ("DVM", 2), ("SC", 3)],
    "platform": [("NTVD", 2), ("DVM", 3)],
    "charter": [("NTVD", 3), ("NTVD", 5), ("DVM", 9), ("DVM", 10), ("SC", 10), ("SC", 11)],
    "policy": [("DVM", 4), ("DVM", 5), ("SC", 5), ("SC", 6), ("SC", 7), ("TC", 2)],
    "defence": [("DVM", 6), ("SC", 8), ("SC", 9)],
    "state": [("DVM", 7), ("DVM", 8), ("SC", 4), ("SC", 14), ("SC", 15)],
    "party_work": [("SC", 16), ("SC", 17), ("TC", 3), ("NV", 1), ("NV", 2)],
    "inspection": [("SC", 12), ("NV", 3)],
    "propaganda": [("SC", 13), ("NV", 4), ("QTNQ", 1)],
    "current": [("SC", 18), ("QTNQ", 1)],
    "new_members": [("DVM", n) for n in range(1, 11)],
}

FULL_TIME = Lecturer.Kind.FULL_TIME
PART_TIME = Lecturer.Kind.PART_TIME
GUEST = Lecturer.Kind.GUEST


@dataclass(frozen=True)
class LecturerTemplate:
    kind: str
    workplace: str
    qualifications: str
    themes: tuple[str, ...]
    # Take a person on the rolls of this organization (by code) when one fits.
    person_from: str = ""
    full_name: str = ""


LECTURERS = [
    # The demo lecturer account: she runs the new-member classes of the school.
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Xây dựng Đảng, {SCHOOL}",
        "Thạc sĩ Xây dựng Đảng và Chính quyền nhà nước; Cao cấp lý luận chính trị",
        ("new_members", "charter", "history", "platform"),
        full_name="Hoàng Thị Lan Hương",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Xây dựng Đảng, {SCHOOL}",
        "Tiến sĩ Xây dựng Đảng và Chính quyền nhà nước; Cao cấp lý luận chính trị",
        ("charter", "party_work", "inspection"),
        person_from="CQD-TCT-01",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Xây dựng Đảng, {SCHOOL}",
        "Thạc sĩ Lịch sử Đảng Cộng sản Việt Nam; Cao cấp lý luận chính trị",
        ("history", "platform", "charter"),
        person_from="CQD-TCT-01",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Lý luận cơ sở, {SCHOOL}",
        "Tiến sĩ Triết học; Cao cấp lý luận chính trị; Giảng viên chính",
        ("marxism", "history"),
        person_from="CQD-TCT-02",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Lý luận cơ sở, {SCHOOL}",
        "Thạc sĩ Kinh tế chính trị; Cao cấp lý luận chính trị",
        ("marxism", "policy"),
        person_from="CQD-TCT-02",
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Lý luận cơ sở, {SCHOOL}",
        "Thạc sĩ Chủ nghĩa xã hội khoa học; Cao cấp lý luận chính trị",
        ("marxism", "platform", "state"),
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Khoa Nhà nước và pháp luật, {SCHOOL}",
        "Thạc sĩ Luật; Cao cấp lý luận chính trị",
        ("state", "policy", "defence"),
    ),
    LecturerTemplate(
        FULL_TIME,
        f"Phòng Đào tạo - Quản lý khoa học, {SCHOOL}",
        "Thạc sĩ Quản lý giáo dục; Cao cấp lý luận chính trị",
        ("party_work", "propaganda", "policy"),
        person_from="CQD-TCT-03",
    ),
    # Part-time lecturers (kiêm chức): cadres of the provincial committee's departments.
    LecturerTemplate(
        PART_TIME,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Thạc sĩ Chính trị học; Cao cấp lý luận chính trị; Báo cáo viên Tỉnh ủy",
        ("propaganda", "current", "history"),
        person_from="CQD-BTGDV",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Cử nhân chính trị; Báo cáo viên Tỉnh ủy",
        ("current", "marxism", "platform"),
        person_from="CQD-BTGDV",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Thạc sĩ Văn hóa học; Cao cấp lý luận chính trị",
        ("policy", "propaganda", "new_members"),
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tổ chức Tỉnh ủy",
        "Thạc sĩ Quản lý công; Cao cấp lý luận chính trị",
        ("charter", "party_work"),
        person_from="CQD-BTC",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Tổ chức Tỉnh ủy",
        "Cử nhân Luật; Cao cấp lý luận chính trị",
        ("party_work", "charter", "state"),
    ),
    LecturerTemplate(
        PART_TIME,
        "Ủy ban Kiểm tra Tỉnh ủy",
        "Cử nhân Luật; Cao cấp lý luận chính trị",
        ("inspection", "charter"),
        person_from="CQD-UBKT",
    ),
    LecturerTemplate(
        PART_TIME,
        "Ban Nội chính Tỉnh ủy",
        "Thạc sĩ Luật; Cao cấp lý luận chính trị",
        ("state", "defence"),
        person_from="CQD-BNC",
    ),
    LecturerTemplate(
        PART_TIME,
        "Văn phòng Tỉnh ủy",
        "Thạc sĩ Hành chính công; Cao cấp lý luận chính trị",
        ("party_work", "current"),
    ),
    LecturerTemplate(
        PART_TIME,
        "Đảng ủy xã Đồng Tâm",
        "Cử nhân Kinh tế nông nghiệp; Cao cấp lý luận chính trị",
        ("current", "charter", "party_work", "new_members"),
        person_from="XDT-CQD",
    ),
    LecturerTemplate(
        PART_TIME,
        "Đảng ủy phường Bình Minh",
        "Thạc sĩ Quản lý kinh tế; Cao cấp lý luận chính trị",
        ("current", "history", "propaganda"),
        person_from="PBM-CQ",
    ),
    # Guest speakers (báo cáo viên), each on their own field.
    LecturerTemplate(
        GUEST,
        "Công an tỉnh",
        "Thạc sĩ An ninh nhân dân; Cao cấp lý luận chính trị",
        ("defence",),
        person_from="CA-ANCT",
    ),
    LecturerTemplate(
        GUEST,
        "Bộ Chỉ huy Quân sự tỉnh",
        "Cử nhân Khoa học quân sự; Cao cấp lý luận chính trị",
        ("defence",),
        person_from="QS-CQ-02",
    ),
    LecturerTemplate(
        GUEST,
        "Sở Tài chính",
        "Thạc sĩ Tài chính - Ngân hàng; Cao cấp lý luận chính trị",
        ("policy",),
    ),
    LecturerTemplate(
        GUEST,
        "Sở Nông nghiệp và Môi trường",
        "Thạc sĩ Kinh tế nông nghiệp; Cao cấp lý luận chính trị",
        ("policy", "current"),
    ),
    LecturerTemplate(
        GUEST,
        "Báo Hòa Bình Sơn",
        "Thạc sĩ Báo chí học; Cao cấp lý luận chính trị",
        ("current", "propaganda"),
    ),
    LecturerTemplate(
        GUEST,
        "Ủy ban MTTQ Việt Nam tỉnh",
        "Cử nhân Công tác xã hội; Cao cấp lý luận chính trị",
        ("state",),
    ),
    LecturerTemplate(
        GUEST,
        "Học viện Chính trị khu vực I",
        "Phó Giáo sư, Tiến sĩ Lịch sử Đảng Cộng sản Việt Nam",
        ("history", "marxism", "platform"),
    ),
]
# Every topic has at least this many approved lecturers (so that a class can always find one).
MIN_LECTURERS_PER_TOPIC = 3

# ---------------------------------------------------------------------------------------------
# Course names

RESOLUTIONS = [
    "Hội nghị học tập, quán triệt Nghị quyết Đại hội XIV của Đảng",
    "Hội nghị quán triệt Nghị quyết Đại hội Đảng bộ tỉnh nhiệm kỳ 2025 - 2030",
    "Quán triệt Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới "
    "sáng tạo và chuyển đổi số quốc gia",
    "Quán triệt Nghị quyết số 59-NQ/TW về hội nhập quốc tế trong tình hình mới",
    "Quán triệt Nghị quyết số 66-NQ/TW về đổi mới công tác xây dựng và thi hành pháp luật",
    "Quán triệt Nghị quyết số 68-NQ/TW về phát triển kinh tế tư nhân",
    "Quán triệt Nghị quyết số 71-NQ/TW về đột phá phát triển giáo dục và đào tạo",
    "Quán triệt Nghị quyết số 72-NQ/TW về tăng cường bảo vệ, chăm sóc và nâng cao sức khỏe "
    "Nhân dân",
]
PROFESSIONAL = [
    "Lớp bồi dưỡng nghiệp vụ công tác đảng cho bí thư, phó bí thư chi bộ",
    "Lớp bồi dưỡng nghiệp vụ công tác kiểm tra, giám sát cho ủy viên ủy ban kiểm tra cơ sở",
    "Lớp bồi dưỡng nghiệp vụ công tác tổ chức, đảng viên cho cấp ủy viên cơ sở",
    "Lớp bồi dưỡng nghiệp vụ công tác tuyên giáo và dân vận ở cơ sở",
    "Lớp bồi dưỡng nâng cao chất lượng sinh hoạt chi bộ",
]
WITHDRAWAL_REASONS = [
    "Được cử đi công tác dài ngày",
    "Nghỉ ốm dài ngày",
    "Chuyển công tác ra ngoài tỉnh",
    "Nghỉ thai sản",
]
MAKE_UP_NOTE = "Buổi học bù"
