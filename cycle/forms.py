"""Forms of the evaluation cycle: they parse and display; cycle.services decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.forms import DATE_WIDGET, ServiceErrorsMixin
from commitments.models import NARRATIVE_LIMIT, REASON_LIMIT, Country, Goal

from .models import Decision

# The version a reviewed text's form was loaded at travels in a hidden field; when it is garbled the
# reviewer can do nothing about it but reload (the field's own "Enter a whole number." would puzzle them).
RELOAD = _("Reload the page: the form no longer says which version you started from. Nothing was saved.")


def version_field() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        error_messages={"invalid": RELOAD, "min_value": RELOAD},
    )


class StepForm(ServiceErrorsMixin, forms.Form):
    """Take a round one step on, or reopen it: with the stage the reviewer saw, and a reason."""

    from_stage = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,  # required for reopening: the service says so
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReleaseForm(ServiceErrorsMixin, forms.Form):
    released_at = forms.DateTimeField(
        label=_("Release moment"),
        required=False,
        help_text=_("The moment the round's approved data and published reports become public."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_LIMIT)


def country_choices() -> list[tuple[str, str]]:
    countries = sorted(
        Country.objects.exclude(membership=Country.Membership.OBSERVER), key=lambda c: c.sort_key
    )
    return [(country.code, country.name) for country in countries]


def goal_choices() -> list[tuple[str, str]]:
    return [(goal.code, goal.title) for goal in Goal.objects.order_by("order")]


class MeetingForm(ServiceErrorsMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), **DATE_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200)
    countries = forms.MultipleChoiceField(
        label=_("Participating countries"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-columns"}),
    )
    # When the meeting was last saved, as the reviewer loaded it: a save over someone else's is refused.
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = country_choices()

    def clean_loaded_at(self) -> dt.datetime | None:
        value = self.cleaned_data["loaded_at"]
        if not value:
            return None
        try:
            loaded = dt.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(RELOAD, code="invalid") from None
        if loaded.tzinfo is None:
            raise forms.ValidationError(RELOAD, code="invalid")
        return loaded


class EvaluationForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("The ministers' evaluation of the policy effects"),
        max_length=NARRATIVE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    expected_version = version_field()


class DecisionForm(ServiceErrorsMixin, forms.Form):
    number = forms.CharField(label=_("Decision number"), max_length=20)
    title = forms.CharField(label=_("What was decided"), max_length=200)
    text = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=NARRATIVE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    goals = forms.MultipleChoiceField(label=_("Goals"), widget=forms.CheckboxSelectMultiple)
    countries = forms.MultipleChoiceField(
        label=_("Countries that take it on"),
        required=False,
        help_text=_("Choose none for all participating countries."),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "check-columns"}),
    )
    lead = forms.CharField(label=_("Who leads"), max_length=200)
    due_on = forms.DateField(label=_("By when"), **DATE_WIDGET)
    expected_version = version_field()

    content_fields = ("number", "title", "text", "goals", "countries", "lead", "due_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].choices = goal_choices()
        self.fields["countries"].choices = country_choices()

    @staticmethod
    def initial_of(decision: Decision) -> dict[str, Any]:
        values = decision.working_copy()
        return {name: getattr(values, name) for name in DecisionForm.content_fields} | {
            "expected_version": decision.version
        }

    def service_values(self) -> dict[str, Any]:
        return {
            name: value.strip() if isinstance(value, str) else value
            for name, value in self.cleaned_data.items()
            if name in self.content_fields
        }


class TextStepForm(ServiceErrorsMixin, forms.Form):
    """A reviewed text's workflow step (submit, approve, return, reopen) with its reason and version."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=REASON_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_version = version_field()


class PlanForm(ServiceErrorsMixin, forms.Form):
    deadline = forms.DateField(
        label=_("Submission deadline of the evaluation period"),
        required=False,
        help_text=_("Leave empty for a month after the period ends."),
        **DATE_WIDGET,
    )
