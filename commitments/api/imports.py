"""POST /api/v1/imports/: the spreadsheet round-trip through the API (a dry run, or the import itself).

multipart/form-data with ``file`` (a filled-in template), ``dry_run`` (true by default: nothing is
written) and optionally ``period`` (the period the file must be for). The answer is the plan: counts per
state and every row that is not unchanged, with its reason. A refused file answers 400 with its code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments import spreadsheet
from commitments.models import ReportingPeriod


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A filled-in template (.xlsx) downloaded from the workspace.")
    dry_run = serializers.BooleanField(default=True, help_text="Only say what would change (the default).")
    period = serializers.PrimaryKeyRelatedField(
        queryset=ReportingPeriod.objects.all(), required=False, help_text="The period the file must be for."
    )


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    country = serializers.CharField()
    indicator = serializers.CharField()
    state = serializers.ChoiceField(choices=[state.value for state in spreadsheet.CellState])
    reason = serializers.CharField()
    before = serializers.CharField(help_text="The value now, as the workspace shows it.")
    after = serializers.CharField(help_text="The value in the file.")
    note_before = serializers.CharField(help_text="The note now.")
    note_after = serializers.CharField(
        help_text="The note in the file (differs from note_before if it changes)."
    )


class ImportResultSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    can_apply = serializers.BooleanField()
    rows = ImportRowSerializer(many=True)


class ImportView(APIView):
    """Import indicator values from a spreadsheet template: dry run first, then all or nothing."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import values from a spreadsheet (dry run by default)",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportResultSerializer},
    )
    def post(self, request, *args, **kwargs):
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload_file = data["file"]
        if upload_file.size > spreadsheet.max_bytes():
            raise ValidationError(
                _("The file is larger than %(mb)d MB; nothing was imported.")
                % {"mb": spreadsheet.max_bytes() // 2**20},
                code="too_large",
            )
        upload = spreadsheet.read_upload(upload_file.read(), name=upload_file.name)
        period = data.get("period")
        if data["dry_run"]:
            plan = spreadsheet.import_plan(user=request.user, upload=upload, period=period)
        else:
            plan = spreadsheet.import_apply(
                user=request.user, upload=upload, period=period, name=upload_file.name[:60]
            )
        return Response({**plan.as_json(), "dry_run": data["dry_run"]}, status=status.HTTP_200_OK)
