"""Every write of the evaluation cycle: the round's steps, the meeting's record, decisions and their
commitments, and planning the next round. The pages, the admin and the seed call these.

Reviewed texts (evaluations, decisions) go through the alliance's one workflow
(``commitments.services``: drafts, versions, four eyes); the round's steps are logged in
``RoundTransition`` and in the round's own history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from commitments import access
from commitments import services as commitment_services
from commitments.models import (
    TEXT_ONLY,
    Commitment,
    Country,
    EvaluationRound,
    Goal,
    ReportingPeriod,
    Status,
)

from .models import (
    FROZEN_STAGES,
    STAGE_ORDER,
    Decision,
    Meeting,
    MeetingEvaluation,
    RoundTransition,
    Stage,
)

HISTORY_REASON_LENGTH = commitment_services.HISTORY_REASON_LENGTH
UNCHECKED: Any = object()  # a save that does not say what it was based on (the seed, scripts)


def _require_reviewer(user, message: str) -> None:
    if not access.can_review(user):
        raise PermissionDenied(message)


def _clean_reason(reason: Any) -> str:
    if reason is not None and not isinstance(reason, str):
        raise ValidationError({"reason": [TEXT_ONLY]}, code="invalid")
    reason = (reason or "").strip()
    try:
        RoundTransition._meta.get_field("reason").run_validators(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None
    return reason


# --- the round's life ---------------------------------------------------------------------------------


def next_stage(stage: str) -> str | None:
    """The stage after ``stage``; None after the last one."""
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def _log(*, current: EvaluationRound, kind: str, from_stage: str, user, reason: str) -> RoundTransition:
    entry = RoundTransition(
        evaluation_round=current,
        kind=kind,
        from_stage=from_stage,
        to_stage=current.stage,
        released_at=current.released_at,
        reason=reason,
        user=user,
    )
    entry.full_clean()
    entry.save()
    step = f"{kind}: {from_stage} → {current.stage}"
    current._change_reason = (f"{step}: {reason}" if reason else step)[:HISTORY_REASON_LENGTH]
    current._history_user = user
    current.full_clean()
    current.save(update_fields=["stage", "released_at"])
    return entry


def round_advance(
    *, evaluation_round: EvaluationRound, from_stage: str, user, reason: str = ""
) -> EvaluationRound:
    """Take a round one step on in its life (reviewers only); ``from_stage`` is the stage the reviewer
    saw, so that two reviewers cannot both take the same step.

    Reports are published only once the release moment is set; the meeting is held only once it is
    recorded. Each step is logged with who, when and why.
    """
    _require_reviewer(user, _("Only reviewers move an evaluation round on."))
    reason = _clean_reason(reason)
    with transaction.atomic():
        current = EvaluationRound.objects.select_for_update().get(pk=evaluation_round.pk)
        if current.stage != from_stage:
            raise ValidationError(
                _("The round is now at the step %(stage)s, not the one you saw; reload the page.")
                % {"stage": current.get_stage_display().lower()},
                code="stale",
            )
        target = next_stage(current.stage)
        if target is None:
            raise ValidationError(_("The round is at its last step."), code="invalid_transition")
        if target == Stage.PUBLISHED and current.released_at is None:
            raise ValidationError(
                _("Set the release moment before publishing the reports."), code="no_release"
            )
        if target == Stage.MEETING_HELD and not Meeting.objects.filter(evaluation_round=current).exists():
            raise ValidationError(
                _("Record the ministerial meeting before saying it was held."), code="no_meeting"
            )
        current.stage = target
        _log(
            current=current,
            kind=RoundTransition.Kind.ADVANCE,
            from_stage=from_stage,
            user=user,
            reason=reason,
        )
    evaluation_round.refresh_from_db()
    return evaluation_round


# A round can go back to data collection only before its reports are published.
REOPENABLE = frozenset({Stage.FROZEN, Stage.DRAFTED})


def round_reopen(*, evaluation_round: EvaluationRound, from_stage: str, user, reason: str) -> EvaluationRound:
    """Reopen a frozen round for data collection (reviewers only, always with a reason)."""
    _require_reviewer(user, _("Only reviewers reopen an evaluation round."))
    reason = _clean_reason(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for reopening the round.")}, code="required")
    with transaction.atomic():
        current = EvaluationRound.objects.select_for_update().get(pk=evaluation_round.pk)
        if current.stage != from_stage:
            raise ValidationError(
                _("The round is now at the step %(stage)s, not the one you saw; reload the page.")
                % {"stage": current.get_stage_display().lower()},
                code="stale",
            )
        if current.stage not in REOPENABLE:
            raise ValidationError(
                _("Only a round whose data is frozen and whose reports are not published can be reopened."),
                code="invalid_transition",
            )
        current.stage = Stage.COLLECTION
        _log(
            current=current, kind=RoundTransition.Kind.REOPEN, from_stage=from_stage, user=user, reason=reason
        )
    evaluation_round.refresh_from_db()
    return evaluation_round


def round_set_release(
    *, evaluation_round: EvaluationRound, released_at: dt.datetime | None, user, reason: str = ""
) -> EvaluationRound:
    """Set (or clear) the moment the round's approved data and reports become public: reviewers only,
    and only before the reports are published (after that, the moment is history)."""
    _require_reviewer(user, _("Only reviewers set the release moment."))
    reason = _clean_reason(reason)
    if released_at is not None and not isinstance(released_at, dt.datetime):
        raise ValidationError({"released_at": _("Enter a date and time.")}, code="invalid")
    with transaction.atomic():
        current = EvaluationRound.objects.select_for_update().get(pk=evaluation_round.pk)
        if STAGE_ORDER.index(current.stage) >= STAGE_ORDER.index(Stage.PUBLISHED):
            raise ValidationError(
                _("The reports are published: the release moment can no longer change."), code="published"
            )
        current.released_at = released_at
        _log(
            current=current,
            kind=RoundTransition.Kind.RELEASE,
            from_stage=current.stage,
            user=user,
            reason=reason,
        )
    evaluation_round.refresh_from_db()
    return evaluation_round


# --- the meeting's record -----------------------------------------------------------------------------


def meeting_save(
    *,
    evaluation_round: EvaluationRound,
    user,
    held_on: dt.date,
    place: str,
    countries: list[Country],
    is_demo: bool = False,
    loaded_at: dt.datetime | None | object = UNCHECKED,
) -> Meeting:
    """Record (or correct) the ministerial meeting of a round: reviewers (the secretariat) only, once the
    reports are published.

    ``loaded_at`` is when the meeting the reviewer saw was last saved (None: they saw no meeting yet). A
    save over a record that changed since is refused (``code="conflict"``), so that two reviewers editing
    the meeting at once never overwrite each other unseen. Callers without a form (the seed) leave it out.
    """
    _require_reviewer(user, _("Only reviewers record the ministerial meeting."))
    if STAGE_ORDER.index(evaluation_round.stage) < STAGE_ORDER.index(Stage.PUBLISHED):
        raise ValidationError(
            _("The ministers meet on published reports: publish the round's reports first."),
            code="not_published",
        )
    if not isinstance(place, str):
        raise ValidationError({"place": [TEXT_ONLY]}, code="invalid")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(evaluation_round=evaluation_round).first()
        if loaded_at is not UNCHECKED and (meeting.updated_at if meeting else None) != loaded_at:
            raise meeting_conflict(meeting)
        reason = "edited"
        if meeting is None:
            meeting = Meeting(evaluation_round=evaluation_round, is_demo=is_demo)
            reason = "created"
        meeting.held_on, meeting.place = held_on, place.strip()
        meeting.countries = sorted({country.code for country in countries})
        meeting.full_clean()
        meeting._history_user = user
        meeting._change_reason = reason
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:
            # Another reviewer recorded the round's meeting at the same moment (the lock had no row yet).
            raise meeting_conflict(None) from None
    return meeting


def meeting_conflict(meeting: Meeting | None) -> ValidationError:
    """The refusal of a meeting save over a record someone else saved since the reviewer loaded it."""
    last = meeting.history.select_related("history_user").first() if meeting else None
    who = (last.history_user if last else None) or _("Another reviewer")
    return ValidationError(
        _(
            "%(who)s saved the meeting while you were editing it. Your change was not saved: the form "
            "shows what you typed; compare it with the meeting's page and save again."
        )
        % {"who": who},
        code="conflict",
    )


def _revised_create(*, item, user) -> Any:
    """Create a reviewed text as a draft: nobody outside the workspace sees it until it is approved."""
    commitment_services.check_types(
        model=type(item), values={name: getattr(item, name) for name in type(item).revised_fields}
    )
    item.created_by = item.updated_by = item.edited_by = user
    item.full_clean(exclude=["version"])
    item._history_user = user
    item._change_reason = "created"
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        item.validate_constraints()
        raise
    return item


def evaluation_save(
    *,
    meeting: Meeting,
    goal: Goal,
    user,
    text: str,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> MeetingEvaluation:
    """Write (or revise) the ministers' evaluation of the policy effects under a goal: a reviewed text."""
    _require_reviewer(user, _("Only reviewers write the ministers' evaluation."))
    current = MeetingEvaluation.objects.filter(meeting=meeting, goal=goal).first()
    if current is None:
        if expected_version not in (None, 0):
            raise ValidationError(_("This item no longer exists; reload the page."), code="gone")
        item = MeetingEvaluation(meeting=meeting, goal=goal, text=text, is_demo=is_demo)
        return _revised_create(item=item, user=user)
    return commitment_services._revised_save(
        item=current, user=user, fields={"text": text}, expected_version=expected_version
    )


