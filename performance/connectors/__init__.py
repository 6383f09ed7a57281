"""Help-desk connectors: adapters that read Zendesk and Freshdesk (see remote.py for what they return).

`help_desk_for(kind)` is the registry: the adapter class of a connection kind. Adapters are imported lazily, so a
kind whose module is absent (not installed in this build) is simply unavailable.
"""

from __future__ import annotations

from importlib import import_module

ADAPTERS = {
    "zendesk": ("performance.connectors.zendesk", "ZendeskHelpDesk"),
    "freshdesk": ("performance.connectors.freshdesk", "FreshdeskHelpDesk"),
}


class UnknownHelpDesk(LookupError):
    """No adapter for this kind in this build."""


def help_desk_for(kind: str) -> type:
    """The adapter class of `kind` ("zendesk", "freshdesk"); UnknownHelpDesk when there is none."""
    try:
        module, name = ADAPTERS[kind]
        return getattr(import_module(module), name)
    except (KeyError, ImportError, AttributeError) as exc:
        raise UnknownHelpDesk(kind) from exc


def available_kinds() -> list[str]:
    kinds = []
    for kind in ADAPTERS:
        try:
            help_desk_for(kind)
        except UnknownHelpDesk:
            continue
        kinds.append(kind)
    return kinds


class _Registry(dict):
    """HELP_DESKS["zendesk"] -> ZendeskHelpDesk, resolved on access."""

    def __missing__(self, kind: str) -> type:
        return help_desk_for(kind)

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and kind in available_kinds()


HELP_DESKS = _Registry()
