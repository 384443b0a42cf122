"""One shape for every error the API returns:

    {"status": 404, "code": "not_found", "message": "Not found.", "fields": {...}}

``fields`` comes with validation errors (400), ``retry_after`` with 429 (and the Retry-After header),
``current_version`` and ``changes`` (per field: [the value the caller started from, the value now]) with
409 edit conflicts. The services' own exceptions map onto HTTP here: Django's
ValidationError -> 400, except refusals about the item's state (locked, period closed, gone) -> 409; a
workflow step the item's state does not allow -> 409; an edit on stale data (EditConflict) -> 409;
PermissionDenied -> 403 (code four_eyes when the caller changed or submitted the item they
would approve or return); a change without the version it is based on -> 400 at ``version``.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from commitments.services import EditConflict, FourEyesRefused, WorkflowError

API_PREFIX = "/api/"
# Refusals about the item's state rather than the request: 409, the request itself may be fine.
STATE_CODES = {"locked", "period_closed", "gone"}
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors", for the model's rules and DRF's alike


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This conflicts with the item's current state.")
    default_code = "conflict"


def _field_errors(detail) -> dict[str, list[str]]:
    """DRF's nested error details, flattened to {field: [messages]} (list items as "2: message")."""
    if isinstance(detail, list):
        detail = {NON_FIELD: detail}
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}", item)
        else:
            messages = value if isinstance(value, list) else [value]
            flat.setdefault(prefix, []).extend(str(message) for message in messages)

    walk("", detail)
    return flat


def _plain(value):
    """A field's value as JSON shows it (numbers as text, as the API writes them everywhere)."""
    if value is None or isinstance(value, bool | str):
        return value
    return str(value)


def _from_services(exc: Exception) -> Exception:
    """The services' exceptions, as the API exceptions they mean."""
    if isinstance(exc, EditConflict):
        conflict = Conflict(detail=str(exc), code="edit_conflict")
        conflict.current_version = exc.current.version
        # What the other person changed, field by field: [what the caller started from, what it is now].
        conflict.changes = {
            name: [_plain(before), _plain(after)] for name, (before, after) in exc.changes.items()
        }
        return conflict
    if isinstance(exc, WorkflowError):
        return Conflict(detail=" ".join(exc.messages), code="invalid_transition")
    if isinstance(exc, DjangoValidationError) and not hasattr(exc, "error_dict"):
        codes = {error.code for error in exc.error_list}
        if len(codes) == 1 and codes <= STATE_CODES:
            return Conflict(detail=" ".join(exc.messages), code=codes.pop())
        if codes == {"version_required"}:
            # The API calls the service's expected_version "version": say it at that field.
            return exceptions.ValidationError(detail={"version": exc.messages})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                NON_FIELD if name == NON_FIELD_ERRORS else name: errors
                for name, errors in exc.message_dict.items()
            }
        else:
            detail = {NON_FIELD: exc.messages}
        return exceptions.ValidationError(detail=detail)
    if isinstance(exc, FourEyesRefused):
        return exceptions.PermissionDenied(detail=str(exc), code="four_eyes")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(detail=str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def api_exception_handler(exc: Exception, context: dict):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's handling, then the one error shape."""
    exc = _from_services(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: a 500, logged by Django
    body: dict = {"status": response.status_code}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = _("The request is not valid: see fields.")
        body["fields"] = _field_errors(exc.detail)
    else:
        body["code"] = getattr(exc.detail, "code", None) or exc.default_code
        body["message"] = str(exc.detail)
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        body["retry_after"] = wait
        body["message"] = _(
            "Too many requests: this client's budget is used up. Try again in %(n)s seconds."
        ) % {"n": wait}
        response["Retry-After"] = str(wait)
    if getattr(exc, "current_version", None) is not None:
        body["current_version"] = exc.current_version
        body["changes"] = getattr(exc, "changes", {})
    response.data = body
    return response


# The codes of the error shape for the errors Django answers before (or instead of) a view.
STATUS_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


class ApiErrorsAsJsonMiddleware:
    """Under /api/, every error answer is JSON in the one error shape, whatever ``DEBUG`` says.

    Django's debug pages (an unknown address, a server error) and the few HTML answers made before a view
    runs (a CSRF failure, a lock-out) would reach partners' programs as HTML otherwise. The original error
    is logged by Django as usual; only the body the client gets is replaced.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _as_json(response)
        return response


def _as_json(response) -> JsonResponse:
    code = response.status_code
    body = {
        "status": code,
        "code": STATUS_CODES.get(code, "error"),
        "message": str(response.reason_phrase),
    }
    if code == 404:
        body["message"] = _("There is no such address in the API.")
    elif code >= 500:
        body["message"] = _("The server could not answer this request; the error is logged.")
    replaced = JsonResponse(body, status=code)
    for header in ("Retry-After", "Allow"):
        if header in response:
            replaced[header] = response[header]
    return replaced


def page_not_found(request, exception=None):
    """handler404: a JSON error under /api/ (partners' programs read it), the normal page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"status": 404, "code": "not_found", "message": _("There is no such address in the API.")},
            status=404,
        )
    return defaults.page_not_found(request, exception)


def bad_request(request, exception=None):
    """handler400 (too many fields, a malformed request): the API's error shape under /api/, the page
    elsewhere. Django's own answer was an HTML page even to the API's clients."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {
                "status": 400,
                "code": "bad_request",
                "message": _("The request has too many fields or is not well formed."),
            },
            status=400,
        )
    return defaults.bad_request(request, exception)
