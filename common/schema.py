"""How the OpenAPI schema describes every operation, in one place.

- Tags come from the path: the resource after `/tenants/{tenant_slug}/` (or after `/api/v1/` outside a tenant),
  so a new resource is grouped without anyone having to remember it.
- Descriptions are only the ones written for API users (`extend_schema(description=...)`); class and method
  docstrings are for maintainers and never reach the schema.
- The error statuses every operation can return are derived from what the shared machinery does (authentication,
  tenant and role checks, validation, If-Match, Idempotency-Key, throttling), each as problem details.
- Request bodies refuse unknown fields (`additionalProperties: false`).
- A response field read (through `source=`) from a model field that can be null is documented nullable, whatever
  kind of field the serializer declares for it.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import append_meta
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

from common.errors import PROBLEM_CONTENT_TYPE
from common.idempotency import HEADER as IDEMPOTENCY_HEADER

TENANT_PREFIX = "/api/v1/tenants/{tenant_slug}/"
API_PREFIX = "/api/v1/"
# Nested collections shown with another resource than their own path segment: (parent, child) -> tag.
NESTED_TAGS = {("schemes", "versions"): "schemes", ("periods", "adjustments"): "scores",
               ("agents", "score-history"): "scores", ("reward-rules", "versions"): "reward-rules",
               ("periods", "simulate-rewards"): "awards", ("periods", "leaderboard"): "leaderboard"}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: the body, a query parameter or a header. `errors` names every invalid field.",
    "401": "Not authenticated: the credentials are missing, invalid or expired.",
    "403": "Your role (or your grants on the object's team) does not allow this.",
    "404": "No such tenant for you, or no such object in it that you may see (the two are not told apart).",
    "409": ("Conflicts with the current state (`code` says which): e.g. the object is still referenced by "
            "others, or a request with the same Idempotency-Key is still being processed."),
    "412": "If-Match does not match the object's current ETag: someone changed it since you read it.",
    "413": "The body is too large.",
    "415": "The Content-Type of the body is not supported by this operation.",
    "422": "This Idempotency-Key was already used for a different request.",
    "429": "Too many attempts; `retry_after_seconds` says when to try again.",
}

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, {"type": "string", "maxLength": 255}, OpenApiParameter.HEADER,
    description=("Makes the POST safe to retry: a retry with the same key (within 24 hours) gets the first "
                 "response back, marked `Idempotent-Replayed: true`. Reusing the key for another request is 422."),
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag you read the object with; the write is refused with 412 if the object changed since.",
)


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text=("The invalid field (dotted for nested ones); null "
                                                              "for an error of the whole request."))
    message = serializers.CharField()
    code = serializers.CharField()


class ProblemDetailsSerializer(serializers.Serializer):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type = serializers.CharField(help_text="`urn:jixiao:problem:<code>`.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The path (and query) of the request.")
    code = serializers.CharField(help_text="A stable, machine-readable code, e.g. `validation_error`.")
    errors = ProblemFieldErrorSerializer(many=True, required=False, help_text="Every invalid field.")
    invalid_rows = serializers.IntegerField(required=False, help_text="Ingestion: how many rows are invalid.")
    retry_after_seconds = serializers.IntegerField(required=False, help_text="429: seconds to wait.")


def _reads_nullable_model_field(field) -> bool:
    """Whether a serializer field's source passes through a model field that allows null."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    for name in getattr(field, "source_attrs", []):
        try:
            model_field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            return False
        if not getattr(model_field, "concrete", False):  # reverse relations, generic keys, properties
            return False
        if model_field.null:
            return True
        model = model_field.related_model
    return False


class JixiaoAutoSchema(AutoSchema):
    def _is_list_view(self, serializer=None) -> bool:
        # A report's "list" answers one object (views say so with `report_view = True`), not an array.
        if getattr(self.view, "report_view", False):
            return False
        return super()._is_list_view(serializer)

    def get_tags(self) -> list[str]:
        prefix = TENANT_PREFIX if self.path.startswith(TENANT_PREFIX) else API_PREFIX
        segments = self.path.removeprefix(prefix).strip("/").split("/")
        if len(segments) > 2 and segments[1].endswith("_pk}"):  # a collection nested under a parent object
            return [NESTED_TAGS.get((segments[0], segments[2]), segments[2])]
        return [segments[0] or "index"]  # the API index is /api/v1/ itself

    def get_description(self) -> str:
        return ""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_tenant_scoped() and self.method == "POST":
            parameters.append(IDEMPOTENCY_PARAMETER)
        if self._checks_if_match():
            parameters.append(IF_MATCH_PARAMETER)
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            self._add_error_responses(operation)
        return operation

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and schema.get("type") == "object" and "properties" in schema:
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and not field.allow_null and schema and _reads_nullable_model_field(field):
            schema = append_meta(schema, {"nullable": True})
        return schema

    def _is_tenant_scoped(self) -> bool:
        return self.path.startswith(TENANT_PREFIX)

    def _checks_if_match(self) -> bool:
        """Detail writes load their object through get_object(), which checks If-Match; the other PUT/PATCH/DELETE
        (e.g. notification preferences) check it themselves."""
        if not self._is_tenant_scoped() or self.method == "GET":
            return False
        return self.method in ("PUT", "PATCH", "DELETE") or getattr(self.view, "detail", None) is True

    def _has_own_permission_rule(self) -> bool:
        """A permission class beyond "authenticated" (e.g. platform staff only) can refuse with 403."""
        plain = (AllowAny, IsAuthenticated)
        return any(not issubclass(cls, plain) for cls in getattr(self.view, "permission_classes", []))

    def _error_statuses(self, operation: dict) -> set[str]:
        query = any(p["in"] == "query" for p in operation.get("parameters", []))
        body = "requestBody" in operation
        statuses = {"401"}
        if body or query or self.method == "POST":
            statuses.add("400")
        if body:
            statuses.add("415")
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            statuses.add("404")  # no such object (e.g. an invitation token that is not valid)
        if self._has_own_permission_rule():
            statuses.add("403")
        if self._is_tenant_scoped():
            statuses |= {"403", "404"}
            if self.method == "POST":
                statuses |= {"409", "422"}
            if self.method == "DELETE":  # the object is still referenced by others
                statuses.add("409")
        if self._checks_if_match():
            statuses.add("412")
        if self.view.get_throttles():
            statuses.add("429")
        return statuses

    def _add_error_responses(self, operation: dict) -> None:
        responses = operation["responses"]
        problem = {PROBLEM_CONTENT_TYPE: {"schema": self.resolve_serializer(ProblemDetailsSerializer,
                                                                            "response").ref}}
        for code in sorted(self._error_statuses(operation) | {c for c in responses if c >= "400"}):
            response = responses.setdefault(code, {"description": ERROR_DESCRIPTIONS.get(code, "")})
            if not response.get("description"):
                response["description"] = ERROR_DESCRIPTIONS.get(code, "An error (problem details).")
            response["content"] = problem
        operation["responses"] = dict(sorted(responses.items()))
