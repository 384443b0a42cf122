"""The workspace's forms for withholdings: asking to withhold an item, and deciding on it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.forms import ServiceErrorsMixin
from commitments.models import REASON_LIMIT


class WithholdingProposeForm(ServiceErrorsMixin, forms.Form):
    """One released item of a country (a select grouped by kind) and why it should be withheld."""

    field_aliases = {"kind": "item", "item_id": "item"}

    # Not a ChoiceField: an item that left the list (withheld meanwhile, a double submit, another country's)
    # gets a message that says why, rather than "not one of the available choices".
    item = forms.CharField(label=_("Item on the public site"), widget=forms.Select)
    reason = forms.CharField(
        label=_("Why it should be withheld"),
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Reviewers read this, and it stays in the item's history. It is never public."),
    )

    def __init__(self, *args, groups: list[tuple[str, list[tuple[str, str]]]], country, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country = country
        self.fields["item"].widget.choices = [("", _("Choose an item")), *groups]
        self.allowed = {key for _label, choices in groups for key, _text in choices}

    def clean_item(self) -> str:
        key = self.cleaned_data["item"]
        if key not in self.allowed:
            raise forms.ValidationError(
                _(
                    "This is not one of the items of %(country)s on the public site, or it is already "
                    "withheld or proposed for withholding."
                )
                % {"country": self.country.name},
                code="unknown_item",
            )
        return key

    def item_key(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["item"].partition(":")
        return kind, int(pk)


class WithholdingDecideForm(ServiceErrorsMixin, forms.Form):
    """A reviewer's decision: approve or reject, with a reason (required to reject: the service says so)."""

    field_aliases = {"decision_reason": "reason", "approve": "decision"}

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: take it off the public site")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject."),
    )
