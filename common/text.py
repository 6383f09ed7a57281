"""NUL characters: PostgreSQL text and jsonb cannot hold them, so input carrying one is refused up front."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

NUL = "\x00"
NUL_MESSAGE = _("Null characters are not allowed.")
NUL_CODE = "null_characters_not_allowed"


def nul_paths(value: Any, path: str = "") -> list[str]:
    """Where `value` (parsed JSON: dicts, lists, strings) holds a NUL, in a string or a key: dotted paths
    like "rows.3.metadata.note" ("" for the value itself)."""
    if isinstance(value, str):
        return [path] if NUL in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{shown(str(key))}" if path else shown(str(key))
            found += [where] if NUL in str(key) else nul_paths(item, where)
        return found
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in nul_paths(item, f"{path}.{index}" if path
                                                                                 else str(index))]
    return []


def shown(name: str) -> str:
    """A name fit for an error message that is stored as JSON (jsonb refuses NUL): NUL written as \\u0000."""
    return name.replace(NUL, "\\u0000")
