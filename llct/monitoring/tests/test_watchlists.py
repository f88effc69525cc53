"""The watchlists, with the edges of their dates, and the scope they are read in."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from llct.curriculum.models import Programme
from llct.monitoring import watchlists as w
from llct.monitoring.models import Assignment, MonitoringSettings, Project, Task
from llct.monitoring.tests import factories as f
from llct.organizations.models import MembershipStage, Person, TheoryLevel
from llct.organizations.tests.factories import make_person
from llct.planning.models import NominationRound, Submission

TODAY = dt.date(2026, 6, 1)
NOW = dt.datetime(2026, 6, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def names(watchlist):
    return [item.name for item in watchlist.items]


def lists(user, **kwargs):
    return {x.code: x for x in w.watchlists(user=user, today=TODAY, **kwargs)}


@pytest.fixture
def probation(world):
    probationary = MembershipStage.PROBATIONARY
    # Probation ends 12 months after admission: 01/06/2026 is today, 31/07/2026 is day 60.
    make_person(
        world.org_a1, "Mai Văn Hôm Nay", stage=probationary, admitted_on=dt.date(2025, 6, 1)
    )
    make_person(
        world.org_a1, "Mai Văn Sáu Mươi", stage=probationary, admitted_on=dt.date(2025, 7, 31)
    )
    make_person(
        world.org_a1, "Mai Văn Sáu Mốt", stage=probationary, admitted_on=dt.date(2025, 8, 1)
    )
    make_person(
        world.org_a1, "Mai Văn Hôm Qua", stage=probationary, admitted_on=dt.date(2025, 5, 31)
    )
    trained = make_person(
        world.org_a1, "Mai Văn Đã Học", stage=probationary, admitted_on=dt.date(2025, 7, 1)
    )
    held = f.course(
        Programme.Kind.NEW_MEMBER,
        world.province,
        starts_on=dt.date(2025, 9, 1),
        approved_on=dt.date(2025, 9, 5),
    )
    f.result(held, trained, passed=True)
    failed = make_person(
        world.org_b1, "Mai Văn Chưa Đạt", stage=probationary, admitted_on=dt.date(2025, 7, 1)
    )
    f.result(held, failed, passed=False)
    return world


def test_probation_list_runs_from_today_to_day_n(probation):
    found = lists(probation.department)[w.PROBATION]
    assert names(found) == ["Mai Văn Hôm Nay", "Mai Văn Chưa Đạt", "Mai Văn Sáu Mươi"]
    assert found.items[0].due_on == TODAY
    assert "01/06/2026" in found.items[0].detail


def test_probation_window_is_a_setting(probation):
    settings = MonitoringSettings.current()
    settings.probation_watch_days = 61
    settings.save()
    assert "Mai Văn Sáu Mốt" in names(lists(probation.department)[w.PROBATION])


def test_counts_only_gives_the_same_count(probation):
    full = lists(probation.department)
    counts = lists(probation.department, counts_only=True)
    assert {k: v.count for k, v in full.items()} == {k: v.count for k, v in counts.items()}
    assert counts[w.PROBATION].items == []


def test_officer_sees_only_their_subtree(probation):
    mine = lists(probation.officer_a)[w.PROBATION]
    assert "Mai Văn Chưa Đạt" not in names(mine)
    assert mine.count == 2
    assert lists(probation.officer_b)[w.PROBATION].count == 1
    assert w.watchlists(user=probation.learner, today=TODAY) == []


@pytest.fixture
def candidates(world):
    candidate = MembershipStage.CANDIDATE
    admission = Programme.Kind.ADMISSION
    on_day_90 = make_person(world.org_a1, "Lý Thị Chín Mươi", stage=candidate)
    f.certificate(
        on_day_90, admission, issued_on=dt.date(2021, 8, 30), expires_on=dt.date(2026, 8, 30)
    )
    on_day_91 = make_person(world.org_a1, "Lý Thị Chín Mốt", stage=candidate)
    f.certificate(
        on_day_91, admission, issued_on=dt.date(2021, 8, 31), expires_on=dt.date(2026, 8, 31)
    )
    today = make_person(world.org_a1, "Lý Thị Hôm Nay", stage=candidate)
    f.certificate(today, admission, issued_on=dt.date(2021, 6, 1), expires_on=TODAY)
    renewed = make_person(world.org_b1, "Lý Thị Học Lại", stage=candidate)
    f.certificate(renewed, admission, issued_on=dt.date(2021, 7, 1), expires_on=dt.date(2026, 7, 1))
    f.certificate(renewed, admission, issued_on=dt.date(2026, 5, 1), expires_on=dt.date(2031, 5, 1))
    expired = make_person(world.org_b1, "Lý Thị Hết Hạn", stage=candidate)
    f.certificate(
        expired, admission, issued_on=dt.date(2021, 5, 1), expires_on=dt.date(2026, 5, 31)
    )
    admitted = make_person(
        world.org_b1,
        "Lý Thị Đã Kết Nạp",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 3, 1),
    )
    f.certificate(
        admitted, admission, issued_on=dt.date(2021, 7, 1), expires_on=dt.date(2026, 7, 1)
    )
    return world


def test_certificate_list_runs_from_today_to_day_90(candidates):
    found = lists(candidates.department)[w.CERTIFICATE]
    assert names(found) == ["Lý Thị Hôm Nay", "Lý Thị Chín Mươi"]
    assert found.items[1].due_on == dt.date(2026, 8, 30)


def test_position_list_uses_the_required_levels(world):
    # The default requirements: bí thư chi bộ needs sơ cấp, trưởng phòng trung cấp.
    make_person(world.org_a1, "Tô Văn Bí Thư", position="Bí thư Chi bộ")
    make_person(
        world.org_a1, "Tô Văn Đủ", position="Bí thư chi bộ", theory_level=TheoryLevel.SO_CAP
    )
    make_person(
        world.org_b1,
        "Tô Văn Trưởng",
        position="Trưởng phòng Tổ chức",
        theory_level=TheoryLevel.SO_CAP,
    )
    found = lists(world.department)[w.POSITION]
    assert sorted(names(found)) == ["Tô Văn Bí Thư", "Tô Văn Trưởng"]
    assert lists(world.officer_a, counts_only=True)[w.POSITION].count == 1


def test_late_submissions_list_grassroots_organizations_past_the_deadline(world):
    open_round = NominationRound.objects.create(year=2027, deadline=dt.date(2026, 5, 31))
    Submission.objects.create(
        round=open_round, organization=world.org_a1, status=Submission.Status.SUBMITTED
    )
    assert names(lists(world.department)[w.SUBMISSION]) == ["Chi bộ B1"]
    assert lists(world.officer_a)[w.SUBMISSION].count == 0
    open_round.deadline = TODAY
    open_round.save()
    assert lists(world.department)[w.SUBMISSION].count == 0  # due today: not late yet


def test_overdue_tasks_are_those_past_the_deadline_and_not_done(world):
    project = Project.objects.create(
        number="01-ĐA/TU", title="Đề án thử", issuer=world.province, start_year=2026, end_year=2030
    )
    late = Task.objects.create(
        project=project, title="Việc đã quá hạn", deadline=TODAY - dt.timedelta(days=1)
    )
    due_today = Task.objects.create(project=project, title="Việc hạn hôm nay", deadline=TODAY)
    Assignment.objects.create(task=late, organization=world.org_a)
    Assignment.objects.create(task=late, organization=world.org_b, status="done", done_on=TODAY)
    Assignment.objects.create(task=due_today, organization=world.org_a)
    found = lists(world.department)[w.TASK]
    assert [(i.name, i.organization) for i in found.items] == [
        ("Việc đã quá hạn", "Đảng ủy Khối A")
    ]
    assert lists(world.officer_b)[w.TASK].count == 0


@time_machine.travel(NOW, tick=False)
def test_home_page_shows_the_watchlist_counts(client, probation, django_assert_max_num_queries):
    client.force_login(probation.officer_a)
    label = "Sắp hết dự bị nhưng chưa học lớp đảng viên mới"
    counts_url = reverse("monitoring:watchlist_counts")
    # Not counted yet: the page comes at once and asks for the counts once shown.
    page = client.get(reverse("home")).text
    assert f'hx-get="{counts_url}"' in page and "Đang đếm…" in page
    assert label not in page
    with django_assert_max_num_queries(12):
        card = client.get(
            reverse("monitoring:watchlist_counts"), headers={"HX-Request": "true"}
        ).text
    assert label in card and "<html" not in card
    # Counted a moment ago: on the page itself, from the shared cache.
    with django_assert_max_num_queries(30):
        page = client.get(reverse("home")).text
    assert label in page and "hx-get" not in page.split('id="watchlists"')[1].split(">")[0]
    client.force_login(probation.learner)
    page = client.get(reverse("home")).text
    assert (
        "Danh sách cần theo dõi" not in page and reverse("monitoring:watchlist_counts") not in page
    )
    assert client.get(reverse("monitoring:watchlist_counts")).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_watchlist_page_lists_names_only_within_scope(client, probation):
    client.force_login(probation.officer_a)
    page = client.get(reverse("monitoring:watchlists")).text
    assert "Mai Văn Hôm Nay" in page and "Mai Văn Chưa Đạt" not in page
    response = client.get(reverse("monitoring:watchlists"), {"org": probation.org_b.pk})
    assert response.status_code == 404


def test_the_counts_are_kept_a_few_minutes_and_the_lists_stay_live(probation, settings):
    department = probation.department
    before = lists(department, counts_only=True)[w.PROBATION].count
    live = lists(department)[w.PROBATION].count
    assert before == live > 0
    Person.objects.filter(stage=MembershipStage.PROBATIONARY).update(
        stage=MembershipStage.FULL, full_member_on=TODAY
    )
    # The home page's counts come from the shared cache until they expire; the list is live.
    assert lists(department, counts_only=True)[w.PROBATION].count == before
    assert lists(department)[w.PROBATION].count == 0
    settings.LLCT_WATCHLIST_COUNTS_SECONDS = 0
    assert lists(department, counts_only=True)[w.PROBATION].count == 0
