"""Webhooks: registering endpoints, emitting events, delivering them signed, retrying, switching off.

- ``event_emit`` writes one delivery per endpoint that asked for the event, in the caller's transaction,
  and hands each to Celery once that transaction commits (``tasks.deliver_webhook``).
- ``delivery_attempt`` sends one attempt: the body is the event as JSON, the headers those of the
  Standard Webhooks specification (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``: ``v1,``
  and the base64 HMAC-SHA256 of ``id.timestamp.body`` with the endpoint's secret, a second signature
  with the previous secret while a rotation overlaps). A 2xx answer delivers; anything else is logged
  and retried after ``WEBHOOK_RETRY_BASE_SECONDS`` x 2^(attempt-1) (at most
  ``WEBHOOK_RETRY_MAX_SECONDS``), up to ``WEBHOOK_MAX_ATTEMPTS`` attempts.
- After ``WEBHOOK_DISABLE_AFTER`` failed attempts in a row an endpoint is switched off and the
  administrators get an email; an administrator switches it on again and re-sends by hand (admin).
- Addresses that resolve to private, loopback, link-local or otherwise non-public networks are never
  reached unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` is on (net.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks.webhooks import Webhook

from commitments.access import Role

from . import net
from .models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
ANSWER_KEPT = 2000  # characters of an answer kept in the attempt log


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- endpoints ----------------------------------------------------------------------------------------


def endpoint_save(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Create or change an endpoint (the admin's form); a new one gets its secret here."""
    if not endpoint.secret:
        endpoint.secret = new_secret()
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing beside it for ``WEBHOOK_SECRET_OVERLAP_HOURS``."""
    with transaction.atomic():
        current = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        current.previous_secret = current.secret
        current.previous_secret_until = timezone.now() + dt.timedelta(
            hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS
        )
        current.secret = new_secret()
        current.full_clean()
        current.save()
    return current


def endpoint_switch_on(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Switch an endpoint on again (after it was switched off for failing), with a clean slate."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
    )
    endpoint.refresh_from_db()
    return endpoint


def endpoint_switch_off(*, endpoint: WebhookEndpoint, reason: str) -> WebhookEndpoint:
    """Stop sending to an endpoint (an administrator's decision; its deliveries stay in the log)."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason[:300]
    )
    endpoint.refresh_from_db()
    return endpoint


def signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one while the rotation overlaps."""
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        keys.append(endpoint.previous_secret)
    return keys


def signed_headers(*, endpoint: WebhookEndpoint, message_id: str, body: str, now: dt.datetime) -> dict:
    """The Standard Webhooks headers of one attempt (one ``v1,`` signature per signing secret)."""
    signatures = [
        Webhook(key).sign(msg_id=message_id, timestamp=now, data=body)
        for key in signing_secrets(endpoint, now)
    ]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
        "user-agent": "AllianceMonitor-Webhooks/1",
    }


# --- events -------------------------------------------------------------------------------------------


def event_emit(*, event: Event, data: dict, country_id: int | None = None) -> list[int]:
    """Write a delivery of ``event`` for every active endpoint that asked for it (and for the event's
    country, when the endpoint is limited to some): in the caller's transaction, so a change that is
    rolled back sends nothing; each is handed to the workers after the commit. Returns the ids."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True).prefetch_related("countries")
        if endpoint.wants(event)
        and (
            country_id is None
            or not endpoint.countries.all()
            or country_id in {c.pk for c in endpoint.countries.all()}
        )
    ]
    if not endpoints:
        return []
    now = timezone.now()
    payload = json.loads(
        json.dumps({"type": str(event), "timestamp": now.isoformat(), "data": data}, cls=DjangoJSONEncoder)
    )
    ids = []
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, message_id=f"msg_{uuid.uuid4().hex}", event=event, payload=payload
        )
        ids.append(delivery.pk)
    for delivery_id in ids:
        transaction.on_commit(partial(dispatch, delivery_id))
    return ids


