import django_filters

from common.filters import ScopedFilterSet, StrictBooleanFilter
from common.models import Notification


class NotificationFilter(ScopedFilterSet):
    unread = StrictBooleanFilter(field_name="read_at", lookup_expr="isnull",
                                          label="true: only unread; false: only read")
    event = django_filters.CharFilter(field_name="event")

    class Meta:
        model = Notification
        fields = ["unread", "event"]
