"""Which webhook URLs jixiao may call: http(s) only, and no internal addresses (SSRF).

A host name is resolved and every address it resolves to must be public; checked when a webhook is saved and
again before every attempt, since DNS answers change. `WEBHOOK_ALLOW_PRIVATE_URLS` lifts the address rule
(local receivers in tests and development).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SCHEMES = ("http", "https")


class UnsafeURL(ValueError):
    """The URL may not be called; the message says why, for the API's users."""


def _addresses(host: str, port: int, resolve: bool) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return []
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(_("The host name %(host)s could not be resolved.") % {"host": host}) from exc
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_loopback
                                      or address.is_link_local or address.is_private or address.is_unspecified)


def check_webhook_url(url: str, *, resolve: bool = True) -> None:
    """Raise UnsafeURL unless jixiao may POST to `url`. `resolve=False` checks IP literals but looks up no host
    name (for a webhook seeded inactive without network; its address is still checked before every attempt)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise UnsafeURL(_("Only http and https URLs can receive webhooks."))
    if not parts.hostname:
        raise UnsafeURL(_("The URL has no host."))
    if parts.username or parts.password:
        raise UnsafeURL(_("Put no user name or password in the URL; deliveries are signed instead."))
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL(_("The URL's port is not a number between 0 and 65535.")) from exc
    refused = [str(address) for address in _addresses(parts.hostname, port, resolve) if not is_public(address)]
    if refused:
        raise UnsafeURL(_("The URL's host resolves to %(addresses)s, a loopback, private, link-local, multicast "
                          "or reserved address; webhooks only go to public addresses.")
                        % {"addresses": ", ".join(sorted(set(refused)))})
