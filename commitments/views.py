"""The rapporteur workspace (browser pages): thin views over selectors (reads) and services (writes).

Every page works without JavaScript. Forms that change a reviewable row carry the version the user
started from; a save based on stale data is refused by the service and shown with what changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reporting.charts import Chart, Series, bar_chart

from . import access, selectors, services
from .forms import (
    CommitmentForm,
    CommitmentProgressForm,
    FollowUpForm,
    GovernmentResponseForm,
    IndicatorValueForm,
    ReasonForm,
    RecommendationForm,
    VersionedForm,
)
from .models import (
    Commitment,
    CommitmentProgress,
    Country,
    Finding,
    Goal,
    GovernmentResponse,
    Indicator,
    IndicatorValue,
    Recommendation,
    RecommendationFollowUp,
    ReportingPeriod,
    Reviewable,
    Revised,
    Status,
)
from .templatetags.workspace import display_value

KIND_OF = {model: kind for kind, model in selectors.REVIEWABLE_KINDS.items()}


def _country(code: str) -> Country:
    # A code is two letters; anything else names no country. Not asking the database spares it text it
    # refuses (a NUL byte in a query was a server error).
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise Http404
    return get_object_or_404(Country, code=code.upper())


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- what changed under the user's eyes -------------------------------------------------------------------


@dataclass
class ChangeLine:
    label: str
    before: str
    after: str


def _readable(name: str, value: Any, item: Reviewable) -> str:
    """A raw field value of a reviewable row as people read it."""
    if value in (None, ""):
        return "—"
    if name in {"number_value", "boolean_value", "text_value"} and isinstance(item, IndicatorValue):
        shadow = IndicatorValue(indicator=item.indicator, **{name: value})
        return display_value(shadow)
    field = item._meta.get_field(name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if field.is_relation:  # a goal changed in a reviewed text: its title, not its id
        return str(field.related_model.objects.filter(pk=value).first() or value)
    return str(value)


def conflict_lines(conflict: services.EditConflict) -> list[ChangeLine]:
    item = conflict.current
    labels = {"number_value": _("Value"), "boolean_value": _("Value"), "text_value": _("Value")}
    lines = [
        ChangeLine(
            label=str(labels.get(name) or item._meta.get_field(name).verbose_name).capitalize(),
            before=_readable(name, before, item),
            after=_readable(name, after, item),
        )
        for name, (before, after) in conflict.changes.items()
    ]
    # "" and None read the same ("—"): a change people cannot see is no change to show.
    return [line for line in lines if line.before != line.after]


def _versioned_save(*, form: VersionedForm, data: Any, current: Reviewable | None, save) -> tuple[str, Any]:
    """Validate ``form`` and, if the user changed anything, call ``save(expected_version=..., **values)``.

    Returns ("invalid" | "unchanged" | "saved" | "conflict", detail). Unchanged rows are left alone even
    when someone else saved them meanwhile: the user did not touch them, so there is nothing to refuse.
    Fields the request does not carry are not touched at all (a row it does not carry is unchanged).
    """
    form.keep_unsent()
    if not form.is_valid():
        return "invalid", None
    expected = form.cleaned_data.get("expected_version")
    loaded = current
    if current is not None and expected is not None and expected != current.version:
        loaded = None if expected == 0 else selectors.item_version(item=current, version=expected)
    if not form.changed_from(loaded):
        return "unchanged", None
    try:
        saved = save(expected_version=expected, **form.service_values())
    except services.EditConflict as conflict:
        # From now on the user's save is a deliberate one over the current row: they have seen it.
        data[form.add_prefix("expected_version")] = conflict.current.version
        return "conflict", conflict
    except ValidationError as error:
        form.add_service_errors(error)
        return "invalid", None
    data[form.add_prefix("expected_version")] = saved.version
    return "saved", saved


def item_key(item: Reviewable) -> str:
    return f"{KIND_OF[type(item)]}-{item.pk}"


def seen_value(item: Reviewable) -> str:
    """What a bulk form carries for each item it shows: which item, at which version."""
    return f"{item_key(item)}:{item.version}"


def _as_seen(request: HttpRequest, items: list[Reviewable]) -> tuple[list[Reviewable], int]:
    """The items a bulk form was built on, each at the version the user saw (its ``seen`` fields).

    An item the form did not show (it arrived after the page was loaded) is left out and counted; the
    versions make the services refuse an item that changed since the user looked at it.
    """
    seen: dict[str, int] = {}
    for entry in request.POST.getlist("seen"):
        key, _sep, version = entry.rpartition(":")
        if key and version.isdigit():
            seen[key] = int(version)
    shown = []
    for item in items:
        if item_key(item) in seen:
            item.version = seen[item_key(item)]
            shown.append(item)
    return shown, len(items) - len(shown)


def _conflict_message(conflict: services.EditConflict) -> str:
    lines = "; ".join(f"{line.label}: {line.before} → {line.after}" for line in conflict_lines(conflict))
    what_changed = _("What changed: %(changes)s") % {"changes": lines}
    return f"{conflict} {what_changed}" if lines else str(conflict)


def _not_shown_warning(request: HttpRequest, count: int) -> None:
    if count:
        messages.warning(
            request,
            ngettext(
                "%(count)d item was not on the page you sent and was left alone: look at it first.",
                "%(count)d items were not on the page you sent and were left alone: look at them first.",
                count,
            )
            % {"count": count},
        )


# --- home and countries -------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    attention = selectors.attention_for(user=request.user)
    return render(
        request,
        "commitments/home.html",
        {
            "attention": attention,
            "texts": [
                (item.working_copy(), _text_edit_url(item))
                for item in selectors.texts_needing_attention(user=request.user)
            ],
            "can_review": access.can_review(request.user),
            "is_minister": access.is_minister(request.user),
        },
    )


@login_required
def country_list(request: HttpRequest) -> HttpResponse:
    countries = sorted(
        Country.objects.exclude(membership=Country.Membership.OBSERVER), key=lambda c: c.sort_key
    )
    editable = set(
        access.editable_countries(request.user, Country.objects.all()).values_list("pk", flat=True)
    )
    return render(
        request,
        "commitments/country_list.html",
        {"countries": countries, "editable": editable, "mine": [c for c in countries if c.pk in editable]},
    )


def _goal_chart(
    goal: selectors.GoalOverview, periods: list[ReportingPeriod], country: Country
) -> Chart | None:
    line = goal.headline
    if line is None:
        return None
    indicator = line.indicator
    unit = indicator.unit if indicator.value_type != Indicator.ValueType.MATURITY else _("level 0–4")
    return bar_chart(
        title=f"{indicator.code} {indicator.name}",
        categories=[period.name for period in periods],
        series=[
            Series(
                name=country.name,
                values=[cell.number_value if cell is not None else None for cell in line.cells],
            )
        ],
        unit=unit,
        direction=indicator.direction,
        axis={"maturity": "maturity", "percentage": "percentage"}.get(indicator.value_type, ""),
    )


@login_required
def country_detail(request: HttpRequest, code: str) -> HttpResponse:
    country = _country(code)
    overview = selectors.country_overview(country=country, user=request.user)
    can_edit = access.can_edit_country(request.user, country)
    return render(
        request,
        "commitments/country_detail.html",
        {
            "country": country,
            "overview": overview,
            "charts": {goal.goal.pk: _goal_chart(goal, overview.periods, country) for goal in overview.goals},
            "can_edit": can_edit,
            "can_review": access.can_review(request.user),
            "open_periods": [period for period in overview.periods if period.is_open],
        },
    )


# --- data entry ---------------------------------------------------------------------------------------


@login_required
def data_entry(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """All indicators of a country and period on one page, grouped by goal."""
    country = _country(code)
    _require(access.can_edit_country(request.user, country))
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    entry = selectors.data_entry(country=country, period=period)
    data = request.POST.copy() if request.method == "POST" else None
    forms = {
        row.indicator.pk: IndicatorValueForm(data, indicator=row.indicator, value=row.value)
        for row in entry.rows
    }
    conflicts: dict[int, dict[str, Any]] = {}
    failed = 0

    if request.method == "POST":
        if not period.is_open:
            messages.error(
                request,
                _("The period %(period)s is closed: its data can no longer be changed.")
                % {"period": period.name},
            )
            return redirect(request.path)
        saved = failed = 0
        for row in entry.rows:
            if row.value is not None and not row.value.is_editable:
                continue  # locked rows are shown, not posted
            form = forms[row.indicator.pk]

            def save(indicator=row.indicator, **values):
                return services.indicator_value_save(
                    country=country, indicator=indicator, period=period, user=request.user, **values
                )

            outcome, detail = _versioned_save(form=form, data=data, current=row.value, save=save)
            if outcome == "saved":
                saved += 1
                row.value = detail
                detail.indicator = row.indicator
            elif outcome == "conflict":
                failed += 1
                conflicts[row.indicator.pk] = {"message": str(detail), "lines": conflict_lines(detail)}
                row.value = detail.current
                detail.current.indicator = row.indicator
            elif outcome == "invalid":
                failed += 1
        if not failed:
            messages.success(
                request,
                ngettext("%(count)d value saved.", "%(count)d values saved.", saved) % {"count": saved}
                if saved
                else _("Nothing changed, so nothing was saved."),
            )
            return redirect(request.path)
        if saved:
            messages.info(
                request,
                ngettext("%(count)d value saved.", "%(count)d values saved.", saved) % {"count": saved},
            )
        messages.error(
            request,
            ngettext(
                "%(count)d value was not saved: see the field marked below. What you typed is kept.",
                "%(count)d values were not saved: see the fields marked below. What you typed is kept.",
                failed,
            )
            % {"count": failed},
        )

    return render(
        request,
        "commitments/data_entry.html",
        {
            "country": country,
            "period": period,
            "entry": entry,
            "forms": forms,
            "conflicts": conflicts,
            "can_review": access.can_review(request.user),
            "ready_count": entry.pending_count,
            "pending_seen": [seen_value(item) for item in entry.pending_items],
            "periods": entry.periods,
        },
        # As every form: 409 when a save met someone else's change, 400 when input was refused.
        status=409 if conflicts else (400 if failed else 200),
    )


@login_required
@require_POST
def submit_for_review(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """Submit every draft or returned item of the country and period that has a value."""
    country = _country(code)
    _require(access.can_edit_country(request.user, country))
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    items = selectors.country_period_items(country=country, period=period)
    pending, not_shown = _as_seen(
        request, [item for item in items if item.status in {Status.DRAFT, Status.RETURNED}]
    )
    ready = [item for item in pending if not isinstance(item, IndicatorValue) or item.has_value]
    _not_shown_warning(request, not_shown)
    try:
        count = services.reviewable_transition_many(items=ready, action="submit", user=request.user)
    except services.EditConflict as conflict:
        messages.error(request, _conflict_message(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d item submitted for review.", "%(count)d items submitted for review.", count
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("There was nothing to submit."))
        if len(pending) > len(ready):
            skipped = len(pending) - len(ready)
            messages.warning(
                request,
                ngettext(
                    "%(count)d value without a figure stays a draft.",
                    "%(count)d values without a figure stay drafts.",
                    skipped,
                )
                % {"count": skipped},
            )
    return redirect("data_entry", code=country.code, period_id=period.pk)


# --- the rapporteur's findings -------------------------------------------------------------------------

FINDING_ACTIONS = {"save", "submit", "approve", "return", "reopen"}


@login_required
def findings(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """The rapporteur's findings in words for a country (or the alliance) and period, per goal and on the
    whole, written and reviewed under the same workflow as the data."""
    country = None if code == "alliance" else _country(code)
    allowed = (
        access.is_reviewer(request.user)
        if country is None
        else access.can_edit_country(request.user, country)
    )
    _require(allowed)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        goal_id = request.POST.get("goal", "")
        goal = get_object_or_404(Goal, pk=int(goal_id)) if goal_id.isdigit() else None
        version = request.POST.get("version", "")
        expected = int(version) if version.isdigit() else None
        try:
            if action not in FINDING_ACTIONS:
                raise ValidationError(_("Unknown action."))
            if action == "save":
                services.finding_save(
                    user=request.user,
                    period=period,
                    country=country,
                    goal=goal,
                    text=request.POST.get("text", ""),
                    expected_version=expected,
                )
                messages.success(request, _("The findings are saved as a draft."))
            else:
                item = get_object_or_404(Finding, period=period, country=country, goal=goal)
                services.reviewable_transition(
                    item=item,
                    action=action,
                    user=request.user,
                    reason=request.POST.get("reason", ""),
                    expected_version=expected,
                )
                messages.success(request, _("Done: %(action)s.") % {"action": services.ACTION_NAMES[action]})
        except services.EditConflict:
            messages.error(
                request, _("Someone else changed these findings meanwhile; read them and try again.")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("findings", code=code, period_id=period.pk)
    return render(
        request,
        "commitments/findings.html",
        {
            "country": country,
            "code": code,
            "period": period,
            "rows": selectors.findings_for(period=period, country=country),
            "can_review": access.can_review(request.user),
        },
    )


# --- review -------------------------------------------------------------------------------------------


@dataclass
class ReviewItem:
    """A reviewable item as the review page shows it, whatever its kind."""

    item: Reviewable
    key: str
    kind: str
    kind_label: str
    title: str
    shown_value: str
    text: str
    evidence: list[str]
    form: ReasonForm


def _review_item(item: Reviewable, form: ReasonForm | None = None) -> ReviewItem:
    kind = KIND_OF[type(item)]
    key = f"{kind}-{item.pk}"
    if isinstance(item, IndicatorValue):
        title, label = f"{item.indicator.code} {item.indicator.name}", _("Indicator value")
        shown, text = display_value(item), item.note
        if item.indicator.value_type == Indicator.ValueType.NUMBER and item.indicator.unit and item.has_value:
            shown = f"{shown} {item.indicator.unit}"
    elif isinstance(item, CommitmentProgress):
        title, label = item.commitment.title, _("Commitment progress")
        shown, text = item.get_completion_display(), item.narrative
    else:
        title, label = f"{_('Recommendation')} {item.recommendation.number}", _("Recommendation follow-up")
        shown, text = item.get_follow_up_display(), item.narrative
    return ReviewItem(
        item=item,
        key=key,
        kind=kind,
        kind_label=label,
        title=title,
        shown_value=shown,
        text=text,
        evidence=[line for line in item.evidence_links.splitlines() if line.strip()],
        form=form or ReasonForm(prefix=key, initial={"expected_version": item.version}),
    )


@login_required
def review(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """A reviewer's page for a country and period: approve, return with a reason, or reopen."""
    _require(access.can_review(request.user))
    country = _country(code)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    items = selectors.country_period_items(country=country, period=period)
    bound: dict[str, ReasonForm] = {}
    refused = False
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "approve_all":
            waiting = [item for item in items if item.status == Status.SUBMITTED]
            submitted, not_shown = _as_seen(request, waiting)
            _not_shown_warning(request, not_shown)
            own = [item for item in submitted if services.is_own_work(item=item, user=request.user)]
            if own and services.four_eyes_required():
                # Four eyes: what this reviewer changed or submitted waits for another reviewer.
                submitted = [item for item in submitted if item not in own]
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d item you changed or submitted yourself was left for another reviewer.",
                        "%(count)d items you changed or submitted yourself were left for another reviewer.",
                        len(own),
                    )
                    % {"count": len(own)},
                )
            try:
                count = services.reviewable_transition_many(
                    items=submitted, action="approve", user=request.user
                )
            except services.EditConflict as conflict:
                messages.error(request, _conflict_message(conflict))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    ngettext("%(count)d item approved.", "%(count)d items approved.", count)
                    % {"count": count},
                )
            return redirect(request.path)
        key = request.POST.get("item", "")
        item = next((one for one in items if f"{KIND_OF[type(one)]}-{one.pk}" == key), None)
        if item is None or action not in {"approve", "return", "reopen"}:
            messages.error(request, _("That item is no longer here; the page has been reloaded."))
            return redirect(request.path)
        form = ReasonForm(request.POST, prefix=key)
        form.is_valid()
        try:
            services.reviewable_transition(
                item=item,
                action=action,
                user=request.user,
                reason=form.cleaned_data.get("reason", ""),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except services.EditConflict as conflict:
            messages.error(request, _conflict_message(conflict))
            return redirect(f"{request.path}#{key}")
        except services.FourEyesRefused as refusal:
            form.add_error(None, str(refusal))
            bound[key] = form
            refused = True
        except ValidationError as error:
            form.add_service_errors(error)
            bound[key] = form
        else:
            done = {
                "approve": _("Approved."),
                "return": _("Returned to the country's staff."),
                "reopen": _("Reopened."),
            }
            messages.success(request, f"{done[action]} {_review_item(item).title}")
            return redirect(f"{request.path}#{key}")

    review_items = [_review_item(item, bound.get(f"{KIND_OF[type(item)]}-{item.pk}")) for item in items]
    groups = [
        (
            Status.SUBMITTED,
            _("Waiting for review"),
            [r for r in review_items if r.item.status == Status.SUBMITTED],
        ),
        (Status.RETURNED, _("Returned"), [r for r in review_items if r.item.status == Status.RETURNED]),
        (Status.DRAFT, _("Drafts"), [r for r in review_items if r.item.status == Status.DRAFT]),
        (Status.APPROVED, _("Approved"), [r for r in review_items if r.item.status == Status.APPROVED]),
    ]
    return render(
        request,
        "commitments/review.html",
        {"country": country, "period": period, "groups": groups, "has_errors": bool(bound)},
        status=403 if refused else (400 if bound else 200),
    )


# --- reviewed texts: commitments, recommendations, government responses -------------------------------

TEXT_KINDS: dict[str, type[Revised]] = {
    "commitment": Commitment,
    "recommendation": Recommendation,
    "response": GovernmentResponse,
}
TEXT_KIND_OF = {model: kind for kind, model in TEXT_KINDS.items()}


def _text_lines(item: Revised, before: dict[str, Any], after: dict[str, Any]) -> list[ChangeLine]:
    """Field by field, the two texts where they differ, as people read them."""
    goals = {}
    if any(name == "goal_id" for name in before):
        goals = {
            goal.pk: goal.title for goal in Goal.objects.filter(pk__in=[before["goal_id"], after["goal_id"]])
        }
    lines = []
    for name, old in before.items():
        new = after.get(name)
        if old == new:
            continue
        field = item._meta.get_field(name.removesuffix("_id"))

        def readable(value, field=field):
            if value in (None, ""):
                return "—"
            if field.name == "goal":
                return goals.get(value, str(value))
            if field.choices:
                return str(dict(field.choices).get(value, value))
            if isinstance(value, dt.date):
                return date_format(value, "DATE_FORMAT")
            return str(value)

        lines.append(
            ChangeLine(label=str(field.verbose_name).capitalize(), before=readable(old), after=readable(new))
        )
    return lines


def _text_actions(item: Revised | None, user) -> list[tuple[str, str]]:
    """The workflow buttons the user may press on a reviewed text now: (action, label)."""
    if item is None:
        return []
    country = services.country_of(item)
    can_edit = access.is_reviewer(user) if country is None else access.can_edit_country(user, country)
    reviewer = access.can_review(user)
    actions = []
    if can_edit and item.status in {Status.DRAFT, Status.RETURNED}:
        actions.append(("submit", _("Submit for review")))
    if reviewer and can_edit and item.status == Status.SUBMITTED:
        actions += [("approve", _("Approve")), ("return", _("Return with a reason"))]
    if reviewer and can_edit and item.status == Status.APPROVED:
        actions.append(("reopen", _("Reopen with a reason")))
    return actions


def _text_form_page(
    request,
    *,
    item: Revised | None,
    new_item: Revised,
    form_class,
    save,
    template: str,
    context: dict[str, Any],
    saved_message: str,
    done,
) -> HttpResponse:
    """The shared flow of the reviewed texts' forms: versioned save, conflicts with what changed (409),
    the workflow buttons, and the approved text beside the draft while they differ."""
    data = request.POST.copy() if request.method == "POST" else None
    shown = item.working_copy() if item is not None else new_item
    form = form_class(data, instance=shown, initial={"expected_version": item.version if item else 0})
    locked = item is not None and item.status == Status.SUBMITTED
    conflict = None
    if request.method == "POST" and locked:
        messages.error(request, _("This item is locked: it cannot be changed now."))
    elif request.method == "POST" and form.is_valid():
        try:
            saved = save(expected_version=form.cleaned_data.get("expected_version"), **form.service_values())
        except services.EditConflict as error:
            data[form.add_prefix("expected_version")] = error.current.version
            conflict = {"message": str(error), "lines": conflict_lines(error), "current": error.current}
            item = error.current
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            unchanged = item is not None and saved.version == item.version
            messages.success(
                request, _("Nothing changed, so nothing was saved.") if unchanged else saved_message
            )
            return redirect(done(saved))
    approved_lines = (
        _text_lines(item, item.published_values(), item.working_values())
        if item is not None and item.has_pending_changes
        else []
    )
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "item": item,
            "text_kind": TEXT_KIND_OF[type(new_item)],
            "locked": locked,
            "conflict": conflict,
            "approved_lines": approved_lines,
            "actions": _text_actions(item, request.user),
            "reason_form": ReasonForm(initial={"expected_version": item.version if item else 0}),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
@require_POST
def text_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Submit, approve, return or reopen a reviewed text, from the buttons on its form."""
    if kind not in TEXT_KINDS:
        raise Http404
    related = {"response": ["recommendation__country"], "commitment": ["country"]}.get(kind, ["country"])
    item = get_object_or_404(TEXT_KINDS[kind].objects.select_related(*related), pk=pk)
    country = services.country_of(item)
    _require(access.can_read_drafts(request.user, country) if country else access.can_review(request.user))
    action = request.POST.get("action", "")
    form = ReasonForm(request.POST)
    form.is_valid()
    back = _text_edit_url(item)
    try:
        services.reviewable_transition(
            item=item,
            action=action,
            user=request.user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=form.cleaned_data.get("expected_version"),
        )
    except services.EditConflict as conflict:
        lines = "; ".join(f"{line.label}: {line.before} → {line.after}" for line in conflict_lines(conflict))
        what_changed = _("What changed: %(changes)s") % {"changes": lines}
        messages.error(request, f"{conflict} {what_changed}" if lines else str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {
            "submit": _("Submitted for review."),
            "approve": _("Approved: this is now the text everyone reads."),
            "return": _("Returned to the country's staff."),
            "reopen": _("Reopened."),
        }
        messages.success(request, done[action])
    return redirect(back)


def _text_edit_url(item: Revised) -> str:
    if isinstance(item, Commitment):
        return reverse("commitment_edit", args=[item.pk])
    if isinstance(item, Recommendation):
        return reverse("recommendation_edit", args=[item.pk])
    return reverse("response_edit", args=[item.recommendation_id])


# --- commitments and their progress -------------------------------------------------------------------


def _commitment_form_page(request, *, country: Country, commitment: Commitment | None) -> HttpResponse:
    _require(access.can_edit_country(request.user, country))

    def save(**values):
        return services.commitment_save(user=request.user, commitment=commitment, country=country, **values)

    return _text_form_page(
        request,
        item=commitment,
        new_item=Commitment(country=country),
        form_class=CommitmentForm,
        save=save,
        template="commitments/commitment_form.html",
        context={"country": country, "commitment": commitment},
        saved_message=_("Commitment saved."),
        done=lambda saved: f"{reverse('country_detail', args=[country.code])}#goal-{saved.goal.code}",
    )


@login_required
def commitment_create(request: HttpRequest, code: str) -> HttpResponse:
    return _commitment_form_page(request, country=_country(code), commitment=None)


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.select_related("country", "goal"), pk=pk)
    return _commitment_form_page(request, country=commitment.country, commitment=commitment)


def _reviewable_form_page(
    request,
    *,
    country: Country,
    period: ReportingPeriod,
    item: Reviewable | None,
    form_class: type[VersionedForm],
    save,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The shared flow of the progress and follow-up forms: versioned save, errors at the field, conflicts."""
    _require(access.can_edit_country(request.user, country))
    data = request.POST.copy() if request.method == "POST" else None
    form = form_class(data, item=item)
    locked = not period.is_open or (item is not None and not item.is_editable)
    conflict = None
    if request.method == "POST" and not locked:
        outcome, detail = _versioned_save(form=form, data=data, current=item, save=save)
        if outcome in {"saved", "unchanged"}:
            messages.success(
                request, _("Saved.") if outcome == "saved" else _("Nothing changed, so nothing was saved.")
            )
            return redirect("data_entry", code=country.code, period_id=period.pk)
        if outcome == "conflict":
            conflict = {"message": str(detail), "lines": conflict_lines(detail), "current": detail.current}
            item = detail.current
    elif request.method == "POST":
        messages.error(request, _("This item is locked: it cannot be changed now."))
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "country": country,
            "period": period,
            "item": item,
            "locked": locked,
            "conflict": conflict,
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
def progress_edit(request: HttpRequest, pk: int, period_id: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.select_related("country", "goal"), pk=pk)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    item = (
        CommitmentProgress.objects.filter(commitment=commitment, period=period)
        .select_related("updated_by")
        .first()
    )
    previous = (
        CommitmentProgress.objects.filter(commitment=commitment, period__starts_on__lt=period.starts_on)
        .select_related("period")
        .order_by("-period__starts_on")
        .first()
    )

    def save(**values):
        return services.commitment_progress_save(
            commitment=commitment, period=period, user=request.user, **values
        )

    return _reviewable_form_page(
        request,
        country=commitment.country,
        period=period,
        item=item,
        form_class=CommitmentProgressForm,
        save=save,
        template="commitments/progress_form.html",
        context={"commitment": commitment, "previous": previous},
    )


# --- recommendations, responses, follow-ups -----------------------------------------------------------


def _require_recommendation_edit(user, recommendation: Recommendation) -> None:
    country = recommendation.country
    _require(access.can_review(user) if country is None else access.can_edit_country(user, country))


def _recommendation_form_page(
    request, *, country: Country | None, recommendation: Recommendation | None
) -> HttpResponse:
    # Alliance-wide recommendations (no country) are kept by reviewers, here like every reviewed text.
    _require(
        access.can_review(request.user) if country is None else access.can_edit_country(request.user, country)
    )

    def save(**values):
        return services.recommendation_save(
            user=request.user, recommendation=recommendation, country=country, **values
        )

    return _text_form_page(
        request,
        item=recommendation,
        new_item=Recommendation(country=country),
        form_class=RecommendationForm,
        save=save,
        template="commitments/recommendation_form.html",
        context={"country": country, "recommendation": recommendation},
        saved_message=_("Recommendation saved."),
        done=lambda saved: (
            f"{reverse('country_detail', args=[country.code]) if country else '/'}#recommendation-{saved.pk}"
        ),
    )


@login_required
def recommendation_create(request: HttpRequest, code: str) -> HttpResponse:
    return _recommendation_form_page(request, country=_country(code), recommendation=None)


@login_required
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation.objects.select_related("country", "goal"), pk=pk)
    return _recommendation_form_page(request, country=recommendation.country, recommendation=recommendation)


