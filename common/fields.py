"""Serializer fields of input: foreign keys into the actor's tenant (and scope), dates within the bounds."""

from django.utils.translation import gettext
from rest_framework import serializers

from common.bounds import DATE_RANGE_HELP, validate_date, with_help


class StoredMessageField(serializers.CharField):
    """A message stored in English (marked with gettext_noop where it is written), shown in the reader's language."""

    def to_representation(self, value) -> str:
        return gettext(value) if value else value


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key in input must point into the actor's tenant and be visible for `scope_action`.

    Anything else reads as "does not exist", so other tenants' ids leak nothing.
    """

    def __init__(self, *args, scope_action: str = "view", **kwargs):
        self.scope_action = scope_action
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        actor = self.context.get("actor")
        if actor is None:
            return queryset.none()
        return queryset.for_actor(actor, self.scope_action)


class BoundedDateField(serializers.DateField):
    """A date between 2000-01-01 and 2100-12-31 (see common.bounds), said so in the schema."""

    def __init__(self, **kwargs):
        kwargs["help_text"] = with_help(kwargs.get("help_text", ""), DATE_RANGE_HELP)
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_date]
        super().__init__(**kwargs)
