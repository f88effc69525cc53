import datetime as dt
import random

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from llct.studies import contests as svc
from llct.studies.models import Attempt, Question
from llct.studies.tests.factories import make_bank, make_contest, xlsx

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)  # a Wednesday


def test_import_writes_every_valid_row(world):
    bank = make_bank(world, questions=0)
    result = svc.bank_import(
        bank=bank,
        upload=xlsx(
            [
                ["Đại hội XIII họp năm nào?", "2016", "2020", "2021", "2022", "C"],
                ["Nghị quyết số mấy về xây dựng Đảng?", "4", "12", None, None, "b"],
            ]
        ),
        actor=world.department,
    )
    assert result.imported == 2 and not result.errors
    q = bank.questions.get(row=2)
    assert q.options == ["2016", "2020", "2021", "2022"] and q.answer == 2
    assert bank.questions.get(row=3).answer == 1


def test_import_reports_every_bad_row_and_writes_nothing(world):
    bank = make_bank(world, questions=0)
    result = svc.bank_import(
        bank=bank,
        upload=xlsx(
            [
                ["Câu đúng", "A", "B", "C", "D", "A"],
                ["", "A", "B", "C", "D", "A"],
                ["Chỉ một phương án", "A", None, None, None, "A"],
                ["Đáp án sai", "A", "B", "C", "D", "E"],
                ["Câu đúng", "A", "B", "C", "D", "B"],
            ]
        ),
        actor=world.department,
    )
    assert result.imported == 0
    assert [e["row"] for e in result.errors] == [3, 4, 5, 6]
    assert "dòng 2" in result.errors[-1]["reason"] or "row 2" in result.errors[-1]["reason"]
    assert not Question.objects.filter(bank=bank).exists()


def test_import_needs_the_named_columns(world):
    bank = make_bank(world, questions=0)
    with pytest.raises(ValidationError):
        svc.bank_import(
            bank=bank, upload=xlsx([["x", "y"]], header=["Hỏi", "Đáp"]), actor=world.department
        )


def test_an_attempt_draws_n_questions_and_shuffles_options(world):
    contest = make_contest(
        world,
        question_count=20,
        opens_at=NOW - dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=10),
    )
    attempt = svc.attempt_start(
        contest=contest, person=world.person_a, now=NOW, actor=world.learner, rng=random.Random(1)
    )
    ids = [qid for qid, _ in attempt.paper]
    assert len(ids) == 20 == len(set(ids)) == attempt.total
    assert all(sorted(order) == [0, 1, 2, 3] for _, order in attempt.paper)
    assert any(order != [0, 1, 2, 3] for _, order in attempt.paper)
    assert attempt.deadline_at == NOW + dt.timedelta(minutes=30)


def test_grading_is_immediate_and_counts_correct_answers(world):
    contest = make_contest(
        world, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=9)
    )
    attempt = svc.attempt_start(
        contest=contest, person=world.person_a, now=NOW, actor=world.learner
    )
    key = dict(Question.objects.values_list("id", "answer"))
    ids = [qid for qid, _ in attempt.paper]
    answers = {qid: key[qid] for qid in ids[:15]} | {qid: (key[qid] + 1) % 4 for qid in ids[15:]}
    done = svc.attempt_submit(
        attempt=attempt, answers=answers, now=NOW + dt.timedelta(minutes=10), actor=world.learner
    )
    assert done.status == Attempt.Status.SUBMITTED
    assert (done.correct, done.total, done.score) == (15, 20, 7.5)


def test_a_late_submission_does_not_count(world):
    contest = make_contest(
        world, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=9)
    )
    attempt = svc.attempt_start(
        contest=contest, person=world.person_a, now=NOW, actor=world.learner
    )
    late = NOW + dt.timedelta(minutes=30) + svc.GRACE + dt.timedelta(seconds=1)
    done = svc.attempt_submit(attempt=attempt, answers={}, now=late, actor=world.learner)
    assert done.status == Attempt.Status.LATE and done.correct is None


def test_an_attempt_ends_when_the_contest_closes(world):
    contest = make_contest(
        world, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(minutes=5)
    )
    attempt = svc.attempt_start(
        contest=contest, person=world.person_a, now=NOW, actor=world.learner
    )
    assert attempt.deadline_at == contest.closes_at


def test_weekly_cap_and_next_week(world):
    contest = make_contest(
        world,
        attempts_per_week=3,
        opens_at=NOW - dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=30),
    )
    for i in range(3):
        started = NOW + dt.timedelta(hours=i)
        a = svc.attempt_start(
            contest=contest, person=world.person_a, now=started, actor=world.learner
        )
        svc.attempt_submit(
            attempt=a, answers={}, now=started + dt.timedelta(minutes=1), actor=world.learner
        )
    with pytest.raises(ValidationError):
        svc.attempt_start(
            contest=contest,
            person=world.person_a,
            now=NOW + dt.timedelta(hours=5),
            actor=world.learner,
        )
    assert Attempt.objects.count() == 3
    monday = NOW + dt.timedelta(days=5)
    svc.attempt_start(contest=contest, person=world.person_a, now=monday, actor=world.learner)
    assert Attempt.objects.count() == 4