@login_required
def response_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation.objects.select_related("country", "goal"), pk=pk)
    _require_recommendation_edit(request.user, recommendation)
    current = GovernmentResponse.objects.filter(recommendation=recommendation).first()
    if current is not None:
        current.recommendation = recommendation

    def save(**values):
        return services.government_response_save(user=request.user, recommendation=recommendation, **values)

    def done(saved) -> str:
        target = (
            reverse("country_detail", args=[recommendation.country.code]) if recommendation.country else "/"
        )
        return f"{target}#recommendation-{recommendation.pk}"

    return _text_form_page(
        request,
        item=current,
        new_item=GovernmentResponse(recommendation=recommendation),
        form_class=GovernmentResponseForm,
        save=save,
        template="commitments/response_form.html",
        context={
            "recommendation": shown_recommendation(recommendation),
            "country": recommendation.country,
        },
        saved_message=_("Government response saved."),
        done=done,
    )


def shown_recommendation(recommendation: Recommendation) -> Recommendation:
    """The recommendation as its editors read it (the working text)."""
    return recommendation.working_copy()


@login_required
def follow_up_edit(request: HttpRequest, pk: int, period_id: int) -> HttpResponse:
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("country", "goal", "response"), pk=pk
    )
    if recommendation.country is None:
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    item = (
        RecommendationFollowUp.objects.filter(recommendation=recommendation, period=period)
        .select_related("updated_by")
        .first()
    )

    def save(**values):
        return services.follow_up_save(
            recommendation=recommendation, period=period, user=request.user, **values
        )

    return _reviewable_form_page(
        request,
        country=recommendation.country,
        period=period,
        item=item,
        form_class=FollowUpForm,
        save=save,
        template="commitments/follow_up_form.html",
        context={"recommendation": recommendation, "response": getattr(recommendation, "response", None)},
    )


