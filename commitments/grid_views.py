"""The data-entry grid's pages: a country's grid, a goal's grid across countries, submitting chosen items.

Without JavaScript the grid is one form: it posts every editable row with the version it was loaded at,
and only the rows whose fields changed are saved (``views._versioned_save``: fields a request does not
carry are left as they are). With JavaScript (static/js/grid.js) each cell saves itself through the API
(``/api/v1/values/``) with its version as the user leaves it; the form stays the fallback.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import access, grid, services
from .forms import IndicatorValueForm
from .models import Country, Goal, Indicator, ReportingPeriod
from .views import _conflict_message, _country, _require, _versioned_save, conflict_lines, seen_value


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name alone.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(context: dict[str, Any]) -> str:
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    name = conditional_escape(widget["name"])
    return f'<input type="{widget["type"]}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _textarea(context: dict[str, Any]) -> str:
    widget = context["widget"]
    text = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'
    )


def _select(context: dict[str, Any]) -> str:
    widget = context["widget"]
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return "\n".join(parts)


def _errors(context: dict[str, Any]) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    identifier = f' id="{conditional_escape(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
    return f'<ul class="{conditional_escape(context["error_class"])}"{identifier}>{items}</ul>'


class GridRenderer(DjangoTemplates):
    """Renders the grid's widgets and error lists in Python, as Django's own templates write them.

    A goal's grid across 55 countries holds some 1,000 widgets; through the template engine they were
    most of the page's time (bench/bench_grid.py). Any other template goes to the template engine.
    """

    FAST = {
        "django/forms/widgets/text.html": _input,
        "django/forms/widgets/number.html": _input,
        "django/forms/widgets/hidden.html": _input,
        "django/forms/widgets/textarea.html": _textarea,
        "django/forms/widgets/select.html": _select,
        "django/forms/errors/list/default.html": _errors,
        "django/forms/errors/list/ul.html": _errors,
    }

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        fast = self.FAST.get(template_name)
        return fast(context) if fast else super().render(template_name, context, request)


GRID_RENDERER = GridRenderer()


def _grid_form(data: Any, row: grid.GridRow) -> IndicatorValueForm:
    """The row's form, with compact widgets: a select for yes/no and levels, one-line texts."""
    form = IndicatorValueForm(
        data, indicator=row.indicator, value=row.value, prefix=row.key, renderer=GRID_RENDERER
    )
    field = form.fields["value"]
    label = f"{row.indicator.code} {row.indicator.name}"
    if row.indicator.value_type in {Indicator.ValueType.BOOLEAN, Indicator.ValueType.MATURITY}:
        # Not answered first: an empty select reads as "nothing entered", as the cell is.
        choices = [field.choices[-1], *field.choices[:-1]]
        field.choices = choices
        field.widget = django_forms.Select(choices=choices)
    elif row.indicator.value_type == Indicator.ValueType.TEXT:
        field.widget = django_forms.Textarea(attrs={"rows": 1})
    field.widget.attrs.update({"data-cell": "value", "aria-label": label})
    form.fields["note"].widget = django_forms.Textarea(
        attrs={"rows": 1, "data-cell": "note", "aria-label": _("Note: %(indicator)s") % {"indicator": label}}
    )
    return form


def _save_rows(request: HttpRequest, rows: list[grid.GridRow], period: ReportingPeriod) -> tuple[int, int]:
    """Save the posted rows that changed; returns (saved, failed). Rows keep their forms and conflicts."""
    data = request.POST.copy()
    saved = failed = 0
    for row in rows:
        row.form = _grid_form(data, row)
        if not row.is_editable or not period.is_open:
            continue  # locked rows are shown, not posted

        def save(row=row, **values):
            return services.indicator_value_save(
                country=row.country, indicator=row.indicator, period=period, user=request.user, **values
            )

        outcome, detail = _versioned_save(form=row.form, data=data, current=row.value, save=save)
        if outcome == "saved":
            saved += 1
            detail.indicator, detail.country = row.indicator, row.country
            row.value = detail
        elif outcome == "conflict":
            failed += 1
            row.conflict = {"message": str(detail), "lines": conflict_lines(detail)}
            detail.current.indicator, detail.current.country = row.indicator, row.country
            row.value = detail.current
        elif outcome == "invalid":
            failed += 1
    return saved, failed


