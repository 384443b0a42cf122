"""The evaluation cycle's pages: rounds and their life, the ministerial meeting, decisions, the next round.

Thin: each view parses a form, calls one service or selector, and renders. Everyone with a role reads a
round's page; reviewers (the secretariat) take its steps and record the meeting; ministers read the
approved record once the round is released.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commitments import access
from commitments import services as commitment_services
from commitments.models import Country, EvaluationRound, Goal, Status

from . import selectors, services
from .forms import DecisionForm, EvaluationForm, MeetingForm, PlanForm, ReleaseForm, StepForm, TextStepForm
from .models import Decision, Meeting, MeetingEvaluation


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _round(pk: int) -> EvaluationRound:
    return get_object_or_404(
        EvaluationRound.objects.select_related("baseline_period", "evaluation_period"), pk=pk
    )


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.round_list())
    return render(
        request,
        "cycle/round_list.html",
        {"rounds": [(item, selectors.stage_steps(item)) for item in rounds]},
    )


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_round(request, _round(pk))


def _render_round(
    request: HttpRequest,
    evaluation_round: EvaluationRound,
    *,
    step_form: StepForm | None = None,
    release_form: ReleaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The round's page; a refused step or release moment comes back with what the reviewer typed."""
    reviewer = access.can_review(request.user)
    meeting = selectors.meeting_of(evaluation_round)
    # Readers outside the secretariat see the meeting's approved record once the round is released.
    shows_record = reviewer or selectors.readers_see_cycle(evaluation_round)
    evaluations, decisions = [], []
    if meeting is not None and shows_record:
        # Reviewers read the working text (drafts); everyone else the approved one.
        evaluations = [
            item.working_copy() if reviewer else item
            for item in selectors.meeting_evaluations(meeting, published_only=not reviewer)
        ]
        decisions = [
            item.working_copy() if reviewer else item  # the copy keeps the commitment count
            for item in selectors.meeting_decisions(meeting, published_only=not reviewer)
        ]
    goals = list(Goal.objects.order_by("order"))
    titles = {goal.code: goal.title for goal in goals}
    # The countries a decision names, by name in the reader's language and order (one query).
    codes = {code for decision in decisions for code in decision.countries}
    named = {country.code: country for country in Country.objects.filter(code__in=codes)} if codes else {}
    for decision in decisions:
        decision.goal_titles = [titles.get(code, code) for code in decision.goals]
        decision.country_names = [
            country.name
            for country in sorted(
                (named[code] for code in decision.countries if code in named), key=lambda c: c.sort_key
            )
        ]
    next_value = services.next_stage(evaluation_round.stage)
    return render(
        request,
        "cycle/round_detail.html",
        {
            "round": evaluation_round,
            "steps": selectors.stage_steps(evaluation_round),
            "transitions": list(selectors.round_transitions(evaluation_round)) if reviewer else [],
            "next_stage": next_value,
            "next_stage_label": dict(EvaluationRound.Stage.choices).get(next_value, ""),
            "can_reopen": evaluation_round.stage in services.REOPENABLE,
            "can_review": reviewer,
            "meeting": meeting if shows_record else None,
            "participants": meeting.country_rows() if meeting is not None and shows_record else [],
            "evaluations": evaluations,
            "decisions": decisions,
            "goals": goals if reviewer and meeting else [],
            "step_form": step_form
            or StepForm(initial={"from_stage": evaluation_round.stage}, auto_id="step-%s"),
            "release_form": release_form
            or ReleaseForm(initial={"released_at": evaluation_round.released_at}),
            "follow_up": selectors.decision_follow_up(evaluation_round=evaluation_round),
        },
        status=status,
    )


@login_required
@require_POST
def round_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the round's next step, or reopen it for data collection (``action=reopen``)."""
    _require(access.can_review(request.user))
    evaluation_round = _round(pk)
    form = StepForm(request.POST, auto_id="step-%s")
    if not form.is_valid():
        # A reason too long is the reviewer's to shorten; a missing stage is the page's (reload it).
        problems = [message for errors in form.errors.values() for message in errors]
        if "from_stage" in form.errors:
            problems = [_("Reload the page and try again.")]
        messages.error(request, " ".join(problems))
        return _render_round(
            request, evaluation_round, step_form=_fresh_stage(form, evaluation_round), status=400
        )
    values = {"from_stage": form.cleaned_data["from_stage"], "reason": form.cleaned_data["reason"]}
    try:
        if request.POST.get("action") == "reopen":
            services.round_reopen(evaluation_round=evaluation_round, user=request.user, **values)
        else:
            services.round_advance(evaluation_round=evaluation_round, user=request.user, **values)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        # The refused step keeps its reason; the page shows the round as it is now.
        evaluation_round = _round(pk)
        return _render_round(
            request, evaluation_round, step_form=_fresh_stage(form, evaluation_round), status=409
        )
    messages.success(
        request,
        _("The round is now at the step: %(stage)s.") % {"stage": evaluation_round.get_stage_display()},
    )
    return redirect("cycle:round_detail", pk=pk)


