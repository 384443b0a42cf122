"""Forms of the workspace: each input fits its indicator's type; saving goes through commitments.services.

Forms only parse and display. What a value must satisfy (bounds, types, evidence links) is checked by
the model's ``clean()`` inside the services, whose errors ``add_service_errors`` puts back at the field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    MATURITY_LEVELS,
    REASON_LIMIT,
    Commitment,
    CommitmentProgress,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
)

NOT_ANSWERED = ("", _("Not answered"))
DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def limit_of(model, name: str) -> int | None:
    """A text's length limit, as its model field says it (one set of limits: the model's)."""
    return model._meta.get_field(name).max_length


def plain_decimal(number: Decimal | None) -> Decimal | None:
    """12.5000 -> 12.5 and 100.0000 -> 100 (``normalize`` alone would give 1E+2)."""
    if number is None:
        return None
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


class ServiceErrorsMixin:
    """Puts a service's ValidationError back on the form: at the field it names, or above the form."""

    field_aliases: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels read as plain words, without a colon
        super().__init__(*args, **kwargs)

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                target = self.field_aliases.get(name, name)
                self.add_error(target if target in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class VersionedForm(ServiceErrorsMixin, forms.Form):
    """A form for a reviewable row: carries the version the user started from (optimistic concurrency).

    Only what the client sent changes: ``keep_unsent`` turns the fields missing from the request into
    disabled ones (Django then takes their current value), and ``service_values`` leaves them out, so the
    service keeps them as they are. A partial client, a script or an extension that drops fields can
    never blank a field it did not send.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    content_fields: tuple[str, ...] = ()

    def keep_unsent(self) -> None:
        """Fields the request does not carry keep their current value (call before validating)."""
        if not self.is_bound:
            return
        for name in self.content_fields:
            field = self.fields[name]
            if field.widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name)):
                field.disabled = True

    @property
    def sent_fields(self) -> list[str]:
        return [name for name in self.content_fields if not self.fields[name].disabled]

    def changed_from(self, source: Any | None) -> bool:
        """Whether what was posted differs from ``source`` (the row, or the version the user loaded)."""
        initial = self.initial_from(source)
        for name in self.sent_fields:
            field = self.fields[name]
            if field.has_changed(initial.get(name), self[name].data):
                return True
        return False

    def initial_from(self, source: Any | None) -> dict[str, Any]:
        raise NotImplementedError

    def service_values(self) -> dict[str, Any]:
        """The cleaned input as the service takes it (keyword arguments)."""
        return {
            name: value.strip() if isinstance(value, str) else value
            for name, value in self.cleaned_data.items()
            if name in self.sent_fields
        }


# --- indicator values ---------------------------------------------------------------------------------


class IndicatorValueForm(VersionedForm):
    """One indicator's value for a country and period, with a note and evidence links."""

    content_fields = ("value", "note", "evidence_links")
    field_aliases = {"number_value": "value", "boolean_value": "value", "text_value": "value"}

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=limit_of(IndicatorValue, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        help_text=_("One web address per line."),
        max_length=limit_of(IndicatorValue, "evidence_links"),
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "url"}),
    )

    def __init__(self, *args: Any, indicator: Indicator, value: Any | None = None, **kwargs: Any) -> None:
        self.indicator = indicator
        kwargs.setdefault("prefix", indicator.code)
        kwargs.setdefault(
            "initial", {**self.initial_from(value), "expected_version": value.version if value else 0}
        )
        super().__init__(*args, **kwargs)
        self.fields["value"] = self._value_field(indicator)
        self.order_fields(["value", "note", "evidence_links", "expected_version"])

    @staticmethod
    def _value_field(indicator: Indicator) -> forms.Field:
        label = indicator.name
        kind = indicator.value_type
        if kind == Indicator.ValueType.BOOLEAN:
            return forms.ChoiceField(
                label=label,
                required=False,
                choices=[("yes", _("Yes")), ("no", _("No")), NOT_ANSWERED],
                widget=forms.RadioSelect(attrs={"class": "radio-list"}),
            )
        if kind == Indicator.ValueType.MATURITY:
            return forms.ChoiceField(
                label=label,
                required=False,
                choices=[*((str(level), text) for level, text in MATURITY_LEVELS.items()), NOT_ANSWERED],
                widget=forms.RadioSelect(attrs={"class": "radio-list radio-list--stacked"}),
            )
        if kind == Indicator.ValueType.TEXT:
            return forms.CharField(
                label=label,
                required=False,
                max_length=limit_of(IndicatorValue, "text_value"),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        # Numbers and percentages: typed as people write them in the active language (12,5 in Dutch).
        return forms.DecimalField(
            label=label,
            required=False,
            localize=True,
            max_digits=20,
            decimal_places=4,
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "class": "input-number", "autocomplete": "off"}
            ),
        )

    def initial_from(self, source: Any | None) -> dict[str, Any]:
        if source is None:
            return {"value": "", "note": "", "evidence_links": ""}
        kind = self.indicator.value_type
        if kind == Indicator.ValueType.BOOLEAN:
            value = {True: "yes", False: "no"}.get(source.boolean_value, "")
        elif kind == Indicator.ValueType.MATURITY:
            value = "" if source.number_value is None else str(int(source.number_value))
        elif kind == Indicator.ValueType.TEXT:
            value = source.text_value
        else:
            value = plain_decimal(source.number_value)
        return {"value": value, "note": source.note, "evidence_links": source.evidence_links}

    def service_values(self) -> dict[str, Any]:
        """The cleaned input as ``indicator_value_save`` takes it: only what was sent."""
        data = self.cleaned_data
        sent = self.sent_fields
        values: dict[str, Any] = {}
        if "value" in sent:
            values = {"number_value": None, "boolean_value": None, "text_value": ""}
            raw = data.get("value")
            kind = self.indicator.value_type
            if kind == Indicator.ValueType.BOOLEAN:
                values["boolean_value"] = {"yes": True, "no": False}.get(raw)
            elif kind == Indicator.ValueType.MATURITY:
                values["number_value"] = Decimal(raw) if raw not in (None, "") else None
            elif kind == Indicator.ValueType.TEXT:
                values["text_value"] = (raw or "").strip()
            else:
                values["number_value"] = raw
        for name in ("note", "evidence_links"):
            if name in sent:
                values[name] = (data.get(name) or "").strip()
        return values


