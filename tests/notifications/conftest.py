"""The mail of these tests goes through the real SMTP server of the suite (tests/conftest.py)."""

from __future__ import annotations

import email
from email import policy

import pytest
from django.test import override_settings


@pytest.fixture
def mailbox(smtp_server):
    """The app sends through the test SMTP server; the mailbox starts empty. Sends happen inline (not on a
    thread) so that a test sees them when the request or task returns."""
    smtp_server.handler.messages.clear()
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 10},
    }
    with override_settings(
        MAILERS={"default": mailer}, NOTIFICATIONS_SEND_INLINE=True, SITE_URL="https://monitor.example.org"
    ):
        yield smtp_server.handler


def parsed(envelope) -> email.message.EmailMessage:
    """An envelope the server received, as a parsed message."""
    return email.message_from_bytes(envelope.content, policy=policy.default)


def text_of(envelope) -> str:
    message = parsed(envelope)
    return message.get_body(preferencelist=("plain",)).get_content()
