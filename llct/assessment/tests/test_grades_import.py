"""Scores by .xlsx: the template, and an import that checks every row first and writes all or
nothing."""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from llct.assessment.models import Result, ScoreChange
from llct.assessment.tests.factories import enrol_all, graded_course, graded_programme, ready_course
from llct.assessment.tests.test_results import post_cell, score_of
from llct.core.spreadsheets import XLSX_TYPE
from llct.organizations.tests.factories import make_person


def template_url(course):
    return reverse("assessment:grades_template", args=[course.pk])


def import_url(course):
    return reverse("assessment:grades_import", args=[course.pk])


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, course, content: bytes, name: str = "diem.xlsx"):
    return client.post(
        import_url(course), {"file": SimpleUploadedFile(name, content, content_type=XLSX_TYPE)}
    )


HEADERS = ["STT", "Họ và tên", "Đơn vị", "Mã học viên", "Bài thu hoạch"]
SAVED = " (đã lưu lúc tải về, không sửa)"


@pytest.fixture
def course3(world):
    people = [
        make_person(world.org_a1, "Trần Văn Ba"),
        make_person(world.org_a1, "Nguyễn Thị Một"),
        make_person(world.org_a1, "Lê Văn Hai"),
    ]
    course, enrolments = ready_course(world.province, *people)
    return course, enrolments


def test_the_template_lists_learners_in_name_order_with_ids_and_scores(client, world, course3):
    course, (ba, mot, hai) = course3
    client.force_login(world.department)
    post_cell(client, course, hai, "7,5")
    response = client.get(template_url(course))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "Bài thu hoạch" + SAVED]
    # Vietnamese order: by given name (Ba, Hai, Một).
    assert [r[1] for r in rows[1:]] == ["Trần Văn Ba", "Lê Văn Hai", "Nguyễn Thị Một"]
    assert [r[3] for r in rows[1:]] == [ba.pk, hai.pk, mot.pk]
    assert rows[2][4] == 7.5 and rows[1][4] is None
    assert rows[1][2] == "Chi bộ A1"


def test_the_template_has_one_column_per_score(client, world):
    programme = graded_programme(assessment_kind="tests_and_essay")
    course, _ = ready_course(world.province, world.person_a, programme=programme)
    client.force_login(world.department)
    rows = list(
        load_workbook(io.BytesIO(client.get(template_url(course)).content)).active.iter_rows(
            values_only=True
        )
    )
    assert list(rows[0]) == [
        *HEADERS,
        "Bài kiểm tra viết",
        "Bài thu hoạch" + SAVED,
        "Bài kiểm tra viết" + SAVED,
    ]


def test_importing_the_filled_template_saves_every_score(client, world, course3):
    course, (ba, mot, hai) = course3
    client.force_login(world.department)
    rows = list(
        load_workbook(io.BytesIO(client.get(template_url(course)).content)).active.iter_rows(
            values_only=True
        )
    )
    filled = [rows[0], [*rows[1][:4], "4.5"], [*rows[2][:4], 6], [*rows[3][:4], "8,5"]]
    response = upload(client, course, xlsx(filled))
    assert response.status_code == 302
    assert (score_of(mot), score_of(hai), score_of(ba)) == (
        Decimal("8.5"),
        Decimal("6.0"),
        Decimal("4.5"),
    )
    assert ScoreChange.objects.count() == 3
    assert Result.objects.get(enrolment=ba).passed is False
    assert Result.objects.get(enrolment=mot).band == "good"
    follow = client.get(response["Location"])
    assert "Đã thay đổi 3 điểm." in follow.text


def test_bad_rows_are_reported_with_row_number_and_reason_and_nothing_is_written(
    client, world, course3
):
    course, (ba, mot, hai) = course3
    _other, (elsewhere,) = ready_course(world.province, make_person(world.org_a1, "Lạc Lớp"))
    gone = enrol_all(course, make_person(world.org_a1, "Đỗ Văn Rút"))[0]
    gone.status, gone.withdrawn_on, gone.withdrawal_reason = "withdrawn", course.starts_on, "Ốm"
    gone.save()
    client.force_login(world.department)
    rows = [
        HEADERS,
        [1, "Nguyễn Thị Một", "", mot.pk, "8"],  # row 2: good, yet not saved
        [2, "Lê Văn Hai", "", hai.pk, "11"],  # row 3
        [3, "Trần Văn Ba", "", ba.pk, "7,55"],  # row 4
        [4, "Ai đó", "", 999999, "7"],  # row 5
        [5, "Không mã", "", "", "7"],  # row 6
        [6, "Nguyễn Thị Một", "", mot.pk, "9"],  # row 7: twice
        [7, "Lạc Lớp", "", elsewhere.pk, "7"],  # row 8
        [8, "Đỗ Văn Rút", "", gone.pk, "7"],  # row 9
        [9, "Trần Văn Ba", "", ba.pk, "bảy"],  # row 10: twice, and not a number
    ]
    response = upload(client, course, xlsx(rows))
    assert response.status_code == 422
    text = response.text
    assert "8 dòng bị từ chối; chưa có gì được lưu." in text
    expected = {
        3: "Điểm phải trong khoảng từ 0 đến 10.",
        4: "Điểm chỉ có tối đa một chữ số thập phân",
        5: "Không có học viên mang mã 999999.",
        6: "Thiếu hoặc sai mã học viên",
        7: "Học viên này đã có ở dòng 2.",
        8: "Học viên này không thuộc lớp học này.",
        9: "Học viên này đã rút khỏi lớp.",
        10: "“bảy” không phải là số",
    }
    for row, reason in expected.items():
        assert f"<tr><td>{row}</td>" in text
        assert reason in text
    assert "<tr><td>2</td>" not in text
    assert not Result.objects.exists()
    assert not ScoreChange.objects.exists()


