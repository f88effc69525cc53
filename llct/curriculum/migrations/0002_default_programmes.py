"""The six programmes of DOMAIN.md with their topics and defaults (editable in the app)."""

from decimal import Decimal

from django.db import migrations

PROGRAMMES = [
    {
        "code": "NTVD",
        "name": "Bồi dưỡng nhận thức về Đảng",
        "kind": "admission",
        "eligible_stages": ["non_member", "candidate"],
        "min_theory_level": 0,
        "default_days": Decimal("5"),
        "assessment_kind": "essay",
        "issues_certificate": True,
        "certificate_valid_months": 60,
        "raises_level_to": None,
        "topics": [
            ("Khái quát lịch sử Đảng Cộng sản Việt Nam", 2),
            ("Cương lĩnh xây dựng đất nước trong thời kỳ quá độ lên chủ nghĩa xã hội", 2),
            ("Điều lệ Đảng Cộng sản Việt Nam", 2),
            ("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", 2),
            ("Phấn đấu trở thành đảng viên Đảng Cộng sản Việt Nam", 2),
        ],
    },
    {
        "code": "DVM",
        "name": "Bồi dưỡng lý luận chính trị cho đảng viên mới",
        "kind": "new_member",
        "eligible_stages": ["probationary"],
        "min_theory_level": 0,
        "default_days": Decimal("6"),
        "assessment_kind": "essay_or_test",
        "issues_certificate": True,
        "certificate_valid_months": None,
        "raises_level_to": None,
        "topics": [
            ("Chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh - nền tảng tư tưởng, kim chỉ nam cho hành động của Đảng", 1),
            ("Khái quát lịch sử Đảng Cộng sản Việt Nam", 1),
            ("Mục tiêu, con đường đi lên chủ nghĩa xã hội ở Việt Nam", 1),
            ("Đường lối phát triển kinh tế", 1),
            ("Đường lối phát triển văn hóa, xã hội và con người Việt Nam", 1),
            ("Đường lối quốc phòng, an ninh và đối ngoại", 1),
            ("Xây dựng Nhà nước pháp quyền xã hội chủ nghĩa Việt Nam", 1),
            ("Phát huy sức mạnh đại đoàn kết toàn dân tộc", 1),
            ("Tổ chức và hoạt động của Đảng; nhiệm vụ và quyền của đảng viên", 2),
            ("Tu dưỡng, rèn luyện bản lĩnh chính trị, đạo đức, lối sống của người đảng viên", 2),
        ],
    },
    {
        "code": "SC",
        "name": "Sơ cấp lý luận chính trị",
        "kind": "so_cap",
        "eligible_stages": ["probationary", "full"],
        "min_theory_level": 0,
        "default_days": Decimal("30"),
        "assessment_kind": "tests_and_essay",
        "issues_certificate": True,
        "certificate_valid_months": None,
        "raises_level_to": 1,
        "topics": [
            ("Những nội dung cơ bản của chủ nghĩa Mác - Lênin", 3),
            ("Những nội dung cơ bản của tư tưởng Hồ Chí Minh", 3),
            ("Đảng Cộng sản Việt Nam - người tổ chức và lãnh đạo mọi thắng lợi của cách mạng", 2),
            ("Hệ thống chính trị ở cơ sở", 2),
            ("Đường lối phát triển kinh tế", 2),
            ("Đường lối phát triển văn hóa, xã hội", 2),
            ("Chính sách dân tộc, tôn giáo", 2),
            ("Đường lối quốc phòng, an ninh", 2),
            ("Đường lối đối ngoại", 2),
            ("Xây dựng Đảng về chính trị, tư tưởng, đạo đức", 2),
            ("Xây dựng Đảng về tổ chức và cán bộ", 2),
            ("Công tác kiểm tra, giám sát và kỷ luật của Đảng", 2),
            ("Công tác dân vận của Đảng", 2),
            ("Nhà nước pháp quyền xã hội chủ nghĩa và chính quyền cơ sở", 2),
            ("Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội ở cơ sở", 2),
            ("Kỹ năng lãnh đạo, quản lý ở cơ sở", 2),
            ("Nghiệp vụ công tác đảng ở cơ sở", 2),
            ("Tình hình địa phương và nhiệm vụ chính trị của tỉnh", 2),
        ],
    },
    {
        "code": "TC",
        "name": "Trung cấp lý luận chính trị",
        "kind": "trung_cap",
        "eligible_stages": ["probationary", "full"],
        "min_theory_level": 1,
        "default_days": Decimal("330"),
        "assessment_kind": "final_exams",
        "issues_certificate": True,
        "certificate_valid_months": None,
        "raises_level_to": 2,
        "topics": [
            ("Khối kiến thức thứ nhất: Những vấn đề cơ bản của chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh", 40),
            ("Khối kiến thức thứ hai: Đường lối, chính sách của Đảng, pháp luật của Nhà nước", 40),
            ("Khối kiến thức thứ ba: Kỹ năng lãnh đạo, quản lý và nghiệp vụ công tác", 40),
        ],
    },
    {
        "code": "NV",
        "name": "Bồi dưỡng nghiệp vụ công tác đảng",
        "kind": "professional",
        "eligible_stages": [],
        "min_theory_level": 0,
        "default_days": Decimal("2"),
        "assessment_kind": "optional",
        "issues_certificate": False,
        "certificate_valid_months": None,
        "raises_level_to": None,
        "topics": [
            ("Nghiệp vụ công tác tổ chức, đảng viên", 1),
            ("Nâng cao chất lượng sinh hoạt chi bộ", 1),
            ("Nghiệp vụ công tác kiểm tra, giám sát", 1),
            ("Nghiệp vụ công tác tuyên giáo và dân vận", 1),
        ],
    },
    {
        "code": "QTNQ",
        "name": "Học tập, quán triệt nghị quyết và thông tin thời sự",
        "kind": "resolution",
        "eligible_stages": [],
        "min_theory_level": 0,
        "default_days": Decimal("0.5"),
        "assessment_kind": "none",
        "issues_certificate": False,
        "certificate_valid_months": None,
        "raises_level_to": None,
        "topics": [("Quán triệt nghị quyết và thông tin thời sự", 1)],
    },
]


def add_programmes(apps, schema_editor):
    Programme = apps.get_model("curriculum", "Programme")
    Topic = apps.get_model("curriculum", "Topic")
    for data in PROGRAMMES:
        data = dict(data)
        topics = data.pop("topics")
        data["default_sessions"] = sum(n for _title, n in topics)
        programme, _created = Programme.objects.update_or_create(code=data.pop("code"), defaults=data)
        for order, (title, sessions) in enumerate(topics, start=1):
            Topic.objects.update_or_create(
                programme=programme, order=order, defaults={"title": title, "sessions": sessions}
            )


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0001_initial")]
    operations = [migrations.RunPython(add_programmes, migrations.RunPython.noop)]
