"""Email that reminds: returned items to staff, digests to reviewers, reminders before deadlines, each in
the person's language, each with a one-click unsubscribe; sent through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments import services
from notifications import services as notifications
from notifications import tasks
from notifications.models import NotificationLog, NotificationPreference
from tests.conftest import make_user
from tests.notifications.conftest import parsed, text_of

pytestmark = pytest.mark.django_db(transaction=False)


def submitted_values(*, country, period, user, codes, indicator):
    """Values of ``codes`` entered and submitted by ``user``."""
    items = []
    for number, code in enumerate(codes, start=1):
        value = services.indicator_value_save(
            country=country,
            indicator=indicator(code),
            period=period,
            user=user,
            number_value=Decimal(number),
            expected_version=None,
        )
        items.append(
            services.reviewable_transition(
                item=value, action="submit", user=user, expected_version=value.version
            )
        )
    return items


def unsubscribe_link(envelope) -> str:
    header = parsed(envelope)["List-Unsubscribe"]
    return re.fullmatch(r"<(.+)>", header).group(1)


def test_returning_items_emails_the_staff_of_the_country_once_for_all_of_them(
    mailbox, nl, progress_period, staff_nl, staff_be, reviewer, indicator, django_capture_on_commit_callbacks
):
    items = submitted_values(
        country=nl, period=progress_period, user=staff_nl, codes=["VI-2", "VI-5"], indicator=indicator
    )
    with django_capture_on_commit_callbacks(execute=True):  # the email goes after the commit
        services.reviewable_transition_many(
            items=items, action="return", user=reviewer, reason="Which source?"
        )

    (envelope,) = mailbox.wait_for(1)
    assert envelope.rcpt_tos == [staff_nl.email]  # Belgian staff hear nothing of the Netherlands
    message = parsed(envelope)
    assert "2 items were returned to you" in message["Subject"]
    body = text_of(envelope)
    assert "VI-2" in body and "VI-5" in body and body.count("Which source?") == 2
    assert f"https://monitor.example.org/countries/NL/periods/{progress_period.pk}/grid/" in body
    # RFC 8058: a one-click unsubscribe address, and the HTML part beside the text.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_link(envelope).startswith("https://monitor.example.org/notifications/unsubscribe/")
    assert message.get_body(preferencelist=("html",)) is not None


def test_a_return_that_rolls_back_sends_nothing(
    mailbox, nl, progress_period, staff_nl, reviewer, indicator, django_capture_on_commit_callbacks
):
    items = submitted_values(
        country=nl, period=progress_period, user=staff_nl, codes=["VI-2", "VI-5"], indicator=indicator
    )
    items[1].version = 1  # stale: the batch stops at the second item, and the first return rolls back
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.EditConflict):
        services.reviewable_transition_many(items=items, action="return", user=reviewer, reason="Which?")
    mailbox_after = list(mailbox.messages)
    assert mailbox_after == []
    # The next return (a new transaction) mails only its own item.
    item = type(items[0]).objects.get(pk=items[0].pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.reviewable_transition(
            item=item, action="return", user=reviewer, reason="Source?", expected_version=item.version
        )
    (envelope,) = mailbox.wait_for(1)
    assert "1 item was returned to you" in parsed(envelope)["Subject"]


def test_one_click_unsubscribe_stops_that_kind_of_email(
    client, mailbox, nl, progress_period, staff_nl, reviewer, indicator, django_capture_on_commit_callbacks
):
    items = submitted_values(
        country=nl, period=progress_period, user=staff_nl, codes=["VI-2"], indicator=indicator
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reviewable_transition_many(
            items=items, action="return", user=reviewer, reason="Which source?"
        )
    link = unsubscribe_link(mailbox.wait_for(1)[0]).removeprefix("https://monitor.example.org")
    # What a mail client sends (RFC 8058): a POST without a session or CSRF token.
    response = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=staff_nl).returned_items is False
    assert NotificationPreference.objects.get(user=staff_nl).submission_digest is True  # only that kind
    mailbox.messages.clear()
    value = type(items[0]).objects.get(pk=items[0].pk)
    value = services.reviewable_transition(
        item=value, action="submit", user=staff_nl, expected_version=value.version
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.reviewable_transition(
            item=value, action="return", user=reviewer, reason="Again?", expected_version=value.version
        )
    assert callbacks  # the return ran to its commit ...
    assert mailbox.messages == []  # ... and sent nothing


def test_a_forged_unsubscribe_link_changes_nothing(client, staff_nl):
    response = client.post("/notifications/unsubscribe/not-a-token/")
    assert response.status_code == 404
    assert not NotificationPreference.objects.filter(user=staff_nl, returned_items=False).exists()


def test_emails_come_in_the_language_the_person_chose(
    mailbox, nl, progress_period, staff_nl, reviewer, indicator, django_capture_on_commit_callbacks
):
    notifications.preference_update(user=staff_nl, language="nl")
    items = submitted_values(
        country=nl, period=progress_period, user=staff_nl, codes=["VI-2"], indicator=indicator
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reviewable_transition_many(items=items, action="return", user=reviewer, reason="Welke bron?")
    (envelope,) = mailbox.wait_for(1)
    assert "1 item is aan u teruggegeven" in parsed(envelope)["Subject"]
    assert "Reden: Welke bron?" in text_of(envelope)


def test_the_language_last_used_counts_when_none_was_chosen(client, staff_nl):
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    client.post(
        reverse("login"), {"username": staff_nl.username, "password": "correct-horse-battery-staple-2014"}
    )
    assert NotificationPreference.objects.get(user=staff_nl).email_language == "nl"


def test_reviewers_get_one_digest_of_the_submissions_and_not_twice(
    mailbox,
    nl,
    be,
    progress_period,
    staff_nl,
    staff_be,
    reviewer,
    indicator,
    django_capture_on_commit_callbacks,
):
    other = make_user("otto-reviewer", "Reviewer")
    submitted_values(
        country=nl, period=progress_period, user=staff_nl, codes=["VI-2", "VI-5", "VI-3"], indicator=indicator
    )
    submitted_values(country=be, period=progress_period, user=staff_be, codes=["VI-2"], indicator=indicator)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_submission_digests() == 2  # one email per reviewer, not one per item
    envelopes = mailbox.wait_for(2)
    assert sorted(e.rcpt_tos[0] for e in envelopes) == sorted([reviewer.email, other.email])
    body = text_of(envelopes[0])
    assert "NL Netherlands, 2014 progress: 3" in body and "BE Belgium, 2014 progress: 1" in body
    assert "4 submissions wait for your review" in parsed(envelopes[0])["Subject"]
    mailbox.messages.clear()
    assert tasks.send_submission_digests() == 0  # nothing new since


def test_staff_are_reminded_days_before_the_deadline_once(
    mailbox, nl, progress_period, staff_nl, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_REMINDER_DAYS = [3]
    today = progress_period.deadline - dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.deadline_reminders(today=today) == 1
    (envelope,) = mailbox.wait_for(1)
    assert envelope.rcpt_tos == [staff_nl.email]
    assert "2014 progress: the deadline is in 3 days" in parsed(envelope)["Subject"]
    assert "Netherlands: 35 indicators" in text_of(envelope)
    # Beat may run the job again the same day: nobody gets it twice.
    assert notifications.deadline_reminders(today=today) == 0
    assert NotificationLog.objects.filter(kind="deadline_reminders").count() == 1
    # Not on other days.
    assert notifications.deadline_reminders(today=today - dt.timedelta(days=1)) == 0


def test_reviewers_get_a_digest_of_what_is_overdue(
    mailbox, progress_period, reviewer, django_capture_on_commit_callbacks
):
    today = progress_period.deadline + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.overdue_digests(today=today) == 1
    (envelope,) = mailbox.wait_for(1)
    assert envelope.rcpt_tos == [reviewer.email]
    assert "2014 progress, Netherlands: 35 indicators" in text_of(envelope)
    assert notifications.overdue_digests(today=today) == 0


def test_the_preferences_page_saves_the_choices(client, staff_nl, django_assert_num_queries):
    client.force_login(staff_nl)
    response = client.post(
        reverse("notification_preferences"),
        {"language": "nl", "returned_items": "on", "deadline_reminders": "on"},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=staff_nl)
    assert (preference.language, preference.returned_items, preference.submission_digest) == (
        "nl",
        True,
        False,
    )
    assert preference.history.first().history_change_reason == "preferences"
    client.get(reverse("notification_preferences"))  # warm the session
    # session, user, groups (nav), the preference
    with django_assert_num_queries(4):
        assert client.get(reverse("notification_preferences")).status_code == 200


def test_nobody_without_an_address_or_account_is_mailed(mailbox, progress_period, reviewer):
    reviewer.email = ""
    reviewer.save()
    assert notifications.overdue_digests(today=progress_period.deadline + dt.timedelta(days=1)) == 0
    assert timezone.now()  # the mailbox stays empty
    assert mailbox.messages == []
