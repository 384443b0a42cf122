"""What every API viewset shares: visibility, stable order, paging, CSV, ETags and the page cache."""

from __future__ import annotations

import hashlib
import json
from itertools import batched

from django.db.models import Model, QuerySet
from django.http import Http404, StreamingHttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from rest_framework import status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from commitments import services
from sync import changes

from .. import cache, serializers
from ..renderers import columns_of, stream_csv
from ..visibility import Viewer, viewer_for

API_VERSION = "1"
CSV_CHUNK = 500  # rows fetched and serialized at a time: memory stays flat however long the list
WRITE_METHODS = ["get", "post", "patch", "head"]


class AllianceViewSet(viewsets.GenericViewSet):
    """Lists and details with visibility, stable paging, CSV, conditional GET and a page cache."""

    parser_classes = [JSONParser]
    http_method_names = ["get", "head"]
    ordering_fields: dict[str, str] = {}

    @property
    def viewer(self) -> Viewer:
        return viewer_for(self.request)

    def get_serializer_context(self):
        # Reviewed texts read differently for editors and everyone else (serializers.RevisedSerializerMixin).
        return {**super().get_serializer_context(), "viewer": self.viewer}

    # --- lists ---

    def list(self, request, *args, **kwargs):
        if self.paginator is not None:
            self.paginator.check_parameters(request)
        queryset = self.filter_queryset(self.get_queryset())
        version = changes.data_version(changes.visible_to(self.viewer))
        etag = self.etag(self.viewer.scope, request.get_full_path(), version)
        not_modified = self.not_modified(etag)
        if not_modified is not None:
            return not_modified
        if request.accepted_renderer.format == "csv":
            return self.with_validators(self.csv_response(queryset), etag)
        key = cache.page_key(
            scope=self.viewer.scope,
            language=translation.get_language() or "",
            media_type=request.accepted_media_type or "",
            url=request.build_absolute_uri(),
            version=version,
        )
        cached = cache.page_get(key)
        if cached is not None:
            return self.with_validators(cached, etag)
        page = self.paginate_queryset(queryset)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if changes.data_version(changes.visible_to(self.viewer)) != version:
            # A change landed while the page was read: the page may show part of it, so it is neither
            # stored nor given a validator that would let a client keep it.
            return self.with_validators(response, None)
        cache.page_store_when_rendered(response, key)
        return self.with_validators(response, etag)

    def csv_response(self, queryset: QuerySet) -> StreamingHttpResponse:
        serializer = self.get_serializer(many=True)
        columns = columns_of(serializer)
        # to_representation, not .data: .data ties rows and serializer in a reference cycle, which only the
        # garbage collector's rare full passes free, so memory would grow with the length of the list.
        chunks = (
            serializer.to_representation(chunk)
            for chunk in batched(queryset.iterator(chunk_size=CSV_CHUNK), CSV_CHUNK)
        )
        response = StreamingHttpResponse(stream_csv(chunks, columns), content_type="text/csv; charset=utf-8")
        name = self.request.path.rstrip("/").rsplit("/", 1)[-1]  # the endpoint: values, commitments, ...
        response["Content-Disposition"] = f'attachment; filename="alliance-monitor-{name}.csv"'
        return response

    # --- details ---

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        etag = self.etag(json.dumps(data, sort_keys=True, default=str))
        return self.not_modified(etag) or self.with_validators(Response(data), etag)

    # --- conditional GET ---

    def etag(self, *parts) -> str:
        key = "|".join(
            [
                API_VERSION,
                self.viewer.key,
                self.request.accepted_media_type or "",
                *(str(part) for part in parts),
            ]
        )
        return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'

    def not_modified(self, etag: str):
        # No Last-Modified: a whole-second date cannot tell a change in the same second, nor a row that
        # left the list; If-Modified-Since is therefore never answered 304. The ETag is exact.
        response = get_conditional_response(self.request, etag=etag)
        return self.with_validators(response, etag) if response is not None else None

    def with_validators(self, response, etag: str | None):
        if etag:
            response["ETag"] = etag
        # Anyone's copy must be revalidated; shared caches must not serve one reader's data to another.
        response["Cache-Control"] = "private, no-cache"
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        return response

    # --- writes ---

    def reload(self, item: Model) -> Model:
        """The saved item as this endpoint shows it (with its related rows)."""
        return self.get_queryset().get(pk=item.pk)

    def write_response(self, item: Model, created: bool = False) -> Response:
        data = self.get_serializer(self.reload(item)).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _version(data: dict) -> int | None:
    return data.pop("version", None)


def _text_transition(item: Model, request) -> Model:
    """Move a reviewed text (commitment, recommendation, response) one step through the workflow."""
    data = _validated(serializers.TextTransitionSerializer, request)
    return services.reviewable_transition(
        item=item, user=request.user, expected_version=data.pop("version", None), **data
    )


def _entry(queryset: QuerySet, **lookup) -> Model:
    """The reviewable entry of a commitment or recommendation for one period, if the reader may see it."""
    item = queryset.filter(**lookup).first()
    if item is None:
        raise Http404
    return item
