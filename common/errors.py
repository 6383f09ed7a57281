"""One error shape everywhere: RFC 9457 problem details, with a field list for validation errors.

    {"type": "urn:jixiao:problem:validation_error", "title": "Invalid input.", "status": 400,
     "detail": "...", "instance": "/api/v1/...", "code": "validation_error",
     "errors": [{"field": "email", "message": "...", "code": "invalid"}]}
"""

from __future__ import annotations

import logging
import sys
from http import HTTPStatus
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_simplejwt.exceptions import InvalidToken

from common.dberrors import close_broken_connections, is_temporary_db_error
from common.middleware import request_id_var

logger = logging.getLogger("jixiao.errors")

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (e.g. deleting a team that has agents)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    """A temporary database error (see common.dberrors): nothing was changed, and the request may be sent again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The database could not complete the request; nothing was changed. Try again shortly.")
    default_code = "service_unavailable"


def flatten_errors(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Turn DRF's nested error detail into a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += flatten_errors(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(detail, list):
        out = []
        for index, item in enumerate(detail):
            nested = isinstance(item, (dict, list))
            out += flatten_errors(item, f"{prefix}.{index}" if nested and prefix else str(index) if nested else prefix)
        return out
    return [{"field": prefix or None, "message": str(detail), "code": getattr(detail, "code", "invalid")}]


def problem(status_code: int, code: str, title: str, detail: str, instance: str = "", **extra: Any) -> dict[str, Any]:
    body = {
        "type": f"urn:jixiao:problem:{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    body.update(extra)
    return body


# The title names the kind of problem and never changes between occurrences. It is the exception's default detail
# when that has no placeholders, else the title of its status: DRF's default details for these carry placeholders
# ("Method \"{method}\" not allowed."), so they get fixed titles (the detail is filled in).
STATUS_TITLES = {
    400: _("Bad request."),
    401: _("Not authenticated."),
    403: _("Permission denied."),
    404: _("Not found."),
    405: _("Method not allowed."),
    406: _("Not acceptable."),
    409: _("Conflict."),
    412: _("Precondition failed."),
    413: _("The request is too large."),
    415: _("Unsupported media type."),
    422: _("Unprocessable request."),
    429: _("Too many requests."),
    500: _("Server error."),
    503: _("Service temporarily unavailable."),
}
STATIC_TITLES = {
    exceptions.MethodNotAllowed: STATUS_TITLES[405],
    exceptions.UnsupportedMediaType: STATUS_TITLES[415],
    exceptions.Throttled: STATUS_TITLES[429],
    ServiceUnavailable: STATUS_TITLES[503],
}
VALIDATION_TITLE = _("Invalid input.")
SERVER_ERROR_DETAIL = _("An unexpected error occurred. It has been logged; quote the request id when reporting it.")
UNAVAILABLE_DETAIL = ServiceUnavailable.default_detail
UNAVAILABLE_RETRY_AFTER_SECONDS = 5
INVALID_TOKEN_DETAIL = _("The token is invalid or has expired. Log in again, or refresh the access token.")


def _title(exc: Exception) -> str:
    for kind, title in STATIC_TITLES.items():
        if isinstance(exc, kind):
            return str(title)
    default = getattr(exc, "default_detail", None)
    status_code = getattr(exc, "status_code", 500)
    if default and "{" not in str(default):
        return str(default)
    return str(STATUS_TITLES.get(status_code, f"{HTTPStatus(status_code).phrase}."))


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Conflict(_("This object is still referenced by other records and cannot be deleted."))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if is_temporary_db_error(exc):
        # Answered here rather than by the middleware, so that the view still finalizes its response (an
        # Idempotency-Key is released for the retry); the broken connection is closed first.
        request = context.get("request")
        logger.warning("Temporary database error %s on %s (request id %s): %s", type(exc).__name__,
                       request.path if request is not None else "?", request_id_var.get(), exc)
        close_broken_connections()
        exc = ServiceUnavailable()
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        body = problem(
            response.status_code,
            "validation_error",
            str(VALIDATION_TITLE),
            errors[0]["message"] if len(errors) == 1 else ngettext(
                "%(count)d field is invalid.", "%(count)d fields are invalid.", len(errors)) % {"count": len(errors)},
            instance,
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(exc, InvalidToken):
            body = problem(response.status_code, "token_not_valid", str(_("Invalid token.")), str(INVALID_TOKEN_DETAIL),
                           instance)
        elif isinstance(detail, (dict, list)):
            body = problem(response.status_code, "error", _title(exc), str(_("See errors.")), instance,
                           errors=flatten_errors(detail))
        else:
            body = problem(response.status_code, str(code), _title(exc), str(detail), instance)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after_seconds"] = int(exc.wait)
        if isinstance(exc, ServiceUnavailable):
            body["retry_after_seconds"] = UNAVAILABLE_RETRY_AFTER_SECONDS
            response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _django_problem(request, status_code: int, code: str, title: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse(
        problem(status_code, code, str(title), str(detail), request.get_full_path(), **extra),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


@csrf_exempt  # it changes nothing; without this an unsafe method with a session cookie got Django's HTML CSRF 403
def not_found_view(request, exception=None) -> JsonResponse:
    detail = _("No resource at this address.")
    if not request.path.endswith("/"):
        try:
            with_slash = resolve(f"{request.path}/").func is not not_found_view
        except Resolver404:
            with_slash = False
        if with_slash:
            detail = _("No resource at this address. Did you mean %(path)s/ (with a trailing slash)?") % {
                "path": request.path}
    return _django_problem(request, 404, "not_found", STATUS_TITLES[404], detail)


def server_error_view(request) -> JsonResponse:
    # Django calls this (handler500) while handling an exception that escaped a middleware, not only a view.
    raised = sys.exc_info()[1]
    if raised is not None and is_temporary_db_error(raised):
        return service_unavailable_response(request, raised)
    return _django_problem(request, 500, "server_error", STATUS_TITLES[500], SERVER_ERROR_DETAIL,
                           request_id=request_id_var.get())


def service_unavailable_response(request, exc: Exception) -> JsonResponse:
    """A 503 for a temporary database error (connection lost, server shutting down, deadlock, serialization
    failure): the request's transaction was rolled back, so a retry is safe. The broken connection is closed so that
    the next request on this thread opens a fresh one."""
    logger.warning("Temporary database error %s on %s %s (request id %s): %s", type(exc).__name__, request.method,
                   request.path, request_id_var.get(), exc)
    close_broken_connections()
    response = _django_problem(request, 503, "service_unavailable", STATUS_TITLES[503], UNAVAILABLE_DETAIL,
                               request_id=request_id_var.get(), retry_after_seconds=UNAVAILABLE_RETRY_AFTER_SECONDS)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


def unhandled_exception_response(request, exc: Exception) -> JsonResponse:
    """A 500 problem that says nothing about the cause; the log has the traceback and the request id."""
    logger.error("Unhandled %s on %s %s (request id %s)", type(exc).__name__, request.method, request.path,
                 request_id_var.get(), exc_info=exc)
    return server_error_view(request)


class ApiErrorMiddleware:
    """Under /api/, an exception that escapes a view becomes a problem document, with debug on or off.

    With DEBUG on, Django would otherwise answer with its HTML debug page (traceback, SQL, settings).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        if isinstance(exception, Http404):
            return not_found_view(request)
        if isinstance(exception, DjangoPermissionDenied):
            return _django_problem(request, 403, "permission_denied", STATUS_TITLES[403],
                                   _("You do not have permission to perform this action."))
        if isinstance(exception, (BadRequest, SuspiciousOperation)):
            return _django_problem(request, 400, "bad_request", STATUS_TITLES[400], _("The request is malformed."))
        if is_temporary_db_error(exception):
            return service_unavailable_response(request, exception)
        return unhandled_exception_response(request, exception)
