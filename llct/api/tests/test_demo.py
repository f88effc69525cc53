"""The demo connections: tokens with a use history, a paused webhook with its log (nothing is
sent from a demo), study-calendar links for cells."""

import random

from django.utils import timezone

from llct.api.demo import api_demo
from llct.api.models import ApiRequest, ApiToken, StudyFeed, WebhookDelivery, WebhookEndpoint


def test_the_demo_shows_every_connection_and_sends_nothing(world, client):
    summary = api_demo(
        rng=random.Random(1), today=timezone.localdate(), department=world.department
    )
    assert summary["tokens"] == ApiToken.objects.count() == 2
    assert ApiRequest.objects.count() == summary["requests"] > 0
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).count() == 0
    assert WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).exists()
    assert StudyFeed.objects.filter(organization=world.org_a1).exists()
    client.force_login(world.department)
    assert client.get(f"/ket-noi/webhook/{endpoint.pk}/").status_code == 200
