"""Webhooks: the events the services emit reach the endpoints whose token may read them, signed
with HMAC-SHA256; failed deliveries are retried with backoff, then given up; the administrator
reads the log and sends again."""

import datetime as dt
import http.server
import json
import threading
import time
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction
from django.tasks import default_task_backend
from django.utils import timezone

from llct.api import webhooks
from llct.api.models import WebhookDelivery, WebhookEndpoint
from llct.api.services import endpoint_create, token_revoke
from llct.api.tests.factories import make_token
from llct.assessment.certificates import certificate_revoke, certificates_issue
from llct.assessment.services import results_approve
from llct.core.models import Role
from llct.courses.models import Course
from llct.organizations.person_services import person_update


class Receiver(http.server.BaseHTTPRequestHandler):
    """A receiving system on 127.0.0.1: records each request, fails the first `failures`."""

    received: list[tuple[Any, bytes]]
    failures = 0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers, body))
        status = 500 if type(self).failures > 0 else 204
        type(self).failures -= 1
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def receiver(failures=0):
    handler = type("Handler", (Receiver,), {"received": [], "failures": failures})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", handler
    finally:
        server.shutdown()
        server.server_close()


def endpoint(world, url, *, organization=None, events=None, role=Role.ORG_OFFICER):
    token, _raw = make_token(world, role=role, organization=organization or world.org_a)
    return endpoint_create(
        token=token,
        url=url,
        events=events or ["certificate.issued", "certificate.revoked", "person.transferred"],
        actor=world.department,
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the test's transaction never commits)."""

    @contextmanager
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def issue(committed, data, *enrolments):
    with committed():
        return certificates_issue(
            course=data.course, enrolments=list(enrolments), issued_on=dt.date(2026, 5, 1)
        )


def fresh_enrolments(data):
    # The fixture's certificates were issued before any endpoint existed: revoke them so the
    # learners may be issued again.
    for certificate in (data.certificate_a, data.certificate_b):
        certificate.status = "revoked"
        certificate.revoked_on = dt.date(2026, 4, 2)
        certificate.revoke_reason = "Thử"
        certificate.save()


def test_an_issued_certificate_is_delivered_signed(world, data, committed):
    fresh_enrolments(data)
    with receiver() as (url, handler):
        hook = endpoint(world, url)
        (certificate,) = issue(committed, data, data.enrolment_a)
        assert len(handler.received) == 1
    headers, body = handler.received[0]
    assert webhooks.verify_signature(
        secret=hook.secret, header=headers["X-LLCT-Signature"], body=body, now=int(time.time())
    )
    assert not webhooks.verify_signature(
        secret="another-secret",
        header=headers["X-LLCT-Signature"],
        body=body,
        now=int(time.time()),
    )
    assert not webhooks.verify_signature(
        secret=hook.secret,
        header=headers["X-LLCT-Signature"],
        body=body + b" ",
        now=int(time.time()),
    )
    event = json.loads(body)
    assert headers["X-LLCT-Event"] == event["type"] == "certificate.issued"
    assert event["data"]["serial"] == certificate.serial
    assert event["data"]["person_id"] == world.person_a.pk
    assert "date_of_birth" not in body.decode() and "party_card_no" not in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1


def test_an_old_signature_is_refused(world):
    body = b'{"x":1}'
    header = webhooks.sign(secret="s", body=body, timestamp=1_000_000)
    assert webhooks.verify_signature(secret="s", header=header, body=body, now=1_000_100)
    assert not webhooks.verify_signature(secret="s", header=header, body=body, now=1_001_000)


def test_a_token_of_a_hears_nothing_of_b(world, data, committed):
    fresh_enrolments(data)
    with receiver() as (url, handler):
        endpoint(world, url, organization=world.org_a)
        issue(committed, data, data.enrolment_b)
        assert handler.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_department_token_hears_everything(world, data, committed):
    fresh_enrolments(data)
    with receiver() as (url, handler):
        endpoint(world, url, organization=world.province, role=Role.DEPARTMENT)
        issue(committed, data, data.enrolment_a, data.enrolment_b)
        assert len(handler.received) == 2


def test_a_failed_delivery_is_retried_with_backoff_then_delivered(world, data, settings, committed):
    fresh_enrolments(data)
    with receiver(failures=2) as (url, handler):
        endpoint(world, url)
        issue(committed, data, data.enrolment_a)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.attempts == 1 and delivery.response_status == 500
        assert delivery.next_attempt_at and delivery.last_attempt_at
        first_wait = delivery.next_attempt_at - delivery.last_attempt_at
        assert first_wait == dt.timedelta(seconds=settings.WEBHOOK_FIRST_RETRY_SECONDS)
        # Not due yet: nothing is sent.
        assert webhooks.deliver_due(now=timezone.now()) == 0
        webhooks.deliver_due(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.next_attempt_at and delivery.last_attempt_at
        assert delivery.next_attempt_at - delivery.last_attempt_at == 2 * first_wait
        webhooks.deliver_due(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 3
        assert len(handler.received) == 3
    # Each attempt is signed afresh, with the same delivery id.
    assert len({h["X-LLCT-Delivery"] for h, _body in handler.received}) == 1


def test_a_delivery_gives_up_after_the_last_attempt(world, data, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    fresh_enrolments(data)
    hook = endpoint(world, "http://127.0.0.1:9/nobody-listens")

    def refused(url, body, headers, timeout):
        raise ConnectionRefusedError("refused")

    WebhookDelivery.objects.create(
        endpoint=hook, event="certificate.issued", event_id="e1", payload={}
    )
    delivery = WebhookDelivery.objects.get()
    for day in range(3):
        now = timezone.now() + dt.timedelta(days=day)
        webhooks.deliver([delivery.pk], now=now, send=refused)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 3
    assert "ConnectionRefusedError" in delivery.error and delivery.next_attempt_at is None


def test_a_retry_is_scheduled_on_a_backend_that_can_wait(world, data, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    hook = endpoint(world, "http://127.0.0.1:9/x")
    delivery = WebhookDelivery.objects.create(
        endpoint=hook, event="certificate.issued", event_id="e1", payload={}
    )
    now = timezone.now()
    webhooks.deliver([delivery.pk], now=now, send=lambda *args: 503)
    delivery.refresh_from_db()
    (result,) = default_task_backend.results
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > now
    assert result.task.run_after == delivery.next_attempt_at
    assert result.args == [[delivery.pk]]


def test_nothing_is_sent_when_the_transaction_rolls_back(world, data, committed):
    fresh_enrolments(data)
    with receiver() as (url, handler):
        endpoint(world, url)
        with committed(), pytest.raises(RuntimeError), transaction.atomic():
            certificates_issue(
                course=data.course, enrolments=[data.enrolment_a], issued_on=dt.date(2026, 5, 1)
            )
            raise RuntimeError
        assert handler.received == []
    assert not WebhookDelivery.objects.exists()


def test_revoked_tokens_and_paused_endpoints_hear_nothing(world, data, committed):
    fresh_enrolments(data)
    with receiver() as (url, handler):
        revoked = endpoint(world, url)
        token_revoke(token=revoked.token, actor=world.department, now=timezone.now())
        paused = endpoint(world, url)
        WebhookEndpoint.objects.filter(pk=paused.pk).update(is_active=False)
        issue(committed, data, data.enrolment_a)
        assert handler.received == []


def test_revocation_transfer_and_approval_are_events(world, data, committed):
    with receiver() as (url, handler):
        endpoint(
            world,
            url,
            events=["certificate.revoked", "person.transferred", "results.approved"],
        )
        with committed():
            certificate_revoke(
                certificate=data.certificate_a,
                reason="Cấp nhầm",
                actor=world.department,
                today=dt.date(2026, 6, 1),
            )
        with committed():
            person_update(
                person=world.person_a,
                data={"organization": world.org_a},
                actor=world.department,
                today=dt.date(2026, 6, 1),
            )
        Course.objects.filter(pk=data.course.pk).update(status=Course.Status.FINISHED)
        data.course.refresh_from_db()
        with committed():
            results_approve(course=data.course, actor=world.department, today=dt.date(2026, 6, 1))
        kinds = [json.loads(body)["type"] for _headers, body in handler.received]
    assert kinds == ["certificate.revoked", "person.transferred", "results.approved"]
    transferred = json.loads(handler.received[1][1])["data"]
    assert transferred["from_organization_id"] == world.org_a1.pk
    assert transferred["to_organization_id"] == world.org_a.pk


# --- The pages -----------------------------------------------------------------------------------


def test_the_department_adds_a_webhook_and_sees_its_secret_once(client, world):
    token, _raw = make_token(world)
    client.force_login(world.department)
    response = client.post(
        "/ket-noi/webhook/tao/",
        {"token": token.pk, "url": "https://csdl.example.vn/llct", "events": ["results.approved"]},
    )
    hook = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and hook.secret in response.text
    assert hook.secret not in client.get(f"/ket-noi/webhook/{hook.pk}/").text


def test_the_delivery_log_and_sending_again(client, world, django_assert_max_num_queries):
    hook = endpoint(world, "http://127.0.0.1:9/x")
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=hook,
            event="certificate.issued",
            event_id=f"e{n}",
            payload={},
            status=WebhookDelivery.Status.FAILED,
            attempts=8,
            error="HTTP 500",
        )
        for n in range(30)
    )
    client.force_login(world.department)
    with django_assert_max_num_queries(10):
        page = client.get(f"/ket-noi/webhook/{hook.pk}/?status=failed")
    assert page.status_code == 200 and page.text.count("HTTP 500") == 30
    delivery = WebhookDelivery.objects.first()
    with receiver() as (url, handler):
        WebhookEndpoint.objects.filter(pk=hook.pk).update(url=url)
        client.post(f"/ket-noi/webhook/lan-gui/{delivery.pk}/gui-lai/")
        assert len(handler.received) == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


@pytest.mark.parametrize("who", ["officer_a", "leader"])
def test_only_the_department_reads_webhooks(client, world, who):
    hook = endpoint(world, "http://127.0.0.1:9/x")
    client.force_login(getattr(world, who))
    assert client.get("/ket-noi/webhook/").status_code == 403
    assert client.get(f"/ket-noi/webhook/{hook.pk}/").status_code == 404
    assert client.post(f"/ket-noi/webhook/{hook.pk}/bat-tat/").status_code == 404
    hook.refresh_from_db()
    assert hook.is_active
