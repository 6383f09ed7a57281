"""API-key authentication for integrations: `Authorization: Api-Key jx_<prefix>.<secret>`."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import APIKey
from common import rls
from common.locale import language_prefer

KEYWORD = "Api-Key"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def split_key(key: str) -> tuple[str, str] | None:
    if not key.startswith("jx_") or "." not in key:
        return None
    prefix, _, secret = key[3:].partition(".")
    return (prefix, secret) if prefix and secret else None


class IntegrationPrincipal:
    """Stands in for request.user when an integration authenticates with an API key."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: APIKey):
        self.api_key = api_key

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"


class PreferredLanguageMixin:
    """Once the user is known, their saved language applies (unless Accept-Language chose one)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            language_prefer(request, getattr(result[0], "language", None))
        return result


class UserJWTAuthentication(PreferredLanguageMixin, JWTAuthentication):
    pass


class UserSessionAuthentication(PreferredLanguageMixin, authentication.SessionAuthentication):
    pass


class APIKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Api-Key header."))
        parts = split_key(header[1])
        with rls.all_tenants():  # the key's prefix names its tenant
            key = APIKey.objects.select_related("tenant").filter(prefix=parts[0]).first() if parts else None
        if key is None or not hmac.compare_digest(key.hashed_secret, hash_secret(header[1])):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        if key.is_revoked or not key.tenant.is_active:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            with rls.tenant_scope(key.tenant_id):
                APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return IntegrationPrincipal(key), key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.APIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Integration key: `Api-Key jx_<prefix>.<secret>`",
        }


class UserJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.UserJWTAuthentication"


class UserSessionScheme(SessionScheme):
    target_class = "accounts.authentication.UserSessionAuthentication"
