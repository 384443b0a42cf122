"""Celery task of the webhooks: one attempt per run, the next one scheduled with backoff (services.py).

It runs on its own queue, ``webhooks`` (CELERY_TASK_ROUTES), so that a slow partner never holds up
the reports: workers take it with ``-Q celery,webhooks``. ``acks_late``: a worker that dies mid-attempt
leaves the message to be
taken again, and the attempt is sent again with the same ``webhook-id`` (receivers drop repeats by id).
The number of attempts is bounded by WEBHOOK_MAX_ATTEMPTS in the service, not by Celery's count.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_webhook(self, delivery_id: int, by_hand: bool = False) -> None:
    """Send one attempt of a delivery; when it failed and attempts remain, come back after the backoff."""
    outcome = services.delivery_attempt(delivery_id=delivery_id, by_hand=by_hand)
    if outcome.retry_in is not None:
        raise self.retry(kwargs={"delivery_id": delivery_id, "by_hand": False}, countdown=outcome.retry_in)
