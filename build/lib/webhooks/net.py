"""One HTTP POST to a partner's endpoint, never to a private address unless allowed.

The host is resolved once; every address it resolves to must be public (``ipaddress``'s ``is_global``:
not loopback, private, link-local, shared, reserved or multicast) unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES
is on, and the connection goes to the address that was checked, so a name that resolves differently a
moment later (DNS rebinding) reaches nothing new. TLS still checks the certificate against the host
name. Redirects are not followed: a 3xx is an answer like any other, and a failure.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

ANSWER_READ = 4096  # bytes of the answer read (the log keeps less)


class DeliveryError(Exception):
    """The endpoint could not be reached, or may not be: the message says which, for the attempt log."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def allowed_address(host: str, port: int) -> str:
    """The address to connect to: the first one ``host`` resolves to, if every one of them is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise DeliveryError(
            _("The name %(host)s does not resolve: %(error)s") % {"host": host, "error": error}
        ) from None
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
                raise DeliveryError(
                    _("%(host)s resolves to %(address)s, which is not a public address: not sent.")
                    % {"host": host, "address": address}
                )
    return addresses[0]


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST ``body`` to ``url``; the answer's status and the start of its body, or DeliveryError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError(_("Not an http(s) address: %(url)s") % {"url": url[:200]})
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = allowed_address(parts.hostname, port)
    connection_class = _PinnedTLS if parts.scheme == "https" else _Pinned
    connection = connection_class(parts.hostname, port, address=address, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(ANSWER_READ)
        return Answer(status=response.status, body=answer.decode("utf-8", errors="replace"))
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}"[:500]) from None
    finally:
        connection.close()
