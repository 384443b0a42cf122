"""The OpenAPI schema: drf-spectacular's, plus what every endpoint shares and DRF cannot see.

Every operation documents the errors it can answer with, in the one error shape (exceptions.py); GET
operations document their caching header (ETag; no Last-Modified, see views/) and 304; CSV bodies
are documented as text, since they are.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from .serializers import ErrorSerializer

ERRORS_ALWAYS = {
    "400": "The request is not valid (a query parameter or the body): see fields.",
    "401": "No credentials, or a token that is unknown, revoked or expired.",
    "403": "Authenticated, but not allowed to do this (partner tokens and ministers only read).",
    "404": "No such item, or not one you may see; also a page number past the last page.",
    "405": "This method is not allowed here.",
    "406": "The Accept header or ?format asks for a format this endpoint does not give.",
    "429": "Too many requests for this token or user: wait for Retry-After seconds.",
}
ERRORS_ON_WRITE = {
    "409": "The item changed since you loaded it (edit conflict), or its state forbids this workflow step.",
    "415": "Send the body as application/json.",
}
CSV_DESCRIPTION = (
    "CSV (UTF-8 with a byte order mark): one row per item, the whole filtered list (no pages); "
    "cells a spreadsheet would run as formulas start with an apostrophe."
)


class AutoSchema(SpectacularAutoSchema):
    """DEFAULT_SCHEMA_CLASS of the API (the reports endpoints share it)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for response in responses.values():
            content = response.get("content", {})
            if "text/csv" in content:
                content["text/csv"] = {"schema": {"type": "string", "description": CSV_DESCRIPTION}}
        errors = dict(ERRORS_ALWAYS)
        if self.method not in ("GET", "HEAD"):
            errors.update(ERRORS_ON_WRITE)
        for code, description in errors.items():
            if code in responses:
                continue
            response = self._get_response_for_code(ErrorSerializer, code, ["application/json"], direction)
            response["description"] = description
            responses[code] = response
        if self.method == "GET":
            responses["304"] = {
                "description": "Not modified since the ETag you sent as If-None-Match.",
                "headers": self._caching_headers(),
            }
        return dict(sorted(responses.items()))

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if self.method == "GET" and status_code == "200":
            headers.update(self._caching_headers())
        if status_code == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
                "required": True,
            }
        return headers

    @staticmethod
    def _caching_headers() -> dict:
        return {
            "ETag": {
                "schema": {"type": "string"},
                "description": "Send it back as If-None-Match to get 304 while nothing changed.",
            },
        }