def _normal_codes(codes: Any) -> Any:
    """Codes as a sorted list without repeats (what the form or API sent may be in any order)."""
    if isinstance(codes, list | tuple) and all(isinstance(code, str) for code in codes):
        return sorted({code.strip().upper() for code in codes if code.strip()})
    return codes


def decision_save(
    *,
    user,
    meeting: Meeting | None = None,
    decision: Decision | None = None,
    expected_version: int | None = None,
    is_demo: bool = False,
    **fields: Any,
) -> Decision:
    """Record a decision of the ministers (``decision=None``, on ``meeting``) or revise its draft.

    Entered by the secretariat (reviewers), approved by another reviewer (four eyes). Goals and countries
    are given as lists of codes; no countries means all participating countries.
    """
    _require_reviewer(user, _("Only reviewers record the ministers' decisions."))
    unknown = set(fields) - set(Decision.revised_fields)
    if unknown:
        raise TypeError(f"Decision has no reviewed fields {sorted(unknown)}")
    for name in ("goals", "countries"):
        if name in fields:
            fields[name] = _normal_codes(fields[name])
    if decision is None:
        if meeting is None:
            raise TypeError("A new decision needs its meeting.")
        return _revised_create(item=Decision(meeting=meeting, is_demo=is_demo, **fields), user=user)
    return commitment_services._revised_save(
        item=decision, user=user, fields=fields, expected_version=expected_version
    )


