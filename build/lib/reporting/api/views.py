"""/api/v1/reports/: partners and members list and download published reports; staff request new ones.

Authentication, the default permission (reads for partners and members, writes for staff and
reviewers), paging, ordering and the error shape are the API's defaults (REST_FRAMEWORK in settings,
commitments/api/). Which reports a reader sees is reporting.selectors; who may request, publish and
download is reporting.services, as in the browser.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from commitments.api.visibility import viewer_for

from .. import selectors, services
from ..models import Report, ReportDownload
from . import serializers


@extend_schema_view(
    list=extend_schema(summary="Evaluation reports you may see (partners and ministers: published ones)"),
    retrieve=extend_schema(summary="One evaluation report"),
    create=extend_schema(
        summary="Request a report (reviewers; staff for their own countries)",
        request=serializers.ReportRequestSerializer,
        responses={202: serializers.ReportSerializer},
    ),
    download=extend_schema(
        summary="The report's PDF (every download is logged)",
        responses={(200, "application/pdf"): OpenApiResponse(description="The PDF file.")},
    ),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ReportSerializer
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "head"]
    lookup_value_regex = "[0-9]+"
    ordering_fields = {"requested_at": "requested_at", "published_at": "published_at", "id": "id"}
    filterset_fields = ["kind", "status", "language"]

    def get_queryset(self):
        viewer = viewer_for(self.request)
        if viewer.is_partner:
            return selectors.reports_for_partner(country_q=viewer.country_q("country", alliance_wide=True))
        return selectors.reports_visible_to(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["downloadable"] = _Downloadable(self.request)
        return context

    def create(self, request, *args, **kwargs):
        serializer = serializers.ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = services.report_request(
            user=request.user,
            kind=data["kind"],
            evaluation_round=data["evaluation_round"],
            country=data.get("country"),
            language=data["language"],
        )
        report = self.get_queryset().get(pk=report.pk)
        body = self.get_serializer(report).data
        response = Response(body, status=status.HTTP_202_ACCEPTED)
        response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{report.pk}/")
        return response

    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, pk=None):
        report = self.get_object()
        viewer = viewer_for(request)
        if viewer.is_partner:
            handle = services.report_download(
                report=report, client=str(viewer.partner), channel=ReportDownload.Channel.API
            )
        else:
            handle = services.report_download(
                report=report, user=request.user, channel=ReportDownload.Channel.API
            )
        return FileResponse(
            handle, as_attachment=True, filename=report.download_name, content_type="application/pdf"
        )


class _Downloadable:
    """``report.pk in downloadable``: whether this reader may download the report (no queries)."""

    def __init__(self, request) -> None:
        self.viewer = viewer_for(request)
        self.user = request.user

    def __contains__(self, report_or_pk) -> bool:
        report = report_or_pk
        if not isinstance(report, Report):
            return False
        if self.viewer.is_partner:
            return services.can_partner_download(report)
        return services.can_download_report(self.user, report)
