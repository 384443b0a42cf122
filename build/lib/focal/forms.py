"""The questionnaire's forms (one per question, prefixed by its key) and the staff's decision form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.forms import IndicatorValueForm, ServiceErrorsMixin, VersionedForm, limit_of
from commitments.models import CommitmentProgress, Indicator

from .models import Reply, SelfReportProgress, SelfReportResponse, SelfReportValue


class SelfValueForm(IndicatorValueForm):
    """The government's value of an indicator: typed like the staff's (same field, same limits)."""

    content_fields = ("value", "note")

    def __init__(self, *args: Any, indicator: Indicator, value: SelfReportValue | None = None, **kwargs: Any):
        kwargs.setdefault("prefix", f"values-{indicator.pk}")
        super().__init__(*args, indicator=indicator, value=value, **kwargs)
        del self.fields["evidence_links"]
        self.fields["note"].max_length = limit_of(SelfReportValue, "note")

    def initial_from(self, source: Any | None) -> dict[str, Any]:
        if source is None:
            return {"value": "", "note": ""}
        shown = super().initial_from(_WithLinks(source))
        shown.pop("evidence_links", None)
        return shown


class _WithLinks:
    """A government value seen through the staff form's eyes (which also shows evidence links)."""

    def __init__(self, row: SelfReportValue) -> None:
        self._row = row
        self.evidence_links = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


class SelfProgressForm(VersionedForm):
    content_fields = ("completion", "narrative")

    completion = forms.ChoiceField(
        label=_("Completion as the government sees it"),
        required=False,
        choices=[*CommitmentProgress.Completion.choices, ("", _("Not answered"))],
        widget=forms.RadioSelect(attrs={"class": "radio-list"}),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=limit_of(SelfReportProgress, "narrative"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, commitment, item: SelfReportProgress | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"progress-{commitment.pk}")
        kwargs.setdefault(
            "initial", {**self.initial_from(item), "expected_version": item.version if item else 0}
        )
        super().__init__(*args, **kwargs)

    def initial_from(self, source: Any | None) -> dict[str, Any]:
        if source is None:
            return {"completion": "", "narrative": ""}
        return {"completion": source.completion, "narrative": source.narrative}


class SelfResponseForm(VersionedForm):
    content_fields = ("answer", "action")

    answer = forms.ChoiceField(
        label=_("The government's response"),
        required=False,
        choices=[*SelfReportResponse.Answer.choices, ("", _("Not answered"))],
        widget=forms.RadioSelect(attrs={"class": "radio-list"}),
    )
    action = forms.CharField(
        label=_("What the government will do"),
        required=False,
        max_length=limit_of(SelfReportResponse, "action"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, recommendation, item: SelfReportResponse | None = None, **kwargs: Any):
        kwargs.setdefault("prefix", f"responses-{recommendation.pk}")
        kwargs.setdefault(
            "initial", {**self.initial_from(item), "expected_version": item.version if item else 0}
        )
        super().__init__(*args, **kwargs)

    def initial_from(self, source: Any | None) -> dict[str, Any]:
        if source is None:
            return {"answer": "", "action": ""}
        return {"answer": source.answer, "action": source.action}


class ReplyForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("The government's reply"),
        max_length=limit_of(Reply, "text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Printed in the report beside the rapporteur's findings, marked as the government's."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
