"""server.trusted-proxies: the client's address and scheme from Forwarded / X-Forwarded-For /
X-Forwarded-Proto when the peer is a trusted proxy, the headers ignored otherwise.

The tests run on 127.0.0.1 only, so "trusted" is a trusted-proxies list that holds 127.0.0.1 and
"untrusted" one that does not. What Lua sees is checked on every engine.
"""

from __future__ import annotations

import socket

import httpx
import pytest

from petrel.config import ConfigError, load_config
from petrel.server.proxies import forwarded_elements, parse_address

from support import DEFAULT_ENGINE, petrel_command

TIMEOUT = 20.0
TRUSTED = "--server.trusted-proxies=127.0.0.1, 10.0.0.0/8, fd00::/8"
UNTRUSTED = "--server.trusted-proxies=10.0.0.0/8 ::1"

SERVICE = {
    "main.lua": """
        function bootstrap()
            petrel.add_route("/who", "who")
        end
        function who(request, response)
            response.content = request.remote_addr_str .. " " .. request.remote_addr_ip_ver .. " "
                               .. request.proto
            return response
        end
    """,
}


def who(client: httpx.Client, headers: list[tuple[str, str]]) -> str:
    reply = client.get("/who", headers=headers)
    assert reply.status_code == 200, reply.text
    return reply.text


