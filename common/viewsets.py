"""The one base for every tenant-scoped endpoint.

It resolves the tenant from `/tenants/{tenant_slug}/`, checks membership (404 otherwise), checks the
role rule of the action (403), and builds every queryset through `for_actor`, so no view can forget
the tenant or the grants. Subclasses may not override `get_queryset`/`get_object`; they declare:

- `queryset`: the model's base queryset (select_related etc.);
- `action_roles`: DRF action -> roles allowed (anything else is refused);
- `object_scopes`: DRF action -> scope action checked on the object ("manage" for writes by default);
- `list_actions` / `query_params`: the query parameters each action reads (common.query; others are a 400).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from common import concurrency, idempotency
from common.actor import Actor
from common.errors import PROBLEM_CONTENT_TYPE
from common.query import StrictQueryParamsMixin
from common.tenancy import resolve_actor

ALL_MEMBER_ROLES = frozenset({"admin", "supervisor", "qa_lead", "qa_inspector", "agent"})
ADMIN_ONLY = frozenset({"admin"})

WRITE_ACTIONS = {"update": "manage", "partial_update": "manage", "destroy": "manage"}


class ActionRolePermission(BasePermission):
    """Resolves the actor, then allows the request only for the roles the view lists for the action."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "swagger_fake_view", False):
            return True
        view.actor = resolve_actor(request, view.kwargs["tenant_slug"])
        # Order: 401 (no credentials), 404 (not a member), 405 (no such method here), then 403 (role).
        method = request.method.lower()
        if method not in view.http_method_names or getattr(view, method, None) is None:
            raise MethodNotAllowed(request.method)
        allowed = view.action_roles.get(view.action, frozenset())
        if view.actor.role not in allowed:
            raise PermissionDenied(_("Your role, %(label)s (%(role)s), may not do this.")
                                   % {"label": view.actor.role_label, "role": view.actor.role})
        return True


class TenantScopedViewSet(StrictQueryParamsMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ActionRolePermission]
    action_roles: dict[str, frozenset[str]] = {}
    object_scopes: dict[str, str] = {}
    actor: Actor
    idempotency_record = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("get_queryset", "get_object"):
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}; set `queryset` and `object_scopes`.")

    def get_queryset(self):
        base = self.queryset.all()
        if getattr(self, "swagger_fake_view", False):
            return base.none()
        return base.for_actor(self.actor, "view")

    def get_object(self):
        obj = super().get_object()
        scope = self.object_scopes.get(self.action, WRITE_ACTIONS.get(self.action, "view"))
        if scope != "view" and not self.queryset.model.objects.for_actor(self.actor, scope).filter(pk=obj.pk).exists():
            raise PermissionDenied(_("You may see this object but not change it."))
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            concurrency.check_if_match(self.request, self.get_serializer(obj).data)
        return obj

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            self.idempotency_record = idempotency.idempotency_claim(request=request, actor=self.actor)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            record = exc.record
            # Every stored error is problem details; the replay says so, as the first response did.
            content_type = PROBLEM_CONTENT_TYPE if record.status_code >= 400 else None
            return Response(record.response_body, status=record.status_code, content_type=content_type,
                            headers={"Idempotent-Replayed": "true"})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if self.idempotency_record is not None and not response.has_header("Idempotent-Replayed"):
            idempotency.idempotency_store(record=self.idempotency_record, response=response)
            self.idempotency_record = None
        concurrency.set_etag(request, response, detail=self.action not in (None, "list"))
        return super().finalize_response(request, response, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["actor"] = getattr(self, "actor", None)
        return context
