"""The demo's two projects as the provincial committee wrote them: the resolutions each carries
out and its targets, which llct.demo.monitoring creates and fills with values."""

from typing import Any

from llct.monitoring.models import Direction

RESOLUTIONS_OLD = (
    "Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị về tăng cường bảo vệ nền tảng tư "
    "tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch trong tình hình mới\n"
    "Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực hiện Chỉ thị số "
    "05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
)
RESOLUTIONS_NEW = (
    "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XVIII, nhiệm kỳ 2025–2030\n"
    "Quy định số 164-QĐ/TW ngày 01/02/2013 của Ban Bí thư về chế độ bồi dưỡng, cập nhật kiến "
    "thức đối với cán bộ lãnh đạo, quản lý các cấp"
)

# (code, title, indicator, variant, direction, baseline, final, {year: milestone}, each kind)
OLD_TARGETS: list[tuple[Any, ...]] = [
    (
        "1.1",
        "100% đảng viên mới được bồi dưỡng lý luận chính trị trong thời gian dự bị",
        "new_member_trained",
        "",
        Direction.AT_LEAST,
        "86",
        "100",
        {2021: 90, 2022: 93, 2023: 95, 2024: 98, 2025: 100},
        "",
    ),
    (
        "1.2",
        "100% quần chúng được kết nạp có giấy chứng nhận bồi dưỡng nhận thức về Đảng còn giá trị",
        "admission_certified",
        "",
        Direction.AT_LEAST,
        "92",
        "100",
        {2021: 95, 2022: 97, 2023: 98, 2024: 100, 2025: 100},
        "",
    ),
    (
        "1.3",
        "Tỷ lệ học viên hoàn thành chương trình đạt từ 98% trở lên",
        "pass_rate",
        "",
        Direction.AT_LEAST,
        "95",
        "98",
        {2021: 96, 2022: 96, 2023: 97, 2024: 97, 2025: 98},
        "",
    ),
    (
        "1.4",
        "Ít nhất 70% học viên xếp loại khá trở lên",
        "fair_or_better",
        "",
        Direction.AT_LEAST,
        "58",
        "70",
        {2021: 60, 2022: 63, 2023: 66, 2024: 68, 2025: 70},
        "",
    ),
    (
        "1.5",
        "Tổ chức từ 90% trở lên số lớp theo kế hoạch",
        "courses_held",
        "",
        Direction.AT_LEAST,
        "82",
        "90",
        {2021: 85, 2022: 86, 2023: 88, 2024: 90, 2025: 90},
        "",
    ),
    (
        "1.6",
        "Mỗi đảng ủy trực thuộc có từ 30% cán bộ có trình độ trung cấp lý luận chính trị trở lên",
        "cadres_trung_cap",
        "",
        Direction.AT_LEAST,
        "22",
        "30",
        {2021: 24, 2022: 25, 2023: 27, 2024: 28, 2025: 30},
        "truc_thuoc",
    ),
    (
        "1.7",
        "Giảng viên được học viên đánh giá bình quân từ 4,0 điểm trở lên",
        "lecturer_rating",
        "",
        Direction.AT_LEAST,
        "3.8",
        "4.0",
        {2021: 3.8, 2022: 3.85, 2023: 3.9, 2024: 4.0, 2025: 4.0},
        "",
    ),
]
NEW_TARGETS: list[tuple[Any, ...]] = [
    (
        "1.1",
        "100% đảng viên mới được bồi dưỡng lý luận chính trị trong thời gian dự bị",
        "new_member_trained",
        "",
        Direction.AT_LEAST,
        "96",
        "100",
        {2026: 95, 2027: 97, 2028: 98, 2029: 100, 2030: 100},
        "",
    ),
    (
        "1.2",
        "100% quần chúng được kết nạp có giấy chứng nhận bồi dưỡng nhận thức về Đảng còn giá trị",
        "admission_certified",
        "",
        Direction.AT_LEAST,
        "98",
        "100",
        {2026: 100, 2027: 100, 2028: 100, 2029: 100, 2030: 100},
        "",
    ),
    (
        "1.3",
        "Tỷ lệ học viên hoàn thành chương trình đạt từ 98% trở lên",
        "pass_rate",
        "",
        Direction.AT_LEAST,
        "97",
        "98",
        {2026: 90, 2027: 93, 2028: 95, 2029: 97, 2030: 98},
        "",
    ),
    (
        "1.4",
        "Ít nhất 75% học viên xếp loại khá trở lên",
        "fair_or_better",
        "",
        Direction.AT_LEAST,
        "68",
        "75",
        {2026: 60, 2027: 65, 2028: 70, 2029: 72, 2030: 75},
        "",
    ),
    (
        "1.5",
        "Tổ chức từ 95% trở lên số lớp theo kế hoạch",
        "courses_held",
        "",
        Direction.AT_LEAST,
        "90",
        "95",
        {2026: 90, 2027: 92, 2028: 93, 2029: 95, 2030: 95},
        "",
    ),
    (
        "1.6",
        "Mỗi đảng ủy trực thuộc có từ 45% cán bộ có trình độ trung cấp lý luận chính trị trở lên",
        "cadres_trung_cap",
        "",
        Direction.AT_LEAST,
        "30",
        "45",
        {2026: 33, 2027: 36, 2028: 39, 2029: 42, 2030: 45},
        "truc_thuoc",
    ),
    (
        "1.7",
        "100% trưởng phòng, phó trưởng phòng có trình độ trung cấp lý luận chính trị trở lên",
        "cadres_trung_cap",
        "trưởng phòng",
        Direction.AT_LEAST,
        "60",
        "100",
        {2026: 70, 2027: 78, 2028: 86, 2029: 94, 2030: 100},
        "",
    ),
    (
        "1.8",
        "Cử đi học từ 95% trở lên số người thuộc diện phải bồi dưỡng",
        "nominated_required",
        "",
        Direction.AT_LEAST,
        "80",
        "95",
        {2026: 88, 2027: 90, 2028: 92, 2029: 94, 2030: 95},
        "",
    ),
    (
        "1.9",
        "Giải ngân từ 90% trở lên kinh phí đào tạo, bồi dưỡng được duyệt",
        "budget_spent",
        "",
        Direction.AT_LEAST,
        "85",
        "90",
        {2026: 90, 2027: 90, 2028: 90, 2029: 90, 2030: 90},
        "",
    ),
    (
        "1.10",
        "Giảng viên được học viên đánh giá bình quân từ 4,2 điểm trở lên",
        "lecturer_rating",
        "",
        Direction.AT_LEAST,
        "4.0",
        "4.2",
        {2026: 4.0, 2027: 4.05, 2028: 4.1, 2029: 4.15, 2030: 4.2},
        "",
    ),
]
MANUAL_TITLE = "Từ 80% trung tâm chính trị có hội trường, phòng học trực tuyến đạt chuẩn"
