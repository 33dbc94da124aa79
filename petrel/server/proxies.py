"""The client behind a reverse proxy: ``server.trusted-proxies`` and the forwarding headers.

When the peer of a connection is one of the trusted proxies, the client's address and scheme are
read from ``Forwarded`` (RFC 7239) when the request has one, else from ``X-Forwarded-For`` and
``X-Forwarded-Proto``. The chain of addresses is walked from the right, the end the nearest proxy
wrote, and every trusted hop is skipped, as nginx's ``real_ip_recursive on`` does: the first
untrusted address is the client (the leftmost one when every hop is trusted). A peer that is not
trusted has its forwarding headers ignored, so a client cannot claim another address.

A header that does not parse, or a hop that is not an IP address (``unknown``, an obfuscated
``_name``, garbage) before the walk reaches an untrusted hop, leaves the peer's address as it is;
a scheme other than http or https is ignored. Nothing here raises on a client's bytes.

Sans-IO: plain functions of header strings, and :class:`TrustedProxies` holding the networks.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Union

from ..messages import Request

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

_CACHE_SIZE = 4096   # peer and hop addresses whose trust is remembered (cleared when full)
_SCHEMES = ("http", "https")

# RFC 7239 forwarded-pair: token "=" (token / quoted-string). Unquoted values also take ':', '[' and
# ']' (an IPv6 address or a port some proxies forget to quote); the node is checked afterwards.
_PAIR = re.compile(r'[ \t]*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)=(?:([!#$%&\'*+.^_`|~0-9A-Za-z:\[\]-]+)'
                   r'|"([^"\\\x00-\x1f\x7f]*(?:\\[\t\x20-\x7e][^"\\\x00-\x1f\x7f]*)*)")[ \t]*')
_QUOTED_PAIR = re.compile(r"\\(.)")
_PORT = re.compile(r"[0-9]{1,5}|_[A-Za-z0-9._-]+")


def _port(text: str) -> bool:
    """A port as Forwarded allows it: a number up to 65535 or an obfuscated ``_name``."""
    return _PORT.fullmatch(text) is not None and (text[0] == "_" or int(text) <= 65535)


# An IPv4 address already in its normal form (no leading zeros): no need for ipaddress to read it.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
_parsed: dict[str, str | None] = {}


def parse_address(text: str) -> str | None:
    """An IP address as a client or proxy sends it: ``1.2.3.4``, ``1.2.3.4:80``, ``::1``,
    ``[::1]`` or ``[::1]:80``; its normal text form, or None when it is not one."""
    if _IPV4.fullmatch(text):
        return text
    try:
        return _parsed[text]
    except KeyError:
        pass
    address = _parse_address(text)
    if len(_parsed) >= _CACHE_SIZE:
        _parsed.clear()
    _parsed[text] = address
    return address


def _parse_address(text: str) -> str | None:
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        rest = text[end + 1:]
        if rest and not (rest[0] == ":" and _port(rest[1:])):
            return None
        text = text[1:end]
        if ":" not in text:
            return None   # brackets hold an IPv6 address only
    elif text.count(":") == 1:   # IPv4 with a port
        text, _, port = text.partition(":")
        if not _port(port):
            return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped if mapped is not None else ip)


def forwarded_elements(value: str) -> list[dict[str, str]] | None:
    """The elements of a ``Forwarded`` value (lower-case parameter names), None if it is malformed."""
    elements: list[dict[str, str]] = []
    pos, end = 0, len(value)
    element: dict[str, str] = {}
    while True:
        match = _PAIR.match(value, pos)
        if match is not None:
            name = match.group(1).lower()
            if name in element:
                return None   # RFC 7239 4: a parameter occurs once in an element
            quoted = match.group(3)
            if quoted is None:
                element[name] = match.group(2)
            else:
                element[name] = _QUOTED_PAIR.sub(r"\1", quoted) if "\\" in quoted else quoted
            pos = match.end()
        else:
            while pos < end and value[pos] in " \t":
                pos += 1
        if pos >= end:
            elements.append(element)
            return elements
        separator = value[pos]
        pos += 1
        if separator == ",":
            elements.append(element)
            element = {}
        elif separator != ";":
            return None


class TrustedProxies:
    """The networks of ``server.trusted-proxies`` and the rewriting of a request they allow."""

    __slots__ = ("networks", "_trusted")

    def __init__(self, networks: list[Network]) -> None:
        self.networks = tuple(networks)
        self._trusted: dict[str, bool] = {}

    @classmethod
    def from_config(cls, text: str) -> "TrustedProxies | None":
        """From ``server.trusted-proxies`` as config.py normalized it (``net/prefix, ...``)."""
        networks = [ipaddress.ip_network(entry) for entry in text.split(", ") if entry]
        return cls(networks) if networks else None

    def trusts(self, address: str) -> bool:
        known = self._trusted.get(address)
        if known is not None:
            return known
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            trusted = False
        else:
            mapped = getattr(ip, "ipv4_mapped", None)   # ::ffff:a.b.c.d from a dual-stack socket
            trusted = any(ip in net for net in self.networks) or (
                mapped is not None and any(mapped in net for net in self.networks))
        if len(self._trusted) >= _CACHE_SIZE:
            self._trusted.clear()
        self._trusted[address] = trusted
        return trusted

    def apply(self, request: Request) -> bool:
        """Give ``request`` the client's address and scheme when its peer is trusted; True then."""
        if not self.trusts(request.remote_addr):
            return False
        forwarded = xff = xfp = None
        for name, value in request.headers:
            if name == "forwarded":
                forwarded = value if forwarded is None else forwarded + "," + value
            elif name == "x-forwarded-for":
                xff = value if xff is None else xff + "," + value
            elif name == "x-forwarded-proto":
                xfp = value if xfp is None else xfp + "," + value
        if forwarded is not None:
            self._from_forwarded(request, forwarded)
        elif xff is not None or xfp is not None:
            self._from_x_forwarded(request, xff, xfp)
        return True

    def _walk(self, hops: list[str | None]) -> int:
        """The index of the client in ``hops`` (left to right; None is not an address), or -1."""
        for index in range(len(hops) - 1, -1, -1):
            hop = hops[index]
            if hop is None:
                return -1
            if not self.trusts(hop):
                return index
        return 0 if hops else -1

    def _from_forwarded(self, request: Request, value: str) -> None:
        elements = forwarded_elements(value)
        if not elements:
            return
        hops = [parse_address(element.get("for", "")) for element in elements]
        index = self._walk(hops)
        if index < 0:
            return
        request.remote_addr = hops[index]  # type: ignore[assignment]
        proto = elements[index].get("proto", "").lower()
        if proto in _SCHEMES:
            request.proto = proto

    def _from_x_forwarded(self, request: Request, xff: str | None, xfp: str | None) -> None:
        index, count = -1, 0
        if xff is not None:
            hops = [parse_address(part.strip()) for part in xff.split(",") if part.strip()]
            count = len(hops)
            index = self._walk(hops)
            if index >= 0:
                request.remote_addr = hops[index]  # type: ignore[assignment]
        if xfp is not None:
            schemes = [part.strip().lower() for part in xfp.split(",") if part.strip()]
            if len(schemes) == 1:
                proto = schemes[0]
            elif index >= 0 and len(schemes) == count:
                proto = schemes[index]   # one scheme per hop: the client's
            else:
                return
            if proto in _SCHEMES:
                request.proto = proto
