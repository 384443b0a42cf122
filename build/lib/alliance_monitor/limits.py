"""The request size limit: a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused (413) unread.

Django checks that limit only on what a view reads as form fields or as a whole body; the parts of a
multipart body that look like files are exempt and spooled to disk however large they are (a 3 MiB
"attachment" posted to a form page was accepted). One limit holds for every request (the length the body
declares), except the spreadsheet uploads (SPREADSHEET_UPLOAD_PATHS), which take up to
SPREADSHEET_MAX_BYTES.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class RequestSizeLimitMiddleware:
    """Answers 413 to a request whose body is declared larger than DATA_UPLOAD_MAX_MEMORY_SIZE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request.path_info in getattr(settings, "SPREADSHEET_UPLOAD_PATHS", ()):
            limit = settings.SPREADSHEET_MAX_BYTES + 64 * 1024  # the file and the form around it
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django reads it: an unreadable length is no body
        if limit is not None and length > limit:
            return too_large(request, limit=limit)
        return self.get_response(request)


def too_large(request: HttpRequest, *, limit: int) -> HttpResponse:
    """413: in the API's error shape under /api/, the request-refused page elsewhere."""
    if request.path.startswith(API_PREFIX):
        message = _("The request is larger than %(size)s, the most the API accepts.") % {
            "size": filesizeformat(limit)
        }
        return JsonResponse({"status": 413, "code": "too_large", "message": message}, status=413)
    return render(request, "400.html", {"limit": limit}, status=413)
