"""The project's URLs plus two views that fail, to see what a client gets from an unexpected error."""

from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny


class DatabaseLeak(RuntimeError):
    pass


SECRET_DETAIL = "SELECT password FROM accounts_user -- /srv/jixiao/config/settings.py"


@api_view(["GET"])
@permission_classes([AllowAny])
def failing_api_view(request):
    raise DatabaseLeak(SECRET_DETAIL)


def failing_django_view(request):
    raise DatabaseLeak(SECRET_DETAIL)


urlpatterns = [
    path("api/v1/test-only/drf-fails/", failing_api_view),
    path("api/v1/test-only/django-fails/", failing_django_view),
    path("", include("config.urls")),
]
