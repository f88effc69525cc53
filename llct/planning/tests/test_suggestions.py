"""Who must go: each suggestion rule at its date edges (pure functions), the rules over the
rolls, the suggestions page (scope, accepting, adding, query counts)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from llct.assessment.models import Certificate
from llct.assessment.records import Attempt
from llct.core.models import Role
from llct.core.text import fold
from llct.courses.models import Course
from llct.organizations.models import MembershipStage, OrganizationKind, TheoryLevel
from llct.organizations.tests.factories import make_org, make_person, make_user
from llct.planning.models import Nomination, PositionRequirement, Submission
from llct.planning.nominations import rules as nom_rules
from llct.planning.nominations import selectors as nom_selectors
from llct.planning.nominations import services as nom_services
from llct.planning.nominations import suggestions as nom_suggestions
from llct.planning.tests.factories import (
    action_url,
    attended,
    candidate,
    certificate,
    make_round,
    past_course,
    probationary,
    programme,
)
from llct.planning.tests.test_rounds import NOW, TODAY


@pytest.fixture
def at_today():
    with time_machine.travel(NOW, tick=False):
        yield


YEAR = 2027


def keyed(suggestions):
    return {(s.person_id, s.rule): s for s in suggestions.items}


# --- The new-member rule ----------------------------------------------------------------------


def test_probation_ending_on_31_december_of_the_round_year_is_urgent():
    due = nom_rules.new_member_rule(
        stage=MembershipStage.PROBATIONARY,
        probation_ends_on=dt.date(2027, 12, 31),
        trained=False,
        year=YEAR,
    )
    assert due is not None and due.urgent and due.due_on == dt.date(2027, 12, 31)


def test_probation_ending_on_1_january_of_the_next_year_is_not_urgent():
    due = nom_rules.new_member_rule(
        stage=MembershipStage.PROBATIONARY,
        probation_ends_on=dt.date(2028, 1, 1),
        trained=False,
        year=YEAR,
    )
    assert due is not None and not due.urgent


def test_probation_already_over_is_urgent_and_unknown_end_is_not():
    over = nom_rules.new_member_rule(
        stage="probationary", probation_ends_on=dt.date(2026, 6, 1), trained=False, year=YEAR
    )
    unknown = nom_rules.new_member_rule(
        stage="probationary", probation_ends_on=None, trained=False, year=YEAR
    )
    assert over is not None and over.urgent
    assert unknown is not None and not unknown.urgent


def test_new_member_rule_ignores_the_trained_and_other_stages():
    ends = dt.date(2027, 5, 1)
    assert (
        nom_rules.new_member_rule(
            stage="probationary", probation_ends_on=ends, trained=True, year=YEAR
        )
        is None
    )
    assert (
        nom_rules.new_member_rule(stage="full", probation_ends_on=ends, trained=False, year=YEAR)
        is None
    )


def test_suggested_quarter_follows_the_date_within_the_year():
    assert nom_rules.suggested_quarter(dt.date(2027, 3, 31), YEAR) == 1
    assert nom_rules.suggested_quarter(dt.date(2027, 4, 1), YEAR) == 2
    assert nom_rules.suggested_quarter(dt.date(2027, 12, 31), YEAR) == 4
    assert nom_rules.suggested_quarter(dt.date(2026, 8, 1), YEAR) == 1  # already past
    assert nom_rules.suggested_quarter(dt.date(2028, 1, 1), YEAR) is None
    assert nom_rules.suggested_quarter(None, YEAR) is None


# --- The admission rule -----------------------------------------------------------------------


def cert(issued_on, expires_on, **fields):
    return Certificate(issued_on=issued_on, expires_on=expires_on, **fields)


def test_a_certificate_expiring_the_day_before_the_end_of_the_year_is_not_valid():
    due = nom_rules.admission_rule(
        stage=MembershipStage.CANDIDATE,
        certificates=[cert(dt.date(2022, 12, 30), dt.date(2027, 12, 30))],
        year=YEAR,
        today=TODAY,
    )
    assert due is not None
    assert not due.urgent  # valid at the start of the year: they can still be admitted
    assert due.due_on == dt.date(2027, 12, 30)


def test_a_certificate_valid_on_the_last_day_of_the_year_is_enough():
    due = nom_rules.admission_rule(
        stage=MembershipStage.CANDIDATE,
        certificates=[cert(dt.date(2022, 12, 31), dt.date(2027, 12, 31))],
        year=YEAR,
        today=TODAY,
    )
    assert due is None


def test_a_candidate_without_a_certificate_valid_at_the_start_of_the_year_is_urgent():
    expired = cert(dt.date(2021, 12, 1), dt.date(2026, 12, 31))
    revoked = cert(
        dt.date(2025, 1, 1),
        dt.date(2030, 1, 1),
        status=Certificate.Status.REVOKED,
        revoked_on=dt.date(2025, 6, 1),
    )
    for certificates in ([], [expired], [revoked]):
        due = nom_rules.admission_rule(
            stage=MembershipStage.CANDIDATE, certificates=certificates, year=YEAR, today=TODAY
        )
        assert due is not None and due.urgent


def test_admission_rule_is_for_candidates_only():
    assert (
        nom_rules.admission_rule(
            stage=MembershipStage.FULL, certificates=[], year=YEAR, today=TODAY
        )
        is None
    )


# --- The position rule ------------------------------------------------------------------------


def requirements(*rows):
    return [nom_rules.Requirement.build(position, level, pk) for position, level, pk in rows]


def test_position_phrase_matches_whole_words_without_diacritics():
    rules = requirements(("bí thư chi bộ", TheoryLevel.SO_CAP, 1))
    for position in ("Bí thư Chi bộ", "PHÓ BÍ THƯ CHI BỘ thôn 3", "bi thu chi bo"):
        found = nom_rules.position_rule(
            folded_position=fold(position), theory_level=TheoryLevel.NONE, requirements=rules
        )
        assert found is not None, position
        assert found[0].rule == nom_rules.RULE_POSITION
    for position in ("Bí thư Chi đoàn", "Bí thư chi bộ sở", ""):
        found = nom_rules.position_rule(
            folded_position=fold(position), theory_level=TheoryLevel.NONE, requirements=rules
        )
        assert (found is None) == (position != "Bí thư chi bộ sở"), position


def test_position_rule_needs_a_level_below_the_requirement_and_takes_the_strictest():
    rules = requirements(("bí thư chi bộ", 1, 10), ("trưởng phòng", 2, 20))
    folded = fold("Trưởng phòng, Bí thư Chi bộ")
    found = nom_rules.position_rule(
        folded_position=folded, theory_level=TheoryLevel.NONE, requirements=rules
    )
    assert found is not None
    due, requirement = found
    assert requirement.programme_id == 20 and due.detail == "trưởng phòng"
    found = nom_rules.position_rule(
        folded_position=folded, theory_level=TheoryLevel.SO_CAP, requirements=rules
    )
    assert found is not None and found[1].programme_id == 20
    assert (
        nom_rules.position_rule(
            folded_position=folded, theory_level=TheoryLevel.TRUNG_CAP, requirements=rules
        )
        is None
    )


# --- The retake rule --------------------------------------------------------------------------


def attempt(starts_on, *, passed=None, approved=True, withdrawn=False, cancelled=False, n=1):
    return Attempt(
        programme_id=1,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=4),
        enrolment_id=n,
        withdrawn=withdrawn,
        passed=passed,
        approved=approved,
        cancelled=cancelled,
    )


def test_failed_in_an_approved_course_is_due_again():
    due = nom_rules.retake_rule(attempts=[attempt(dt.date(2026, 3, 2), passed=False)], today=TODAY)
    assert due is not None and due.detail == "failed" and due.due_on == dt.date(2026, 3, 6)


def test_a_fail_not_yet_approved_does_not_count():
    assert (
        nom_rules.retake_rule(
            attempts=[attempt(dt.date(2026, 3, 2), passed=False, approved=False)],
            today=TODAY,
        )
        is None
    )


def test_withdrew_is_due_again_but_not_after_passing_since():
    withdrew = attempt(dt.date(2025, 3, 2), withdrawn=True, approved=False, n=1)
    due = nom_rules.retake_rule(attempts=[withdrew], today=TODAY)
    assert due is not None and due.detail == "withdrawn"
    passed_since = attempt(dt.date(2025, 9, 1), passed=True, n=2)
    assert nom_rules.retake_rule(attempts=[passed_since, withdrew], today=TODAY) is None
    failed_after_passing = attempt(dt.date(2026, 3, 2), passed=False, n=3)
    assert nom_rules.retake_rule(attempts=[passed_since, failed_after_passing], today=TODAY)


def test_a_course_ending_today_still_counts_as_booked_and_yesterday_does_not():
    failed = attempt(dt.date(2025, 3, 2), passed=False, n=1)
    booked = Attempt(
        programme_id=1,
        starts_on=TODAY - dt.timedelta(days=4),
        ends_on=TODAY,
        enrolment_id=2,
        withdrawn=False,
        passed=None,
        approved=False,
        cancelled=False,
    )
    assert nom_rules.retake_rule(attempts=[failed, booked], today=TODAY) is None
    assert nom_rules.retake_rule(attempts=[failed, booked], today=TODAY + dt.timedelta(days=1))


def test_a_cancelled_course_is_neither_a_fail_nor_a_booking():
    cancelled = attempt(dt.date(2026, 3, 2), withdrawn=True, cancelled=True)
    assert nom_rules.retake_rule(attempts=[cancelled], today=TODAY) is None


# --- The rules over the rolls -----------------------------------------------------------------


@pytest.mark.django_db
def test_suggestions_over_the_rolls_apply_every_rule(world):
    nomination_round = make_round()
    a1 = world.org_a1
    due_dec = probationary(a1, "Lê Văn Cuối", admitted_on=dt.date(2026, 12, 31))
    due_jan = probationary(a1, "Lê Văn Sau", admitted_on=dt.date(2027, 1, 1))
    trained = probationary(a1, "Lê Văn Học")
    attended(trained, past_course("DVM", a1, ends_on=dt.date(2026, 9, 30)), passed=True)
    cand_none = candidate(a1, "Hoàng Văn Chưa")
    cand_short = candidate(a1, "Hoàng Văn Ngắn")
    certificate(
        cand_short, "NTVD", a1, issued_on=dt.date(2022, 12, 30), expires_on=dt.date(2027, 12, 30)
    )
    cand_ok = candidate(a1, "Hoàng Văn Đủ")
    certificate(
        cand_ok, "NTVD", a1, issued_on=dt.date(2022, 12, 31), expires_on=dt.date(2027, 12, 31)
    )
    cadre = make_person(a1, "Phạm Văn Bí", stage="full", position="Phó Bí thư Chi bộ")
    cadre_ok = make_person(
        a1, "Phạm Văn Đạt", stage="full", position="Bí thư chi bộ", theory_level=1
    )
    failed = make_person(a1, "Vũ Thị Trượt", stage="full", theory_level=1)
    attended(failed, past_course("TC", a1), passed=False, approve=True)
    quit_ = make_person(a1, "Vũ Thị Rút", stage="full", theory_level=1)
    attended(quit_, past_course("TC", a1), withdrawn=True)
    left = make_person(a1, "Đỗ Văn Đi", stage="left", position="Bí thư chi bộ")

    found = keyed(
        nom_suggestions.suggestions_for(
            nomination_round=nomination_round, organization=a1, today=TODAY
        )
    )
    dvm, ntvd, sc, tc = (programme(c).pk for c in ("DVM", "NTVD", "SC", "TC"))
    assert found[(due_dec.pk, "new_member")].urgent
    assert found[(due_dec.pk, "new_member")].programme_id == dvm
    assert found[(due_dec.pk, "new_member")].quarter == 4
    assert not found[(due_jan.pk, "new_member")].urgent
    assert (trained.pk, "new_member") not in found
    assert found[(cand_none.pk, "admission")].urgent
    assert found[(cand_none.pk, "admission")].programme_id == ntvd
    assert not found[(cand_short.pk, "admission")].urgent
    assert (cand_ok.pk, "admission") not in found
    assert found[(cadre.pk, "position")].programme_id == sc
    assert (cadre_ok.pk, "position") not in found
    assert found[(failed.pk, "retake")].programme_id == tc
    assert found[(failed.pk, "retake")].explanation == "Không đạt ở lớp kết thúc ngày 30/06/2025"
    assert found[(quit_.pk, "retake")].detail == "withdrawn"
    assert all(s.person_id != left.pk for s in found.values())
    assert all(s.person_id != world.person_a.pk for s in found.values())


@pytest.mark.django_db
def test_a_valid_new_member_certificate_counts_as_trained(world):
    nomination_round = make_round()
    person = probationary(world.org_a1)
    certificate(person, "DVM", world.org_a1, issued_on=dt.date(2026, 6, 1))
    found = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=world.org_a1, today=TODAY
    )
    assert not found.items


@pytest.mark.django_db
def test_someone_enrolled_in_a_coming_course_is_not_suggested(world):
    nomination_round = make_round()
    person = probationary(world.org_a1)
    upcoming = past_course("DVM", world.org_a1, ends_on=dt.date(2026, 12, 5), status="open")
    attended(person, upcoming)
    found = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=world.org_a1, today=TODAY
    )
    assert not found.items


@pytest.mark.django_db
def test_only_programmes_on_offer_are_suggested(world):
    nomination_round = make_round(codes=("SC",))
    probationary(world.org_a1)
    found = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=world.org_a1, today=TODAY
    )
    assert found.items == [] and found.not_offered == 1


@pytest.mark.django_db
def test_the_requirement_table_drives_the_position_rule(world):
    nomination_round = make_round()
    PositionRequirement.objects.create(
        position="Chủ tịch Hội Nông dân", required_level=2, programme=programme("TC")
    )
    person = make_person(
        world.org_a1, "Đinh Văn Nông", stage="full", position="chu tich hoi nong dan xa"
    )
    found = keyed(
        nom_suggestions.suggestions_for(
            nomination_round=nomination_round, organization=world.org_a1, today=TODAY
        )
    )
    assert found[(person.pk, "position")].programme_id == programme("TC").pk


@pytest.mark.django_db
def test_people_of_a_chi_bo_truc_thuoc_belong_to_their_dang_bo_co_so(world):
    """A đảng bộ cơ sở nominates the people of its chi bộ; a grassroots organization nested in
    it nominates its own."""
    nomination_round = make_round()
    base = make_org("Đảng bộ Sở Y tế", parent=world.org_b, kind_code="dang_bo_co_so")
    cell = make_org("Chi bộ Khoa Nội", parent=base, kind_code="chi_bo_truc_thuoc")
    nested = make_org("Chi bộ cơ sở lồng", parent=base, kind_code="chi_bo_co_so")
    in_cell = probationary(cell, "Ngô Văn Khoa")
    in_nested = probationary(nested, "Ngô Văn Lồng")
    for_base = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=base, today=TODAY
    )
    assert [s.person_id for s in for_base.items] == [in_cell.pk]
    assert for_base.items[0].organization_name == "Chi bộ Khoa Nội"
    for_nested = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=nested, today=TODAY
    )
    assert [s.person_id for s in for_nested.items] == [in_nested.pk]


@pytest.mark.django_db
def test_suggestions_for_the_province_group_by_grassroots_organization(world):
    make_round()
    a = probationary(world.org_a1, "Lê Văn A")
    b = candidate(world.org_b1, "Lê Văn B")
    make_person(world.org_a, "Người ở đảng ủy", stage="probationary", admitted_on=TODAY)
    grouped = nom_suggestions.suggestions_for_province(year=YEAR, today=TODAY)
    assert {k: [s.person_id for s in v] for k, v in grouped.items()} == {
        world.org_a1.pk: [a.pk],
        world.org_b1.pk: [b.pk],
    }


# --- The page ---------------------------------------------------------------------------------


def page_url(nomination_round, organization):
    return reverse("planning:submission", args=[nomination_round.pk, organization.pk])


def test_the_page_shows_each_suggestion_with_its_rule_and_urgency(client, world, at_today):
    nomination_round = make_round()
    probationary(world.org_a1, "Lê Văn Cuối", admitted_on=dt.date(2026, 12, 31))
    client.force_login(world.officer_a)
    response = client.get(page_url(nomination_round, world.org_a1))
    assert response.status_code == 200
    text = response.text
    assert "Lê Văn Cuối" in text
    assert "31/12/2027" in text
    assert "is-urgent" in text


def test_an_officer_of_another_subtree_gets_404(client, world, at_today):
    nomination_round = make_round()
    probationary(world.org_a1, "Lê Văn Kín")
    client.force_login(world.officer_b)
    url = page_url(nomination_round, world.org_a1)
    assert client.get(url).status_code == 404
    assert (
        client.post(action_url(nomination_round, world.org_a1, "accept_urgent")).status_code == 404
    )
    assert not Submission.objects.exists()


def test_a_committee_officer_acts_for_each_grassroots_organization_below(client, world, at_today):
    nomination_round = make_round()
    a2 = make_org("Chi bộ A2", parent=world.org_a)
    person = probationary(a2, "Lê Văn Hai")
    client.force_login(world.officer_a)
    response = client.post(action_url(nomination_round, a2, "accept_urgent"))
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert nomination.submission.organization == a2
    assert nomination.person == person


def test_a_leader_reads_but_cannot_nominate(client, world, at_today):
    nomination_round = make_round()
    probationary(world.org_a1)
    client.force_login(world.leader)
    url = page_url(nomination_round, world.org_a1)
    assert client.get(url).status_code == 200
    assert (
        client.post(action_url(nomination_round, world.org_a1, "accept_urgent")).status_code == 403
    )


def test_a_non_grassroots_organization_has_no_submission(client, world, at_today):
    nomination_round = make_round()
    client.force_login(world.department)
    assert client.get(page_url(nomination_round, world.org_a)).status_code == 404


def test_accepting_ticked_suggestions_keeps_their_rule_and_urgency(client, world, at_today):
    nomination_round = make_round()
    urgent = probationary(world.org_a1, "Lê Văn Gấp", admitted_on=dt.date(2026, 5, 10))
    later = probationary(world.org_a1, "Lê Văn Chậm", admitted_on=dt.date(2027, 6, 1))
    client.force_login(world.officer_a)
    dvm = programme("DVM").pk
    response = client.post(
        action_url(nomination_round, world.org_a1, "accept"),
        {"accept": [f"{urgent.pk}-{dvm}", f"{later.pk}-{dvm}"]},
    )
    assert response.status_code == 302
    rows = {n.person_id: n for n in Nomination.objects.all()}
    assert rows[urgent.pk].rule == "new_member"
    assert rows[urgent.pk].priority == Nomination.Priority.HIGH
    assert rows[urgent.pk].quarter == 2  # probation ends 10/05/2027
    assert rows[later.pk].priority == Nomination.Priority.NORMAL
    assert rows[later.pk].quarter is None
    # Accepted suggestions leave the suggestion list.
    response = client.get(page_url(nomination_round, world.org_a1))
    assert response.context["suggestions"].items == []
    assert response.context["suggestions"].already_nominated == 2


def test_accept_all_urgent_takes_only_the_urgent(client, world, at_today):
    nomination_round = make_round()
    urgent = probationary(world.org_a1, "Lê Văn Gấp", admitted_on=dt.date(2026, 5, 10))
    probationary(world.org_a1, "Lê Văn Chậm", admitted_on=dt.date(2027, 6, 1))
    client.force_login(world.officer_a)
    client.post(action_url(nomination_round, world.org_a1, "accept_urgent"))
    assert list(Nomination.objects.values_list("person_id", flat=True)) == [urgent.pk]


def test_a_stale_or_forged_suggestion_is_refused_whole(client, world, at_today):
    nomination_round = make_round()
    person = probationary(world.org_a1)
    client.force_login(world.officer_a)
    response = client.post(
        action_url(nomination_round, world.org_a1, "accept"),
        {
            "accept": [f"{person.pk}-{programme('DVM').pk}", f"{world.person_b.pk}-1"],
        },
    )
    assert response.status_code == 422
    assert not Nomination.objects.exists()


def test_search_without_diacritics_and_add_someone_else(client, world, at_today):
    nomination_round = make_round()
    person = make_person(world.org_a1, "Nguyễn Thị Hạnh", stage="full", theory_level=2)
    make_person(world.org_b1, "Nguyễn Thị Hạnh Bê")
    client.force_login(world.officer_a)
    url = page_url(nomination_round, world.org_a1)
    response = client.get(url, {"q": "nguyen thi hanh"})
    assert [p.pk for p in response.context["found"]] == [person.pk]
    response = client.get(url, {"q": "hanh"}, headers={"HX-Request": "true"})
    assert "Nguyễn Thị Hạnh" in response.text and "<h1>" not in response.text
    response = client.post(
        action_url(nomination_round, world.org_a1, "add"),
        {
            "person": person.pk,
            "programme": programme("SC").pk,
            "priority": "3",
            "quarter": "2",
            "note": "  Bồi dưỡng   thêm ",
        },
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.rule, nomination.priority, nomination.quarter, nomination.note) == (
        "",
        3,
        2,
        "Bồi dưỡng thêm",
    )


def test_only_programmes_on_offer_can_be_nominated(client, world, at_today):
    nomination_round = make_round(codes=("DVM",))
    person = make_person(world.org_a1, "Trịnh Văn Lạ", stage="full")
    client.force_login(world.officer_a)
    response = client.post(
        action_url(nomination_round, world.org_a1, "add"),
        {"person": person.pk, "programme": programme("SC").pk, "priority": "2"},
    )
    assert response.status_code == 422
    assert not Nomination.objects.exists()
    with pytest.raises(ValidationError) as error:
        nom_services.nomination_add(
            nomination_round=nomination_round,
            organization=world.org_a1,
            person_id=person.pk,
            programme=programme("SC"),
            priority=2,
            quarter=None,
            note="",
            actor=world.officer_a,
            today=TODAY,
        )
    assert "programme" in error.value.error_dict


def test_adding_someone_of_another_subtree_is_404(client, world, at_today):
    nomination_round = make_round()
    client.force_login(world.officer_a)
    response = client.post(
        action_url(nomination_round, world.org_a1, "add"),
        {
            "person": world.person_b.pk,
            "programme": programme("DVM").pk,
            "priority": "2",
        },
    )
    assert response.status_code == 404
    assert not Nomination.objects.exists()


def test_a_person_is_nominated_once_per_programme_in_the_round(world):
    nomination_round = make_round()
    person = make_person(world.org_a1, "Lý Văn Một", stage="full")
    args = {
        "nomination_round": nomination_round,
        "organization": world.org_a1,
        "person_id": person.pk,
        "programme": programme("SC"),
        "priority": 2,
        "quarter": None,
        "note": "",
        "actor": world.officer_a,
        "today": TODAY,
    }
    nom_services.nomination_add(**args)
    with pytest.raises(ValidationError):
        nom_services.nomination_add(**args)
    assert Nomination.objects.count() == 1


def test_priorities_quarters_and_notes_are_saved_together(client, world, at_today):
    nomination_round = make_round()
    a = probationary(world.org_a1, "Lê Văn Một")
    b = probationary(world.org_a1, "Lê Văn Hai")
    client.force_login(world.officer_a)
    client.post(action_url(nomination_round, world.org_a1, "accept_urgent"))
    na, nb = (Nomination.objects.get(person=p) for p in (a, b))
    save = action_url(nomination_round, world.org_a1, "save")
    data = {
        f"priority-{na.pk}": "1",
        f"quarter-{na.pk}": "3",
        f"note-{na.pk}": "Xong trước tháng 9",
        f"priority-{nb.pk}": "3",
        f"quarter-{nb.pk}": "",
        f"note-{nb.pk}": "",
    }
    assert client.post(save, data).status_code == 302
    na.refresh_from_db()
    nb.refresh_from_db()
    assert (na.priority, na.quarter, na.note) == (1, 3, "Xong trước tháng 9")
    assert (nb.priority, nb.quarter) == (3, None)
    data[f"quarter-{na.pk}"] = "7"
    response = client.post(save, data)
    assert response.status_code == 422
    na.refresh_from_db()
    assert na.quarter == 3
    response = client.post(action_url(nomination_round, world.org_a1, "remove", nb.pk))
    assert list(Nomination.objects.values_list("person_id", flat=True)) == [a.pk]


def many_people(organization, n):
    """n people of every kind the rules look at, with enrolments and certificates."""
    tc = past_course("TC", organization)
    ntvd = past_course("NTVD", organization, ends_on=dt.date(2022, 6, 1))
    for i in range(n):
        kind = i % 4
        if kind == 0:
            probationary(organization, f"Người Dự Bị {i}", admitted_on=dt.date(2026, 4, 1))
        elif kind == 1:
            person = candidate(organization, f"Người Cảm Tình {i}")
            attended(person, ntvd, passed=True, approve=True)
        elif kind == 2:
            make_person(organization, f"Người Cán Bộ {i}", stage="full", position="Bí thư chi bộ")
        else:
            person = make_person(organization, f"Người Thi Lại {i}", stage="full", theory_level=1)
            attended(person, tc, passed=False, approve=True)


def test_the_suggestions_page_takes_a_constant_number_of_queries(
    client, world, at_today, django_assert_max_num_queries
):
    nomination_round = make_round()
    a2 = make_org("Chi bộ A2", parent=world.org_a)
    many_people(world.org_a1, 8)
    many_people(a2, 200)
    client.force_login(world.officer_a)
    client.post(action_url(nomination_round, a2, "accept_urgent"))
    client.post(action_url(nomination_round, world.org_a1, "accept_urgent"))

    def count(organization):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page_url(nomination_round, organization), {"q": "nguoi"})
        assert response.status_code == 200
        return len(queries), response

    small, _response = count(world.org_a1)
    large, response = count(a2)
    assert len(response.context["suggestions"].items) == 100  # cadres and retakes
    assert len(response.context["nominations"]) == 100  # probationary and candidates
    assert small == large
    # One query per rule (two for positions: the pairs, then the holders per programme), the
    # rest for the page; and one page of rows however many are due.
    with django_assert_max_num_queries(22):
        response = client.get(page_url(nomination_round, a2))
    assert response.text.count('id="suggestion-') == 100


def test_a_second_officer_of_the_same_organization_sees_the_same_submission(
    client, world, at_today
):
    nomination_round = make_round()
    probationary(world.org_a1)
    colleague = make_user("canbo_a_2", Role.ORG_OFFICER, world.org_a1)
    client.force_login(world.officer_a)
    client.post(action_url(nomination_round, world.org_a1, "accept_urgent"))
    client.force_login(colleague)
    response = client.get(page_url(nomination_round, world.org_a1))
    assert len(response.context["nominations"]) == 1


def test_grassroots_is_data_not_a_level(world):
    # A kind made grassroots in the settings becomes a nominating organization at once.
    kind = OrganizationKind.objects.get(code="truc_thuoc")
    kind.is_grassroots = True
    kind.save()
    assert world.org_a in nom_selectors.grassroots_in_scope(user=world.officer_a)


def test_course_status_cancelled_is_ignored_for_retakes(world):
    nomination_round = make_round()
    person = make_person(world.org_a1, "Bạch Văn Hủy", stage="full", theory_level=1)
    cancelled = past_course("TC", world.org_a1, status=Course.Status.CANCELLED)
    attended(person, cancelled, withdrawn=True)
    found = nom_suggestions.suggestions_for(
        nomination_round=nomination_round, organization=world.org_a1, today=TODAY
    )
    assert not found.items


# --- The position-requirement setting -------------------------------------------------------


def test_department_keeps_the_position_requirement_table(client, world):
    client.force_login(world.department)
    response = client.post(
        reverse("planning:requirement_create"),
        {
            "position": "  Chủ nhiệm   Ủy ban Kiểm tra ",
            "required_level": "2",
            "programme": programme("TC").pk,
        },
    )
    assert response.status_code == 302
    requirement = PositionRequirement.objects.get(position="Chủ nhiệm Ủy ban Kiểm tra")
    assert requirement.required_level == TheoryLevel.TRUNG_CAP
    # The same phrase without diacritics is the same position.
    response = client.post(
        reverse("planning:requirement_create"),
        {
            "position": "chu nhiem uy ban kiem tra",
            "required_level": "1",
            "programme": programme("SC").pk,
        },
    )
    assert response.status_code == 422
    assert "position" in response.context["form"].errors
    response = client.post(
        reverse("planning:requirement_edit", args=[requirement.pk]),
        {
            "position": "Chủ nhiệm Ủy ban Kiểm tra",
            "required_level": "1",
            "programme": programme("SC").pk,
        },
    )
    requirement.refresh_from_db()
    assert requirement.required_level == TheoryLevel.SO_CAP
    response = client.get(reverse("planning:requirement_list"))
    assert "Chủ nhiệm Ủy ban Kiểm tra" in response.text
    client.post(reverse("planning:requirement_delete", args=[requirement.pk]))
    assert not PositionRequirement.objects.filter(pk=requirement.pk).exists()


@pytest.mark.parametrize("who", ["officer_a", "leader"])
def test_others_read_the_requirement_table_but_cannot_change_it(client, world, who):
    requirement = PositionRequirement.objects.first()
    client.force_login(getattr(world, who))
    assert client.get(reverse("planning:requirement_list")).status_code == 200
    assert client.get(reverse("planning:requirement_create")).status_code == 403
    assert (
        client.post(
            reverse("planning:requirement_edit", args=[requirement.pk]), {"position": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("planning:requirement_delete", args=[requirement.pk])).status_code
        == 403
    )
    assert PositionRequirement.objects.filter(pk=requirement.pk).exists()


def test_suggestion_rows_escape_what_they_write_and_offer_a_checkbox_only_to_editors():
    from django.utils import translation

    from llct.planning.templatetags.suggestion_rows import suggestion_rows

    row = nom_suggestions.Suggestion(
        person_id=7, full_name="Lê <Văn> Ba", sort_key="", organization_name="Chi bộ & 1",
        grassroots_id=1, stage=MembershipStage.PROBATIONARY, programme_id=3,
        programme_name="Đảng viên mới", rule=nom_suggestions.RULE_NEW_MEMBER, urgent=True,
        due_on=dt.date(2026, 12, 31), detail="", quarter=None,
    )  # fmt: skip
    with translation.override("vi"):
        editing, reading = suggestion_rows([row], True), suggestion_rows([row], False)
    assert '<tr id="suggestion-7-3" class="is-urgent">' in editing
    assert 'value="7-3" id="accept-7-3" data-urgent="1">' in editing
    assert '<label for="accept-7-3">Lê &lt;Văn&gt; Ba</label>' in editing
    assert '<td data-label="Tổ chức đảng">Chi bộ &amp; 1</td>' in reading
    assert "checkbox" not in reading and "Lê &lt;Văn&gt; Ba<br>" in reading
    assert "31/12/2026</small>" in reading
    assert '<span class="badge-bad">' in reading
