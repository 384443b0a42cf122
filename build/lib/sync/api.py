"""GET /api/v1/changes/?cursor=...: every change a reader may see since their cursor, in order.

Each entry names the item (``type`` and ``id``, the id the item's own endpoint takes) and carries either
its representation now, exactly as its endpoint shows it to this reader, or ``"deleted": true`` when the
reader can no longer see it (reopened, withdrawn, deleted). Within one answer an item appears once, at
the place of its latest change. ``next_cursor`` continues after the last change read; while
``has_more`` is true, ask again at once. A reader whose view changed (a token given other countries)
gets 410 for an old cursor and starts again without one; a cursor this API never gave answers 404
(400 when it is not even shaped like one). Without a cursor the feed starts at the
beginning: every item there is, then every change since.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.api import views as api_views
from commitments.api.serializers import ErrorSerializer
from commitments.api.visibility import viewer_for
from reporting.api.views import ReportViewSet

from . import changes

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"

# type: (the endpoint's viewset, the field the endpoint looks items up by)
RESOURCES = {
    "country": (api_views.CountryViewSet, "code"),
    "goal": (api_views.GoalViewSet, "code"),
    "indicator": (api_views.IndicatorViewSet, "code"),
    "period": (api_views.PeriodViewSet, "pk"),
    "round": (api_views.RoundViewSet, "pk"),
    "value": (api_views.IndicatorValueViewSet, "pk"),
    "commitment": (api_views.CommitmentViewSet, "pk"),
    "recommendation": (api_views.RecommendationViewSet, "pk"),
    "report": (ReportViewSet, "pk"),
}


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy(
        "This cursor no longer applies: what you may see changed. Start again without one."
    )
    default_code = "cursor_expired"


class ChangeSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=sorted(RESOURCES), help_text="The kind of item.")
    id = serializers.CharField(help_text="The item's id (countries, goals, indicators: the code), as text.")
    deleted = serializers.BooleanField(help_text="True: the item left your view; drop your copy.")
    data = serializers.DictField(
        allow_null=True, help_text="The item as its endpoint shows it now; null when deleted."
    )


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Pass it as ?cursor= next time.")
    has_more = serializers.BooleanField(help_text="More changes are ready: ask again at once.")


def _whole_number(request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= maximum:
        return int(raw)
    raise exceptions.ValidationError({name: [_("Give a whole number from 1 to %(n)s.") % {"n": maximum}]})


class ChangeFeedView(APIView):
    """The change feed (see the module's docstring)."""

    @extend_schema(
        summary="Changes since your cursor: new representations and removals, in order",
        parameters=[
            OpenApiParameter(
                "cursor",
                str,
                description="Your last answer's next_cursor; without it the feed starts at the beginning.",
                pattern=CURSOR_PATTERN,
            ),
            OpenApiParameter(
                "limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=f"Changes per answer: {DEFAULT_LIMIT} by default, at most {MAX_LIMIT}.",
            ),
        ],
        responses={200: ChangeFeedSerializer, 410: ErrorSerializer},
    )
    def get(self, request, *args, **kwargs):
        viewer = viewer_for(request)
        limit = _whole_number(request, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        position = changes.Position(0, 0)
        cursor = request.query_params.get("cursor")
        if cursor is not None:
            if not re.fullmatch(CURSOR_PATTERN, cursor):
                raise exceptions.ValidationError({"cursor": [_("This is not a cursor this API gave.")]})
            try:
                position = changes.decode_cursor(cursor, viewer.scope)
            except changes.BadCursor as error:
                if error.expired:
                    raise Gone() from None
                # Well formed, but no position of ours: nothing is found there.
                raise exceptions.NotFound(_("This is not a cursor this API gave.")) from None
        rows, after, more = changes.read(after=position, visible=changes.visible_to(viewer), limit=limit)
        body = {
            "results": self.entries(rows),
            "next_cursor": changes.encode_cursor(after, viewer.scope),
            "has_more": more,
        }
        response = Response(body)
        response["Cache-Control"] = "private, no-store"
        # The partner fast path may keep this answer for this cursor until the data changes (fastpath.py).
        response.alliance_cacheable = True
        return response

    def entries(self, rows) -> list[dict]:
        latest: dict[tuple[str, str], int] = {}
        for index, row in enumerate(rows):
            latest[(row.resource, row.key)] = index  # an item changed twice here: its last place counts
        ordered = sorted(latest, key=latest.__getitem__)
        shown: dict[tuple[str, str], dict] = {}
        for resource in {resource for resource, _key in ordered}:
            keys = [key for kind, key in ordered if kind == resource]
            shown.update(self.representations(resource, keys))
        return [
            {
                "type": resource,
                "id": key,
                "deleted": (resource, key) not in shown,
                "data": shown.get((resource, key)),
            }
            for resource, key in ordered
        ]

    def representations(self, resource: str, keys: list[str]) -> dict[tuple[str, str], dict]:
        """The items among ``keys`` this reader sees now, as their endpoint shows them."""
        viewset_class, lookup = RESOURCES[resource]
        view = viewset_class(request=self.request, format_kwarg=None, args=(), kwargs={}, action="list")
        if lookup == "pk":
            keys = [key for key in keys if key.isdigit()]
        items = list(view.get_queryset().filter(**{f"{lookup}__in": keys}))
        data = view.get_serializer(items, many=True).data
        return {(resource, str(getattr(item, lookup))): row for item, row in zip(items, data, strict=True)}
