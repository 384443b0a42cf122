"""The focal app's pages: a focal point's questionnaire and reply; the staff's review of a submission.

Thin: each view checks access (commitments/access.py), reads through selectors and writes through
services. What a focal point may not see does not exist for them (404), like other countries' pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commitments import access
from commitments.models import CommitmentProgress, Country, EvaluationRound, ReportingPeriod
from commitments.services import EditConflict

from . import selectors, services
from .forms import ReplyForm, SelfProgressForm, SelfResponseForm, SelfValueForm
from .models import SelfReportProgress, SelfReportValue


def _own_country(user) -> Country:
    """The focal point's country; anybody else has no questionnaire (403)."""
    country_id = access.focal_country_id(user)
    if country_id is None:
        raise PermissionDenied
    return Country.objects.get(pk=country_id)


def _country(code: str) -> Country:
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise Http404
    return get_object_or_404(Country, code=code.upper())


@login_required
@require_GET
def focal_home(request: HttpRequest) -> HttpResponse:
    """A focal point's start: the questionnaires by period and the rounds' right of reply."""
    country = _own_country(request.user)
    rounds = [
        {"round": evaluation_round, "open": services.reply_open(evaluation_round)}
        for evaluation_round in selectors.rounds_for_reply()
    ]
    return render(
        request,
        "focal/home.html",
        {"country": country, "periods": selectors.periods_for_self_report(), "rounds": rounds},
    )


def _forms(data, sheet: selectors.Questionnaire) -> dict[str, object]:
    forms = {}
    for line in sheet.values:
        forms[line.key] = SelfValueForm(data, indicator=line.subject, value=line.answer)
    for line in sheet.progress:
        forms[line.key] = SelfProgressForm(data, commitment=line.subject, item=line.answer)
    for line in sheet.responses:
        forms[line.key] = SelfResponseForm(data, recommendation=line.subject, item=line.answer)
    return forms


def _save_line(line: selectors.Line, form, *, sheet, user) -> None:
    values = form.service_values()
    version = form.cleaned_data.get("expected_version")
    # 0 is "a new answer": for one that exists meanwhile, it is a conflict, never an overwrite.
    common = {"period": sheet.period, "user": user, "expected_version": version}
    if line.section == "values":
        services.self_value_save(country=sheet.country, indicator=line.subject, **common, **values)
    elif line.section == "progress":
        services.self_progress_save(commitment=line.subject, **common, **values)
    else:
        services.self_response_save(recommendation=line.subject, **common, **values)


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, period_id: int) -> HttpResponse:
    """The country's self-report for a period: save drafts (only the answers changed are written)."""
    country = _own_country(request.user)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    sheet = selectors.questionnaire(country=country, period=period)
    data = request.POST if request.method == "POST" else None
    forms = _forms(data, sheet)
    failed = 0
    if request.method == "POST":
        saved = 0
        for line in sheet.lines:
            form = forms[line.key]
            form.keep_unsent()
            if not form.is_valid():
                failed += 1
                continue
            if not form.changed_from(line.answer):
                continue
            try:
                _save_line(line, form, sheet=sheet, user=request.user)
                saved += 1
            except EditConflict as conflict:
                failed += 1
                form.add_error(None, str(conflict))
            except (ValidationError, PermissionDenied) as error:
                failed += 1
                if isinstance(error, ValidationError):
                    form.add_service_errors(error)
                else:
                    form.add_error(None, str(error) or _("You may not change this."))
        if not failed:
            messages.success(request, _("%(count)s answers saved as drafts.") % {"count": saved})
            return redirect("focal_questionnaire", period_id=period.pk)
        messages.error(
            request, _("%(count)s answers were not saved; see below. Your input is kept.") % {"count": failed}
        )
    return render(
        request,
        "focal/questionnaire.html",
        {
            "country": country,
            "period": period,
            "sheet": sheet,
            "forms": forms,
            "counts": sheet.counts(),
            "deadline_passed": services.deadline_passed(period),
        },
        status=400 if failed else 200,
    )


