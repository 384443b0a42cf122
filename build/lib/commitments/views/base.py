"""What the workspace pages share: finding a country, refusing, and what changed under the user's eyes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import selectors, services
from ..forms import VersionedForm
from ..models import Country, IndicatorValue, Reviewable
from ..templatetags.workspace import display_value

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