def text_transition(
    *, item: MeetingEvaluation | Decision, action: str, user, reason: str = "", expected_version: int | None
) -> MeetingEvaluation | Decision:
    """Submit, approve, return or reopen an evaluation or a decision (the alliance's one workflow, four
    eyes). Approving a decision creates the commitments of the countries concerned, in the same
    transaction: an approval never leaves a decision without its commitments."""
    with transaction.atomic():
        moved = commitment_services.reviewable_transition(
            item=item, action=action, user=user, reason=reason, expected_version=expected_version
        )
        if isinstance(moved, Decision) and action == "approve":
            decision_commitments_create(decision=moved, user=user)
    return moved


# --- decisions become commitments ---------------------------------------------------------------------


def decision_countries(decision: Decision) -> list[Country]:
    """The countries that take the decision on: those named, or every country participating on the day
    of the meeting."""
    if decision.countries:
        return list(Country.objects.filter(code__in=decision.countries).order_by("code"))
    return list(Country.objects.participating_on(decision.meeting.held_on).order_by("code"))


def decision_commitments_create(*, decision: Decision, user) -> list[Commitment]:
    """The commitments an approved decision asks of each country concerned, one per country and goal,
    linked to the decision and approved with it (its words were reviewed). Safe to run again: a country
    and goal that already has the decision's commitment is left as it is (a reopened and re-approved
    decision adds only what is missing)."""
    if decision.status != Status.APPROVED:
        raise ValidationError(_("Only an approved decision becomes commitments."), code="not_approved")
    goals = {goal.code: goal for goal in Goal.objects.filter(code__in=decision.goals)}
    existing = set(Commitment.objects.filter(decision=decision).values_list("country_id", "goal__code"))
    now = timezone.now()
    created = []
    for country in decision_countries(decision):
        for code in decision.goals:
            if (country.pk, code) in existing:
                continue
            commitment = Commitment(
                country=country,
                goal=goals[code],
                decision=decision,
                title=decision.title,
                description=decision.text,
                lead_organisation=decision.lead[:200],
                committed_on=decision.meeting.held_on,
                target_date=decision.due_on,
                status=Status.APPROVED,
                approved_at=now,
                approved_by=user,
                created_by=user,
                updated_by=user,
                edited_by=decision.edited_by,
                submitted_by=decision.submitted_by,
                is_demo=decision.is_demo,
            )
            commitment.full_clean(exclude=["version"])
            commitment._history_user = user
            commitment._change_reason = f"from decision {decision.number}"[:HISTORY_REASON_LENGTH]
            commitment.save()
            created.append(commitment)
    return created