def dispatch(delivery_id: int, *, by_hand: bool = False) -> None:
    """Hand a delivery to the workers: Celery's ``webhooks`` queue, or without Redis a thread of this
    process that makes the attempts one after the other, waiting between them."""
    if settings.BACKGROUND_JOBS == "celery":
        from .tasks import deliver_webhook  # the task module imports this one

        try:
            deliver_webhook.apply_async(kwargs={"delivery_id": delivery_id, "by_hand": by_hand}, retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: logged; the delivery stays pending
            logger.warning("Could not hand webhook delivery %s to Celery", delivery_id, exc_info=True)
        return
    threading.Thread(target=_deliver_in_thread, args=(delivery_id, by_hand), daemon=True).start()


def _deliver_in_thread(delivery_id: int, by_hand: bool) -> None:
    from django.db import connection

    try:
        outcome = delivery_attempt(delivery_id=delivery_id, by_hand=by_hand)
        while outcome.retry_in is not None:
            time.sleep(outcome.retry_in)
            outcome = delivery_attempt(delivery_id=delivery_id)
    finally:
        connection.close()


# --- delivering ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of an attempt: ``retry_in`` seconds when another attempt is due, else None."""

    attempt: WebhookAttempt | None
    retry_in: float | None = None


def retry_delay(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: doubling from the base, capped."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)


def delivery_attempt(*, delivery_id: int, by_hand: bool = False) -> Outcome:
    """Send one attempt of a pending delivery and log it. Safe to run twice: the delivery's row is
    locked while it is sent (a second worker skips it), and a finished one is not sent again."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return Outcome(attempt=None)
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            _finish(delivery, WebhookDelivery.Status.FAILED)
            return Outcome(attempt=None)
        now = timezone.now()
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
        headers = signed_headers(endpoint=endpoint, message_id=delivery.message_id, body=body, now=now)
        started = time.monotonic()
        attempt = WebhookAttempt(
            delivery=delivery, number=delivery.attempts + 1, started_at=now, by_hand=by_hand
        )
        try:
            answer = net.post(endpoint.url, body.encode(), headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
        except net.DeliveryError as error:
            attempt.error = str(error)[:500]
        else:
            attempt.status_code = answer.status
            attempt.response_body = answer.body[:ANSWER_KEPT]
            attempt.succeeded = 200 <= answer.status < 300
        attempt.duration_ms = round((time.monotonic() - started) * 1000)
        attempt.full_clean()
        attempt.save()
        delivery.attempts = attempt.number
        if attempt.succeeded:
            _finish(delivery, WebhookDelivery.Status.DELIVERED)
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return Outcome(attempt=attempt)
        logger.warning(
            "Webhook %s to %s, attempt %s, failed: %s",
            delivery.message_id,
            endpoint.name,
            attempt.number,
            attempt.error or f"HTTP {attempt.status_code}",
        )
        switched_off = _count_failure(endpoint)
        if switched_off or attempt.number >= settings.WEBHOOK_MAX_ATTEMPTS:
            _finish(delivery, WebhookDelivery.Status.FAILED)
            return Outcome(attempt=attempt)
        delivery.save(update_fields=["attempts"])
        return Outcome(attempt=attempt, retry_in=retry_delay(attempt.number))


def _finish(delivery: WebhookDelivery, status: str) -> None:
    delivery.status, delivery.finished_at = status, timezone.now()
    delivery.save(update_fields=["status", "finished_at", "attempts"])


def _count_failure(endpoint: WebhookEndpoint) -> bool:
    """One more failure in a row; switch the endpoint off at the limit (and tell the administrators
    after the commit). True when it was switched off now."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    switched = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, is_active=True, consecutive_failures__gte=settings.WEBHOOK_DISABLE_AFTER
    ).update(
        is_active=False,
        disabled_at=timezone.now(),
        disabled_reason=_("%(count)s failed attempts in a row.") % {"count": settings.WEBHOOK_DISABLE_AFTER},
    )
    if switched:
        logger.warning("Webhook endpoint %s switched off after repeated failures", endpoint.name)
        transaction.on_commit(lambda: endpoint_switched_off_notice(endpoint_id=endpoint.pk))
    return bool(switched)


def endpoint_switched_off_notice(*, endpoint_id: int) -> int:
    """Email the administrators that an endpoint was switched off; returns how many were written to."""
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    last = WebhookAttempt.objects.filter(delivery__endpoint=endpoint).order_by("-started_at", "-pk").first()
    recipients = sorted(
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        logger.error("Webhook endpoint %s switched off, and no administrator has an email address", endpoint)
        return 0
    context = {"endpoint": endpoint, "last": last, "site_name": settings.SITE_NAME}
    try:
        send_mail(
            subject=_("Webhook endpoint switched off: %(name)s") % {"name": endpoint.name},
            message=render_to_string("webhooks/email/endpoint_switched_off.txt", context),
            from_email=None,
            recipient_list=recipients,
        )
    except OSError:  # the mail server away: the switch-off stands, and the log says who was not told
        logger.exception(
            "Could not email the administrators that webhook endpoint %s was switched off", endpoint
        )
        return 0
    return len(recipients)


def delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again by hand (the admin's action): same message id, a new attempt, and the
    retries again if it fails. Refused while its endpoint is switched off."""
    if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
        raise ValidationError(_("Switch the endpoint on before re-sending its deliveries."), code="inactive")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING, finished_at=None
        )
        transaction.on_commit(partial(dispatch, delivery.pk, by_hand=True))
    delivery.refresh_from_db()
    return delivery
