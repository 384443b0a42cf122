"""The API's read of government-reported figures: the two tracks for partners, by the round's release rules.

Partners and ministers read submitted government figures of released rounds' periods only
(``EvaluationRound.objects.released()``); the secretariat reads every submitted figure of the countries
whose drafts it may read. Drafts of the questionnaire are never served.
"""

from __future__ import annotations

from django.db.models import Q
from rest_framework import generics, serializers

from commitments.api.visibility import viewer_for

from . import selectors
from .models import SelfReportValue, SelfStatus


class SelfReportedValueSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    indicator = serializers.CharField(source="indicator.code")
    period = serializers.CharField(source="period.label")
    track = serializers.SerializerMethodField()

    class Meta:
        model = SelfReportValue
        fields = [
            "id",
            "country",
            "indicator",
            "period",
            "track",
            "number_value",
            "boolean_value",
            "text_value",
            "note",
            "submitted_at",
            "decision",
        ]

    def get_track(self, row: SelfReportValue) -> str:
        return "government"


class SelfReportedValueList(generics.ListAPIView):
    """Indicator values as the governments reported them (beside ``/values/``, the rapporteur's)."""

    serializer_class = SelfReportedValueSerializer
    queryset = SelfReportValue.objects.none()  # for the schema: the answer's rows come from get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator reads no data
            return SelfReportValue.objects.none()
        viewer = viewer_for(self.request)
        released = Q(period_id__in=sorted(selectors.released_period_ids()))
        if viewer.draft_country_ids is None:
            visible = Q()
        elif viewer.draft_country_ids:
            visible = released | Q(country_id__in=viewer.draft_country_ids)
        else:
            visible = released
        return (
            SelfReportValue.objects.filter(visible, viewer.country_q("country"), status=SelfStatus.SUBMITTED)
            .select_related("country", "indicator", "period")
            .order_by("country__code", "indicator__code", "period__starts_on", "pk")
        )
