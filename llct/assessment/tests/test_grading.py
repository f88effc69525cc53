"""The classification rules: half-up rounding to 0.1 at the band edges, bands per programme,
the attendance rule, and scores as people type them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from llct.assessment.grading import band_for, classify, final_score, round_score
from llct.assessment.models import Result
from llct.assessment.services import parse_score
from llct.assessment.tests.factories import (
    add_sessions,
    attend,
    enrol_all,
    graded_course,
    graded_programme,
)
from llct.assessment.tests.test_results import post_cell
from llct.curriculum.models import Programme

D = Decimal


def default_programme(**fields) -> Programme:
    # Unsaved: the rules read only its fields.
    return Programme(code="X", name="X", kind="professional", **fields)


@pytest.mark.parametrize(
    ("score", "rounded", "band"),
    [
        ("4.95", "5.0", "average"),  # Trung bình
        ("4.94", "4.9", "fail"),  # Không đạt
        ("8.95", "9.0", "excellent"),  # Xuất sắc
        ("9.0", "9.0", "excellent"),
        ("8.94", "8.9", "good"),
        ("7.0", "7.0", "fair"),
        ("6.99", "7.0", "fair"),
        ("5.0", "5.0", "average"),
        ("0", "0.0", "fail"),
        ("10", "10.0", "excellent"),
    ],
)
def test_band_edges_round_half_up_to_one_decimal(score, rounded, band):
    assert round_score(D(score)) == D(rounded)
    assert band_for(D(score), default_programme()) == band


def test_the_final_of_essay_and_test_is_their_mean_rounded_half_up():
    programme = default_programme(assessment_kind="tests_and_essay")
    assert final_score(programme, D("9.0"), D("8.9")) == D("9.0")  # 8.95
    assert final_score(programme, D("5.0"), D("4.9")) == D("5.0")  # 4.95
    assert final_score(programme, D("5.0"), None) is None  # both are required
    outcome = classify(programme=programme, essay=D("9.0"), test=D("8.9"), attendance_percent=100)
    assert (outcome.final, outcome.band, outcome.passed) == (D("9.0"), "excellent", True)


def test_each_programme_has_its_own_bands():
    strict = default_programme(
        band_excellent=D("9.5"), band_good=D("8.5"), band_fair=D("7.5"), band_pass=D("6.0")
    )
    assert band_for(D("9.4"), strict) == "good"
    assert band_for(D("9.45"), strict) == "excellent"
    assert band_for(D("5.9"), strict) == "fail"
    assert band_for(D("5.95"), strict) == "average"
    outcome = classify(programme=strict, essay=D("5.5"), test=None, attendance_percent=100)
    assert not outcome.passed and outcome.band == "fail"
    assert band_for(D("5.5"), default_programme()) == "average"


@pytest.mark.parametrize(("percent", "passed"), [(79, False), (80, True), (100, True), (0, False)])
def test_a_learner_passes_only_with_attendance_at_the_threshold(percent, passed):
    outcome = classify(
        programme=default_programme(), essay=D("9.0"), test=None, attendance_percent=percent
    )
    assert outcome.passed is passed
    assert outcome.band == "excellent"  # the band says how well; the pass needs both


def test_the_threshold_is_a_setting_of_the_programme():
    lenient = default_programme(attendance_threshold=70)
    assert classify(programme=lenient, essay=D("7"), test=None, attendance_percent=70).passed


def test_a_programme_without_assessment_passes_on_attendance_alone():
    programme = default_programme(assessment_kind="none")
    assert classify(programme=programme, essay=None, test=None, attendance_percent=80).passed
    assert not classify(programme=programme, essay=None, test=None, attendance_percent=79).passed


@pytest.mark.parametrize(("present", "passed"), [(79, False), (80, True)])
def test_attendance_is_counted_over_the_sessions_79_percent_fails_80_passes(
    client, world, present, passed
):
    course = graded_course(world.province)  # finished: every session counts
    sessions = add_sessions(course, 100)
    (enrolment,) = enrol_all(course, world.person_a)
    attend(sessions, enrolment, present=present)
    client.force_login(world.department)
    post_cell(client, course, enrolment, "9")
    result = Result.objects.get(enrolment=enrolment)
    assert result.attendance_percent == present
    assert result.passed is passed


def test_attendance_is_rounded_down_so_79_point_9_percent_is_not_80(client, world):
    course = graded_course(world.province, programme=graded_programme())
    sessions = add_sessions(course, 9)
    (enrolment,) = enrol_all(course, world.person_a)
    attend(sessions, enrolment, present=7)  # 77.8%
    client.force_login(world.department)
    post_cell(client, course, enrolment, "9")
    assert Result.objects.get(enrolment=enrolment).attendance_percent == 77


# --- Scores as typed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("7,5", "7.5"),
        ("7.5", "7.5"),
        (" 8 ", "8.0"),
        ("10", "10.0"),
        ("0", "0.0"),
        ("7,50", "7.5"),
        (",5", "0.5"),
        (7.5, "7.5"),
        (8, "8.0"),
        (D("6.0"), "6.0"),
    ],
)
def test_scores_are_read_with_a_comma_or_a_point(raw, value):
    assert parse_score(raw) == D(value)


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_a_blank_score_is_no_score(raw):
    assert parse_score(raw) is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("10,1", "range"),
        ("-0,5", "range"),
        ("11", "range"),
        ("7,55", "precision"),
        (7.25, "precision"),
        ("abc", "invalid"),
        ("7,5,1", "invalid"),
        ("1e1", "invalid"),
        ("nan", "invalid"),
        (True, "invalid"),
    ],
)
def test_wrong_scores_are_refused_with_a_reason(raw, code):
    with pytest.raises(ValidationError) as refused:
        parse_score(raw)
    assert refused.value.code == code