def raw_who(port: int, header_lines: bytes) -> bytes:
    """GET /who with the given raw header lines; the whole reply (the server closes after it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET /who HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + header_lines + b"\r\n")
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk


# (headers, what /who answers) with the peer 127.0.0.1 trusted, as are 10.0.0.0/8 and fd00::/8.
X_FORWARDED_CASES = [
    ([("x-forwarded-for", "203.0.113.7")], "203.0.113.7 4 http"),
    ([("x-forwarded-for", "203.0.113.7, 10.1.2.3")], "203.0.113.7 4 http"),          # a trusted hop skipped
    ([("x-forwarded-for", "198.51.100.1, 203.0.113.7, 10.1.2.3")], "203.0.113.7 4 http"),  # left of it: spoofable
    ([("x-forwarded-for", "10.0.0.1, 10.0.0.2")], "10.0.0.1 4 http"),                # all trusted: the leftmost
    ([("x-forwarded-for", "2001:db8::1")], "2001:db8::1 6 http"),
    ([("x-forwarded-for", "2001:db8::1, fd00::5")], "2001:db8::1 6 http"),
    ([("x-forwarded-for", "[2001:db8::2]:443")], "2001:db8::2 6 http"),
    ([("x-forwarded-for", "203.0.113.8:5678")], "203.0.113.8 4 http"),
    ([("x-forwarded-for", "::ffff:203.0.113.9")], "203.0.113.9 4 http"),
    ([("x-forwarded-for", "203.0.113.7"), ("x-forwarded-for", "10.0.0.3")], "203.0.113.7 4 http"),  # two lines
    ([("x-forwarded-for", "garbage, 203.0.113.7")], "203.0.113.7 4 http"),   # never reached
    # malformed before an untrusted hop: the peer's address stays
    ([("x-forwarded-for", "garbage, 10.0.0.2")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "203.0.113.7, garbage")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "203.0.113.300")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "[203.0.113.7]")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "[2001:db8::1")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "203.0.113.7:99999")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "unknown")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", ", ,")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "x" * 4000)], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "203.0.113.7, " + "10.0.0.1, " * 500 + "10.0.0.2")], "203.0.113.7 4 http"),
    # the scheme
    ([("x-forwarded-proto", "https")], "127.0.0.1 4 https"),
    ([("x-forwarded-for", "203.0.113.7"), ("x-forwarded-proto", "HTTPS")], "203.0.113.7 4 https"),
    ([("x-forwarded-proto", "gopher")], "127.0.0.1 4 http"),
    ([("x-forwarded-proto", "https;x")], "127.0.0.1 4 http"),
    ([("x-forwarded-for", "203.0.113.7, 10.0.0.1"), ("x-forwarded-proto", "https, http")], "203.0.113.7 4 https"),
    ([("x-forwarded-for", "203.0.113.7, 10.0.0.1"), ("x-forwarded-proto", "https, http, http")],
     "203.0.113.7 4 http"),   # one scheme per hop or one in all, else ignored
]

FORWARDED_CASES = [
    ("for=203.0.113.7;proto=https", "203.0.113.7 4 https"),
    ('for="[2001:db8:cafe::17]:4711";proto=https', "2001:db8:cafe::17 6 https"),
    ('for="[2001:db8:cafe::17]"', "2001:db8:cafe::17 6 http"),
    ("for=[2001:db8::5]", "2001:db8::5 6 http"),              # unquoted, as some proxies send it
    ('for="203.0.113.7:8080"', "203.0.113.7 4 http"),
    ('For=203.0.113.7;PROTO=HTTPS', "203.0.113.7 4 https"),
    ("for=192.0.2.60;proto=http;by=203.0.113.43, for=10.0.0.5;proto=https", "192.0.2.60 4 http"),
    ("for=198.51.100.1;proto=http, for=203.0.113.7;proto=https, for=10.0.0.5", "203.0.113.7 4 https"),
    ("for=10.0.0.4;proto=https, for=10.0.0.5", "10.0.0.4 4 https"),
    ('for="[::ffff:203.0.113.8]"', "203.0.113.8 4 http"),
    ("for=203.0.113.7;proto=javascript", "203.0.113.7 4 http"),
    ("for=203.0.113.7 ; proto=https", "203.0.113.7 4 https"),
    ('for="\\203.0.113.7"', "203.0.113.7 4 http"),            # a quoted-pair
    # not usable: the peer's address stays
    ("for=unknown, for=10.0.0.5", "127.0.0.1 4 http"),
    ("for=_hidden", "127.0.0.1 4 http"),
    ('for="[2001:db8::1"', "127.0.0.1 4 http"),
    ('for="[2001:db8::1]:port"', "127.0.0.1 4 http"),
    ('for="unterminated', "127.0.0.1 4 http"),
    ("for=203.0.113.7;for=198.51.100.1", "127.0.0.1 4 http"),   # a parameter twice
    ("for=203.0.113.7 garbage", "127.0.0.1 4 http"),
    ("proto=https", "127.0.0.1 4 http"),                         # no for=: not an address
    ("=", "127.0.0.1 4 http"),
    ("", "127.0.0.1 4 http"),
    (";;,,;", "127.0.0.1 4 http"),
    ("for=" + "9" * 5000, "127.0.0.1 4 http"),
]


def test_trusted_peer_x_forwarded(start_server, engine):
    server = start_server(SERVICE, engine, TRUSTED)
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        for headers, expected in X_FORWARDED_CASES:
            assert who(client, headers) == expected, headers
        assert who(client, []) == "127.0.0.1 4 http"
    with httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True) as client:
        reply = client.get("/who", headers=[("x-forwarded-for", "203.0.113.7, 10.1.2.3"),
                                            ("x-forwarded-proto", "https")])
        assert reply.http_version == "HTTP/2" and reply.text == "203.0.113.7 4 https"


def test_trusted_peer_forwarded(start_server, engine):
    server = start_server(SERVICE, engine, TRUSTED, "--log.access=1")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        for value, expected in FORWARDED_CASES:
            assert who(client, [("forwarded", value)]) == expected, value
        # two Forwarded lines make one list, in order
        assert who(client, [("forwarded", "for=203.0.113.7"), ("forwarded", "for=10.0.0.9")]) == "203.0.113.7 4 http"
        # Forwarded wins over X-Forwarded-*, even when it is malformed
        assert who(client, [("forwarded", "for=203.0.113.7"), ("x-forwarded-for", "198.51.100.2"),
                            ("x-forwarded-proto", "https")]) == "203.0.113.7 4 http"
        assert who(client, [("forwarded", "for=unknown"), ("x-forwarded-for", "198.51.100.2")]) == "127.0.0.1 4 http"
        client.get("/who", headers={"forwarded": 'for="[2001:db8::77]:1"'})
    # the access log names the client, not the proxy
    server.wait_for_log(r"access \| info \| 2001:db8::77 GET /who HTTP/1\.1 200 ")


def test_untrusted_peer_headers_ignored(start_server, engine):
    server = start_server(SERVICE, engine, UNTRUSTED)
    spoofs = [[("x-forwarded-for", "203.0.113.7")], [("x-forwarded-for", "10.0.0.1")],
              [("x-forwarded-proto", "https")], [("forwarded", "for=203.0.113.7;proto=https")],
              [("x-forwarded-for", "203.0.113.7"), ("x-forwarded-proto", "https"),
               ("forwarded", "for=198.51.100.1")]]
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        for headers in spoofs:
            assert who(client, headers) == "127.0.0.1 4 http", headers
    with httpx.Client(base_url=server.url, timeout=TIMEOUT, http1=False, http2=True) as client:
        assert client.get("/who", headers={"x-forwarded-for": "203.0.113.7"}).text == "127.0.0.1 4 http"


def test_no_trusted_proxies_by_default(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE)
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        assert who(client, [("x-forwarded-for", "203.0.113.7"), ("x-forwarded-proto", "https"),
                            ("forwarded", "for=198.51.100.1")]) == "127.0.0.1 4 http"


def test_hostile_raw_headers(start_server):
    """CR/LF tricks and obs-fold in forwarding headers: a 400 or the peer's address, never a 500."""
    server = start_server(SERVICE, DEFAULT_ENGINE, TRUSTED)
    attempts = [
        b"X-Forwarded-For: 203.0.113.7\r\n 198.51.100.1\r\n",        # obs-fold
        b"X-Forwarded-For: 203.0.113.7\rX-Forwarded-Proto: https\r\n",  # a bare CR
        b"X-Forwarded-For: 203.0.113.7\nX-Forwarded-Proto: https\r\n",  # a bare LF
        b"Forwarded: for=\"203.0.113.7\x00\"\r\n",                     # a NUL
        b"Forwarded: for=\"\xff\xfe\"\r\n",                             # obs-text
        b"X-Forwarded-For: \xc3\xa9\r\n",
    ]
    for lines in attempts:
        reply = raw_who(server.port, lines)
        status = reply.split(b" ", 2)[1]
        assert status in (b"200", b"400"), (lines, reply[:200])
        if status == b"200":
            body = reply.split(b"\r\n\r\n", 1)[1]
            assert body in (b"127.0.0.1 4 http", b"203.0.113.7 4 http", b"203.0.113.7 4 https"), (lines, body)
    reply = raw_who(server.port, b"X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n")
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"\r\n\r\n203.0.113.7 4 https")
    assert "Traceback" not in server.log()


