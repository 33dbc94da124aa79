"""What HTTP/1.1 and HTTP/2 share (petrel.server.protocol.common), without sockets: the Request
made of a request head, and the fields of a response head."""

from __future__ import annotations

import pytest

from petrel.messages import Response
from petrel.server.protocol.common import RequestHead, make_request, response_fields
from petrel.server.protocol.errors import ProtocolError

REMOTE = ("192.0.2.1", 4321)


def request(target: str, headers: list[tuple[str, str]], version: str = "1.1", authority: str | None = None):
    head = RequestHead("GET", target, version, headers, authority)
    return make_request(head, b"body", REMOTE, "https", 12.5)


@pytest.mark.parametrize("target, path, query", [
    ("/a/b?x=1&y", "/a/b", "x=1&y"),
    ("/a/b", "/a/b", ""),
    ("/a?b?c", "/a", "b?c"),
    ("/?", "/", ""),
    ("http://other.test/abs?q=1", "/abs", "q=1"),   # absolute-form: the Host field still wins
    ("http://other.test", "/", ""),
    ("https://other.test/p?", "/p", ""),
    ("*", "*", ""),
])
def test_target_is_split_the_same_way_on_both_protocols(target, path, query):
    for version in ("1.1", "2"):
        made = request(target, [("host", "h.test")], version)
        assert (made.path, made.query, made.host, made.http_version) == (path, query, "h.test", version)


def test_request_fields():
    made = request("/x", [("host", "h.test"), ("host", "second"), ("accept", "*/*")])
    assert made.method == "GET" and made.content == b"body" and made.proto == "https"
    assert (made.remote_addr, made.remote_port, made.timestamp) == ("192.0.2.1", 4321, 12.5)
    assert made.host == "h.test" and made.id == ""
    assert made.headers == [("host", "h.test"), ("host", "second"), ("accept", "*/*")]


def test_authority_wins_over_the_host_field_and_no_host_is_empty():
    assert request("/", [("host", "field.test")], "2", authority="pseudo.test").host == "pseudo.test"
    assert request("/", [("host", "field.test")], "2").host == "field.test"
    assert request("/", [], "1.0").host == ""
    assert request("/", [], "2", authority="").host == ""


def test_response_fields_defaults_and_framing():
    fields = response_fields(Response(201, [("X-Thing", " 1 "), ("Content-Length", "9"),
                                            ("transfer-encoding", "chunked")]), 4,
                             frozenset(("content-length", "transfer-encoding")))
    names = [name for name, _ in fields]
    assert names == [b"date", b"server", b"X-Thing", b"content-length"]
    assert fields[1][1].startswith(b"petrel/") and fields[0][1].endswith(b"GMT")
    assert dict(fields)[b"X-Thing"] == b"1" and dict(fields)[b"content-length"] == b"4"


def test_response_fields_own_date_and_server_replace_ours_in_place():
    fields = response_fields(Response(200, [("a", "1"), ("Date", "then"), ("server", "mine")]), 0,
                             frozenset(), lower=True)
    assert fields == [(b"a", b"1"), (b"date", b"then"), (b"server", b"mine"), (b"content-length", b"0")]
    fields = response_fields(Response(200, [("Server", "mine")]), 0, frozenset())
    assert [name for name, _ in fields] == [b"date", b"Server", b"content-length"]


@pytest.mark.parametrize("status", [204, 304, 100, 101])
def test_no_content_length_where_no_body_may_be(status):
    assert b"content-length" not in dict(response_fields(Response(status), 5, frozenset()))


@pytest.mark.parametrize("name, value, why", [
    ("x-a", "a\r\nx-b: 1", "has an invalid name or value"),
    ("x-a", "a\x0bb", "has an invalid name or value"),
    ("x-a", "a\x00", "has an invalid name or value"),
    ("bad name", "1", "has an invalid name or value"),
    (":status", "200", "has an invalid name or value"),
    ("", "1", "has an invalid name or value"),
    ("x-a", "\u2713", "is not Latin-1 text"),
    ("n\u00e9", "1", "is not Latin-1 text"),
])
def test_unwritable_fields_are_a_500(name, value, why):
    for lower in (False, True):
        with pytest.raises(ProtocolError) as caught:
            response_fields(Response(200, [(name, value)]), 0, frozenset(), lower=lower)
        assert caught.value.status == 500
        assert str(caught.value) == f"response header {name!r} {why}"
