import datetime as dt

import pytest
import time_machine
from django.http import Http404

from llct.corps import followups
from llct.corps.models import FollowUp, FollowUpCriterion
from llct.corps.tests.factories import make_finished_course
from llct.monitoring import indicators

pytestmark = pytest.mark.django_db


def _answer(follow_up, officer, value):
    scores = {c.pk: (value, "") for c in FollowUpCriterion.objects.all()}
    followups.followup_answer(follow_up=follow_up, scores=scores, actor=officer)


@time_machine.travel(dt.datetime(2026, 12, 5, 9, 0), tick=False)
def test_training_effect_counts_good_evaluations_rolled_up(world):
    make_finished_course(world.province, [world.person_a, world.person_b], dt.date(2026, 3, 1))
    followups.followups_open(today=dt.date(2026, 12, 5))
    _answer(FollowUp.objects.get(enrolment__person=world.person_a), world.officer_a, 5)
    _answer(FollowUp.objects.get(enrolment__person=world.person_b), world.officer_b, 3)
    indicator = indicators.get("training_effect")
    day = dt.date(2026, 12, 5)
    by_org = indicator.compute_many(
        orgs=[world.province, world.org_a, world.org_b], as_of=day, year=2026
    )
    assert indicator.value_of(by_org[world.province.pk]) == 50
    assert indicator.value_of(by_org[world.org_a.pk]) == 100
    assert indicator.value_of(by_org[world.org_b.pk]) == 0
    listing = indicator.rows(user=world.officer_a, org=world.org_a, as_of=day, year=2026)
    assert [r.cells[0] for r in listing.rows] == ["Nguyễn Văn An"]
    with pytest.raises(Http404):
        indicator.rows(user=world.officer_a, org=world.org_b, as_of=day, year=2026)
    assert indicator.compute(org=world.province, as_of=day, year=2025).is_empty
