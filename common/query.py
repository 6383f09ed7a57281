"""Strict query strings: an endpoint refuses query parameters it does not read, instead of ignoring them.

What an action reads is derived from the view itself: its filter set, search and ordering parameters and its
paginator's parameters (for the actions in `list_actions`), plus the names it reads by hand (`query_params`,
per action), plus `format`. Values holding a NUL character are refused as well (PostgreSQL cannot compare
with them).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.settings import api_settings

from common.text import NUL, NUL_CODE, NUL_MESSAGE, shown

PAGINATION_PARAMETERS = ("page_query_param", "page_size_query_param", "cursor_query_param")


def filter_parameters(view) -> set[str]:
    names: set[str] = set()
    for backend in view.filter_backends:
        if issubclass(backend, DjangoFilterBackend) and getattr(view, "filterset_class", None):
            names |= set(view.filterset_class.base_filters)
        elif issubclass(backend, SearchFilter) and getattr(view, "search_fields", None):
            names.add(backend.search_param)
        elif issubclass(backend, OrderingFilter):
            names.add(backend.ordering_param)
    return names


def pagination_parameters(view) -> set[str]:
    paginator = view.paginator
    return {getattr(paginator, name) for name in PAGINATION_PARAMETERS if getattr(paginator, name, None)}


class StrictQueryParamsMixin:
    """For API views: a 400 naming each unknown query parameter, or one whose value holds a NUL."""

    list_actions: frozenset[str] = frozenset({"list"})
    query_params: dict[str, frozenset[str]] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_query_params(request.query_params, self.allowed_query_params())

    def allowed_query_params(self) -> set[str]:
        action = getattr(self, "action", None)
        names = {api_settings.URL_FORMAT_OVERRIDE, *self.query_params.get(action, ())}
        if action in self.list_actions:
            names |= filter_parameters(self) | pagination_parameters(self)
        return names

    def own_query_params(self):
        """The query parameters without the paginator's and `format`: what an action validates itself."""
        params = self.request.query_params.copy()
        for name in {api_settings.URL_FORMAT_OVERRIDE} | pagination_parameters(self):
            params.pop(name, None)
        return params


def check_query_params(params, allowed: set[str]) -> None:
    errors: dict[str, list[ErrorDetail]] = {}
    for name in params:
        if name not in allowed:
            listing = ", ".join(sorted(allowed - {api_settings.URL_FORMAT_OVERRIDE})) or _("none")
            errors[shown(name)] = [ErrorDetail(_("Unknown query parameter. This endpoint reads: %(names)s.")
                                               % {"names": listing}, "unknown_parameter")]
        elif any(NUL in value for value in params.getlist(name)):
            errors[name] = [ErrorDetail(NUL_MESSAGE, NUL_CODE)]
    if errors:
        raise ValidationError(errors)
