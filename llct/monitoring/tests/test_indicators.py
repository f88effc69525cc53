"""Each indicator against a small world counted by hand (the `world` fixture: province, A, A1,
B, B1), with the edges of its dates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from llct.assessment.models import GradeBand
from llct.courses.models import Course
from llct.curriculum.models import Programme
from llct.monitoring import indicators
from llct.monitoring.indicators import Value
from llct.monitoring.indicators.people import admitted_between_for_probation_end
from llct.monitoring.tests import factories as f
from llct.organizations.models import MembershipStage, TheoryLevel, TheoryLevelChange
from llct.organizations.tests.factories import make_person

NEW_MEMBER = Programme.Kind.NEW_MEMBER
ADMISSION = Programme.Kind.ADMISSION


def V(n: int | str, d: int | str) -> Value:
    return Value(Decimal(n), Decimal(d))


def values(code, world, *, as_of, year=2026, variant=""):
    orgs = [world.province, world.org_a, world.org_a1, world.org_b, world.org_b1]
    by_pk = indicators.get(code).compute_many(orgs=orgs, as_of=as_of, year=year, variant=variant)
    return {o.code: by_pk[o.pk] for o in orgs}


def test_registry_lists_the_indicators_the_issue_names():
    assert set(indicators.REGISTRY) >= {
        "new_member_trained",
        "admission_certified",
        "pass_rate",
        "fair_or_better",
        "courses_held",
        "cadres_trung_cap",
        "nominated_required",
        "budget_spent",
        "lecturer_rating",
    }
    for indicator in indicators.all_indicators():
        assert indicator.label and indicator.counts and indicator.numerator_label


def test_probation_end_window_handles_29_february():
    # Probation from 29/02/2024 ends on 28/02/2025 (add_months clamps).
    low, high = admitted_between_for_probation_end(dt.date(2025, 2, 28), dt.date(2025, 2, 28))
    assert (low, high) == (dt.date(2024, 2, 28), dt.date(2024, 2, 29))


@pytest.fixture
def new_members(world):
    probationary = MembershipStage.PROBATIONARY
    on_time = make_person(
        world.org_a1, "Lê Văn Một", stage=probationary, admitted_on=dt.date(2025, 3, 10)
    )
    last_day = make_person(
        world.org_a1, "Lê Văn Hai", stage=probationary, admitted_on=dt.date(2025, 5, 20)
    )
    day_late = make_person(
        world.org_a, "Lê Văn Ba", stage=probationary, admitted_on=dt.date(2025, 5, 20)
    )
    untrained = make_person(
        world.org_b1, "Lê Văn Bốn", stage=probationary, admitted_on=dt.date(2025, 4, 1)
    )
    # Probation ends after the year: not in 2026's count.
    make_person(world.org_b1, "Lê Văn Năm", stage=probationary, admitted_on=dt.date(2026, 1, 5))
    # Left the Party: not counted.
    make_person(
        world.org_b1, "Lê Văn Sáu", stage=MembershipStage.LEFT, admitted_on=dt.date(2025, 2, 1)
    )
    early = f.course(
        NEW_MEMBER,
        world.province,
        starts_on=dt.date(2025, 6, 25),
        ends_on=dt.date(2025, 6, 30),
        approved_on=dt.date(2025, 6, 30),
    )
    f.result(early, on_time, passed=True)
    on_end = f.course(
        NEW_MEMBER,
        world.province,
        starts_on=dt.date(2026, 5, 15),
        ends_on=dt.date(2026, 5, 20),
        approved_on=dt.date(2026, 5, 20),
    )
    f.result(on_end, last_day, passed=True)
    after_end = f.course(
        NEW_MEMBER,
        world.province,
        starts_on=dt.date(2026, 5, 18),
        ends_on=dt.date(2026, 5, 21),
        approved_on=dt.date(2026, 5, 21),
    )
    f.result(after_end, day_late, passed=True)
    failed = f.course(
        NEW_MEMBER,
        world.province,
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2025, 9, 5),
        approved_on=dt.date(2025, 9, 5),
    )
    f.result(failed, untrained, passed=False)
    return world


def test_new_member_trained_counts_the_class_ending_on_the_last_day_of_probation(new_members):
    got = values("new_member_trained", new_members, as_of=dt.date(2026, 6, 30))
    assert got["A1"] == V(2, 2)
    assert got["A"] == V(2, 3)  # the class ended the day after probation
    assert got["B"] == V(0, 1)
    assert got["TINH"] == V(2, 4)


def test_new_member_trained_counts_a_probation_from_the_day_it_ends(new_members):
    before = values("new_member_trained", new_members, as_of=dt.date(2026, 5, 19))
    assert before["A1"] == V(1, 1)  # Lê Văn Hai's probation ends tomorrow
    on_the_day = values("new_member_trained", new_members, as_of=dt.date(2026, 5, 20))
    assert on_the_day["A1"] == V(2, 2)


def test_new_member_trained_lists_the_members_behind_the_number(new_members):
    listing = indicators.get("new_member_trained").rows(
        user=new_members.department, org=new_members.org_a, as_of=dt.date(2026, 6, 30), year=2026
    )
    names = [(r.cells[0], r.counted) for r in listing.rows]
    assert names == [("Lê Văn Ba", False), ("Lê Văn Hai", True), ("Lê Văn Một", True)]
    assert listing.rows[1].cells[3] == "20/05/2026"


@pytest.fixture
def admissions(world):
    candidate_day = dt.date(2026, 3, 1)
    on_expiry = make_person(
        world.org_a1, "Phạm Văn Một", stage=MembershipStage.PROBATIONARY, admitted_on=candidate_day
    )
    f.certificate(
        on_expiry, ADMISSION, issued_on=dt.date(2021, 3, 1), expires_on=dt.date(2026, 3, 1)
    )
    expired = make_person(
        world.org_a1,
        "Phạm Văn Hai",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 3, 2),
    )
    f.certificate(expired, ADMISSION, issued_on=dt.date(2021, 3, 1), expires_on=dt.date(2026, 3, 1))
    revoked = make_person(
        world.org_b1,
        "Phạm Văn Ba",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 4, 1),
    )
    f.certificate(
        revoked,
        ADMISSION,
        issued_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2030, 1, 1),
        revoked_on=dt.date(2026, 3, 15),
    )
    revoked_later = make_person(
        world.org_b1,
        "Phạm Văn Bốn",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 4, 1),
    )
    f.certificate(
        revoked_later,
        ADMISSION,
        issued_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2030, 1, 1),
        revoked_on=dt.date(2026, 4, 2),
    )
    # A new-member certificate is not an awareness certificate.
    wrong_kind = make_person(
        world.org_b1,
        "Phạm Văn Năm",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 4, 1),
    )
    f.certificate(wrong_kind, NEW_MEMBER, issued_on=dt.date(2025, 1, 1))
    return world


def test_admission_certified_counts_a_certificate_on_its_expiry_day(admissions):
    got = values("admission_certified", admissions, as_of=dt.date(2026, 12, 31))
    assert got["A1"] == V(1, 2)
    assert got["B1"] == V(1, 3)  # revoked the day after admission still counted
    assert got["TINH"] == V(2, 5)


def test_admission_certified_counts_admissions_up_to_the_date(admissions):
    got = values("admission_certified", admissions, as_of=dt.date(2026, 3, 1))
    assert got["TINH"] == V(1, 1)
    assert values("admission_certified", admissions, as_of=dt.date(2025, 12, 31))["TINH"] == V(0, 0)


@pytest.fixture
def results(world):
    a1 = make_person(world.org_a1, "Vũ Thị Một")
    a2 = make_person(world.org_a1, "Vũ Thị Hai")
    a3 = make_person(world.org_a, "Vũ Thị Ba")
    b1 = make_person(world.org_b1, "Vũ Thị Bốn")
    so_cap = Programme.Kind.SO_CAP
    approved = f.course(
        so_cap,
        world.province,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 31),
        approved_on=dt.date(2026, 4, 10),
    )
    f.result(approved, a1, passed=True, band=GradeBand.GOOD, score="8.2")
    f.result(approved, a2, passed=True, band=GradeBand.AVERAGE, score="6.0")
    f.result(approved, a3, passed=False, band=GradeBand.FAIL, score="4.0")
    f.result(approved, b1, passed=True, band=GradeBand.FAIR, score="7.0")
    f.result(approved, make_person(world.org_b1, "Vũ Thị Rút"), passed=False, withdrawn=True)
    # Results not approved yet, and a course of last year: neither counts.
    pending = f.course(so_cap, world.province, starts_on=dt.date(2026, 5, 1))
    f.result(pending, make_person(world.org_b1, "Vũ Thị Chờ"), passed=True, band="good")
    last_year = f.course(
        so_cap, world.province, starts_on=dt.date(2025, 12, 1), approved_on=dt.date(2026, 1, 5)
    )
    f.result(last_year, make_person(world.org_b1, "Vũ Thị Cũ"), passed=False)
    return world


def test_pass_rate_counts_approved_results_by_the_learners_organization(results):
    got = values("pass_rate", results, as_of=dt.date(2026, 12, 31))
    assert got["A1"] == V(2, 2)
    assert got["A"] == V(2, 3)
    assert got["B"] == V(1, 1)
    assert got["TINH"] == V(3, 4)
    assert indicators.get("pass_rate").value_of(got["TINH"]) == Decimal("75.0")


def test_pass_rate_waits_for_the_approval(results):
    assert values("pass_rate", results, as_of=dt.date(2026, 4, 9))["TINH"] == V(0, 0)
    assert values("pass_rate", results, as_of=dt.date(2026, 4, 10))["TINH"] == V(3, 4)


def test_fair_or_better_counts_kha_gioi_and_xuat_sac(results):
    got = values("fair_or_better", results, as_of=dt.date(2026, 12, 31))
    assert got["A"] == V(1, 3)
    assert got["B"] == V(1, 1)
    assert got["TINH"] == V(2, 4)


def test_courses_held_counts_months_that_ended_and_courses_that_started(world):
    plan = f.approved_plan(world.province, 2026)
    held = f.course(Programme.Kind.PROFESSIONAL, world.org_a, starts_on=dt.date(2026, 2, 10))
    early = f.course(Programme.Kind.PROFESSIONAL, world.org_a, starts_on=dt.date(2026, 3, 3))
    cancelled = f.course(
        Programme.Kind.PROFESSIONAL,
        world.org_b,
        starts_on=dt.date(2026, 2, 1),
        status=Course.Status.CANCELLED,
    )
    f.planned(plan, world.org_a, month=2, held=held)
    f.planned(plan, world.org_a1, month=5, held=early)  # planned for May, held in March
    f.planned(plan, world.org_b, month=2, held=cancelled)
    f.planned(plan, world.org_b1, month=3)  # March: not yet due on 31/03? it is (month ended)
    f.planned(plan, world.org_b1, month=4)
    on_31_march = values("courses_held", world, as_of=dt.date(2026, 3, 31))
    assert on_31_march["A"] == V(2, 2)
    assert on_31_march["B"] == V(0, 2)
    on_30_march = values("courses_held", world, as_of=dt.date(2026, 3, 30))
    assert on_30_march["B"] == V(0, 1)  # March has not ended
    assert values("courses_held", world, as_of=dt.date(2026, 12, 31))["TINH"] == V(2, 5)


def test_courses_held_ignores_plans_not_approved(world):
    plan = f.approved_plan(world.province, 2026)
    plan.status = "submitted"
    plan.save()
    f.planned(plan, world.org_a, month=1)
    assert values("courses_held", world, as_of=dt.date(2026, 12, 31))["TINH"] == V(0, 0)


@pytest.fixture
def cadres(world):
    make_person(
        world.org_a1, "Đỗ Văn Một", position="Bí thư chi bộ", theory_level=TheoryLevel.TRUNG_CAP
    )
    make_person(
        world.org_a1, "Đỗ Văn Hai", position="Phó Bí thư Chi bộ", theory_level=TheoryLevel.SO_CAP
    )
    make_person(world.org_a, "Đỗ Văn Ba", position="Trưởng phòng", theory_level=TheoryLevel.CU_NHAN)
    raised = make_person(
        world.org_b1, "Đỗ Văn Bốn", position="Bí thư chi bộ", theory_level=TheoryLevel.TRUNG_CAP
    )
    TheoryLevelChange.objects.create(
        person=raised, level=TheoryLevel.SO_CAP, effective_on=dt.date(2020, 1, 1)
    )
    TheoryLevelChange.objects.create(
        person=raised, level=TheoryLevel.TRUNG_CAP, effective_on=dt.date(2026, 6, 1)
    )
    make_person(world.org_b1, "Đỗ Văn Không", theory_level=TheoryLevel.CAO_CAP)  # no position
    return world


def test_cadres_trung_cap_counts_people_with_a_position(cadres):
    got = values("cadres_trung_cap", cadres, as_of=dt.date(2026, 12, 31))
    assert got["A1"] == V(1, 2)
    assert got["A"] == V(2, 3)
    assert got["B1"] == V(1, 1)
    assert got["TINH"] == V(3, 4)


def test_cadres_trung_cap_reads_the_level_on_the_date(cadres):
    got = values("cadres_trung_cap", cadres, as_of=dt.date(2026, 5, 31))
    assert got["B1"] == V(0, 1)  # trung cấp only from 01/06/2026
    assert got["A"] == V(2, 3)  # no history: the current level


def test_cadres_trung_cap_by_position_group(cadres):
    got = values("cadres_trung_cap", cadres, as_of=dt.date(2026, 12, 31), variant="bí thư chi bộ")
    # "Phó Bí thư Chi bộ" contains the phrase too: the group is a phrase, as in the rules.
    assert got["A1"] == V(1, 2)
    assert got["A"] == V(1, 2)
    assert got["TINH"] == V(2, 3)


def test_budget_spent_sums_money_not_percentages(world):
    plan = f.approved_plan(world.province, 2026)
    a_course = f.course(Programme.Kind.PROFESSIONAL, world.org_a1, starts_on=dt.date(2026, 3, 1))
    b_course = f.course(Programme.Kind.PROFESSIONAL, world.org_b, starts_on=dt.date(2026, 3, 1))
    f.planned(plan, world.org_a1, month=3, held=a_course, budget=10_000_000)
    f.planned(plan, world.org_b, month=3, held=b_course, budget=90_000_000)
    f.expense(a_course, 10_000_000, dt.date(2026, 3, 5))
    f.expense(b_course, 9_000_000, dt.date(2026, 3, 5))
    f.expense(b_course, 5_000_000, dt.date(2027, 1, 5))  # next year
    got = values("budget_spent", world, as_of=dt.date(2026, 12, 31))
    assert got["A"] == V(10_000_000, 10_000_000)
    assert got["B"] == V(9_000_000, 90_000_000)
    # 100% and 10% do not average to 55%: 19 of 100 million is 19%.
    assert indicators.get("budget_spent").value_of(got["TINH"]) == Decimal("19.0")


def test_lecturer_rating_is_the_average_of_all_points(world):
    teacher = f.lecturer()
    a_course = f.course(Programme.Kind.PROFESSIONAL, world.org_a1, starts_on=dt.date(2026, 3, 1))
    f.rating(a_course, teacher, (5, 5, 5), dt.date(2026, 3, 2))
    f.rating(a_course, teacher, (4, 3, 2), dt.date(2026, 3, 2))
    f.rating(a_course, teacher, (1, 1, 1), dt.date(2027, 1, 2))  # next year
    got = values("lecturer_rating", world, as_of=dt.date(2026, 12, 31))
    assert got["A1"] == V(24, 6)
    indicator = indicators.get("lecturer_rating")
    assert indicator.value_of(got["TINH"]) == Decimal("4.00")
    listing = indicator.rows(
        user=world.department, org=world.province, as_of=dt.date(2026, 12, 31), year=2026
    )
    assert [r.cells[:2] for r in listing.rows] == [("Lê Văn Giảng", 2)]


def test_nominated_required_counts_the_due_who_were_nominated(world):
    from llct.planning.tests.factories import nominate
    from llct.planning.tests.factories import year_round as make_round

    round_2027 = make_round(2027)
    new_member = f.programme(NEW_MEMBER)
    round_2027.programmes.set([new_member, f.programme(ADMISSION)])
    due_a = make_person(
        world.org_a1,
        "Hồ Văn Một",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 3, 1),
    )
    make_person(
        world.org_a1,
        "Hồ Văn Hai",
        stage=MembershipStage.PROBATIONARY,
        admitted_on=dt.date(2026, 4, 1),
    )
    make_person(world.org_b1, "Hồ Văn Ba", stage=MembershipStage.CANDIDATE)
    nominate(due_a, new_member, year=2027)
    got = values("nominated_required", world, as_of=dt.date(2027, 6, 30), year=2027)
    assert got["A1"] == V(1, 2)
    assert got["B1"] == V(0, 1)
    assert got["TINH"] == V(1, 3)


def test_no_round_means_nothing_required(world):
    assert values("nominated_required", world, as_of=dt.date(2026, 6, 30))["TINH"] == V(0, 0)


def test_a_date_before_the_year_gives_an_empty_value(new_members):
    assert values("new_member_trained", new_members, as_of=dt.date(2025, 12, 31))["TINH"] == V(0, 0)


def test_rows_answer_404_outside_the_viewers_subtree(results):
    indicator = indicators.get("pass_rate")
    with pytest.raises(Http404):
        indicator.rows(
            user=results.officer_a, org=results.org_b, as_of=dt.date(2026, 12, 31), year=2026
        )
    with pytest.raises(Http404):
        indicator.rows(
            user=results.officer_a, org=results.province, as_of=dt.date(2026, 12, 31), year=2026
        )
    with pytest.raises(Http404):
        indicator.rows(
            user=results.learner, org=results.org_a, as_of=dt.date(2026, 12, 31), year=2026
        )
    mine = indicator.rows(
        user=results.officer_a, org=results.org_a, as_of=dt.date(2026, 12, 31), year=2026
    )
    assert {r.cells[0] for r in mine.rows} == {"Vũ Thị Một", "Vũ Thị Hai", "Vũ Thị Ba"}


@pytest.mark.parametrize("code", sorted(indicators.REGISTRY))
def test_every_indicator_takes_a_fixed_number_of_queries(
    code, results, django_assert_max_num_queries
):
    orgs = [results.province, results.org_a, results.org_a1, results.org_b, results.org_b1]
    with django_assert_max_num_queries(12):
        indicators.get(code).compute_many(orgs=orgs, as_of=dt.date(2026, 12, 31), year=2026)
