"""What a country asked to keep off the public site: a withholding, proposed and approved (four eyes).

A withholding names one item (an indicator value, a commitment's progress, a commitment, a finding, a
government response to a recommendation or the government's reply to its chapter) by its kind and id.
It is proposed by someone who speaks for the item's country and takes effect only once a reviewer other
than the proposer approves it (``opendata.services``). The public site reads only ``opendata.released``,
which leaves out every item with an approved withholding.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from commitments.models import REASON_LIMIT, Country, bounded_text
from reporting.models import Report


class Withholding(models.Model):
    """A country's request that one item stay off the public site, and the reviewer's decision on it."""

    class Kind(models.TextChoices):
        VALUE = "value", _("Indicator value")
        PROGRESS = "progress", _("Commitment progress")
        COMMITMENT = "commitment", _("Commitment")
        FINDING = "finding", _("Finding")
        RESPONSE = "response", _("Government response")
        REPLY = "reply", _("Government's reply")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        # Its own context: "Rejected" of a government's response to a recommendation is "Niet overgenomen".
        REJECTED = "rejected", pgettext_lazy("withholding state", "Rejected")

    kind = models.CharField(_("kind of item"), max_length=12, choices=Kind.choices)
    item_id = models.PositiveBigIntegerField(_("item"))
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country")
    )
    reason = bounded_text(REASON_LIMIT, verbose_name=_("why it is withheld"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = bounded_text(REASON_LIMIT, verbose_name=_("reason for the decision"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("withholding")
        verbose_name_plural = _("withholdings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "item_id"],
                condition=Q(state__in=["proposed", "approved"]),
                name="withholding_one_open_per_item",
                violation_error_message=_("This item is already withheld or proposed for withholding."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="withholding_has_reason",
                violation_error_message=_("Say why the item should be withheld."),
            ),
            # Four eyes, in the database too: nobody decides on their own proposal.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="withholding_four_eyes",
                violation_error_message=_("Another reviewer must decide on a withholding you proposed."),
            ),
            models.CheckConstraint(
                condition=Q(state="proposed", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(state="proposed") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="withholding_decided_has_who_and_when",
                violation_error_message=_("A decision records who took it and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item_id} ({self.get_state_display()})"


class ReportDownloads(models.Model):
    """How often a published report was downloaded from the public site, per report and day.

    A count and nothing about who: no address, no browser, no cookie (the public site sets none), so the
    log holds no personal data. Written by ``services.report_download_count`` on each full download (a
    revalidation answered 304, a HEAD and a refusal are not downloads)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+", verbose_name=_("report"))
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        ordering = ["-day", "report_id"]
        verbose_name = _("report downloads")
        verbose_name_plural = _("report downloads")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "day"],
                name="report_downloads_one_row_a_day",
                violation_error_message=_("One count per report and day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.day}: {self.count}"
