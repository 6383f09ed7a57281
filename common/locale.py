"""The language of a request: Accept-Language, else the user's preference, else the tenant's default, else English.

The middleware can only read the header; who the user is and which tenant the request is about are known later
(authentication runs inside the view, the tenant comes from the URL). `language_prefer` refines the choice at
those points unless the header already decided it. Responses say which language they are in (Content-Language).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

# BCP 47 tags for the Content-Language header (Django's codes are lower case).
_TAGS = {"zh-hans": "zh-Hans"}


def language_tag(code: str) -> str:
    return _TAGS.get(code, code)


def supported_language(code: str | None) -> str | None:
    """The supported language for a code such as 'zh-CN', 'zh-Hans' or 'en-GB', or None."""
    if not code or code == "*":
        return None
    try:
        return translation.get_supported_language_variant(code.lower())
    except LookupError:
        return None


def language_from_header(header: str) -> str | None:
    """The first supported language the Accept-Language header asks for, by quality; None if it names none."""
    for code, _quality in parse_accept_lang_header(header):
        language = supported_language(code)
        if language:
            return language
    return None


def recipient_language(user, tenant) -> str:
    """The language to write to someone outside a request (mail): the user's if they chose one, else the
    tenant's default, else the site's. `user` is None for a person without an account yet."""
    return (user.language if user is not None else "") or tenant.default_language or settings.LANGUAGE_CODE


def language_prefer(request, *codes: str | None) -> None:
    """Use the first of `codes` that is a supported language, unless the request's header chose one."""
    if getattr(request, "language_from_header", False):
        return
    for code in codes:
        language = supported_language(code)
        if language:
            translation.activate(language)
            return


class LanguageMiddleware:
    """Activates the header's language (or the default) for the request and labels the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_from_header(request.headers.get("Accept-Language", ""))
        request.language_from_header = language is not None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", language_tag(translation.get_language()))
            patch_vary_headers(response, ("Accept-Language",))
        finally:
            translation.deactivate()
        return response