def test_a_running_attempt_is_resumed_not_counted_twice(world):
    contest = make_contest(
        world, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=9)
    )
    first = svc.attempt_start(contest=contest, person=world.person_a, now=NOW, actor=world.learner)
    again = svc.attempt_start(
        contest=contest,
        person=world.person_a,
        now=NOW + dt.timedelta(minutes=2),
        actor=world.learner,
    )
    assert first.pk == again.pk


def test_closed_contest_and_outsiders_are_refused(world):
    contest = make_contest(
        world,
        organization=world.org_b,
        opens_at=NOW - dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        svc.attempt_start(contest=contest, person=world.person_a, now=NOW, actor=world.learner)
    with pytest.raises(PermissionDenied):
        svc.attempt_start(contest=contest, person=world.person_b, now=NOW, actor=world.learner)


def test_taking_a_test_through_the_pages(client, world):
    contest = make_contest(world, question_count=5)
    client.force_login(world.learner)
    response = client.post(reverse("studies:attempt_start", args=[contest.pk]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("studies:attempt", args=[attempt.pk])
    paper = client.get(response.url).text
    assert paper.count('type="radio"') == 20
    key = dict(Question.objects.values_list("id", "answer"))
    data = {f"q{qid}": key[qid] for qid, _ in attempt.paper}
    client.post(reverse("studies:attempt_submit", args=[attempt.pk]), data)
    attempt.refresh_from_db()
    assert attempt.correct == 5
    # Nobody else opens this paper.
    client.force_login(world.officer_a)
    assert client.get(reverse("studies:attempt", args=[attempt.pk])).status_code == 404


def test_the_server_timer_holds_through_the_pages(client, world):
    contest = make_contest(world, question_count=5, minutes=10)
    client.force_login(world.learner)
    client.post(reverse("studies:attempt_start", args=[contest.pk]))
    attempt = Attempt.objects.get()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        client.post(reverse("studies:attempt_submit", args=[attempt.pk]), {})
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.LATE


def test_results_per_organization_roll_up_and_export(client, world, django_assert_max_num_queries):
    from llct.core.models import Role
    from llct.organizations.tests.factories import make_person, make_user

    contest = make_contest(
        world, opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=9)
    )
    person_b = world.person_b
    user_b = make_user("hocvien_b", Role.LEARNER, person=person_b)
    make_person(world.org_b1, "Chưa Thi")
    key = dict(Question.objects.values_list("id", "answer"))
    for person, user, right in ((world.person_a, world.learner, 20), (person_b, user_b, 10)):
        a = svc.attempt_start(contest=contest, person=person, now=NOW, actor=user)
        ids = [qid for qid, _ in a.paper]
        answers = {qid: key[qid] if i < right else (key[qid] + 1) % 4 for i, qid in enumerate(ids)}
        svc.attempt_submit(
            attempt=a, answers=answers, now=NOW + dt.timedelta(minutes=5), actor=user
        )
    rows = {
        r.organization.pk: r for r in svc.contest_results(contest=contest, within=world.province)
    }
    province = rows[world.province.pk]
    assert (province.participants, province.audience) == (2, 3)
    assert province.average == 7.5
    assert (rows[world.org_b.pk].participants, rows[world.org_b.pk].audience) == (1, 2)
    client.force_login(world.department)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("studies:contest_results", args=[contest.pk]))
    assert page.status_code == 200
    export = client.get(reverse("studies:contest_results", args=[contest.pk]), {"format": "xlsx"})
    sheet = load_workbook(__import__("io").BytesIO(export.content)).active
    assert sheet.cell(2, 1).value == world.province.name and sheet.cell(2, 3).value == 2
    client.force_login(world.officer_b)
    own = client.get(reverse("studies:contest_results", args=[contest.pk])).text
    assert world.org_a1.name not in own and world.org_b1.name in own
    client.force_login(world.learner)
    assert client.get(reverse("studies:contest_results", args=[contest.pk])).status_code == 403


def test_taking_a_test_makes_few_queries(client, world, django_assert_max_num_queries):
    contest = make_contest(world, question_count=20)
    client.force_login(world.learner)
    with django_assert_max_num_queries(10):
        client.get(reverse("studies:contest", args=[contest.pk]))
    with django_assert_max_num_queries(14):
        client.post(reverse("studies:attempt_start", args=[contest.pk]))
    attempt = Attempt.objects.get()
    with django_assert_max_num_queries(6):
        client.get(reverse("studies:attempt", args=[attempt.pk]))
    with django_assert_max_num_queries(8):
        client.post(reverse("studies:attempt_submit", args=[attempt.pk]), {})
