"""The weekly digest: one email per organization officer, with their subtree's watchlists."""

import datetime as dt

from django.core import mail
from django.core.management import call_command

from llct.core.models import Role
from llct.monitoring.digest import ITEMS_PER_LIST, digest_send
from llct.organizations.models import MembershipStage
from llct.organizations.tests.factories import make_person, make_user

TODAY = dt.date(2026, 6, 1)


def _probationers(world):
    make_person(
        world.org_a1,
        "Đinh Văn Một",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2025, 6, 20),
    )
    make_person(
        world.org_b1,
        "Đinh Văn Hai",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2025, 7, 10),
    )


def test_each_officer_gets_their_own_subtree(world):
    _probationers(world)
    world.officer_a.email = "a@example.vn"
    world.officer_a.save()
    world.officer_b.email = "b@example.vn"
    world.officer_b.save()
    result = digest_send(today=TODAY, site_url="https://llct.example.vn")
    assert sorted(result.sent) == ["canbo_a", "canbo_b"]
    by_recipient = {m.to[0]: m for m in mail.outbox}
    to_a = by_recipient["a@example.vn"]
    assert to_a.subject == "Danh sách cần theo dõi hằng tuần của Đảng ủy Khối A, 01/06/2026"
    assert "Đinh Văn Một (Chi bộ A1): Hết dự bị ngày 20/06/2026" in to_a.body or (
        "Đinh Văn Một (Chi bộ A1)" in to_a.body and "20/06/2026" in to_a.body
    )
    assert "Sắp hết dự bị nhưng chưa học lớp đảng viên mới: 1" in to_a.body
    assert "Đinh Văn Hai" not in to_a.body
    assert "https://llct.example.vn/de-an/canh-bao/" in to_a.body
    assert "Đinh Văn Hai" in by_recipient["b@example.vn"].body


def test_officers_without_email_or_anything_to_report_get_nothing(world):
    _probationers(world)
    world.officer_a.email = "a@example.vn"
    world.officer_a.save()
    quiet = make_user("canbo_a1", Role.ORG_OFFICER, world.org_a1, email="a1@example.vn")
    quiet.organization = world.org_a1
    quiet.save()
    result = digest_send(today=dt.date(2026, 9, 1))  # both probations ended: nothing soon
    assert result.sent == []
    assert "canbo_b" in result.without_email
    assert set(result.nothing_to_report) == {"canbo_a", "canbo_a1"}
    assert mail.outbox == []


def test_a_long_list_is_cut_with_the_number_left(world):
    for n in range(ITEMS_PER_LIST + 3):
        make_person(
            world.org_a1,
            f"Đinh Văn Số {n:02d}",
            stage=MembershipStage.PROBATIONARY,
            admitted_on=dt.date(2025, 6, 20),
        )
    world.officer_a.email = "a@example.vn"
    world.officer_a.save()
    digest_send(today=TODAY)
    assert "… và 3 trường hợp khác." in mail.outbox[0].body


def test_dry_run_sends_nothing_and_the_command_reports(world, capsys):
    _probationers(world)
    world.officer_a.email = "a@example.vn"
    world.officer_a.save()
    assert digest_send(today=TODAY, dry_run=True).sent == ["canbo_a"]
    assert mail.outbox == []
    call_command("send_watchlist_digest", "--date", "2026-06-01")
    assert "sent 1" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_tasks_run_through_the_task_backend(world):
    from llct.monitoring.models import IndicatorSnapshot, Project, Target
    from llct.monitoring.tasks import digest_task, snapshots_task

    project = Project.objects.create(
        number="1", title="Đề án", issuer=world.province, start_year=2026, end_year=2030
    )
    Target.objects.create(
        project=project, code="1", title="t", indicator="pass_rate", final_value=98
    )
    result = snapshots_task.enqueue(years=[2025])
    assert result.return_value == {"rows": 5}
    assert IndicatorSnapshot.objects.filter(year=2025, as_of=dt.date(2025, 12, 31)).count() == 5
    assert digest_task.enqueue().return_value["sent"] == 0
