"""One error shape everywhere: RFC 9457 problem details, with a field list for validation errors.

    {"type": "urn:jixiao:problem:validation_error", "title": "Invalid input.", "status": 400,
     "detail": "...", "instance": "/api/v1/...", "code": "validation_error",
     "errors": [{"field": "email", "message": "...", "code": "invalid"}]}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the current state (e.g. deleting a team that has agents)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


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


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Conflict("This object is still referenced by other records and cannot be deleted.")
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
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
            "Invalid input.",
            errors[0]["message"] if len(errors) == 1 else f"{len(errors)} fields are invalid.",
            instance,
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(detail, (dict, list)):
            body = problem(response.status_code, "error", "Request failed.", "See errors.", instance,
                           errors=flatten_errors(detail))
        else:
            title = str(getattr(exc, "default_detail", "Request failed."))
            body = problem(response.status_code, str(code), title, str(detail), instance)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after_seconds"] = int(exc.wait)
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _django_problem(request, status_code: int, code: str, title: str, detail: str) -> JsonResponse:
    return JsonResponse(
        problem(status_code, code, title, detail, request.get_full_path()),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def not_found_view(request, exception=None) -> JsonResponse:
    return _django_problem(request, 404, "not_found", "Not found.", "No resource at this address.")


def server_error_view(request) -> JsonResponse:
    return _django_problem(request, 500, "server_error", "Server error.", "An unexpected error occurred.")
