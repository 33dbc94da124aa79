"""What HTTP/1.1 and HTTP/2 share: the request head event, the Request made of it, the response
fields, the Date field.

Both protocols hand their loop a :class:`RequestHead`, and both loops make the Request with
:func:`make_request`, so the path, query and host of a request do not depend on the protocol it
came in. Both write the fields of a response head from :func:`response_fields`: the same Date and
Server fields, the same checks on the handler's fields and the same error for one that cannot be
written.
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import SERVER_HEADER
from ...messages import Request, Response
from .errors import ProtocolError

__all__ = ["RequestHead", "make_request", "response_fields", "http_date", "field_name", "field_value"]

_cached_second = 0
_cached_date = b""


def http_date() -> bytes:
    """The current time as an HTTP date (ASCII bytes); formatted once per second."""
    global _cached_second, _cached_date
    now = int(time.time())
    if now != _cached_second:
        _cached_second = now
        _cached_date = email.utils.formatdate(now, usegmt=True).encode("ascii")
    return _cached_date


# -- requests ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RequestHead:
    """A request head as a protocol read it, checked; the body follows (or came with it)."""

    method: str
    target: str          # as sent: "/path?query", an absolute-form URL (HTTP/1.1), or "*"
    http_version: str    # "1.0", "1.1" or "2"
    headers: list[tuple[str, str]]   # lower-case names, in arrival order (HTTP/2: host included)
    authority: str | None = None     # HTTP/2 :authority, when sent (it wins over a host field)
    scheme: str | None = None        # HTTP/2 :scheme, as sent (Request.proto is the connection's)


def make_request(head: RequestHead, body: bytes, remote: tuple[str, int], proto: str,
                 arrived: float) -> Request:
    """The Request for a head and its body, on either protocol."""
    target = head.target
    if not target.startswith("/"):
        # absolute-form ("http://host/path?q") or asterisk-form ("*")
        parts = urlsplit(target)
        if parts.scheme:
            target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    path, _, query = target.partition("?")
    host = head.authority
    if host is None:
        host = ""
        for name, value in head.headers:
            if name == "host":
                host = value
                break
    return Request(method=head.method, path=path, query=query, http_version=head.http_version,
                   proto=proto, host=host, headers=head.headers, content=body,
                   remote_addr=remote[0], remote_port=remote[1], timestamp=arrived)


# -- responses ---------------------------------------------------------------------------------------
# RFC 9110 5.1 and 5.5, as h11 checks them: a token for the name; for the value, visible
# characters (and obs-text) with single spaces or tabs between them, and no NUL.
_FIELD_NAME = re.compile(rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
_FIELD_VALUE = re.compile(rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")
_SERVER = SERVER_HEADER.encode("ascii")

# A service writes the same few field names (and many of the same values) on every response: each
# is checked and encoded once. A name maps to (lower-case str, name as bytes, lower-case bytes), its
# bytes None when it cannot be written; a value to its bytes, spaces around it dropped (only values
# that can be written are kept). Both tables are bounded: past CACHE_SIZE entries they start over.
CACHE_SIZE = 1024
_NAMES: dict[str, tuple[str, bytes | None, bytes | None]] = {}
_VALUES: dict[str, bytes] = {}


def field_name(name: str) -> tuple[str, bytes | None, bytes | None]:
    """(lower-case name, name bytes, lower-case name bytes) of a response field name, the bytes
    None when the name is not a token; from the table after the first time."""
    entry = _NAMES.get(name)
    if entry is None:
        lowered = name.lower()
        raw: bytes | None
        try:
            raw = name.encode("ascii")
        except UnicodeEncodeError:
            raw = None
        if raw is not None and not _FIELD_NAME.fullmatch(raw):
            raw = None
        entry = (lowered, raw, None if raw is None else lowered.encode("ascii"))
        if len(_NAMES) >= CACHE_SIZE:
            _NAMES.clear()
        _NAMES[name] = entry
    return entry


def field_value(name: str, value: str) -> bytes:
    """The bytes of a response field's value (Latin-1, spaces and tabs around it dropped);
    ProtocolError(500) when it cannot be written (or the name, ``name`` being checked first)."""
    raw = _VALUES.get(value)
    if raw is None:
        try:
            raw = value.encode("latin-1").strip(b" \t")
        except UnicodeEncodeError:
            raise ProtocolError(500, f"response header {name!r} is not Latin-1 text") from None
        if not _FIELD_VALUE.fullmatch(raw):
            raise ProtocolError(500, f"response header {name!r} has an invalid name or value")
        if len(_VALUES) >= CACHE_SIZE:
            _VALUES.clear()
        _VALUES[value] = raw
    return raw


def bad_field_name(name: str) -> ProtocolError:
    """The error for a field whose name :func:`field_name` found unwritable."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        return ProtocolError(500, f"response header {name!r} is not Latin-1 text")
    return ProtocolError(500, f"response header {name!r} has an invalid name or value")


def response_fields(response: Response, body_length: int, skip: frozenset[str] | set[str],
                    lower: bool = False) -> list[tuple[bytes, bytes]]:
    """The header fields of a response head, checked and encoded, for the protocol's writer.

    Date and Server first (unless the response has its own), then the response's fields in their
    order, then content-length (``body_length``) where the status allows a body. Fields named in
    ``skip`` (lower-case) are dropped: the framing is the protocol's. Names keep their case unless
    ``lower`` (HTTP/2); values are Latin-1 (what the engines decode handler strings with), spaces
    around them dropped. A field no writer may send is a ProtocolError with status 500.
    """
    fields: list[tuple[bytes, bytes]] = []
    date = server = True
    for name, value in response.headers:
        lowered, raw_name, raw_lower = _NAMES.get(name) or field_name(name)
        if lowered in skip:
            continue
        if lowered == "date":
            date = False
        elif lowered == "server":
            server = False
        if raw_name is None:
            raise bad_field_name(name)
        fields.append((raw_lower if lower else raw_name, _VALUES.get(value) or field_value(name, value)))
    if server:
        fields.insert(0, (b"server", _SERVER))
    if date:
        fields.insert(0, (b"date", http_date()))
    status = response.status
    if status != 204 and status != 304 and not 100 <= status < 200:
        fields.append((b"content-length", b"%d" % body_length))
    return fields
