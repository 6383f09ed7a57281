"""The codes of every enumeration the API uses, with their labels in the request's language.

Frontends show labels, never codes; this gives them all labels in one call (`GET /api/v1/vocabulary/`).
Each app registers its enumerations when it is ready.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.query import StrictQueryParamsMixin

_VOCABULARIES: dict[str, Iterable[tuple[str, str]]] = {}


def vocabulary_register(name: str, choices: Iterable[tuple[str, str]]) -> None:
    """Register (code, translatable label) pairs under `name`; a model TextChoices' `.choices` works as is."""
    _VOCABULARIES[name] = choices


def vocabulary() -> dict[str, list[dict[str, str]]]:
    languages = [(code, name) for code, name in settings.LANGUAGES]
    entries = {"languages": languages, **_VOCABULARIES}
    return {name: [{"code": code, "label": str(label)} for code, label in choices]
            for name, choices in sorted(entries.items())}


_TERM = {"type": "object", "required": ["code", "label"],
         "properties": {"code": {"type": "string"}, "label": {"type": "string"}}}
_SCHEMA = {"type": "object", "additionalProperties": {"type": "array", "items": _TERM},
           "description": "Vocabulary name → its terms."}


class VocabularyView(StrictQueryParamsMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="Labels of every code the API uses, in the request's language",
        description="Channels, roles, statuses, KPI units and the other enumerations, each as {code, label}, "
                    "keyed by vocabulary name. Send Accept-Language (en or zh-Hans) for the language wanted.",
        responses={200: _SCHEMA},
    )
    def get(self, request):
        return Response(vocabulary())