# --- history ------------------------------------------------------------------------------------------


@login_required
def item_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Every version of one item: who saved or moved it, when, and why."""
    if kind not in selectors.REVIEWABLE_KINDS:
        raise PermissionDenied
    item = get_object_or_404_item(kind, pk)
    country = services.country_of(item)
    _require(access.can_read_drafts(request.user, country) if country else access.can_review(request.user))
    versions = selectors.item_history(item=item)
    shown = _review_item(item)
    rows = []
    for version in versions:
        if isinstance(item, IndicatorValue):
            version.indicator = item.indicator
            value = display_value(version)
            text = version.note
        elif isinstance(item, CommitmentProgress):
            value = dict(CommitmentProgress.Completion.choices).get(version.completion, version.completion)
            text = version.narrative
        else:
            value = dict(RecommendationFollowUp.FollowUpStatus.choices).get(
                version.follow_up, version.follow_up
            )
            text = version.narrative
        rows.append(
            {
                "version": version,
                "value": value,
                "text": text,
                "status": dict(Status.choices).get(version.status, version.status),
                "who": version.history_user or version.updated_by,
            }
        )
    back = (
        reverse("data_entry", args=[country.code, item.period_id])
        if country and access.can_edit_country(request.user, country)
        else reverse("country_detail", args=[country.code])
        if country
        else reverse("home")
    )
    return render(
        request,
        "commitments/history.html",
        {"item": item, "shown": shown, "rows": rows, "country": country, "back": back},
    )


def get_object_or_404_item(kind: str, pk: int) -> Reviewable:
    model = selectors.REVIEWABLE_KINDS[kind]
    try:
        return selectors.reviewable_get(kind=kind, pk=pk)
    except model.DoesNotExist:
        raise Http404 from None


# --- completeness and periods ------------------------------------------------------------------------


@login_required
def completeness(request: HttpRequest, period_id: int | None = None) -> HttpResponse:
    """Countries x goals for a period: who has reported what, who is overdue."""
    _require(access.is_staff_member(request.user) or access.can_review(request.user))
    periods = selectors.periods_in_order()
    if not periods:
        raise PermissionDenied
    if period_id is None and request.GET.get("period", "").isdigit():
        period_id = int(request.GET["period"])
    period = next((p for p in periods if p.pk == period_id), None) if period_id else periods[-1]
    if period is None:
        raise Http404
    region = request.GET.get("region", "")
    goal_code = request.GET.get("goal", "")
    state = request.GET.get("state", "")
    overdue_only = request.GET.get("overdue") == "1"
    matrix = selectors.completeness_matrix(
        period=period,
        region=region if region in Country.Region.values else "",
        goal_code=goal_code,
        state=state if state in selectors.CellState else "",
        overdue_only=overdue_only,
    )
    return render(
        request,
        "commitments/completeness.html",
        {
            "matrix": matrix,
            "periods": periods,
            "period": period,
            "regions": Country.Region.choices,
            "all_goals": list(Goal.objects.order_by("order")),
            "states": _cell_state_choices(),
            "filters": {"region": region, "goal": goal_code, "state": state, "overdue": overdue_only},
            "can_review": access.can_review(request.user),
            "editable": set(access.assigned_country_ids(request.user)),
        },
    )


def _cell_state_choices() -> list[tuple[str, str]]:
    return [
        (selectors.CellState.NOT_STARTED, _("Not started")),
        (selectors.CellState.DRAFT, _("Draft")),
        (selectors.CellState.RETURNED, _("Returned")),
        (selectors.CellState.SUBMITTED, _("Submitted")),
        (selectors.CellState.APPROVED, _("Approved")),
    ]


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    _require(access.is_staff_member(request.user) or access.can_review(request.user))
    return render(
        request,
        "commitments/period_list.html",
        {
            "periods": selectors.periods_in_order(),
            "can_review": access.can_review(request.user),
            "form": ReasonForm(),
        },
    )


@login_required
@require_POST
def period_toggle(request: HttpRequest, period_id: int) -> HttpResponse:
    _require(access.can_review(request.user))
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    opening = request.POST.get("open") == "1"
    try:
        services.period_set_open(
            period=period, is_open=opening, user=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("period_list")
    messages.success(
        request,
        (
            _("%(period)s is open for data entry.")
            if opening
            else _("%(period)s is closed: its data is read-only.")
        )
        % {"period": period.name},
    )
    return redirect("period_list")
