"""The form to request an evaluation report (the browser's door to services.report_request)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from commitments import access
from commitments.models import Country, EvaluationRound
from commitments.selectors import order_by_name

from .models import Report


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=Report.Kind.choices, initial=Report.Kind.ALLIANCE)
    evaluation_round = forms.ModelChoiceField(
        label=_("Evaluation round"),
        queryset=EvaluationRound.objects.order_by("-ministerial_date"),
        empty_label=None,
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        required=False,
        help_text=_("For a country evaluation only."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        countries = order_by_name(Country.objects.exclude(membership=Country.Membership.OBSERVER))
        self.fields["country"].queryset = access.editable_countries(user, countries)
        if not access.is_reviewer(user):
            # Staff request the evaluation of their own countries only.
            self.fields["kind"].choices = [(Report.Kind.COUNTRY, Report.Kind.COUNTRY.label)]
            self.fields["kind"].initial = Report.Kind.COUNTRY

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Report.Kind.COUNTRY and not cleaned.get("country"):
            self.add_error("country", _("Choose the country of a country evaluation."))
        return cleaned