def _fresh_stage(form: StepForm, evaluation_round: EvaluationRound) -> StepForm:
    """The refused form again, with the reason as typed and the stage the round is at now."""
    data = form.data.copy()
    data["from_stage"] = evaluation_round.stage
    return StepForm(data, auto_id="step-%s")


@login_required
@require_POST
def round_release(request: HttpRequest, pk: int) -> HttpResponse:
    _require(access.can_review(request.user))
    evaluation_round = _round(pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return _render_round(request, evaluation_round, release_form=form, status=400)
    try:
        services.round_set_release(
            evaluation_round=evaluation_round,
            released_at=form.cleaned_data["released_at"],
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render_round(request, _round(pk), release_form=form, status=409)
    messages.success(request, _("Release moment saved."))
    return redirect("cycle:round_detail", pk=pk)


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(access.can_review(request.user))
    evaluation_round = _round(pk)
    meeting = selectors.meeting_of(evaluation_round)
    initial = (
        {
            "held_on": meeting.held_on,
            "place": meeting.place,
            "countries": meeting.countries,
            "loaded_at": meeting.updated_at.isoformat(),
        }
        if meeting
        else {"held_on": evaluation_round.ministerial_date}
    )
    data = request.POST.copy() if request.method == "POST" else None
    form = MeetingForm(data, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save(
                evaluation_round=evaluation_round,
                user=request.user,
                held_on=form.cleaned_data["held_on"],
                place=form.cleaned_data["place"],
                countries=list(Country.objects.filter(code__in=form.cleaned_data["countries"])),
                loaded_at=form.cleaned_data["loaded_at"],
            )
        except ValidationError as error:
            conflict = getattr(error, "code", None) == "conflict"
            if conflict:
                # The reviewer has now been told: saving again is a deliberate save over the new record.
                meeting = selectors.meeting_of(evaluation_round)
                data["loaded_at"] = meeting.updated_at.isoformat() if meeting else ""
            form.add_service_errors(error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("cycle:round_detail", pk=pk)
    return render(
        request,
        "cycle/meeting_form.html",
        {
            "round": evaluation_round,
            "form": form,
            "meeting": meeting,
            "steps": selectors.stage_steps(evaluation_round),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


def _meeting(evaluation_round: EvaluationRound) -> Meeting:
    meeting = Meeting.objects.filter(evaluation_round=evaluation_round).first()
    if meeting is None:
        raise Http404
    return meeting


def _text_page(request, *, item, form, save, template: str, context: dict, done: str) -> HttpResponse:
    """The shared flow of the evaluation and decision forms: versioned save, conflicts (409), buttons."""
    conflict = None
    locked = item is not None and item.status == Status.SUBMITTED
    if locked:
        # While the reviewers look at it the text is read-only: show it so, without a save button.
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and locked:
        conflict = _("This item is locked: it cannot be changed now.")
    elif request.method == "POST" and form.is_valid():
        try:
            saved = save(expected_version=form.cleaned_data.get("expected_version"), **form_values(form))
        except commitment_services.EditConflict as error:
            conflict = str(error)
            item = error.current
            # What the reviewer typed stays in the form; from now on saving it is a deliberate save over
            # the text they have been shown changed (else every save would conflict again, and the only
            # way out would be a reload that throws their words away).
            form.data = form.data.copy()
            form.data[form.add_prefix("expected_version")] = item.version
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            unchanged = item is not None and saved.version == item.version
            messages.success(
                request, _("Nothing changed, so nothing was saved.") if unchanged else _("Saved.")
            )
            return redirect(done)
    return render(
        request,
        template,
        {
            **context,
            "form": form,
            "item": item,
            "conflict": conflict,
            "locked": locked,
            "four_eyes_note": four_eyes_note(item, request.user),
            "actions": text_actions(item, request.user),
            "step_form": TextStepForm(initial={"expected_version": item.version if item else 0}),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


def form_values(form) -> dict:
    if hasattr(form, "service_values"):
        return form.service_values()
    return {"text": form.cleaned_data["text"].strip()}


def four_eyes_note(item, user) -> str:
    """Why a reviewer sees no approve button on a submitted text: it is their own work."""
    if item is None or item.status != Status.SUBMITTED or not access.can_review(user):
        return ""
    if not commitment_services.four_eyes_required() or not commitment_services.is_own_work(
        item=item, user=user
    ):
        return ""
    if item.submitted_by_id == user.pk:
        return _("You submitted it yourself: another reviewer must approve or return it (four eyes).")
    return _("You changed it yourself: another reviewer must approve or return it (four eyes).")


def text_actions(item, user) -> list[tuple[str, str]]:
    """The workflow buttons the reviewer may press now: approving and returning are for someone other
    than the person who changed or submitted the text (four eyes)."""
    if item is None or not access.can_review(user):
        return []
    if item.status == Status.SUBMITTED and commitment_services.four_eyes_required():
        if commitment_services.is_own_work(item=item, user=user):
            return []
    return {
        Status.DRAFT: [("submit", _("Submit for review"))],
        Status.RETURNED: [("submit", _("Submit for review"))],
        Status.SUBMITTED: [("approve", _("Approve")), ("return", _("Return with a reason"))],
        Status.APPROVED: [("reopen", _("Reopen with a reason"))],
    }[item.status]


@login_required
def evaluation_edit(request: HttpRequest, pk: int, goal: str) -> HttpResponse:
    _require(access.can_review(request.user))
    evaluation_round = _round(pk)
    meeting = _meeting(evaluation_round)
    goal_row = get_object_or_404(Goal, code=goal)
    item = MeetingEvaluation.objects.filter(meeting=meeting, goal=goal_row).first()
    initial = (
        {"text": item.working_copy().text, "expected_version": item.version}
        if item
        else {"expected_version": 0}
    )
    form = EvaluationForm(request.POST or None, initial=initial)

    def save(**values):
        return services.evaluation_save(meeting=meeting, goal=goal_row, user=request.user, **values)

    return _text_page(
        request,
        item=item,
        form=form,
        save=save,
        template="cycle/evaluation_form.html",
        context={"round": evaluation_round, "meeting": meeting, "goal": goal_row, "text_kind": "evaluation"},
        done=reverse("cycle:evaluation_edit", args=[pk, goal]),
    )


@login_required
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(access.can_review(request.user))
    evaluation_round = _round(pk)
    meeting = _meeting(evaluation_round)
    form = DecisionForm(request.POST or None, initial={"expected_version": 0})
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_save(user=request.user, meeting=meeting, **form.service_values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Decision saved as a draft: submit it for review."))
            return redirect("cycle:decision_edit", pk=decision.pk)
    return render(
        request,
        "cycle/decision_form.html",
        {"round": evaluation_round, "meeting": meeting, "form": form, "item": None, "text_kind": "decision"},
        status=400 if form.errors else 200,
    )


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(access.can_review(request.user))
    decision = get_object_or_404(Decision.objects.select_related("meeting__evaluation_round"), pk=pk)
    form = DecisionForm(request.POST or None, initial=DecisionForm.initial_of(decision))

    def save(**values):
        return services.decision_save(user=request.user, decision=decision, **values)

    return _text_page(
        request,
        item=decision,
        form=form,
        save=save,
        template="cycle/decision_form.html",
        context={
            "round": decision.meeting.evaluation_round,
            "meeting": decision.meeting,
            "text_kind": "decision",
            "commitment_count": decision.commitments.count(),
        },
        done=reverse("cycle:decision_edit", args=[pk]),
    )


TEXT_KINDS = {"evaluation": MeetingEvaluation, "decision": Decision}


@login_required
@require_POST
def text_review(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Submit, approve, return or reopen an evaluation or a decision (four eyes on approve and return)."""
    _require(access.can_review(request.user))
    if kind not in TEXT_KINDS:
        raise Http404
    item = get_object_or_404(TEXT_KINDS[kind].objects.select_related("meeting"), pk=pk)
    form = TextStepForm(request.POST)
    action = request.POST.get("action", "")
    back = (
        reverse("cycle:decision_edit", args=[pk])
        if kind == "decision"
        else reverse("cycle:evaluation_edit", args=[item.meeting.evaluation_round_id, item.goal.code])
    )
    if not form.is_valid():
        # Say what is wrong with what was sent (a reason too long is not a reason missing).
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(back)
    try:
        moved = services.text_transition(
            item=item,
            action=action,
            user=request.user,
            reason=form.cleaned_data.get("reason", ""),
            expected_version=form.cleaned_data.get("expected_version"),
        )
    except commitment_services.EditConflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {
            "submit": _("Submitted for review."),
            "approve": _("Approved: this is now the text everyone reads."),
            "return": _("Returned with a reason."),
            "reopen": _("Reopened."),
        }
        message = done[action]
        if isinstance(moved, Decision) and action == "approve":
            message += " " + _("The countries concerned now have %(count)s commitments from it.") % {
                "count": moved.commitments.count()
            }
        messages.success(request, message)
    return redirect(back)


@login_required
def plan_next(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan the next round from the meeting's decisions: GET previews, POST creates (all or nothing)."""
    _require(access.can_review(request.user))
    evaluation_round = _round(pk)
    meeting = _meeting(evaluation_round)
    # A POST is always bound (an empty one plans with the default deadline); a GET with a deadline previews.
    form = PlanForm(request.POST if request.method == "POST" else (request.GET or None))
    deadline = form.cleaned_data.get("deadline") if form.is_bound and form.is_valid() else None
    if deadline is not None:
        try:
            services.next_round_plan(meeting=meeting, deadline=deadline)
        except ValidationError as error:
            form.add_service_errors(error)
            deadline = None  # the preview below shows the default plan under the error
    if request.method == "POST" and form.is_valid():
        try:
            new_round = services.next_round_create(meeting=meeting, user=request.user, deadline=deadline)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The round %(label)s is planned.") % {"label": new_round.label})
            return redirect("cycle:round_detail", pk=new_round.pk)
    plan = services.next_round_plan(meeting=meeting, deadline=deadline)
    return render(
        request,
        "cycle/plan_next.html",
        {"round": evaluation_round, "meeting": meeting, "plan": plan, "form": form, "deadline": deadline},
        status=400 if form.errors else 200,
    )
