"""The shapes of the reports API: a report as listed, and a request for a new one."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from commitments.models import Country, EvaluationRound

from ..models import Report


class ReportSerializer(serializers.ModelSerializer):
    """A report and, once it is ready and the reader may have it, where to download it."""

    evaluation_round = serializers.SlugRelatedField(slug_field="label", read_only=True)
    evaluation_round_id = serializers.IntegerField(read_only=True)
    country = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="ISO code; null for the alliance-wide report.",
    )
    title = serializers.CharField(read_only=True)
    published = serializers.BooleanField(source="is_published", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "title",
            "kind",
            "evaluation_round",
            "evaluation_round_id",
            "country",
            "language",
            "status",
            "stage",
            "error",
            "requested_at",
            "started_at",
            "finished_at",
            "page_count",
            "size",
            "sha256",
            "snapshot",
            "data_as_of",
            "published",
            "published_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, report: Report) -> str | None:
        allowed = self.context.get("downloadable", ())
        if report not in allowed:
            return None
        path = reverse("report-api-download", kwargs={"pk": report.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportRequestSerializer(serializers.Serializer):
    """What to build: the kind, the round (by id), the country (ISO code, country reports) and language."""

    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    evaluation_round = serializers.PrimaryKeyRelatedField(queryset=EvaluationRound.objects.all())
    country = serializers.SlugRelatedField(
        slug_field="code", queryset=Country.objects.all(), required=False, allow_null=True
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="en")

    def validate(self, attrs):
        if attrs["kind"] == Report.Kind.COUNTRY and not attrs.get("country"):
            raise serializers.ValidationError(
                {"country": "A country evaluation needs the country's ISO code."}
            )
        return attrs
