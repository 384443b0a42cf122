"""Evaluation reports: the background job that builds a PDF, its parts, and who downloaded it.

A ``Report`` row is the single source of truth for a requested report; Celery only delivers the work.
Every step claims its row with a conditional ``update()`` (status and claiming task id), so a message
delivered twice, a retry and a worker that died mid-report all end in one finished report, never two.
The alliance-wide report is rendered as ``ReportPart`` rows (executive summary, one chapter per goal,
one profile per country, annexes) in parallel and joined; see services.py for the pipeline.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import Country, EvaluationRound


def report_upload_to(report: Report, filename: str) -> str:
    return f"reports/{report.pk or 'new'}/{filename}"


class Report(models.Model):
    """A requested evaluation report (alliance-wide or for one country) and the PDF it produced."""

    class Kind(models.TextChoices):
        ALLIANCE = "alliance", _("Alliance-wide evaluation")
        COUNTRY = "country", _("Country evaluation")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        # Where a running report is; each stage has one owner at a time (claimed_task_id).
        NONE = "", _("Not running")
        PREPARING = "preparing", _("Collecting the data")
        PARTS = "parts", _("Rendering the parts")
        ASSEMBLING = "assembling", _("Joining the parts")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    evaluation_round = models.ForeignKey(
        EvaluationRound, on_delete=models.PROTECT, related_name="reports", verbose_name=_("evaluation round")
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="reports",
        null=True,
        blank=True,
        verbose_name=_("country"),
        help_text=_("Only for a country evaluation."),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="en")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.NONE, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("last handed to the workers"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # The current claim: which task owns the current stage, where it runs, since when.
    claimed_task_id = models.CharField(_("claimed by task"), max_length=255, blank=True)
    claimed_by = models.CharField(_("claimed by worker"), max_length=255, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # The claim's lease: the owner renews it with a heartbeat while it works; a lapsed lease is handed
    # over by the sweep (see reporting/leases.py).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    file = models.FileField(_("PDF file"), upload_to=report_upload_to, blank=True, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    snapshot = models.CharField(
        _("data snapshot"),
        max_length=64,
        blank=True,
        help_text=_(
            "SHA-256 of the approved data the report was built from: the same data gives the same value."
        ),
    )
    data_as_of = models.DateTimeField(_("data as of"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    publish_reason = models.TextField(
        _("reason for publishing with too little data"),
        blank=True,
        help_text=_("Why a reviewer published a report whose round has too little approved data."),
    )

    # The audit sees a report requested (created), built, failed, published and withdrawn; the pipeline's
    # bookkeeping (who holds which stage, attempts) is not part of it. Most steps are conditional
    # update()s, which write no history by themselves: services.py records each step it makes.
    history = HistoricalRecords(
        excluded_fields=[
            "stage",
            "enqueued_at",
            "started_at",
            "claimed_task_id",
            "claimed_by",
            "claimed_at",
            "attempts",
            "heartbeat_at",
            "lease_expires_at",
        ]
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("evaluation report")
        verbose_name_plural = _("evaluation reports")
        indexes = [
            models.Index(fields=["status", "enqueued_at"], name="report_status_enqueued"),
            models.Index(fields=["published_at"], name="report_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="country", country__isnull=False) | Q(kind="alliance", country__isnull=True),
                name="report_country_only_for_country_kind",
                violation_error_message=_(
                    "A country evaluation names one country; the alliance-wide one none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & ~Q(sha256="") & Q(page_count__isnull=False)),
                name="report_ready_has_file",
                violation_error_message=_("A ready report has its file, checksum and page count."),
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="ready"),
                name="report_published_only_when_ready",
                violation_error_message=_("Only a ready report can be published."),
            ),
            models.CheckConstraint(
                condition=Q(status="running") | Q(stage=""),
                name="report_stage_only_when_running",
                violation_error_message=_("Only a running report has a stage."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_language_display()}, #{self.pk})"

    @property
    def title(self) -> str:
        if self.kind == self.Kind.COUNTRY and self.country_id:
            return f"{self.get_kind_display()} {self.evaluation_round}: {self.country.name}"
        return f"{self.get_kind_display()} {self.evaluation_round}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def short_snapshot(self) -> str:
        return self.snapshot[:12]

    @property
    def download_name(self) -> str:
        """The file name people see: alliance-monitor-2012-2014-NL-nl.pdf."""
        round_label = "".join(c if c.isalnum() else "-" for c in str(self.evaluation_round.label))
        scope = self.country.code if self.kind == self.Kind.COUNTRY and self.country_id else "alliance"
        return f"alliance-monitor-{round_label}-{scope}-{self.language}.pdf"


class ReportPart(models.Model):
    """One independently rendered piece of an alliance-wide report (rendered in parallel, then joined)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="parts", verbose_name=_("report")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.CharField(
        _("key"), max_length=60, help_text=_("What the part holds: summary, goal:…, countries:…, annexes")
    )
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    enqueued_at = models.DateTimeField(_("last handed to the workers"), null=True, blank=True)
    claimed_task_id = models.CharField(_("claimed by task"), max_length=255, blank=True)
    claimed_by = models.CharField(_("claimed by worker"), max_length=255, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    render_seconds = models.FloatField(_("seconds spent in WeasyPrint"), null=True, blank=True)
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("SHA-256 of everything that goes into the part: the same hash, the same PDF (reused)."),
    )
    reused = models.BooleanField(_("reused"), default=False, help_text=_("Taken from an earlier render."))
    anchors = models.JSONField(
        _("anchors"),
        default=dict,
        blank=True,
        help_text=_("The page (from 0) each table-of-contents entry of the part starts on."),
    )

    class Meta:
        ordering = ["report_id", "position"]
        verbose_name = _("report part")
        verbose_name_plural = _("report parts")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "position"],
                name="report_part_unique_position",
                violation_error_message=_("The report already has a part at this position."),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file_name="") & Q(page_count__isnull=False)),
                name="report_part_done_has_file",
                violation_error_message=_("A finished part has its file and page count."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.position} {self.key}"


class ReportDownload(models.Model):
    """One download of a report file: who (a person or an API partner), when, and through which door."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web page")
        API = "api", _("API")

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("report")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_downloads",
        verbose_name=_("user"),
    )
    client = models.CharField(
        _("API client"), max_length=200, blank=True, help_text=_("The partner or token that downloaded it.")
    )
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    downloaded_at = models.DateTimeField(_("downloaded at"), auto_now_add=True, db_index=True)

    # So that the sealed audit trail holds who downloaded what: the person is the download's own user
    # (none for a partner's token, named in ``client``), not whoever the request says.
    history = HistoricalRecords(get_user=lambda instance, **kwargs: instance.user)

    class Meta:
        ordering = ["-downloaded_at", "-id"]
        verbose_name = _("report download")
        verbose_name_plural = _("report downloads")

    def __str__(self) -> str:
        who = self.user or self.client or "?"
        return f"{self.report_id} ← {who} ({self.downloaded_at:%Y-%m-%d %H:%M})"
