"""The demo province's organization tree: its committees and cells (people live in the cells, the
chi bộ), when it was founded, and the rename and merge of the 2025 reorganization, which
llct.demo.organizations replays through the services."""

import datetime as dt
from dataclasses import dataclass

PROVINCE_NAME = "Đảng bộ tỉnh Hòa Bình Sơn"
FOUNDED_ON = dt.date(2015, 1, 1)
# The 2025 reorganization took effect on 01/07/2025.
REORGANIZED_ON = dt.date(2025, 7, 1)


# ---------------------------------------------------------------------------------------------
# The tree. (code, name, kind code, sector, children); people live in the cells (chi bộ).


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    kind: str
    sector: str = "state"
    children: tuple["Node", ...] = ()


def _cells(
    prefix: str, names: list[str], sector: str, kind: str = "chi_bo_truc_thuoc"
) -> tuple[Node, ...]:
    return tuple(Node(f"{prefix}-{i:02d}", n, kind, sector) for i, n in enumerate(names, 1))


def _base(code: str, name: str, sector: str, cells: list[str] | None = None) -> Node:
    """A grassroots organization: a đảng bộ cơ sở with its chi bộ, or a chi bộ cơ sở."""
    if cells:
        return Node(code, name, "dang_bo_co_so", sector, _cells(code, cells, sector))
    return Node(code, name, "chi_bo_co_so", sector)