@login_required
@require_POST
def questionnaire_submit(request: HttpRequest, period_id: int) -> HttpResponse:
    """Submit the whole questionnaire, or one part of it, as the page showed it."""
    country = _own_country(request.user)
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    seen = {}
    for entry in request.POST.getlist("seen"):
        key, _sep, version = entry.rpartition(":")
        if version.isdigit():
            seen[key] = int(version)
    part = request.POST.get("part", "")
    sections = [part] if part else None
    try:
        count = services.questionnaire_submit(
            country=country, period=period, user=request.user, seen=seen, sections=sections
        )
    except EditConflict:
        messages.error(
            request, _("Answers changed since you loaded the page: look at them and submit again.")
        )
        return redirect("focal_questionnaire", period_id=period.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("focal_questionnaire", period_id=period.pk)
    messages.success(request, _("%(count)s answers submitted to the secretariat.") % {"count": count})
    return redirect("focal_questionnaire", period_id=period.pk)


# --- the staff's review: two tracks side by side ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, code: str, period_id: int) -> HttpResponse:
    """The government's submission beside the rapporteur's figures: adopt, differ (with a reason), return."""
    country = _country(code)
    if not access.can_review_self_report(request.user, country):
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    if request.method == "POST":
        return _review_step(request, country=country, period=period)
    lines = selectors.divergences(country=country, period=period, rapporteur_drafts=True)
    theirs = selectors.rapporteur_rows(country=country, period=period)
    for line in lines:
        key = line.subject.pk
        line.rapporteur_row = theirs[line.kind].get(key)
    responses = selectors.questionnaire(country=country, period=period).responses
    return render(
        request,
        "focal/review.html",
        {
            "country": country,
            "period": period,
            "lines": lines,
            "responses": responses,
            "completions": CommitmentProgress.Completion.choices,
        },
    )


def _review_step(request: HttpRequest, *, country: Country, period: ReportingPeriod) -> HttpResponse:
    model = {"value": SelfReportValue, "progress": SelfReportProgress}.get(request.POST.get("kind", ""))
    if model is None:
        messages.error(request, _("Choose an answer to review."))
        return redirect("focal_review", code=country.code, period_id=period.pk)
    item = model.objects.filter(pk=_int(request.POST.get("item")), country=country, period=period).first()
    if item is None:
        raise Http404
    action = request.POST.get("action")
    version = _int(request.POST.get("expected_version"))
    rapporteur_version = _int(request.POST.get("rapporteur_version"))
    try:
        if action == "adopt":
            services.self_report_adopt(
                item=item, user=request.user, expected_version=version, rapporteur_version=rapporteur_version
            )
            messages.success(request, _("The government's figure is now the rapporteur's draft."))
        elif action == "diverge":
            own = {}
            figure = (request.POST.get("own") or "").strip()
            if figure and model is SelfReportProgress:
                own["completion"] = figure
            elif figure:
                own.update(_own_value(item, figure))
            services.self_report_diverge(
                item=item,
                user=request.user,
                reason=request.POST.get("reason", ""),
                expected_version=version,
                rapporteur_version=rapporteur_version,
                **own,
            )
            messages.success(request, _("The rapporteur's own assessment is recorded, with the reason."))
        elif action == "return":
            services.self_report_return(
                item=item, user=request.user, reason=request.POST.get("reason", ""), expected_version=version
            )
            messages.success(request, _("The answer went back to the focal points."))
        else:
            messages.error(request, _("Choose what to do."))
    except EditConflict:
        messages.error(request, _("Someone changed this since you loaded the page; nothing was saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("focal_review", code=country.code, period_id=period.pk)


def _own_value(item: SelfReportValue, figure: str) -> dict:
    from decimal import Decimal, InvalidOperation

    from commitments.models import Indicator

    kind = item.indicator.value_type
    if kind == Indicator.ValueType.BOOLEAN:
        return {"boolean_value": {"yes": True, "no": False, "ja": True, "nee": False}.get(figure.lower())}
    if kind == Indicator.ValueType.TEXT:
        return {"text_value": figure}
    try:
        return {"number_value": Decimal(figure.replace(",", "."))}
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 12 else None


# --- right of reply -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, round_id: int) -> HttpResponse:
    """The focal point's reply to the draft chapter of their country, while the window is open."""
    country = _own_country(request.user)
    evaluation_round = get_object_or_404(EvaluationRound, pk=round_id)
    current = selectors.reply_for(country=country, evaluation_round=evaluation_round)
    is_open = services.reply_open(evaluation_round)
    initial = {"text": current.text if current else "", "expected_version": current.version if current else 0}
    form = ReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_save(
                country=country,
                evaluation_round=evaluation_round,
                user=request.user,
                text=form.cleaned_data["text"].strip(),
                expected_version=form.cleaned_data.get("expected_version") or None,
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your reply is saved; you may change it until the window closes."))
            return redirect("focal_reply", round_id=evaluation_round.pk)
    opens, closes = services.reply_window(evaluation_round)
    return render(
        request,
        "focal/reply.html",
        {
            "country": country,
            "round": evaluation_round,
            "form": form,
            "reply": current,
            "is_open": is_open,
            "opens": opens,
            "closes": closes,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def chapter(request: HttpRequest, round_id: int) -> HttpResponse:
    """The draft chapter of the focal point's country (the country report as HTML) while replies are open."""
    country = _own_country(request.user)
    evaluation_round = get_object_or_404(EvaluationRound, pk=round_id)
    if not services.reply_open(evaluation_round):
        raise Http404
    from .chapter import country_chapter_html

    return HttpResponse(country_chapter_html(evaluation_round=evaluation_round, country=country))


def reply_url(evaluation_round: EvaluationRound) -> str:
    return reverse("focal_reply", kwargs={"round_id": evaluation_round.pk})
