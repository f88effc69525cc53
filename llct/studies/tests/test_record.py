import datetime as dt

import pytest
from django.urls import reverse

from llct.studies import campaigns as svc
from llct.studies.indicators import study_participation
from llct.studies.tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_learner_reads_their_record_and_downloads_it_as_pdf(client, world):
    campaign = make_campaign(world, starts_on=dt.date(2025, 1, 5), deadline=dt.date(2025, 3, 1))
    svc.conference_record(
        campaign=campaign,
        organization=world.org_a1,
        held_on=dt.date(2025, 1, 20),
        title="Hội nghị",
        attendees=[world.person_a],
        today=dt.date(2025, 2, 1),
        actor=world.department,
    )
    client.force_login(world.learner)
    page = client.get(reverse("studies:record"))
    assert page.status_code == 200
    assert campaign.title in page.text and "20/01/2025" in page.text
    assert reverse("studies:record") in client.get(reverse("home")).text
    pdf = client.get(reverse("studies:record_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_staff_open_records_in_their_scope_only(client, world):
    client.force_login(world.officer_a)
    assert client.get(reverse("studies:person_record", args=[world.person_a.pk])).status_code == 200
    assert client.get(reverse("studies:person_record", args=[world.person_b.pk])).status_code == 404
    client.force_login(world.learner)
    assert client.get(reverse("studies:person_record", args=[world.person_b.pk])).status_code == 404


def test_participation_indicator_for_a_subtree_as_of_a_date(world):
    campaign = make_campaign(world)
    svc.conference_record(
        campaign=campaign,
        organization=world.org_a1,
        held_on=dt.date(2026, 2, 1),
        title="Hội nghị",
        attendees=[world.person_a],
        today=dt.date(2026, 2, 2),
        actor=world.department,
    )
    assert study_participation(organization=world.province, as_of=dt.date(2026, 2, 2)) == (
        study_participation(organization=world.province, as_of=dt.date(2026, 2, 2))
    )
    ratio = study_participation(organization=world.province, as_of=dt.date(2026, 2, 2))
    assert (ratio.numerator, ratio.denominator) == (1, 2)
    a = study_participation(organization=world.org_a, as_of=dt.date(2026, 2, 2))
    b = study_participation(organization=world.org_b, as_of=dt.date(2026, 2, 2))
    assert (a.numerator + b.numerator, a.denominator + b.denominator) == (1, 2)
    before = study_participation(organization=world.province, as_of=dt.date(2026, 1, 31))
    assert (before.numerator, before.denominator) == (0, 2)


def test_participation_is_an_indicator_of_the_monitoring_registry(world):
    from decimal import Decimal

    from llct.monitoring import indicators

    campaign = make_campaign(world)
    svc.conference_record(
        campaign=campaign,
        organization=world.org_a1,
        held_on=dt.date(2026, 2, 1),
        title="Hội nghị",
        attendees=[world.person_a],
        today=dt.date(2026, 2, 2),
        actor=world.department,
    )
    indicator = indicators.get("study_participation")
    values = indicator.compute_many(
        orgs=[world.province, world.org_a, world.org_b], as_of=dt.date(2026, 2, 2), year=2026
    )
    assert values[world.province.pk].numerator == Decimal(1)
    assert values[world.province.pk].denominator == Decimal(2)
    assert values[world.org_a.pk] + values[world.org_b.pk] == values[world.province.pk]
    listing = indicator.rows(
        user=world.officer_a, org=world.org_a, as_of=dt.date(2026, 2, 2), year=2026
    )
    assert [r.counted for r in listing.rows] == [True]
    assert (
        indicator.compute(org=world.province, as_of=dt.date(2026, 1, 31), year=2026).numerator == 0
    )