# --- planning the next round --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedPeriod:
    label: str
    label_nl: str
    starts_on: dt.date
    ends_on: dt.date
    deadline: dt.date


@dataclass(frozen=True)
class NextRoundPlan:
    """What planning the next round will create: its periods, its label and its evaluation date."""

    meeting: Meeting
    label: str
    baseline_period: ReportingPeriod
    periods: tuple[PlannedPeriod, ...]
    ministerial_date: dt.date
    decisions: tuple[Decision, ...]
    commitment_count: int


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# The ministers evaluate three months after the last deadline: that date must exist.
MINISTERS_AFTER_DEADLINE = dt.timedelta(days=92)


def check_deadline(*, deadline: dt.date, period_ends_on: dt.date) -> None:
    """Refuse a submission deadline before the evaluation period ends, or with no date after it."""
    if not isinstance(deadline, dt.date):
        raise ValidationError({"deadline": _("Enter a date.")}, code="invalid")
    if deadline < period_ends_on:
        raise ValidationError(
            {
                "deadline": _("The submission deadline must be after the period ends (%(date)s).")
                % {"date": formats.date_format(period_ends_on)}
            },
            code="before_period_end",
        )
    if deadline > dt.date.max - MINISTERS_AFTER_DEADLINE:
        raise ValidationError(
            {"deadline": _("The submission deadline is too far in the future.")}, code="too_late"
        )


