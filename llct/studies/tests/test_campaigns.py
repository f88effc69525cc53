import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from llct.organizations.models import MembershipStage
from llct.organizations.tests.factories import make_person
from llct.studies import campaigns as svc
from llct.studies.models import ConferenceAttendance, StudyConference
from llct.studies.tests.factories import make_campaign

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 2, 10)


@pytest.fixture
def rolls(world):
    a1 = [
        make_person(world.org_a1, f"Nguyễn Văn A{i}", stage=MembershipStage.FULL) for i in range(3)
    ]
    a = [make_person(world.org_a, "Lê Thị Khối A", stage=MembershipStage.FULL)]
    b1 = [make_person(world.org_b1, f"Trần Văn B{i}", stage=MembershipStage.FULL) for i in range(4)]
    make_person(world.org_b1, "Người Đã Chuyển", stage=MembershipStage.LEFT)
    return {"a1": a1, "a": a, "b1": b1}


def conference(world, campaign, org, people, *, on=dt.date(2026, 2, 1), actor=None):
    return svc.conference_record(
        campaign=campaign,
        organization=org,
        held_on=on,
        title="Hội nghị quán triệt",
        attendees=people,
        today=TODAY,
        actor=actor or world.department,
    )


def test_participation_rolls_up_by_summing_numerators_and_denominators(world, rolls):
    campaign = make_campaign(world, stages=[MembershipStage.FULL])
    conference(world, campaign, world.org_a1, rolls["a1"][:2])
    conference(world, campaign, world.org_b1, rolls["b1"][:1])
    rows = {
        r.organization.pk: r
        for r in svc.participation_tree(campaign=campaign, within=world.province, as_of=TODAY)
    }
    assert (rows[world.org_a1.pk].studied, rows[world.org_a1.pk].audience) == (2, 3)
    assert (rows[world.org_a.pk].studied, rows[world.org_a.pk].audience) == (2, 4)
    assert (rows[world.org_b.pk].studied, rows[world.org_b.pk].audience) == (1, 4)
    # 3/8, not the average of 50% and 25%; the person who left the Party is not counted.
    province = rows[world.province.pk]
    assert (province.studied, province.audience) == (3, 8)
    assert province.rate == 37.5
    assert svc.participation(campaign=campaign, within=world.province, as_of=TODAY) == (3, 8)


def test_participation_as_of_a_date_ignores_later_conferences(world, rolls):
    campaign = make_campaign(world)
    conference(world, campaign, world.org_a1, rolls["a1"], on=dt.date(2026, 2, 5))
    assert svc.participation(campaign=campaign, within=world.org_a1, as_of=dt.date(2026, 2, 4)) == (
        0,
        4,
    )
    assert svc.participation(campaign=campaign, within=world.org_a1, as_of=dt.date(2026, 2, 5)) == (
        3,
        4,
    )


def test_absentees_and_a_makeup_conference(world, rolls):
    campaign = make_campaign(world)
    conference(world, campaign, world.org_a1, rolls["a1"][:1])
    missing = list(svc.absentees(campaign=campaign, within=world.org_a1, as_of=TODAY))
    assert {p.pk for p in missing} == {p.pk for p in rolls["a1"][1:]} | {world.person_a.pk}
    planned = conference(world, campaign, world.org_a1, [], on=TODAY + dt.timedelta(days=7))
    with pytest.raises(ValidationError):
        svc.conference_set_attendance(
            conference=planned, attendees=missing, today=TODAY, actor=world.department
        )
    svc.conference_set_attendance(
        conference=planned,
        attendees=missing,
        today=TODAY + dt.timedelta(days=7),
        actor=world.department,
    )
    assert not svc.absentees(
        campaign=campaign, within=world.org_a1, as_of=TODAY + dt.timedelta(days=7)
    ).exists()


def test_officer_records_for_their_subtree_only(world, rolls):
    campaign = make_campaign(world)
    conference(world, campaign, world.org_a1, rolls["a1"], actor=world.officer_a)
    with pytest.raises(PermissionDenied):
        conference(world, campaign, world.org_b1, rolls["b1"], actor=world.officer_a)
    with pytest.raises(ValidationError):
        # People of another organization cannot be ticked.
        conference(world, campaign, world.org_a1, rolls["b1"], actor=world.officer_a)
    assert StudyConference.objects.count() == 1


