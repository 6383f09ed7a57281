"""Strict filtering: foreign-key filters that only accept ids the caller may see, date filters within the
bounds, and an ordering filter that refuses what it cannot order by (DRF silently drops it)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from common.bounds import DATE_RANGE_HELP, MOMENT_RANGE_HELP, validate_date, validate_moment, with_help


def visible(model: type[models.Model], request) -> models.QuerySet:
    """The rows of `model` the request's actor may see: its tenant's, narrowed by role and grants; for users,
    the members (past or present) of the tenant."""
    actor = getattr(request.parser_context["view"], "actor", None) if request is not None else None
    manager = model._default_manager
    if actor is None:
        return manager.none()
    if hasattr(manager, "for_actor"):
        return manager.for_actor(actor, "view")
    if model is get_user_model():
        return manager.filter(memberships__tenant_id=actor.tenant.pk)
    raise TypeError(f"{model.__name__} is not tenant-scoped; a filter cannot offer its ids.")


class ScopedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """An id filter that accepts only ids the caller may see.

    Any other id, whether it belongs to another tenant, is outside the caller's scope or exists nowhere, is the
    same 400 ("Select a valid choice"), so the answer tells nothing about other tenants.
    """

    def __init__(self, *args, model: type[models.Model], **kwargs):
        self.scoped_model = model
        kwargs["queryset"] = model._default_manager.none()  # for the schema; requests use get_queryset
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        return visible(self.scoped_model, request)


class StrictBooleanField(forms.NullBooleanField):
    widget = forms.TextInput  # the raw value: Django's select widget reads anything unknown as "no filter"
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if str(value).lower() not in self.VALUES:
            raise forms.ValidationError(_("Use true or false."), code="invalid")
        return self.VALUES[str(value).lower()]


class StrictBooleanFilter(django_filters.BooleanFilter):
    """true/false (or 1/0); any other value is a 400 instead of no filter at all."""

    field_class = StrictBooleanField


class ScopedFilterSet(django_filters.FilterSet):
    """The base of every filter set: foreign keys named in Meta.fields become ScopedModelChoiceFilters, and
    boolean fields StrictBooleanFilters."""

    FILTER_DEFAULTS = {**django_filters.FilterSet.FILTER_DEFAULTS,
                       models.BooleanField: {"filter_class": StrictBooleanFilter}}

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if field.is_relation and (field.many_to_one or field.one_to_one) and lookup_type == "exact":
            return ScopedModelChoiceFilter, {"model": field.remote_field.model}
        return super().filter_for_lookup(field, lookup_type)


class BoundedDateFilter(django_filters.DateFilter):
    """A date filter refusing dates outside 2000-01-01..2100-12-31 (common.bounds)."""

    def __init__(self, *args, **kwargs):
        kwargs["help_text"] = with_help(kwargs.get("help_text", ""), DATE_RANGE_HELP)
        super().__init__(*args, validators=[validate_date], **kwargs)


class BoundedDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment filter refusing dates outside the bounds and UTC offsets beyond ±15:59."""

    def __init__(self, *args, **kwargs):
        kwargs["help_text"] = with_help(kwargs.get("help_text", ""), MOMENT_RANGE_HELP)
        super().__init__(*args, validators=[validate_moment], **kwargs)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=a,-b` over the view's ordering_fields; any other term is a 400 naming the parameter."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = [name for name, _label in self.get_valid_fields(queryset, view, {"request": request})]
        invalid = [term for term in fields if term.removeprefix("-") not in valid]
        if invalid:
            raise ValidationError({self.ordering_param: [_(
                "Cannot order by %(terms)s. Use %(valid)s, each optionally prefixed with - for descending order, "
                "separated by commas.") % {"terms": ", ".join(f'"{term}"' for term in invalid),
                                           "valid": ", ".join(valid)}]})
        return fields
