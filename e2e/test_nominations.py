"""The nomination round in a browser: an officer accepts the suggested learners and submits;
the department sees the organization as submitted."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from llct.courses.tests.factories import make_programme
from llct.organizations.models import MembershipStage, OrganizationKind
from llct.organizations.tests.factories import make_person
from llct.planning.models import Nomination, NominationRound, Submission

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_accepts_suggestions_and_submits_then_the_department_sees_it(
    world, sign_in, live_server
):
    # Browser tests may run after a flush of the rows the data migrations made: bring our own.
    OrganizationKind.objects.filter(code="chi_bo_co_so").update(is_grassroots=True)
    new_members = make_programme(
        "new_member",
        name="Bồi dưỡng lý luận chính trị cho đảng viên mới",
        eligible_stages=["probationary"],
    )
    today = timezone.localdate()
    nomination_round = NominationRound.objects.create(
        year=today.year + 1,
        deadline=today + dt.timedelta(days=20),
        instructions="Rà soát đảng viên dự bị của chi bộ.",
    )
    nomination_round.programmes.set([new_members])
    make_person(
        world.org_a1,
        "Lê Thị Dự Bị",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=today - dt.timedelta(days=90),
    )
    make_person(
        world.org_a1,
        "Phan Văn Mới",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=today - dt.timedelta(days=30),
    )

    page = sign_in("canbo_a")
    page.get_by_role("link", name="Trang chủ").first.wait_for()
    page.goto(f"{live_server.url}/ke-hoach/de-xuat/")
    expect(page.get_by_role("heading", name="Đề xuất học viên", exact=True)).to_be_visible()
    expect(page.get_by_text("Rà soát đảng viên dự bị của chi bộ.")).to_be_visible()
    page.get_by_role("link", name="Xem xét và đề xuất").click()

    expect(page.get_by_role("heading", name="Chi bộ A1")).to_be_visible()
    suggestions = page.locator("#suggestions")
    expect(suggestions.get_by_text("Lê Thị Dự Bị")).to_be_visible()
    expect(
        suggestions.get_by_text("Đảng viên dự bị chưa học lớp đảng viên mới").first
    ).to_be_visible()
    suggestions.get_by_label("Lê Thị Dự Bị").check()
    suggestions.get_by_label("Phan Văn Mới").check()
    page.get_by_role("button", name="Chấp nhận các gợi ý đã chọn").click()

    expect(page.get_by_text("Đã thêm 2 người vào danh sách.")).to_be_visible()
    nominated = page.locator("#nominated")
    expect(nominated.get_by_text("Lê Thị Dự Bị")).to_be_visible()
    expect(page.locator("#nominated-count")).to_have_text("2")
    nominated.get_by_label("Ghi chú: Phan Văn Mới").fill("Ưu tiên quý II")
    nominated.get_by_label("Quý mong muốn: Phan Văn Mới").select_option(label="Quý II")
    page.get_by_role("button", name="Lưu mức ưu tiên, quý và ghi chú").click()
    expect(page.get_by_text("Đã sửa 1 đề xuất.")).to_be_visible()

    page.get_by_role("button", name="Nộp cho Ban Tuyên giáo").click()
    expect(page.get_by_text("Đã nộp cho Ban Tuyên giáo.")).to_be_visible()
    expect(page.locator("#submission-status")).to_have_class(
        "nomination-status nomination-status-submitted"
    )
    expect(page.locator("#history")).to_contain_text("2 người được đề xuất")

    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    assert Nomination.objects.get(note="Ưu tiên quý II").quarter == 2

    page.get_by_role("button", name="Đăng xuất").click()
    page = sign_in("bantuyengiao")
    page.goto(f"{live_server.url}/ke-hoach/de-xuat/")
    expect(page.get_by_text("1/2 tổ chức cơ sở đảng đã nộp.")).to_be_visible()
    page.get_by_role("link", name="Tình hình nộp đề xuất").click()
    row = page.locator(f"#org-{world.org_a1.pk}")
    expect(row.locator(".nomination-status-submitted")).to_be_visible()
    expect(row).to_contain_text("2")
    expect(page.locator(f"#org-{world.org_b1.pk}")).to_contain_text("Nhắc nộp")
