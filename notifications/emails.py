"""The emails: one small function per message, a text and an HTML template each, in the reader's language.

Every message carries a one-click unsubscribe (RFC 8058: ``List-Unsubscribe`` with an https address and
``List-Unsubscribe-Post``) whose signed token names the person and the kind of email. Sending happens
after the transaction that caused it commits (``send_after_commit``), off the request's thread, so a slow
mail server never holds a reviewer's click; a failed send is logged, never an error page.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
KINDS = ("returned_items", "submission_digest", "deadline_reminders", "overdue_digest")


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The person and kind a token names, or None when it was not made by us (no expiry: a link in an
    old mail must still work)."""
    try:
        claim = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or claim.get("k") not in (*KINDS, "all"):
        return None
    user_id = claim.get("u")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None  # signed by us, yet not a link we make (a key rotated, a format changed): not valid
    return user_id, claim["k"]


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@dataclass
class Message:
    """A rendered message, ready to be sent by any thread (no database access left)."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]

    def send(self) -> bool:
        mail = EmailMultiAlternatives(
            subject=self.subject, body=self.text, to=[self.to], headers=self.headers
        )
        mail.attach_alternative(self.html, "text/html")
        try:
            mail.send()
        except OSError:
            logger.exception("Could not send the email %r to %s", self.subject, self.to)
            return False
        return True


def render(*, template: str, user, kind: str, language: str, context: dict) -> Message:
    """The message ``template`` (``notifications/email/<template>.txt``/``.html`` and ``_subject.txt``)
    for ``user`` in ``language``, with the unsubscribe link of ``kind``."""
    unsubscribe = site_url(
        reverse("notification_unsubscribe", args=[unsubscribe_token(user_id=user.pk, kind=kind)])
    )
    with translation.override(language):
        full = {
            **context,
            "user": user,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL.rstrip("/"),
            "unsubscribe_url": unsubscribe,
            "preferences_url": site_url(reverse("notification_preferences")),
            "LANGUAGE_CODE": language,
        }
        subject = " ".join(render_to_string(f"notifications/email/{template}_subject.txt", full).split())
        text = render_to_string(f"notifications/email/{template}.txt", full)
        html = render_to_string(f"notifications/email/{template}.html", full)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return Message(to=user.email, subject=subject, text=text, html=html, headers=headers)


def send_now(messages: list[Message]) -> int:
    return sum(1 for message in messages if message.send())


def send_after_commit(messages: list[Message]) -> None:
    """Send when the current transaction commits (not at all if it rolls back), off this thread."""
    if not messages:
        return

    def start() -> None:
        if getattr(settings, "NOTIFICATIONS_SEND_INLINE", False):
            send_now(messages)
            return
        threading.Thread(target=send_now, args=(messages,), name="notifications-send", daemon=True).start()

    transaction.on_commit(start)
