"""``petrel.url_encode``, ``petrel.url_decode``, ``petrel.html_escape`` and ``petrel.cookie``: the
text helpers of web handlers, in the ``petrel`` table. Strings are bytes both ways (Lua strings);
nothing here assumes UTF-8.
"""

from __future__ import annotations

import email.utils
import re
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes

from .base import LuaRuntimeError

_HTML = ((b"&", b"&amp;"), (b"<", b"&lt;"), (b">", b"&gt;"), (b'"', b"&quot;"), (b"'", b"&#39;"))

# RFC 6265 4.1.1: a cookie name is a token, a value is cookie-octets, optionally in double quotes.
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_OCTETS = rb"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"
_COOKIE_VALUE = re.compile(_OCTETS + rb'|"' + _OCTETS + rb'"')
# Path and Domain: any CHAR but controls and ';' (a Domain is further checked as a host name).
_ATTRIBUTE = re.compile(rb"[\x20-\x3a\x3c-\x7e]+")
_LABEL = rb"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_DOMAIN = re.compile(rb"\.?" + _LABEL + rb"(?:\." + _LABEL + rb")*")
_SAME_SITE = {b"strict": b"Strict", b"lax": b"Lax", b"none": b"None"}
_COOKIE_OPTIONS = ("path", "domain", "max_age", "expires", "http_only", "secure", "same_site")


def url_encode(s: bytes) -> bytes:
    """Every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX (a space is %20)."""
    return quote_from_bytes(s, safe="").encode("ascii")


def url_decode(s: bytes, plus_as_space: Any = None) -> bytes:
    """%XX escapes decoded to their bytes and '+' to a space (as in a query string or a form body;
    a second argument false keeps '+'). A '%' not followed by two hex digits stays as it is."""
    if plus_as_space is not False:
        s = s.replace(b"+", b" ")
    return unquote_to_bytes(s)


def html_escape(s: bytes) -> bytes:
    """``& < > " '`` as entities: the text is safe in HTML content and in quoted attributes."""
    for raw, entity in _HTML:
        if raw in s:
            s = s.replace(raw, entity)
    return s


def _show(value: bytes) -> str:
    return repr(value.decode("latin-1"))


def _cookie_error(message: str) -> LuaRuntimeError:
    return LuaRuntimeError(f"petrel.cookie: {message}")


def cookie(name: bytes, value: bytes, options: dict | None = None) -> bytes:
    """A Set-Cookie header value: ``name=value`` and the attributes of ``options``; names, values
    and attributes RFC 6265 does not allow are refused."""
    if not _TOKEN.fullmatch(name):
        raise _cookie_error(f"cookie name {_show(name)} is not a token (letters, digits and "
                            "!#$%&'*+-.^_`|~ only)")
    if not _COOKIE_VALUE.fullmatch(value):
        raise _cookie_error(f"cookie value {_show(value)} has a character RFC 6265 does not allow "
                            "(space, '\"', ',', ';', '\\\\' or a control character: url_encode it)")
    parts = [name + b"=" + value]
    settings: dict[str, object] = {}
    for key, item in (options or {}).items():
        label = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if label not in _COOKIE_OPTIONS:
            raise _cookie_error(f"unknown option '{label}' (known: {', '.join(_COOKIE_OPTIONS)})")
        settings[label] = item
    for label in ("path", "domain"):
        item = settings.get(label)
        if item is None:
            continue
        if not isinstance(item, bytes) or not _ATTRIBUTE.fullmatch(item) or (
                label == "domain" and not _DOMAIN.fullmatch(item)):
            raise _cookie_error(f"option '{label}' must be a {'host name' if label == 'domain' else 'path'} "
                                "without control characters or ';'")
        parts.append((b"Path=" if label == "path" else b"Domain=") + item)
    max_age = settings.get("max_age")
    if max_age is not None:
        if not _is_integer(max_age):
            raise _cookie_error("option 'max_age' must be an integer number of seconds")
        parts.append(b"Max-Age=%d" % int(max_age))   # type: ignore[arg-type]
    expires = settings.get("expires")
    if expires is not None:
        if isinstance(expires, bool) or not isinstance(expires, (int, float)) or expires != expires \
                or abs(expires) > 253402300799:
            raise _cookie_error("option 'expires' must be a time in seconds since the epoch (os.time())")
        parts.append(b"Expires=" + email.utils.formatdate(expires, usegmt=True).encode())
    secure = _flag(settings, "secure")
    if secure:
        parts.append(b"Secure")
    if _flag(settings, "http_only"):
        parts.append(b"HttpOnly")
    same_site = settings.get("same_site")
    if same_site is not None:
        chosen = _SAME_SITE.get(same_site.lower()) if isinstance(same_site, bytes) else None
        if chosen is None:
            raise _cookie_error("option 'same_site' must be 'Strict', 'Lax' or 'None'")
        if chosen == b"None" and not secure:
            raise _cookie_error("same_site='None' needs secure=true (browsers refuse it otherwise)")
        parts.append(b"SameSite=" + chosen)
    return b"; ".join(parts)


def _is_integer(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or value.is_integer() and abs(value) < 2**53


def _flag(settings: dict[str, object], label: str) -> bool:
    item = settings.get(label)
    if item is None:
        return False
    if not isinstance(item, bool):
        raise _cookie_error(f"option '{label}' must be a boolean")
    return item
