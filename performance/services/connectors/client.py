"""Building a connection's adapter: decrypted credentials, and the address derived from the account.

The address is always the remote's own (https://{subdomain}.zendesk.com, https://{domain}); API input never
chooses it, so no one can point jixiao at an internal address (SSRF). CONNECTOR_BASE_URL_OVERRIDES maps
"<kind>:<account>" to another base URL, from the server's settings only (tests' local servers).
"""

from __future__ import annotations

import json

from django.conf import settings

from common import crypto
from performance.connectors import help_desk_for
from performance.connectors.remote import HelpDesk
from performance.models import Connection


def credentials_of(connection: Connection) -> dict:
    return json.loads(crypto.decrypt(connection.credentials_encrypted))


def base_url_override(kind: str, account: str) -> str | None:
    return (settings.CONNECTOR_BASE_URL_OVERRIDES or {}).get(f"{kind}:{account}")


def help_desk_build(*, connection: Connection | None = None, kind: str = "", account: str = "",
                    credentials: dict | None = None) -> HelpDesk:
    """The adapter of a saved connection, or of unsaved settings (the `test/` of a connection being made)."""
    if connection is not None:
        kind, account, credentials = connection.kind, connection.account, credentials_of(connection)
    adapter = help_desk_for(kind)
    return adapter(account=account, credentials=credentials or {}, base_url=base_url_override(kind, account))
