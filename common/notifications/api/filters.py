import django_filters

from common.models import Notification


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull",
                                          label="true: only unread; false: only read")
    event = django_filters.CharFilter(field_name="event")

    class Meta:
        model = Notification
        fields = ["unread", "event"]