@pytest.mark.parametrize("value, message", [
    ("10.0.0.1/8", "'10.0.0.1/8' has bits set beyond its prefix (did you mean 10.0.0.0/8?)"),
    ("127.0.0.1, 10.0.0.300", "'10.0.0.300' is not an IPv4 or IPv6 address or CIDR block"),
    ("localhost", "'localhost' is not an IPv4 or IPv6 address or CIDR block"),
    ("[::1]", "'[::1]' is not an IPv4 or IPv6 address or CIDR block"),
    ("::1/129", "'::1/129' is not an IPv4 or IPv6 address or CIDR block"),
])
def test_bad_trusted_proxies_is_a_config_error(value, message):
    with pytest.raises(ConfigError) as info:
        load_config(None, [("server.trusted-proxies", value)], require_root=False)
    assert str(info.value) == (f"command line --server.trusted-proxies: bad value {value!r} for option "
                               f"'server.trusted-proxies': {message}")


def test_trusted_proxies_syntax():
    config = load_config(None, [("server.trusted-proxies", " 127.0.0.1,10.0.0.0/8  ::1 fd00::/8 ,")],
                         require_root=False)
    assert config.server_trusted_proxies == "127.0.0.1/32, 10.0.0.0/8, ::1/128, fd00::/8"
    assert load_config(None, [], require_root=False).server_trusted_proxies == ""


def test_bad_trusted_proxies_on_the_command_line(tmp_path):
    import subprocess
    (tmp_path / "main.lua").write_text("function bootstrap() end\n")
    result = subprocess.run(petrel_command("serve", f"--lua.root={tmp_path}", "--server.trusted-proxies=10.1.0.0/8"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "option 'server.trusted-proxies'" in result.stderr and "did you mean 10.0.0.0/8?" in result.stderr
    assert "Traceback" not in result.stderr


def test_parsers():
    assert parse_address("[2001:DB8::1]:80") == "2001:db8::1"
    assert parse_address("fe80::1%eth0") == "fe80::1%eth0"
    assert parse_address("1.2.3.4:_port") == "1.2.3.4"
    for bad in ("", "[", "[]", "[::1]:", "1.2.3.4:", "1.2.3.4:123456", "1.2.3", "::1::2", "[::1]]"):
        assert parse_address(bad) is None, bad
    assert forwarded_elements('for=a, for="b,c";by=d') == [{"for": "a"}, {"for": "b,c", "by": "d"}]
    assert forwarded_elements('for="a\\"b"') == [{"for": 'a"b'}]
    for bad in ('for="a', "for=a b", "for", "for=a;for=b", 'for="a"x'):
        assert forwarded_elements(bad) is None, bad
