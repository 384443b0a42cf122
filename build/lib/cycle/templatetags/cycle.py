"""``{% round_stage round %}``: which step of its life a round is in, on any page or report."""

from __future__ import annotations

from django import template

from cycle.selectors import stage_steps

register = template.Library()


@register.inclusion_tag("cycle/partials/stage.html")
def round_stage(evaluation_round, compact: bool = False) -> dict:
    return {"round": evaluation_round, "steps": stage_steps(evaluation_round), "compact": compact}


@register.inclusion_tag("cycle/partials/current_round.html")
def current_round_stage() -> dict:
    """The step of the latest evaluation round, with a link to its page (one query)."""
    from commitments.models import EvaluationRound

    latest = EvaluationRound.objects.order_by("-ministerial_date").first()
    return {"round": latest, "steps": stage_steps(latest) if latest else []}