TREE = Node(
    "HBS",
    PROVINCE_NAME,
    "tinh",
    "party",
    (
        Node(
            "HBS-CQD",
            "Đảng ủy Khối các cơ quan tỉnh",
            "truc_thuoc",
            "party",
            (
                _base(
                    "CQD-VPTU",
                    "Đảng bộ Văn phòng Tỉnh ủy",
                    "party",
                    [
                        "Chi bộ Phòng Tổng hợp",
                        "Chi bộ Phòng Hành chính - Lưu trữ",
                        "Chi bộ Phòng Quản trị - Tài vụ",
                    ],
                ),
                _base("CQD-BTC", "Chi bộ Ban Tổ chức Tỉnh ủy", "party"),
                _base("CQD-BTGDV", "Chi bộ Ban Tuyên giáo và Dân vận Tỉnh ủy", "party"),
                _base("CQD-UBKT", "Chi bộ Ủy ban Kiểm tra Tỉnh ủy", "party"),
                _base("CQD-BNC", "Chi bộ Ban Nội chính Tỉnh ủy", "party"),
                _base(
                    "CQD-TCT",
                    "Đảng bộ Trường Chính trị tỉnh",
                    "academy",
                    [
                        "Chi bộ Khoa Xây dựng Đảng",
                        "Chi bộ Khoa Lý luận cơ sở",
                        "Chi bộ Phòng Đào tạo - Quản lý khoa học",
                    ],
                ),
                _base("CQD-BAO", "Chi bộ Báo Hòa Bình Sơn", "press"),
                _base("CQD-MTTQ", "Chi bộ Cơ quan Ủy ban MTTQ Việt Nam tỉnh", "party"),
            ),
        ),
        Node(
            "HBS-UB",
            "Đảng ủy UBND tỉnh",
            "truc_thuoc",
            "state",
            (
                _base(
                    "UB-VP",
                    "Đảng bộ Văn phòng UBND tỉnh",
                    "state",
                    ["Chi bộ Phòng Tổng hợp", "Chi bộ Phòng Hành chính - Tổ chức"],
                ),
                _base(
                    "UB-STC",
                    "Đảng bộ Sở Tài chính",
                    "state",
                    [
                        "Chi bộ Văn phòng Sở",
                        "Chi bộ Phòng Quản lý ngân sách",
                        "Chi bộ Phòng Tài chính doanh nghiệp",
                    ],
                ),
                _base(
                    "UB-SGD",
                    "Đảng bộ Sở Giáo dục và Đào tạo",
                    "state",
                    [
                        "Chi bộ Văn phòng Sở",
                        "Chi bộ Phòng Giáo dục phổ thông",
                        "Chi bộ Phòng Tổ chức cán bộ",
                    ],
                ),
                _base(
                    "UB-THPT",
                    "Đảng bộ Trường THPT chuyên Hòa Bình Sơn",
                    "school",
                    ["Chi bộ Tổ Toán - Tin", "Chi bộ Tổ Ngữ văn", "Chi bộ Tổ Ngoại ngữ"],
                ),
                _base(
                    "UB-SYT",
                    "Đảng bộ Sở Y tế",
                    "state",
                    ["Chi bộ Văn phòng Sở", "Chi bộ Phòng Nghiệp vụ Y"],
                ),
                _base(
                    "UB-BVDK",
                    "Đảng bộ Bệnh viện Đa khoa tỉnh",
                    "health",
                    [
                        "Chi bộ Khoa Nội",
                        "Chi bộ Khoa Ngoại",
                        "Chi bộ Khoa Sản",
                        "Chi bộ Khoa Hồi sức cấp cứu",
                    ],
                ),
                _base("UB-SNV", "Chi bộ Sở Nội vụ", "state"),
                _base("UB-STP", "Chi bộ Sở Tư pháp", "state"),
                _base("UB-SXD", "Chi bộ Sở Xây dựng", "state"),
                _base("UB-SCT", "Chi bộ Sở Công Thương", "state"),
                _base("UB-SNNMT", "Chi bộ Sở Nông nghiệp và Môi trường", "state"),
                _base("UB-SKHCN", "Chi bộ Sở Khoa học và Công nghệ", "state"),
                _base("UB-SVHTTDL", "Chi bộ Sở Văn hóa, Thể thao và Du lịch", "state"),
                _base("UB-TTRA", "Chi bộ Thanh tra tỉnh", "state"),
            ),
        ),
        Node(
            "HBS-CA",
            "Đảng ủy Công an tỉnh",
            "truc_thuoc",
            "police",
            (
                _base(
                    "CA-CSGT",
                    "Đảng bộ Phòng Cảnh sát giao thông",
                    "police",
                    [
                        "Chi bộ Đội Tuần tra kiểm soát số 1",
                        "Chi bộ Đội Tuần tra kiểm soát số 2",
                        "Chi bộ Đội Tham mưu - Tổng hợp",
                    ],
                ),
                _base("CA-PTM", "Chi bộ Phòng Tham mưu", "police"),
                _base("CA-ANCT", "Chi bộ Phòng An ninh chính trị nội bộ", "police"),
                _base("CA-CSHS", "Chi bộ Phòng Cảnh sát hình sự", "police"),
                _base("CA-PCCC", "Chi bộ Phòng Cảnh sát PCCC và CNCH", "police"),
            ),
        ),
        Node(
            "HBS-QS",
            "Đảng ủy Quân sự tỉnh",
            "truc_thuoc",
            "military",
            (
                _base(
                    "QS-CQ",
                    "Đảng bộ Cơ quan Bộ Chỉ huy Quân sự tỉnh",
                    "military",
                    [
                        "Chi bộ Phòng Tham mưu",
                        "Chi bộ Phòng Chính trị",
                        "Chi bộ Phòng Hậu cần - Kỹ thuật",
                    ],
                ),
                _base("QS-KV1", "Chi bộ Ban Chỉ huy Phòng thủ khu vực 1", "military"),
                _base("QS-KV2", "Chi bộ Ban Chỉ huy Phòng thủ khu vực 2", "military"),
            ),
        ),
        Node(
            "HBS-XDT",
            "Đảng ủy xã Đồng Tâm",
            "truc_thuoc",
            "commune",
            (
                _base("XDT-CQD", "Chi bộ Cơ quan Đảng - Đoàn thể xã Đồng Tâm", "commune"),
                _base("XDT-CQCQ", "Chi bộ Cơ quan chính quyền xã Đồng Tâm", "commune"),
                _base("XDT-TTRUNG", "Chi bộ thôn Trung Hòa", "village"),
                _base("XDT-TTHUONG", "Chi bộ thôn Thượng Đồng", "village"),
                _base("XDT-THA", "Chi bộ thôn Hạ Đồng", "village"),
                _base("XDT-TH", "Chi bộ Trường Tiểu học Đồng Tâm", "school"),
            ),
        ),
        # Merged into Đồng Tâm on 01/07/2025; its cells move there with their people.
        Node(
            "HBS-XTL",
            "Đảng ủy xã Tân Lập",
            "truc_thuoc",
            "commune",
            (
                _base("XTL-CQ", "Chi bộ Cơ quan xã Tân Lập", "commune"),
                _base("XTL-TTL", "Chi bộ thôn Tân Lập", "village"),
                _base("XTL-TTH", "Chi bộ thôn Tân Hòa", "village"),
                _base("XTL-TPL", "Chi bộ thôn Phú Lợi", "village"),
                _base("XTL-THCS", "Chi bộ Trường THCS Tân Lập", "school"),
            ),
        ),
        Node(
            "HBS-PBM",
            "Đảng ủy phường Bình Minh",
            "truc_thuoc",
            "ward",
            (
                _base("PBM-CQ", "Chi bộ Cơ quan phường Bình Minh", "commune"),
                _base("PBM-TDP1", "Chi bộ Tổ dân phố số 1", "ward"),
                _base("PBM-TDP2", "Chi bộ Tổ dân phố số 2", "ward"),
                _base("PBM-TDP3", "Chi bộ Tổ dân phố số 3", "ward"),
                _base("PBM-TDP4", "Chi bộ Tổ dân phố số 4", "ward"),
                _base("PBM-THCS", "Chi bộ Trường THCS Bình Minh", "school"),
            ),
        ),
    ),
)
RENAME = ("HBS-CQD", "Đảng ủy các cơ quan Đảng tỉnh")
MERGE = ("HBS-XTL", "HBS-XDT")  # source, target