def next_round_plan(
    *, meeting: Meeting, deadline: dt.date | None = None, label_suffix: str = ""
) -> NextRoundPlan:
    """The next round as the decisions of ``meeting`` ask for it: two yearly progress periods after the
    evaluated one, a submission deadline a month after each, the ministers' evaluation three months after
    the last. ``deadline`` moves the last period's submission deadline (and the evaluation after it)."""
    previous = meeting.evaluation_round
    start = previous.evaluation_period.ends_on + dt.timedelta(days=1)
    first_end = _add_years(start, 1) - dt.timedelta(days=1)
    second_end = _add_years(start, 2) - dt.timedelta(days=1)
    last_deadline = deadline or second_end + dt.timedelta(days=31)
    check_deadline(deadline=last_deadline, period_ends_on=second_end)
    periods = (
        PlannedPeriod(
            label=f"{first_end.year} progress{label_suffix}",
            label_nl=f"voortgang {first_end.year}{label_suffix}",
            starts_on=start,
            ends_on=first_end,
            deadline=first_end + dt.timedelta(days=31),
        ),
        PlannedPeriod(
            label=f"{second_end.year} progress{label_suffix}",
            label_nl=f"voortgang {second_end.year}{label_suffix}",
            starts_on=first_end + dt.timedelta(days=1),
            ends_on=second_end,
            deadline=last_deadline,
        ),
    )
    decisions = tuple(meeting.decisions.filter(approved_at__isnull=False).order_by("number"))
    count = Commitment.objects.filter(decision__meeting=meeting).count()
    return NextRoundPlan(
        meeting=meeting,
        label=f"{start.year}–{second_end.year}{label_suffix}",
        baseline_period=previous.evaluation_period,
        periods=periods,
        ministerial_date=last_deadline + MINISTERS_AFTER_DEADLINE,
        decisions=decisions,
        commitment_count=count,
    )


def next_round_create(
    *, meeting: Meeting, user, deadline: dt.date | None = None, label_suffix: str = ""
) -> EvaluationRound:
    """Plan the next round in one step (reviewers only): its periods, deadlines and evaluation date, as
    ``next_round_plan`` previews them. The round starts in data collection; the meeting's decisions are
    followed up in it. All or nothing."""
    _require_reviewer(user, _("Only reviewers plan the next round."))
    plan = next_round_plan(meeting=meeting, deadline=deadline, label_suffix=label_suffix)
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if current.next_round_id is not None:
            raise ValidationError(_("The next round of this meeting is already planned."), code="planned")
        taken = ReportingPeriod.objects.filter(label__in=[p.label for p in plan.periods])
        if taken.exists() or EvaluationRound.objects.filter(label=plan.label).exists():
            raise ValidationError(
                _("A period or round with these labels exists already: %(labels)s.")
                % {"labels": ", ".join([*taken.values_list("label", flat=True), plan.label])},
                code="exists",
            )
        created = []
        for planned in plan.periods:
            period = ReportingPeriod(
                label=planned.label,
                label_nl=planned.label_nl,
                kind=ReportingPeriod.Kind.PROGRESS,
                starts_on=planned.starts_on,
                ends_on=planned.ends_on,
                deadline=planned.deadline,
                is_open=True,
            )
            period.full_clean()
            period._history_user = user
            period._change_reason = f"planned from {meeting.evaluation_round.label}"[:HISTORY_REASON_LENGTH]
            period.save()
            created.append(period)
        new_round = EvaluationRound(
            label=plan.label,
            baseline_period=plan.baseline_period,
            evaluation_period=created[-1],
            ministerial_date=plan.ministerial_date,
            stage=Stage.COLLECTION,
        )
        new_round.full_clean()
        new_round._history_user = user
        new_round._change_reason = "planned"
        new_round.save()
        RoundTransition.objects.create(
            evaluation_round=new_round,
            from_stage=Stage.PLANNED,
            to_stage=Stage.COLLECTION,
            reason=_("Planned from the decisions of %(meeting)s") % {"meeting": meeting},
            user=user,
        )
        current.next_round = new_round
        current._history_user = user
        current._change_reason = "next round planned"
        current.save(update_fields=["next_round", "updated_at"])
    meeting.refresh_from_db()
    return new_round


def is_frozen(evaluation_round: EvaluationRound) -> bool:
    return evaluation_round.stage in FROZEN_STAGES
