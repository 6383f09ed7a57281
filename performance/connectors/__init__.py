"""Help-desk connectors: adapters that read Zendesk and Freshdesk (see remote.py for what they return).

`HELP_DESKS` maps a connection kind to its adapter class; `help_desk_for(kind)` reads it. An adapter whose module
is absent from this build is simply not listed (its kind cannot be connected).
"""

from __future__ import annotations

from importlib import import_module

ADAPTERS = {
    "zendesk": ("performance.connectors.zendesk", "ZendeskHelpDesk"),
    "freshdesk": ("performance.connectors.freshdesk", "FreshdeskHelpDesk"),
}


class UnknownHelpDesk(LookupError):
    """No adapter for this kind in this build."""


def _load() -> dict[str, type]:
    found = {}
    for kind, (module, name) in ADAPTERS.items():
        try:
            found[kind] = getattr(import_module(module), name)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # the module exists but something it imports is missing: a real error
                raise
    return found


HELP_DESKS: dict[str, type] = _load()


def help_desk_for(kind: str) -> type:
    """The adapter class of `kind` ("zendesk", "freshdesk"); UnknownHelpDesk when there is none."""
    try:
        return HELP_DESKS[kind]
    except KeyError:
        raise UnknownHelpDesk(kind) from None


def available_kinds() -> list[str]:
    return sorted(HELP_DESKS)
