"""Every write of the focal app: focal points, the questionnaire's drafts and submission, the staff's
decisions on submitted figures, and the reply.

The rules that hold for staff hold here: each write checks who may do it (commitments/access.py), sends
only text to text fields (``check_types``), validates with ``full_clean()``, takes the ``version`` the
writer started from (``EditConflict`` otherwise: nothing is overwritten) and leaves history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import access
from commitments import services as commitment_services
from commitments.models import (
    Commitment,
    CommitmentProgress,
    Country,
    EvaluationRound,
    Indicator,
    IndicatorValue,
    Recommendation,
    ReportingPeriod,
)
from commitments.services import KEEP, EditConflict, check_types, version_required_error

from .models import (
    Decision,
    FocalPoint,
    Reply,
    ReplyWindow,
    SelfReport,
    SelfReportProgress,
    SelfReportResponse,
    SelfReportValue,
    SelfStatus,
)

SECTIONS = {"values": SelfReportValue, "progress": SelfReportProgress, "responses": SelfReportResponse}


def focal_point_add(*, user, country: Country, added_by=None) -> FocalPoint:
    """Make an account the focal point of a country (the invitation does this; so may the admin)."""
    from django.contrib.auth.models import Group

    focal_point = FocalPoint(user=user, country=country)
    focal_point.full_clean()
    with transaction.atomic():
        focal_point._history_user = added_by
        focal_point.save()
        user.groups.add(Group.objects.get(name=str(access.Role.FOCAL_POINT)))
    return focal_point


# --- the questionnaire -------------------------------------------------------------------------------


def deadline_passed(period: ReportingPeriod, *, today: dt.date | None = None) -> bool:
    return (today or timezone.localdate()) > period.deadline


def _require_self_report(user, country: Country, period: ReportingPeriod) -> None:
    if not access.can_self_report(user, country):
        raise PermissionDenied(
            _("Only the focal points of %(country)s fill in its self-report.") % {"country": country.name}
        )
    if deadline_passed(period):
        raise ValidationError(
            _("The deadline of %(period)s (%(deadline)s) has passed: the self-report can no longer change.")
            % {"period": period.label, "deadline": period.deadline.isoformat()},
            code="deadline",
        )


def _save(
    *,
    model: type[SelfReport],
    lookup: dict[str, Any],
    values: dict[str, Any],
    user,
    country: Country,
    period: ReportingPeriod,
    expected_version: int | None,
    is_demo: bool = False,
) -> SelfReport:
    """Create or change one row of the questionnaire (a draft or a returned answer)."""
    values = {name: value for name, value in values.items() if value is not KEEP}
    check_types(model=model, values=values)
    _require_self_report(user, country, period)
    with transaction.atomic():
        current = model.objects.select_for_update().filter(**lookup).first()
        if current is None:
            if expected_version not in (None, 0):
                raise ValidationError(_("This item no longer exists; reload the page."), code="gone")
            item = model(
                **{"country": country, "period": period, **lookup}, **values, updated_by=user, is_demo=is_demo
            )
        else:
            if expected_version is None:
                raise version_required_error()
            if current.version != expected_version:
                changes = {
                    name: (None, getattr(current, name))
                    for name in values
                    if getattr(current, name) != values[name]
                }
                raise EditConflict(current=current, changes=changes)
            if not current.is_editable:
                raise ValidationError(
                    _("This answer was submitted and is locked; the secretariat can return it to you."),
                    code="locked",
                )
            if all(getattr(current, name) == value for name, value in values.items()):
                return current
            item = current
            for name, value in values.items():
                setattr(item, name, value)
            item.version = F("version") + 1
            item.updated_by = user
        item.full_clean(exclude=["version", "country", "period"])
        item._history_user = user
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            current = model.objects.get(**lookup)
            raise EditConflict(current=current, changes={}) from None
        item.refresh_from_db()
        return item


def _text(value: Any) -> Any:
    return "" if value is None else value


def self_value_save(
    *,
    country: Country,
    indicator: Indicator,
    period: ReportingPeriod,
    user,
    number_value: Decimal | None = KEEP,
    boolean_value: bool | None = KEEP,
    text_value: str = KEEP,
    note: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> SelfReportValue:
    """The government's value of an indicator for a period (a draft until submitted)."""
    if not indicator.is_active:
        raise ValidationError(_("%(code)s is retired and takes no new values.") % {"code": indicator.code})
    return _save(
        model=SelfReportValue,
        lookup={"country": country, "indicator": indicator, "period": period},
        values={
            "number_value": number_value,
            "boolean_value": boolean_value,
            "text_value": _text(text_value),
            "note": _text(note),
        },
        user=user,
        country=country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


def self_progress_save(
    *,
    commitment: Commitment,
    period: ReportingPeriod,
    user,
    completion: str = KEEP,
    narrative: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> SelfReportProgress:
    """A commitment's completion as the government sees it, with its narrative."""
    return _save(
        model=SelfReportProgress,
        lookup={"commitment": commitment, "period": period},
        values={"completion": _text(completion), "narrative": _text(narrative)},
        user=user,
        country=commitment.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


def self_response_save(
    *,
    recommendation: Recommendation,
    period: ReportingPeriod,
    user,
    answer: str = KEEP,
    action: str = KEEP,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> SelfReportResponse:
    """The government's response to a recommendation of its country, and what it will do."""
    if recommendation.country_id is None:
        raise ValidationError(
            _("Alliance-wide recommendations are answered by the alliance, not one country.")
        )
    return _save(
        model=SelfReportResponse,
        lookup={"recommendation": recommendation, "period": period},
        values={"answer": _text(answer), "action": _text(action)},
        user=user,
        country=recommendation.country,
        period=period,
        expected_version=expected_version,
        is_demo=is_demo,
    )


def questionnaire_submit(
    *,
    country: Country,
    period: ReportingPeriod,
    user,
    seen: dict[str, int],
    sections: list[str] | None = None,
) -> int:
    """Submit the questionnaire, or some of its sections, as the focal point saw it.

    ``seen`` maps "section-pk" to the version the focal point's page showed; a row that changed since (or
    that the page did not show) stops the submission: nothing is submitted unseen. An answer without its
    main field (value, completion, response) is not submitted: it stays a draft. Returns how many rows
    were submitted.
    """
    _require_self_report(user, country, period)
    chosen = sections or list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        raise ValidationError(
            _("Unknown part of the questionnaire: %(part)s") % {"part": ", ".join(sorted(unknown))}
        )
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for section in chosen:
            model = SECTIONS[section]
            rows = list(
                model.objects.select_for_update()
                .filter(country=country, period=period, status__in=[SelfStatus.DRAFT, SelfStatus.RETURNED])
                .order_by("pk")
            )
            for row in rows:
                key = f"{section}-{row.pk}"
                if seen.get(key) != row.version:
                    raise EditConflict(current=row, changes={})
                if not _answered(row):
                    continue
                row.status = SelfStatus.SUBMITTED
                row.submitted_at, row.submitted_by, row.updated_by = now, user, user
                row.return_reason = ""
                row.version = row.version + 1
                row._history_user = user
                row._change_reason = "submit"
                row.save()
                count += 1
    return count


def _answered(row: SelfReport) -> bool:
    if isinstance(row, SelfReportValue):
        return row.number_value is not None or row.boolean_value is not None or bool(row.text_value)
    if isinstance(row, SelfReportProgress):
        return bool(row.completion)
    return bool(row.answer)


def self_report_return(*, item: SelfReport, user, reason: str, expected_version: int | None) -> SelfReport:
    """The secretariat sends a submitted answer back to the focal points (with why), unlocking it."""
    if not access.can_review_self_report(user, item.country):
        raise PermissionDenied(_("You do not review %(country)s.") % {"country": item.country.name})
    check_types(model=type(item), values={"return_reason": reason})
    if not reason or not reason.strip():
        raise ValidationError({"return_reason": _("Say why it goes back, so the government can answer.")})
    return _staff_step(
        item=item,
        user=user,
        expected_version=expected_version,
        reason="return",
        fields={
            "status": SelfStatus.RETURNED,
            "return_reason": reason.strip(),
        },
        need_submitted=True,
    )


def _staff_step(
    *,
    item: SelfReport,
    user,
    expected_version: int | None,
    reason: str,
    fields: dict[str, Any],
    need_submitted: bool = True,
) -> SelfReport:
    if expected_version is None:
        raise version_required_error()
    with transaction.atomic():
        current = type(item).objects.select_for_update().get(pk=item.pk)
        if current.version != expected_version:
            raise EditConflict(current=current, changes={})
        if need_submitted and current.status != SelfStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted answer can be reviewed."), code="not_submitted")
        for name, value in fields.items():
            setattr(current, name, value)
        current.version = current.version + 1
        current.full_clean(exclude=["version", "country", "period"])
        current._history_user = user
        current._change_reason = reason
        current.save()
    return current


# --- two tracks: adopting or differing ------------------------------------------------------------------


def _rapporteur_row(item: SelfReport) -> Model | None:
    if isinstance(item, SelfReportValue):
        return IndicatorValue.objects.filter(
            country=item.country, indicator=item.indicator, period=item.period
        ).first()
    if isinstance(item, SelfReportProgress):
        return CommitmentProgress.objects.filter(commitment=item.commitment, period=item.period).first()
    raise ValidationError(_("A response is the government's own: there is no rapporteur's figure to adopt."))


def self_report_adopt(
    *, item: SelfReport, user, expected_version: int | None, rapporteur_version: int | None = None
) -> SelfReport:
    """Adopt the government's figure into the rapporteur's track (a draft there, reviewed as usual).

    Written through the commitments services (their access, limits, conflict and workflow rules): the
    rapporteur's row needs its ``rapporteur_version`` when it exists already.
    """
    if not access.can_review_self_report(user, item.country):
        raise PermissionDenied(_("You do not review %(country)s.") % {"country": item.country.name})
    with transaction.atomic():
        _write_rapporteur(item=item, user=user, rapporteur_version=rapporteur_version, own=None)
        return _staff_step(
            item=item,
            user=user,
            expected_version=expected_version,
            reason="adopt",
            fields={
                "decision": Decision.ADOPTED,
                "decision_reason": "",
                "decided_by": user,
                "decided_at": timezone.now(),
            },
        )


def self_report_diverge(
    *,
    item: SelfReport,
    user,
    reason: str,
    expected_version: int | None,
    rapporteur_version: int | None = None,
    number_value: Decimal | None = KEEP,
    boolean_value: bool | None = KEEP,
    text_value: str = KEEP,
    completion: str = KEEP,
) -> SelfReport:
    """Enter the rapporteur's own figure where it differs from the government's, saying why.

    The own figure is optional: with none given, the rapporteur's current figure stands, and the reason
    records why the government's is not adopted.
    """
    if not access.can_review_self_report(user, item.country):
        raise PermissionDenied(_("You do not review %(country)s.") % {"country": item.country.name})
    check_types(model=type(item), values={"decision_reason": reason})
    if not reason or not reason.strip():
        raise ValidationError({"decision_reason": _("Say why the rapporteur assesses differently.")})
    own = {
        name: value
        for name, value in {
            "number_value": number_value,
            "boolean_value": boolean_value,
            "text_value": text_value,
            "completion": completion,
        }.items()
        if value is not KEEP
    }
    with transaction.atomic():
        if own:
            _write_rapporteur(item=item, user=user, rapporteur_version=rapporteur_version, own=own)
        return _staff_step(
            item=item,
            user=user,
            expected_version=expected_version,
            reason="diverge",
            fields={
                "decision": Decision.DIVERGED,
                "decision_reason": reason.strip(),
                "decided_by": user,
                "decided_at": timezone.now(),
            },
        )


def _write_rapporteur(*, item: SelfReport, user, rapporteur_version: int | None, own: dict | None) -> Model:
    if item.status != SelfStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted answer can be reviewed."), code="not_submitted")
    current = _rapporteur_row(item)
    expected = rapporteur_version if current is not None else None
    if isinstance(item, SelfReportValue):
        figures = (
            own
            if own is not None
            else {
                "number_value": item.number_value,
                "boolean_value": item.boolean_value,
                "text_value": item.text_value,
            }
        )
        figures = {k: v for k, v in figures.items() if k in ("number_value", "boolean_value", "text_value")}
        return commitment_services.indicator_value_save(
            country=item.country,
            indicator=item.indicator,
            period=item.period,
            user=user,
            expected_version=expected,
            **figures,
        )
    completion = (own or {}).get("completion", item.completion)
    return commitment_services.commitment_progress_save(
        commitment=item.commitment,
        period=item.period,
        user=user,
        completion=completion,
        expected_version=expected,
    )


# --- right of reply ------------------------------------------------------------------------------------


def reply_window(evaluation_round: EvaluationRound) -> tuple[dt.date | None, dt.date | None]:
    """When the round's right of reply is open: its own dates, else from the reports' drafting until
    FOCAL_REPLY_CLOSES_DAYS_BEFORE_MEETING days before the meeting (None, None: not open yet)."""
    try:
        window = evaluation_round.reply_window
    except ReplyWindow.DoesNotExist:
        window = None
    if window is not None:
        return window.opens_on, window.closes_on
    if evaluation_round.stage not in (EvaluationRound.Stage.FROZEN, EvaluationRound.Stage.DRAFTED):
        return None, None
    closes = evaluation_round.ministerial_date - dt.timedelta(
        days=settings.FOCAL_REPLY_CLOSES_DAYS_BEFORE_MEETING
    )
    return timezone.localdate(), closes


def reply_open(evaluation_round: EvaluationRound, *, today: dt.date | None = None) -> bool:
    """Is the window open today? Never once the round's reports are released."""
    if evaluation_round.released_at is not None and evaluation_round.released_at <= timezone.now():
        return False
    opens, closes = reply_window(evaluation_round)
    today = today or timezone.localdate()
    return opens is not None and opens <= today <= closes


def reply_save(
    *,
    country: Country,
    evaluation_round: EvaluationRound,
    user,
    text: str,
    expected_version: int | None = None,
    is_demo: bool = False,
) -> Reply:
    """The government's reply to its draft chapter: written and changed by its focal points while open."""
    if not access.can_self_report(user, country):
        raise PermissionDenied(
            _("Only the focal points of %(country)s reply for it.") % {"country": country.name}
        )
    check_types(model=Reply, values={"text": text})
    if not reply_open(evaluation_round):
        raise ValidationError(_("The right of reply for this round is not open."), code="closed")
    with transaction.atomic():
        current = (
            Reply.objects.select_for_update()
            .filter(country=country, evaluation_round=evaluation_round)
            .first()
        )
        if current is None:
            if expected_version not in (None, 0):
                raise ValidationError(_("This item no longer exists; reload the page."), code="gone")
            item = Reply(
                country=country,
                evaluation_round=evaluation_round,
                text=text,
                updated_by=user,
                is_demo=is_demo,
            )
        else:
            if expected_version is None:
                raise version_required_error()
            if current.version != expected_version:
                raise EditConflict(current=current, changes={"text": (None, current.text)})
            if current.text == text:
                return current
            item = current
            item.text, item.updated_by = text, user
            item.version = F("version") + 1
        item.full_clean(exclude=["version"])
        item._history_user = user
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise EditConflict(
                current=Reply.objects.get(country=country, evaluation_round=evaluation_round)
            ) from None
        item.refresh_from_db()
        return item