def _grid_page(request: HttpRequest, *, the_grid: grid.Grid, context: dict[str, Any]) -> HttpResponse:
    period = the_grid.period
    rows = the_grid.rows
    failed = 0
    if request.method == "POST":
        if not period.is_open:
            messages.error(
                request,
                _("The period %(period)s is closed: its data can no longer be changed.")
                % {"period": period.name},
            )
            return redirect(request.path)
        saved, failed = _save_rows(request, rows, period)
        if not failed:
            messages.success(
                request,
                ngettext("%(count)d value saved.", "%(count)d values saved.", saved) % {"count": saved}
                if saved
                else _("Nothing changed, so nothing was saved."),
            )
            return redirect(request.path)
        messages.error(
            request,
            ngettext(
                "%(count)d value was not saved: see the row marked below. What you typed is kept.",
                "%(count)d values were not saved: see the rows marked below. What you typed is kept.",
                failed,
            )
            % {"count": failed},
        )
    else:
        for row in rows:
            row.form = _grid_form(None, row)
    conflicts = any(row.conflict for row in rows)
    return render(
        request,
        "commitments/grid.html",
        {
            "grid": the_grid,
            "period": period,
            "seen": {row.key: seen_value(row.value) for row in rows if row.can_submit},
            **context,
        },
        status=409 if conflicts else (400 if failed else 200),
    )


@login_required
def data_grid(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """A country's indicators for a period as a compact grid."""
    country = _country(code)
    _require(access.can_edit_country(request.user, country))
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    the_grid = grid.grid_for_country(country=country, period=period)
    return _grid_page(
        request,
        the_grid=the_grid,
        context={
            "country": country,
            "goal": None,
            "goals": Goal.objects.order_by("order"),
            "many_countries": len(access.assigned_country_ids(request.user)) > 1
            or access.can_review(request.user),
        },
    )


@login_required
def goal_grid(request: HttpRequest, goal: str, period_id: int) -> HttpResponse:
    """One goal's indicators across every country the user may edit (the secretariat's grid)."""
    the_goal = get_object_or_404(Goal, code=goal)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    countries = sorted(
        access.editable_countries(
            request.user, Country.objects.exclude(membership=Country.Membership.OBSERVER)
        ),
        key=lambda country: country.sort_key,
    )
    _require(bool(countries))
    the_grid = grid.grid_for_goal(goal=the_goal, countries=countries, period=period)
    return _grid_page(
        request,
        the_grid=the_grid,
        context={
            "country": None,
            "goal": the_goal,
            "goals": Goal.objects.order_by("order"),
            "many_countries": True,
        },
    )


@login_required
def enter_data(request: HttpRequest, code: str) -> HttpResponse:
    """ "Enter data": the grid of the open period that still has work in it (never a locked one first)."""
    country = _country(code)
    _require(access.can_edit_country(request.user, country))
    period = grid.entry_period(country=country)
    if period is None:
        messages.info(request, _("No period is open for data entry."))
        return redirect("country_detail", code=country.code)
    return redirect("data_grid", code=country.code, period_id=period.pk)


@login_required
@require_POST
def submit_chosen(request: HttpRequest, period_id: int) -> HttpResponse:
    """Submit the values chosen in a grid: first a page listing them, then (confirmed) the submission."""
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    if not (access.is_staff_member(request.user) or access.can_review(request.user)):
        raise Http404
    back = _safe_back(request)
    chosen, left_out = grid.submittable_values(user=request.user, keys=request.POST.getlist("item"))
    chosen = [item for item in chosen if item.period_id == period.pk]
    if not chosen:
        messages.info(request, _("Choose the values to submit first (the boxes in the first column)."))
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "commitments/grid_submit.html",
            {
                "period": period,
                "items": chosen,
                "left_out": left_out,
                "back": back,
                "keys": [seen_value(item) for item in chosen],
            },
        )
    try:
        count = services.reviewable_transition_many(items=chosen, action="submit", user=request.user)
    except services.EditConflict as conflict:
        messages.error(request, _conflict_message(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)d item submitted for review.", "%(count)d items submitted for review.", count)
            % {"count": count},
        )
    return redirect(back)


def _safe_back(request: HttpRequest) -> str:
    """Where the grid came from: one of the grid pages (never an address from outside)."""
    back = request.POST.get("back", "")
    if back.startswith("/") and not back.startswith("//"):
        try:
            from django.urls import resolve

            if resolve(back.split("?")[0]).url_name in {"data_grid", "goal_grid"}:
                return back
        except Http404:
            pass
    return reverse("home")