# --- commitment progress and recommendation follow-up ---------------------------------------------------


class CommitmentProgressForm(VersionedForm):
    content_fields = ("completion", "narrative", "evidence_links")

    completion = forms.ChoiceField(
        label=_("Completion"),
        choices=CommitmentProgress.Completion.choices,
        widget=forms.RadioSelect(attrs={"class": "radio-list radio-list--stacked"}),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=limit_of(CommitmentProgress, "narrative"),
        help_text=_("What was done in this period, and what is still to do."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        help_text=_("One web address per line."),
        max_length=limit_of(CommitmentProgress, "evidence_links"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, item: CommitmentProgress | None = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {**self.initial_from(item), "expected_version": item.version if item else 0}
        )
        super().__init__(*args, **kwargs)

    def initial_from(self, source: Any | None) -> dict[str, Any]:
        if source is None:
            return {"completion": "", "narrative": "", "evidence_links": ""}
        return {
            "completion": source.completion,
            "narrative": source.narrative,
            "evidence_links": source.evidence_links,
        }


class FollowUpForm(VersionedForm):
    content_fields = ("follow_up", "narrative", "evidence_links")

    follow_up = forms.ChoiceField(
        label=_("What became of it"),
        choices=RecommendationFollowUp.FollowUpStatus.choices,
        widget=forms.RadioSelect(attrs={"class": "radio-list radio-list--stacked"}),
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=limit_of(RecommendationFollowUp, "narrative"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"),
        required=False,
        help_text=_("One web address per line."),
        max_length=limit_of(CommitmentProgress, "evidence_links"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, item: RecommendationFollowUp | None = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {**self.initial_from(item), "expected_version": item.version if item else 0}
        )
        super().__init__(*args, **kwargs)

    def initial_from(self, source: Any | None) -> dict[str, Any]:
        if source is None:
            return {"follow_up": "", "narrative": "", "evidence_links": ""}
        return {
            "follow_up": source.follow_up,
            "narrative": source.narrative,
            "evidence_links": source.evidence_links,
        }


# --- commitments, recommendations, responses --------------------------------------------------------------


class ReviewedTextForm(ServiceErrorsMixin, forms.ModelForm):
    """A reviewed text's form: shows the working text and carries the version the user started from."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.instance.pk is not None:
            # Only what the client sent changes: a field missing from the request keeps its working
            # value (a disabled field takes it from the instance), and the service is not given it.
            for name in self._meta.fields:
                field = self.fields[name]
                if field.widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name)):
                    field.disabled = True

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields if not self.fields[name].disabled}


class CommitmentForm(ReviewedTextForm):
    class Meta:
        model = Commitment
        fields = [
            "goal",
            "title",
            "description",
            "baseline",
            "lead_organisation",
            "committed_on",
            "target_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "baseline": forms.Textarea(attrs={"rows": 3}),
            "committed_on": DATE_WIDGET["widget"],
            "target_date": DATE_WIDGET["widget"],
        }


class RecommendationForm(ReviewedTextForm):
    class Meta:
        model = Recommendation
        fields = ["source_document", "number", "goal", "text", "addressees", "issued_on"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "addressees": forms.Textarea(attrs={"rows": 3}),
            "issued_on": DATE_WIDGET["widget"],
        }


class GovernmentResponseForm(ReviewedTextForm):
    class Meta:
        model = GovernmentResponse
        fields = ["response", "reference", "responded_on", "summary"]
        widgets = {
            "response": forms.RadioSelect(attrs={"class": "radio-list radio-list--stacked"}),
            "responded_on": DATE_WIDGET["widget"],
            "summary": forms.Textarea(attrs={"rows": 4}),
        }


# --- workflow -----------------------------------------------------------------------------------------


class ReasonForm(ServiceErrorsMixin, forms.Form):
    """A reason for returning or reopening an item, or for opening or closing a period."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,  # required for return and reopen: the service says so, at this field
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
