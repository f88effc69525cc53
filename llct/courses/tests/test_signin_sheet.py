"""The printable sign-in sheet (PDF), its .xlsx marks template and the import of the marks."""

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from llct.core.models import AuditEntry
from llct.courses import attendance
from llct.courses.models import Attendance, Enrolment
from llct.courses.tests.factories import running_course
from llct.courses.tests.test_attendance import enrol, make_session, make_setup
from llct.organizations.tests.factories import make_person


@pytest.fixture
def setup(world):
    return make_setup(world)


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


# --- The PDF ---------------------------------------------------------------------------------


def test_sign_in_sheet_is_an_a4_pdf_in_vietnamese(client, world, setup):
    client.force_login(world.department)
    response = client.get(reverse("courses:signin_sheet", args=[setup["session"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="phieu-ky-ten-')
    assert response.content.startswith(b"%PDF")
    reader, text = pdf_text(response.content)
    assert len(reader.pages) >= 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    for expected in [
        "DANH SÁCH HỌC VIÊN KÝ TÊN",
        "Lớp bồi dưỡng nghiệp vụ công tác Đảng",
        "02/03/2026",
        "Sáng, 07:30–11:30",
        "Công tác tư tưởng",
        "Lê Văn Giảng",
        "Hội trường Tỉnh ủy",
        "STT",
        "Họ và tên",
        "Đơn vị",
        "Ký tên",
        "Nguyễn Văn An",
        "Chi bộ A1",
        "Trần Thị Bình",
        "Tổng số: 2 học viên",
    ]:
        assert expected in text, expected


def test_sign_in_sheet_lists_only_learners_in_the_viewers_scope(client, world):
    course = running_course(world.org_b)
    session = make_session(course)
    enrol(course, world.person_a, world.person_b)
    client.force_login(world.officer_b)
    response = client.get(reverse("courses:signin_sheet", args=[session.pk]))
    _reader, text = pdf_text(response.content)
    assert "Trần Thị Bình" in text
    assert "Nguyễn Văn An" not in text


def test_a_long_sheet_runs_over_several_pages_with_the_header_repeated(world, setup):
    course, session = setup["course"], setup["session"]
    enrol(course, *[make_person(world.org_a1, f"Phạm Thị Hoà {i:02}") for i in range(60)])
    enrolments = attendance.roll_call_enrolments(user=world.department, course=course)
    reader, _text = pdf_text(attendance.signin_sheet_pdf(session=session, enrolments=enrolments))
    assert len(reader.pages) >= 2
    assert "Ký tên" in reader.pages[1].extract_text()


def test_sign_in_sheet_html_has_an_empty_signature_column(world, setup):
    enrolments = attendance.roll_call_enrolments(user=world.department, course=setup["course"])
    html = attendance.signin_sheet_html(session=setup["session"], enrolments=enrolments)
    assert "size: A4" in html and '"DejaVu Sans"' in html
    assert html.count('<td class="sign"></td>') == 2


def test_learner_cannot_print_the_sheet(client, world, setup):
    client.force_login(world.learner)
    assert (
        client.get(reverse("courses:signin_sheet", args=[setup["session"].pk])).status_code == 403
    )


# --- The marks template ----------------------------------------------------------------------


def read_sheet(content: bytes) -> list[tuple[Any, ...]]:
    sheet: Any = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def test_marks_template_lists_learners_with_their_ids_and_current_marks(client, world, setup):
    session = setup["session"]
    Attendance.objects.create(session=session, enrolment=setup["enrol_b"], status="excused")
    client.force_login(world.department)
    response = client.get(reverse("courses:marks_template", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="diem-danh-')
    rows = read_sheet(response.content)
    assert rows[0][:4] == ("STT", "Họ và tên", "Đơn vị", "Mã học viên")
    assert rows[0][4].startswith("Có mặt")
    assert rows[0][5] == "Đã lưu lúc tải về (không sửa)"
    assert rows[1] == (1, "Nguyễn Văn An", "Chi bộ A1", setup["enrol_a"].pk, None, None)
    assert rows[2] == (2, "Trần Thị Bình", "Chi bộ B1", setup["enrol_b"].pk, "P", "P")


# --- The import ------------------------------------------------------------------------------


def marks_file(
    rows: Any, header: Any = ("STT", "Họ và tên", "Đơn vị", "Mã học viên", "Có mặt")
) -> io.BytesIO:
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "diem-danh.xlsx"
    return buffer


def upload(client: Any, session: Any, file: Any, reason: str = "Theo phiếu ký tên") -> Any:
    """The session was on 02/03/2026: an import now is a correction, with its reason."""
    data = {"file": file, "reason": reason}
    return client.post(reverse("courses:marks_import", args=[session.pk]), data)


def test_import_writes_every_mark_in_one_go(client, world, setup):
    session = setup["session"]
    # A mark taken earlier by roll call is overwritten by the sheet.
    Attendance.objects.create(session=session, enrolment=setup["enrol_a"], status="absent")
    client.force_login(world.department)
    response = upload(
        client,
        session,
        marks_file(
            [
                (1, "Nguyễn Văn An", "Chi bộ A1", setup["enrol_a"].pk, "x"),
                (2, "Trần Thị Bình", "Chi bộ B1", str(setup["enrol_b"].pk), "p"),
                (None, None, None, None, None),  # a blank line is skipped
            ]
        ),
    )
    assert response.status_code == 302
    assert response.url == reverse("courses:roll_call", args=[session.pk])
    marks = dict(Attendance.objects.values_list("enrolment_id", "status"))
    assert marks == {setup["enrol_a"].pk: "present", setup["enrol_b"].pk: "excused"}
    assert set(Attendance.objects.values_list("method", flat=True)) == {"import"}
    assert AuditEntry.objects.filter(action="import_attendance").count() == 1


def test_blank_or_k_means_absent(client, world, setup):
    client.force_login(world.department)
    upload(
        client,
        setup["session"],
        marks_file(
            [
                (1, "Nguyễn Văn An", "", setup["enrol_a"].pk, None),
                (2, "Trần Thị Bình", "", setup["enrol_b"].pk, "K"),
            ]
        ),
    )
    assert set(Attendance.objects.values_list("status", flat=True)) == {"absent"}


def test_bad_rows_are_reported_with_their_row_numbers_and_nothing_is_written(client, world, setup):
    other = running_course(world.province, name="Lớp khác")
    (foreign,) = enrol(other, make_person(world.org_a1, "Vũ Văn Lạ"))
    (gone,) = enrol(
        setup["course"], make_person(world.org_a1, "Đỗ Văn Rút"), status=Enrolment.Status.WITHDRAWN
    )
    client.force_login(world.department)
    response = upload(
        client,
        setup["session"],
        marks_file(
            [
                (1, "Nguyễn Văn An", "", setup["enrol_a"].pk, "x"),  # row 2: fine
                (2, "Ai Đó", "", 987654, "x"),  # row 3: unknown id
                (3, "Vũ Văn Lạ", "", foreign.pk, "x"),  # row 4: another course
                (4, "Trần Thị Bình", "", setup["enrol_b"].pk, "có"),  # row 5: unknown mark
                (5, "Không Mã", "", None, "x"),  # row 6: no id
                (6, "Đỗ Văn Rút", "", gone.pk, "x"),  # row 7: withdrawn
                (7, "Nguyễn Văn An", "", setup["enrol_a"].pk, "P"),  # row 8: twice
            ]
        ),
    )
    assert response.status_code == 422
    text = response.text
    assert "6 dòng bị từ chối; chưa có gì được lưu." in text
    rejected = {
        int(row): reason
        for row, reason in re.findall(
            r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td></tr>", text
        )
    }
    assert sorted(rejected) == [3, 4, 5, 6, 7, 8]
    assert "Không có học viên mang mã 987654." in rejected[3]
    assert rejected[4] == "Học viên này không thuộc lớp học này."
    assert "Không hiểu ký hiệu “có”" in rejected[5]
    assert "Thiếu hoặc sai mã học viên" in rejected[6]
    assert rejected[7] == "Học viên này đã rút khỏi lớp."
    assert rejected[8] == "Học viên này đã có ở dòng 2."
    assert not Attendance.objects.exists()


def test_an_id_outside_the_officers_scope_is_reported_as_unknown(client, world):
    course = running_course(world.org_b)
    session = make_session(course)
    enrol_a, enrol_b = enrol(course, world.person_a, world.person_b)
    client.force_login(world.officer_b)
    response = upload(
        client,
        session,
        marks_file([(1, "", "", enrol_b.pk, "x"), (2, "", "", enrol_a.pk, "x")]),
    )
    assert response.status_code == 422
    assert f"Không có học viên mang mã {enrol_a.pk}." in response.text
    assert not Attendance.objects.exists()


def test_a_file_without_the_columns_or_not_xlsx_is_refused(client, world, setup):
    client.force_login(world.department)
    response = upload(client, setup["session"], marks_file([(1, "x")], header=("STT", "Tên")))
    assert response.status_code == 422
    assert "Tệp không có cột “Mã học viên” và “Có mặt”" in response.text
    fake = io.BytesIO(b"STT,Ho ten\n1,An\n")
    fake.name = "diem-danh.xlsx"
    response = upload(client, setup["session"], fake)
    assert response.status_code == 422
    assert "không phải tệp .xlsx thật" in response.text
    assert not Attendance.objects.exists()


def test_the_downloaded_template_imports_back_unchanged(client, world, setup):
    session = setup["session"]
    Attendance.objects.create(session=session, enrolment=setup["enrol_a"], status="present")
    Attendance.objects.create(session=session, enrolment=setup["enrol_b"], status="excused")
    client.force_login(world.department)
    template = client.get(reverse("courses:marks_template", args=[session.pk])).content
    file = io.BytesIO(template)
    file.name = "mau.xlsx"
    assert upload(client, session, file).status_code == 302
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        setup["enrol_a"].pk: "present",
        setup["enrol_b"].pk: "excused",
    }


def test_learner_cannot_import_marks(client, world, setup):
    client.force_login(world.learner)
    assert (
        client.get(reverse("courses:marks_import", args=[setup["session"].pk])).status_code == 403
    )


def _template(client: Any, session: Any) -> list[list[Any]]:
    content = client.get(reverse("courses:marks_template", args=[session.pk])).content
    return [list(r) for r in read_sheet(content)]


def _file(rows: list[list[Any]]) -> io.BytesIO:
    return marks_file(rows[1:], header=rows[0])


def test_after_the_sessions_day_an_import_needs_a_reason_and_is_audited(client, world, setup):
    session = setup["session"]
    client.force_login(world.department)
    rows = _template(client, session)
    rows[1][4] = "x"
    response = upload(client, session, _file(rows), reason="")
    assert response.status_code == 422
    assert "Hãy ghi lý do" in response.text
    assert not Attendance.objects.exists()
    response = upload(client, session, _file(rows), reason="Phiếu ký tên nộp muộn")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="attendance_correct")
    assert entry.summary == "Phiếu ký tên nộp muộn"
    assert entry.changes[0]["label"] == "Điểm danh Nguyễn Văn An"


def test_an_import_refuses_a_mark_someone_else_changed_since_the_download(client, world, setup):
    session = setup["session"]
    client.force_login(world.department)
    rows = _template(client, session)  # nobody marked yet
    # Meanwhile the lecturer marks Bình absent with leave on the roll call.
    Attendance.objects.create(session=session, enrolment=setup["enrol_b"], status="excused")
    rows[1][4], rows[2][4] = "x", "x"
    response = upload(client, session, _file(rows))
    assert response.status_code == 422
    assert "Trần Thị Bình" in response.text
    assert "chưa được lưu" in response.text
    # Nothing written, not even An's mark.
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        setup["enrol_b"].pk: "excused"
    }


def test_an_import_keeps_a_mark_the_sheet_left_as_downloaded(client, world, setup):
    session = setup["session"]
    client.force_login(world.department)
    rows = _template(client, session)
    Attendance.objects.create(session=session, enrolment=setup["enrol_b"], status="excused")
    rows[1][4] = "x"  # only An changes; Bình's cell stays blank as downloaded
    assert upload(client, session, _file(rows)).status_code == 302
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        setup["enrol_a"].pk: "present",
        setup["enrol_b"].pk: "excused",
    }