def test_audience_by_stage_and_position(world, rolls):
    rolls["a1"][0].position = "Bí thư chi bộ"
    rolls["a1"][0].save()
    campaign = make_campaign(world, stages=[MembershipStage.FULL], positions="Bí thư, Phó Bí thư")
    assert list(svc.campaign_audience(campaign)) == [rolls["a1"][0]]


def test_learner_submits_an_essay_and_the_cell_grades_it(world, rolls):
    campaign = make_campaign(world)
    now = dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    essay = svc.essay_submit(
        campaign=campaign,
        person=world.person_a,
        text="Bài thu hoạch của tôi",
        upload=None,
        now=now,
        actor=world.learner,
    )
    with pytest.raises(PermissionDenied):
        svc.essay_grade(essay=essay, grade="good", comment="", now=now, actor=world.officer_b)
    svc.essay_grade(
        essay=essay, grade="good", comment="Nắm vững nội dung", now=now, actor=world.officer_a
    )
    essay.refresh_from_db()
    assert essay.grade == "good" and essay.graded_by == world.officer_a
    with pytest.raises(ValidationError):
        svc.essay_submit(
            campaign=campaign,
            person=world.person_a,
            text="Sửa",
            upload=None,
            now=now,
            actor=world.learner,
        )


def test_no_essay_after_the_deadline_nor_for_someone_else(world):
    campaign = make_campaign(world)
    late = dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC)
    with pytest.raises(ValidationError):
        svc.essay_submit(
            campaign=campaign,
            person=world.person_a,
            text="x",
            upload=None,
            now=late,
            actor=world.learner,
        )
    with pytest.raises(PermissionDenied):
        svc.essay_submit(
            campaign=campaign,
            person=world.person_b,
            text="x",
            upload=None,
            now=late,
            actor=world.learner,
        )


def test_campaign_page_shows_participation_to_staff(
    client, world, rolls, django_assert_max_num_queries
):
    campaign = make_campaign(world)
    conference(world, campaign, world.org_a1, rolls["a1"])
    client.force_login(world.officer_a)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("studies:campaign", args=[campaign.pk]))
    assert page.status_code == 200
    assert world.org_a1.name in page.text
    assert world.org_b1.name not in page.text


def test_officer_ticks_attendance_on_the_conference_page(client, world, rolls):
    campaign = make_campaign(world)
    client.force_login(world.officer_a)
    response = client.post(
        reverse("studies:conference_create", args=[campaign.pk]),
        {"organization": world.org_a1.pk, "title": "Hội nghị", "held_on": "2026-01-20"},
    )
    conf = StudyConference.objects.get()
    assert response.status_code == 302
    client.post(
        reverse("studies:conference_attendance", args=[conf.pk]),
        {"attendees": [p.pk for p in rolls["a1"]]},
    )
    assert ConferenceAttendance.objects.filter(conference=conf).count() == 3
    client.force_login(world.officer_b)
    assert client.get(reverse("studies:conference", args=[conf.pk])).status_code == 404
    assert (
        client.post(
            reverse("studies:conference_attendance", args=[conf.pk]), {"attendees": []}
        ).status_code
        == 404
    )
    assert ConferenceAttendance.objects.filter(conference=conf).count() == 3


def test_learner_sees_campaigns_they_are_in(client, world):
    mine = make_campaign(world, organization=world.org_a)
    other = make_campaign(world, organization=world.org_b)
    client.force_login(world.learner)
    assert client.get(reverse("studies:campaign", args=[mine.pk])).status_code == 200
    assert client.get(reverse("studies:campaign", args=[other.pk])).status_code == 404


def test_two_graders_of_one_essay_merge_or_refuse(world):
    from llct.core.models import Role
    from llct.core.tests.pages import assert_no_lost_update, two_clients
    from llct.organizations.tests.factories import make_user

    campaign = make_campaign(world)
    now = dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    essay = svc.essay_submit(
        campaign=campaign,
        person=world.person_a,
        text="Bài",
        upload=None,
        now=now,
        actor=world.learner,
    )
    svc.essay_grade(essay=essay, grade="fair", comment="Đạt", now=now, actor=world.officer_a)
    graders = two_clients(world.officer_a, make_user("canbo_a2", Role.ORG_OFFICER, world.org_a))
    assert_no_lost_update(
        graders,
        reverse("studies:essay", args=[essay.pk]),
        having="comment",
        first={"comment": "Nắm vững nội dung"},
        second={"grade": "good"},
        clash=("grade", "excellent", "average"),
    )
