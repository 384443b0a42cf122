"""Webhooks: events become signed deliveries that a partner's receiver verifies with ``standardwebhooks``;
failures are retried with backoff by the real Celery worker, logged, switched off with an email, and
re-sent by hand from the admin."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from commitments import services as commitment_services
from commitments.access import Role
from commitments.models import EvaluationRound, Indicator, IndicatorValue, Status
from reporting import services as report_services
from reporting.models import Report
from tests.conftest import make_user
from tests.webhooks.conftest import WORKER_SETTINGS
from webhooks import net, services
from webhooks.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

WORKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def endpoint_for(url: str, events=(Event.VALUE_APPROVED,), countries=()) -> WebhookEndpoint:
    endpoint = services.endpoint_save(
        endpoint=WebhookEndpoint(
            name=f"Partner {time.monotonic_ns()}", url=url, events=[str(e) for e in events]
        )
    )
    endpoint.countries.set(countries)
    return endpoint


def submitted_value(nl, progress_period, number: str = "44") -> IndicatorValue:
    return IndicatorValue.objects.create(
        country=nl,
        indicator=Indicator.objects.get(code="VI-2"),
        period=progress_period,
        number_value=Decimal(number),
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
    )


def approve(value, reviewer) -> IndicatorValue:
    return commitment_services.reviewable_transition(
        item=value, action="approve", user=reviewer, expected_version=value.version
    )


def wait_until(condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


# --- signing -------------------------------------------------------------------------------------------


def test_a_delivery_is_signed_as_standard_webhooks_says(db):
    endpoint = endpoint_for("https://partner.example/hooks")
    assert endpoint.secret.startswith("whsec_")
    now = timezone.now()
    headers = services.signed_headers(endpoint=endpoint, message_id="msg_1", body='{"a":1}', now=now)
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(endpoint.secret).verify('{"a":1}', headers) == {"a": 1}


def test_during_a_rotation_both_secrets_sign_then_only_the_new_one(db):
    endpoint = endpoint_for("https://partner.example/hooks")
    old = endpoint.secret
    rotated = services.endpoint_rotate_secret(endpoint=endpoint)
    assert rotated.secret != old and rotated.previous_secret == old
    now = timezone.now()
    headers = services.signed_headers(endpoint=rotated, message_id="msg_2", body="{}", now=now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify("{}", headers) == {}  # a partner still on the old secret
    assert Webhook(rotated.secret).verify("{}", headers) == {}  # one already on the new one
    later = now + dt.timedelta(hours=25)
    headers = services.signed_headers(endpoint=rotated, message_id="msg_3", body="{}", now=later)
    assert len(headers["webhook-signature"].split(" ")) == 1


def test_an_endpoint_needs_known_events(db):
    with pytest.raises(ValidationError):
        services.endpoint_save(endpoint=WebhookEndpoint(name="x", url="https://p.example/", events=["nope"]))
    with pytest.raises(ValidationError):
        services.endpoint_save(endpoint=WebhookEndpoint(name="y", url="https://p.example/", events=[]))


# --- events --------------------------------------------------------------------------------------------


def test_an_approval_writes_a_delivery_for_the_endpoints_that_asked(
    nl, be, progress_period, reviewer, django_capture_on_commit_callbacks
):
    wanted = endpoint_for("https://a.example/")
    limited_to_belgium = endpoint_for("https://b.example/", countries=[be])
    other_event = endpoint_for("https://c.example/", events=[Event.REPORT_PUBLISHED])
    with django_capture_on_commit_callbacks() as callbacks:
        value = approve(submitted_value(nl, progress_period), reviewer)
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == wanted
    assert delivery.payload["type"] == "value.approved"
    assert delivery.payload["data"]["id"] == value.pk
    assert delivery.payload["data"]["country"] == "NL"
    assert delivery.payload["data"]["number_value"] == "44.0000"
    # Handed to the workers after the commit (the other callback is the data generation's replacement,
    # sync/generation.py).
    handed = [callback for callback in callbacks if getattr(callback, "func", None) is services.dispatch]
    assert [callback.args for callback in handed] == [(delivery.pk,)]
    assert not WebhookDelivery.objects.filter(endpoint__in=[limited_to_belgium, other_event]).exists()


def test_a_step_rolled_back_sends_nothing(nl, progress_period, reviewer):
    endpoint_for("https://a.example/")
    value = submitted_value(nl, progress_period)
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(value, reviewer)
        raise RuntimeError("the caller fails after the step")
    assert not WebhookDelivery.objects.exists()


def test_reopening_an_approved_value_withdraws_it(nl, progress_period, reviewer):
    endpoint_for("https://a.example/", events=[Event.VALUE_WITHDRAWN])
    value = approve(submitted_value(nl, progress_period), reviewer)
    assert not WebhookDelivery.objects.exists()
    commitment_services.reviewable_transition(
        item=value, action="reopen", user=reviewer, reason="Wrong source", expected_version=value.version
    )
    data = WebhookDelivery.objects.get().payload["data"]
    assert data == {
        "id": value.pk,
        "country": "NL",
        "indicator": "VI-2",
        "period": progress_period.pk,
        "deleted": True,
    }


def test_publishing_an_alliance_report_publishes_it_and_releases_its_round(db, reviewer):
    endpoint_for("https://a.example/", events=[Event.REPORT_PUBLISHED, Event.ROUND_RELEASED])
    evaluation_round = EvaluationRound.objects.get()
    report = Report.objects.create(
        kind=Report.Kind.ALLIANCE,
        evaluation_round=evaluation_round,
        status=Report.Status.READY,
        file="reports/x.pdf",
        sha256="0" * 64,
        page_count=1,
        finished_at=timezone.now(),
    )
    # No approved data in this test's round: publishing needs the reviewer's reason (reporting, issue 11).
    report_services.report_publish(report=report, user=reviewer, reason="Webhook test.")
    report_services.report_publish(report=report, user=reviewer, reason="Again.")  # no second event
    events = sorted(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == ["report.published", "round.released"]
    released = WebhookDelivery.objects.get(event="round.released").payload["data"]
    assert released["id"] == evaluation_round.pk and released["report"] == f"/api/v1/reports/{report.pk}/"


# --- where deliveries may go ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hooks",
        "http://localhost/hooks",
        "http://10.0.0.5/hooks",
        "http://192.168.1.10/hooks",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[::1]/hooks",
        "http://100.64.0.1/hooks",
    ],
)
def test_private_and_loopback_addresses_are_never_reached(db, url, nl, progress_period, reviewer):
    endpoint = endpoint_for(url)
    with override_settings(WEBHOOK_ALLOW_PRIVATE_ADDRESSES=False):
        with pytest.raises(net.DeliveryError, match="not a public address"):
            net.post(url, b"{}", {}, timeout=1)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, message_id="msg_private", event=Event.VALUE_APPROVED, payload={}
        )
        outcome = services.delivery_attempt(delivery_id=delivery.pk)
    assert "not a public address" in outcome.attempt.error
    assert outcome.attempt.status_code is None


# --- with the worker, the receiver and the mail server -------------------------------------------------


@WORKER
def test_an_approved_value_reaches_the_partner_signed(
    webhook_worker, worker_settings, receiver, nl, progress_period
):
    reviewer = make_user("rita-webhooks", Role.REVIEWER)
    endpoint = endpoint_for(receiver.url)
    receiver.secrets = [endpoint.secret]
    value = approve(submitted_value(nl, progress_period), reviewer)
    (request,) = receiver.wait_for(1)
    assert request.verified_with == [endpoint.secret]
    assert request.payload["type"] == "value.approved"
    assert request.payload["data"]["id"] == value.pk
    delivery = wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").first())
    assert request.headers["webhook-id"] == delivery.message_id
    (attempt,) = delivery.attempt_log.all()
    assert attempt.succeeded and attempt.status_code == 200
    assert delivery.message_id in attempt.response_body  # the answer, logged


@WORKER
def test_failures_are_retried_with_backoff_under_the_same_id(
    webhook_worker, worker_settings, receiver, nl, progress_period
):
    endpoint = endpoint_for(receiver.url)
    receiver.secrets = [endpoint.secret]
    receiver.answers = [500, 503]
    approve(submitted_value(nl, progress_period), make_user("rita-retries", Role.REVIEWER))
    requests = receiver.wait_for(3)
    assert len({request.headers["webhook-id"] for request in requests}) == 1
    assert all(request.verified_with for request in requests)
    delivery = wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").first())
    attempts = list(delivery.attempt_log.order_by("number"))
    assert [attempt.status_code for attempt in attempts] == [500, 503, 200]
    gaps = [
        (b.started_at - a.started_at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)
    ]
    base = WORKER_SETTINGS["WEBHOOK_RETRY_BASE_SECONDS"]
    assert gaps[0] >= base and gaps[1] >= 2 * base  # doubling
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).consecutive_failures == 0


@WORKER
def test_repeated_failure_switches_the_endpoint_off_and_emails_the_administrators(
    webhook_worker, worker_settings, receiver, smtp, nl, progress_period
):
    administrator = make_user("ada-webhooks", Role.ADMINISTRATOR)
    endpoint = endpoint_for(receiver.url)
    receiver.secrets = [endpoint.secret]
    receiver.answers = [503] * WORKER_SETTINGS["WEBHOOK_MAX_ATTEMPTS"]
    value = approve(submitted_value(nl, progress_period), make_user("rita-failing", Role.REVIEWER))
    receiver.wait_for(WORKER_SETTINGS["WEBHOOK_MAX_ATTEMPTS"])
    delivery = wait_until(lambda: WebhookDelivery.objects.filter(status="failed").first())
    assert delivery.attempts == WORKER_SETTINGS["WEBHOOK_MAX_ATTEMPTS"]
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == [administrator.email]
    text = mail.content.decode()
    assert endpoint.name in text and "HTTP 503" in text
    # Nothing more is sent to a switched-off endpoint.
    commitment_services.reviewable_transition(
        item=value,
        action="reopen",
        user=make_user("rita-again", Role.REVIEWER),
        reason="Check",
        expected_version=value.version,
    )
    assert not WebhookDelivery.objects.exclude(pk=delivery.pk).exists()

    # An administrator switches it on again and re-sends the delivery from the admin.
    administrator.is_staff = True
    administrator.save()
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(
        "/admin/webhooks/webhookendpoint/", {"action": "switch_on", "_selected_action": [endpoint.pk]}
    )
    assert response.status_code == 302
    response = admin.post(
        "/admin/webhooks/webhookdelivery/", {"action": "resend", "_selected_action": [delivery.pk]}
    )
    assert response.status_code == 302
    requests = receiver.wait_for(WORKER_SETTINGS["WEBHOOK_MAX_ATTEMPTS"] + 1)
    assert requests[-1].headers["webhook-id"] == delivery.message_id
    delivered = wait_until(lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="delivered").first())
    last = delivered.attempt_log.order_by("number").last()
    assert last.by_hand and last.status_code == 200
    assert (
        WebhookAttempt.objects.filter(delivery=delivery).count()
        == WORKER_SETTINGS["WEBHOOK_MAX_ATTEMPTS"] + 1
    )


def test_a_switched_off_endpoint_cannot_be_re_sent_to(db):
    endpoint = endpoint_for("https://a.example/")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=timezone.now())
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_off",
        event=Event.VALUE_APPROVED,
        payload={},
        status="failed",
        finished_at=timezone.now(),
    )
    with pytest.raises(ValidationError):
        services.delivery_resend(delivery=delivery)


def test_administrators_rotate_secrets_and_switch_endpoints_off_in_the_admin(administrator):
    endpoint = endpoint_for("https://a.example/")
    admin = Client()
    admin.force_login(administrator)
    changelist = "/admin/webhooks/webhookendpoint/"
    assert admin.get(changelist).status_code == 200
    old = endpoint.secret
    admin.post(changelist, {"action": "rotate_secret", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.previous_secret_until > timezone.now()
    admin.post(changelist, {"action": "switch_off", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "ada-admin" in endpoint.disabled_reason
    # A new endpoint made in the admin gets its secret there.
    response = admin.post(
        f"{changelist}add/",
        {"name": "Statistics office", "url": "https://stats.example/hooks", "events": ["report.published"]},
    )
    assert response.status_code == 302, response.content
    assert WebhookEndpoint.objects.get(name="Statistics office").secret.startswith("whsec_")


def test_the_switch_off_stands_when_the_mail_server_is_away(administrator, caplog):
    endpoint = endpoint_for("https://a.example/")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=timezone.now())
    nowhere = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 1},
    }
    with override_settings(MAILERS={"default": nowhere}):
        assert services.endpoint_switched_off_notice(endpoint_id=endpoint.pk) == 0
    assert "Could not email the administrators" in caplog.text