def test_a_blank_cell_leaves_the_score_as_it_is(client, world, course3):
    course, (ba, mot, _hai) = course3
    client.force_login(world.department)
    post_cell(client, course, ba, "7")
    response = upload(
        client, course, xlsx([HEADERS, [1, "", "", ba.pk, None], [2, "", "", mot.pk, "9"]])
    )
    assert response.status_code == 302
    assert (score_of(ba), score_of(mot)) == (Decimal("7.0"), Decimal("9.0"))


def test_headers_in_english_import_too(client, world, course3):
    course, (ba, _mot, _hai) = course3
    client.force_login(world.department)
    rows = [["No.", "Full name", "Unit", "Learner ID", "Essay"], [1, "Trần Văn Ba", "", ba.pk, 6.5]]
    assert upload(client, course, xlsx(rows)).status_code == 302
    assert score_of(ba) == Decimal("6.5")


def test_a_file_without_the_score_column_is_refused(client, world, course3):
    course, (ba, _mot, _hai) = course3
    client.force_login(world.department)
    response = upload(client, course, xlsx([["Mã học viên", "Điểm"], [ba.pk, 7]]))
    assert response.status_code == 422
    assert "Tệp không có cột “Bài thu hoạch”" in response.text
    response = upload(client, course, b"not a workbook", name="diem.xlsx")
    assert response.status_code == 422
    response = upload(client, course, xlsx([HEADERS]), name="diem.csv")
    assert response.status_code == 422
    assert not Result.objects.exists()


def test_an_officer_cannot_import_scores_of_learners_outside_their_subtree(client, world):
    course, (ea, eb) = ready_course(world.org_a, world.person_a, world.person_b)
    client.force_login(world.officer_a)
    response = upload(
        client, course, xlsx([HEADERS, [1, "", "", ea.pk, "8"], [2, "", "", eb.pk, "8"]])
    )
    assert response.status_code == 422
    # B's learner is unknown to A's officer: the import does not reveal who is in the course.
    assert f"Không có học viên mang mã {eb.pk}." in response.text
    assert not Result.objects.exists()
    client.force_login(world.officer_b)
    assert client.get(import_url(course)).status_code == 403


def test_after_approval_the_import_is_closed(client, world):
    course, (e,) = ready_course(world.province, world.person_a)
    client.force_login(world.department)
    post_cell(client, course, e, "8")
    client.post(reverse("assessment:results_approve", args=[course.pk]))
    assert "chỉ sửa điểm bằng đính chính" in client.get(import_url(course)).text
    response = upload(client, course, xlsx([HEADERS, [1, "", "", e.pk, "3"]]))
    assert response.status_code == 422
    assert score_of(e) == Decimal("8.0")


def test_a_course_without_scores_to_import_says_so(client, world):
    course = graded_course(world.province)
    (e,) = enrol_all(course, world.person_a)
    client.force_login(world.department)
    response = upload(client, course, xlsx([HEADERS, [1, "", "", e.pk, None]]))
    assert response.status_code == 422
    assert "Tệp không có điểm nào để nhập." in response.text


def _template_rows(client, course) -> list[list[Any]]:
    content = client.get(template_url(course)).content
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_an_import_refuses_a_score_someone_else_changed_since_the_download(client, world, course3):
    course, (ba, _mot, hai) = course3
    client.force_login(world.department)
    post_cell(client, course, ba, "5")
    rows = _template_rows(client, course)  # Ba 5,0 when downloaded
    post_cell(client, course, ba, "6")  # someone else, meanwhile
    rows[1][4], rows[2][4] = "7", "8"  # Ba (row 2) and Hai (row 3)
    response = upload(client, course, xlsx(rows))
    assert response.status_code == 422
    assert "Trần Văn Ba" in response.text
    assert "chưa được lưu" in response.text or "6,0" in response.text
    # All or nothing: Hai's score is not written either.
    assert (score_of(ba), score_of(hai)) == (Decimal("6.0"), None)


def test_an_import_keeps_a_score_the_sheet_left_as_downloaded(client, world, course3):
    course, (ba, _mot, hai) = course3
    client.force_login(world.department)
    post_cell(client, course, ba, "5")
    rows = _template_rows(client, course)
    post_cell(client, course, ba, "6")  # someone else, meanwhile
    rows[2][4] = "8"  # only Hai changes; Ba's 5 stays as downloaded
    assert upload(client, course, xlsx(rows)).status_code == 302
    assert (score_of(ba), score_of(hai)) == (Decimal("6.0"), Decimal("8.0"))
