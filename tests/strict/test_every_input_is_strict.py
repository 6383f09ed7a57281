"""The strict-input mechanisms are used everywhere, so a new serializer, view or filter cannot forget them."""

import importlib
import pkgutil

import django_filters
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.filters import OrderingFilter
from rest_framework.views import APIView

from common.filters import (
    BoundedDateFilter,
    BoundedDateTimeFilter,
    ScopedFilterSet,
    ScopedModelChoiceFilter,
    StrictBooleanFilter,
    StrictOrderingFilter,
)
from common.pagination import StrictPageSizeMixin
from common.query import StrictQueryParamsMixin
from common.serializers import StrictFieldsMixin

APPS = ("accounts", "performance", "feedback")


def _modules():
    for app in APPS:
        package = importlib.import_module(f"{app}.api")
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{app}.api."):
            yield importlib.import_module(info.name)


def _serializer_classes():
    seen = set()
    for module in _modules():
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, serializers.BaseSerializer)
                    and not issubclass(value, serializers.ListSerializer) and value.__module__ == module.__name__):
                seen.add(value)
    return sorted(seen, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _api_views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_views(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            cls = getattr(entry.callback, "cls", None)
            if cls is not None and issubclass(cls, APIView):
                yield route, cls


SERIALIZERS = _serializer_classes()
VIEWS = sorted({cls for _route, cls in _api_views()}, key=lambda cls: cls.__qualname__)


def test_the_walks_find_what_they_should():
    names = {cls.__name__ for cls in SERIALIZERS}
    assert {"SchemeKpiInputSerializer", "AgentBulkCreateSerializer", "RubricCriterionInputSerializer",
            "QAReviewAnswerInputSerializer", "InteractionRowSerializer", "QACoverageQuerySerializer"} <= names
    assert {"MeView", "AgentViewSet", "InteractionViewSet", "QAAssignmentViewSet"} <= {c.__name__ for c in VIEWS}


@pytest.mark.parametrize("serializer", SERIALIZERS, ids=lambda cls: cls.__qualname__)
def test_every_serializer_refuses_unknown_fields(serializer):
    assert issubclass(serializer, StrictFieldsMixin), (
        f"{serializer.__qualname__} must derive from common.serializers.StrictSerializer/StrictModelSerializer")


@pytest.mark.parametrize("view", VIEWS, ids=lambda cls: cls.__qualname__)
def test_every_api_view_refuses_unknown_query_parameters(view):
    assert issubclass(view, StrictQueryParamsMixin)


@pytest.mark.parametrize("view", VIEWS, ids=lambda cls: cls.__qualname__)
def test_every_list_orders_paginates_and_filters_strictly(view):
    for backend in getattr(view, "filter_backends", ()):
        if issubclass(backend, OrderingFilter):
            assert issubclass(backend, StrictOrderingFilter)
    paginator = getattr(view, "pagination_class", None)
    if paginator is not None:
        assert issubclass(paginator, StrictPageSizeMixin)
    filterset = getattr(view, "filterset_class", None)
    if filterset is None:
        return
    assert issubclass(filterset, ScopedFilterSet)
    for name, filter_ in filterset.base_filters.items():
        if isinstance(filter_, django_filters.ModelChoiceFilter):
            assert isinstance(filter_, ScopedModelChoiceFilter), f"{filterset.__name__}.{name} is not scoped"
        if isinstance(filter_, django_filters.BooleanFilter):
            assert isinstance(filter_, StrictBooleanFilter), f"{filterset.__name__}.{name} ignores bad values"
        if isinstance(filter_, django_filters.DateTimeFilter):
            assert isinstance(filter_, BoundedDateTimeFilter), f"{filterset.__name__}.{name} is not bounded"
        elif isinstance(filter_, django_filters.DateFilter):
            assert isinstance(filter_, BoundedDateFilter), f"{filterset.__name__}.{name} is not bounded"
