"""The workspace's pages for withholdings (not public): the list, asking to withhold an item of a country,
and a reviewer's decision. Who may do what is the services' rule (``opendata.services``): these pages
only show it; a refusal from a service is a 403 with its reason (four eyes included)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments import access
from commitments.views.base import _country

from . import selectors, services
from .forms import WithholdingDecideForm, WithholdingProposeForm
from .models import Withholding


class FilterForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("All states")), *Withholding.State.choices],
    )

    def __init__(self, *args, countries, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")  # as the house's forms: labels without a colon
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries"))] + [
            (country.code, country.name) for country in countries
        ]


def _countries(request: HttpRequest):
    countries = selectors.withholding_countries(user=request.user)
    if not countries:
        raise PermissionDenied(_("Only those who speak for a country, and reviewers, see withholdings."))
    return countries


@login_required
def withholding_list(request: HttpRequest) -> HttpResponse:
    """Every withholding of the countries the user speaks for (reviewers: all), filtered by country and
    state; invalid filters are named and left out."""
    countries = _countries(request)
    form = FilterForm(request.GET, countries=countries)
    form.is_valid()
    chosen = form.cleaned_data.get("country", "")
    shown = [country for country in countries if country.code == chosen] if chosen else countries
    rows = selectors.withholding_list(countries=shown, state=form.cleaned_data.get("state", ""))
    return render(
        request,
        "opendata/withholding_list.html",
        {
            "form": form,
            "rows": rows,
            "country": shown[0] if chosen else None,
            "can_review": access.can_review(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def withholding_propose(request: HttpRequest, code: str) -> HttpResponse:
    """Ask to withhold one of the country's items on the public site, with a reason."""
    country = _country(code)
    if not services.may_propose(request.user, country):
        raise PermissionDenied(
            _("Only those who speak for %(country)s may ask to withhold its items.")
            % {"country": country.name}
        )
    groups = selectors.withholdable_items(country=country)
    data = request.POST if request.method == "POST" else None
    form = WithholdingProposeForm(
        data, groups=groups, country=country, initial={"item": request.GET.get("item", "")}
    )
    if form.is_valid():
        kind, item_id = form.item_key()
        try:
            services.withholding_propose(
                kind=kind, item_id=item_id, reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Asked to withhold it: the item stays public until another reviewer approves."),
            )
            return redirect(f"{reverse('withholding_list')}?{urlencode({'country': country.code})}")
    return render(
        request,
        "opendata/withholding_form.html",
        {"form": form, "country": country, "has_items": bool(groups)},
        status=400 if form.errors else 200,
    )


@login_required
def withholding_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """One withholding, and for reviewers other than its proposer, the form to approve or reject it."""
    withholding = get_object_or_404(
        Withholding.objects.select_related("country", "proposed_by", "decided_by"), pk=pk
    )
    if not services.may_propose(request.user, withholding.country):
        raise Http404  # not a country the user speaks for: as if it did not exist
    form = WithholdingDecideForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            decided = services.withholding_decide(
                withholding=withholding,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
            if getattr(error, "code", None) == "decided":
                withholding.refresh_from_db()
                status = 409
        else:
            messages.success(
                request,
                _("Approved: the item is off the public site.")
                if decided.state == Withholding.State.APPROVED
                else _("Rejected: the item stays on the public site."),
            )
            return redirect(
                f"{reverse('withholding_list')}?{urlencode({'country': withholding.country.code})}"
            )
    if form.errors and status == 200:
        status = 400
    [row] = selectors.withholding_list(countries=[withholding.country], state="", pk=withholding.pk)
    return render(
        request,
        "opendata/withholding_detail.html",
        {
            "withholding": row,
            "form": form,
            "can_review": access.can_review(request.user),
            "own": withholding.proposed_by_id == request.user.pk,
        },
        status=status,
    )
