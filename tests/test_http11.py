"""HTTP/1.1 over raw sockets: keep-alive, pipelining, bodies, 100-continue, HEAD, errors, the h2c
upgrade, and the choice of parser. Every test runs on both parsers (server.http1-parser)."""

from __future__ import annotations

import email.utils
import socket
import subprocess
import sys
import time

import h2.config
import h2.connection
import h2.events
import h11
import httpx
import pytest

from petrel.config import ConfigError, load_config
from petrel.server.protocol.http11 import H11Protocol, httptools_available, protocol_class

from http1_parsers import http1_parser  # noqa: F401  (the fixture)
from support import DEFAULT_ENGINE, petrel_command, read_until_close

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/", "root")
            petrel.add_route("/echo", "echo")
            petrel.add_route("/mypath", "first")
            petrel.add_route("/mypath/subpath", "second")
            petrel.add_route("/hdr", "hdr")
        end
    """,
    "handlers.lua": """
        function root(request, response)
            response.content = "root " .. request.path
            return response
        end
        function echo(request, response)
            response.headers["content-type"] = "application/octet-stream"
            response.content = request.method .. " " .. #request.content .. " " .. request.content
            return response
        end
        function first(request, response)
            response.content = "first"
            return response
        end
        function second(request, response)
            response.content = "second"
            return response
        end
        function hdr(request, response)
            local values = {utf8 = "caf\\195\\169", padded = "  padded\\t", vtab = "a\\011b",
                            close = "close"}
            local name = request.query
            response.headers[name == "close" and "connection" or "x-" .. name] = values[name]
            response.content = "hdr " .. name
            return response
        end
    """,
}


@pytest.fixture
def srv(start_server, http1_parser):
    return start_server(SERVICE, DEFAULT_ENGINE, "--server.keepalive-timeout=2",
                        "--server.max-body-size=100000", "--server.max-header-size=4096",
                        f"--server.http1-parser={http1_parser}")


class RawClient:
    """A socket plus h11 client parser, for reading exactly what the server sent."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.conn = h11.Connection(h11.CLIENT)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_response(self, head_request: bool = False) -> tuple[h11.Response, bytes]:
        if head_request:
            self.conn.send(h11.Request(method="HEAD", target="/", headers=[("host", "x")]))
            self.conn.send(h11.EndOfMessage())
        response = None
        body = b""
        for _ in range(1000):
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))
                continue
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                break
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
            self.conn.start_next_cycle()
        assert response is not None
        return response, body

    def recv_all(self) -> bytes:
        data = b""
        for _ in range(1000):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data

    def close(self) -> None:
        self.sock.close()


def headers(response: h11.Response) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in response.headers}


def test_keep_alive_reuses_the_connection(srv):
    client = RawClient(srv.port)
    for index in range(3):
        client.send(f"GET /k{index} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        # feed h11 client state: it did not send through conn, so parse with a fresh one each time
        client.conn = h11.Connection(h11.CLIENT)
        client.conn.send(h11.Request(method="GET", target=f"/k{index}", headers=[("host", "x")]))
        client.conn.send(h11.EndOfMessage())
        response, body = client.read_response()
        assert response.status_code == 200
        assert body == f"root /k{index}".encode()
    client.close()


def test_pipelined_requests_answered_in_order(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                 b"GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    for _ in range(1000):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    sock.close()
    bodies = []
    conn = h11.Connection(h11.CLIENT)
    conn.receive_data(data)
    conn.receive_data(b"")
    for target in ("/a", "/echo", "/c"):
        conn.send(h11.Request(method="GET", target=target, headers=[("host", "x")]))
        conn.send(h11.EndOfMessage())
        body = b""
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Data):
                body += event.data
            if isinstance(event, h11.EndOfMessage):
                break
        bodies.append(body)
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
    assert bodies == [b"root /a", b"POST 5 hello", b"root /c"]


def test_chunked_and_fixed_length_bodies(srv):
    with httpx.Client(base_url=srv.url) as client:
        fixed = client.post("/echo", content=b"x" * 1000)
        assert fixed.content == b"POST 1000 " + b"x" * 1000

        def chunks():
            yield b"abc"
            yield b"defg"
        chunked = client.post("/echo", content=chunks())
        assert chunked.content == b"POST 7 abcdefg"


def test_raw_chunked_body(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                 b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
    data = RawClient.recv_all(type("S", (), {"sock": sock})())
    assert data.endswith(b"POST 7 abcdefg")


def test_expect_100_continue(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
    interim = sock.recv(65536)
    assert interim.startswith(b"HTTP/1.1 100 ")
    sock.sendall(b"body")
    final = sock.recv(65536)
    assert final.startswith(b"HTTP/1.1 200 ")
    assert final.endswith(b"POST 4 body")
    sock.close()


def test_head_has_no_body_and_the_get_length(srv):
    with httpx.Client(base_url=srv.url) as client:
        get = client.get("/hello")
        head = client.head("/hello")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content)) == str(len(b"root /hello"))


def test_date_and_server_headers(srv):
    reply = httpx.get(srv.url + "/")
    assert reply.headers["server"].startswith("petrel/")
    date = email.utils.parsedate_to_datetime(reply.headers["date"])
    assert abs(date.timestamp() - time.time()) < 60


def test_connection_close(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    for _ in range(100):
        chunk = sock.recv(65536)
        if not chunk:
            break   # the server closed the connection
        data += chunk
    else:
        pytest.fail("the server did not close the connection")
    assert b"connection: close" in data.lower()
    assert data.endswith(b"root /")


def test_http10_closes_by_default(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"GET /old HTTP/1.0\r\n\r\n")
    data = RawClient.recv_all(type("S", (), {"sock": sock})())
    assert data.startswith(b"HTTP/1.1 200 ")
    assert data.endswith(b"root /old")


@pytest.mark.parametrize("raw, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n\r\n", 400),                                   # no Host
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n", 413),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n", 431),
])
def test_malformed_requests(srv, raw, status):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(raw)
    data = RawClient.recv_all(type("S", (), {"sock": sock})())
    assert data.startswith(f"HTTP/1.1 {status} ".encode()), data[:100]
    assert b"Traceback" not in data
    # the server keeps serving
    assert httpx.get(srv.url + "/").status_code == 200


def test_chunked_body_over_the_limit(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(30):
        sock.sendall(b"1000\r\n" + b"z" * 4096 + b"\r\n")
    sock.sendall(b"0\r\n\r\n")
    data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 413 ")


def test_idle_connection_closed_after_keepalive_timeout(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    started = time.monotonic()
    assert sock.recv(10) == b""   # closed by the server, not by our 10 s timeout
    assert time.monotonic() - started < 9


def test_idle_limit_counts_from_the_last_request_not_the_first(srv):
    # keepalive-timeout is 2 s: requests 0.8 s apart for 3.2 s keep the connection, and it is
    # closed about 2 s after the last answer, not at the first request's 2 s.
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    for index in range(5):
        if index:
            time.sleep(0.8)
        sock.sendall(f"GET /i{index} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while not data.endswith(f"root /i{index}".encode()):
            chunk = sock.recv(65536)
            assert chunk, f"closed before the answer to request {index}"
            data += chunk
        assert data.startswith(b"HTTP/1.1 200 ")
    answered = time.monotonic()
    assert sock.recv(10) == b""
    assert 1.5 < time.monotonic() - answered < 6
    sock.close()


def test_not_found_without_route(start_server, http1_parser):
    service = {"b.lua": 'function bootstrap() petrel.add_route("/only", "h") end\n'
                        'function h(q, r) return r end\n'}
    server = start_server(service, DEFAULT_ENGINE, f"--server.http1-parser={http1_parser}")
    reply = httpx.get(server.url + "/elsewhere")
    assert reply.status_code == 404


def test_longest_prefix_wins(srv):
    with httpx.Client(base_url=srv.url) as client:
        assert client.get("/mypath/subpath/abc").text == "second"
        assert client.get("/mypath/abc").text == "first"
        assert client.get("/mypathx").text == "first"
        assert client.get("/other").text == "root /other"


def read_answer(sock: socket.socket, ending: bytes, limit: float = 10.0) -> bytes:
    """Bytes until they end with ``ending`` (one answer on a kept connection), bounded."""
    data = b""
    deadline = time.monotonic() + limit
    while not data.endswith(ending) and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_http10_keep_alive_header_still_closes(srv):
    """As h11 does, an HTTP/1.0 connection ends after one answer, whatever it asks for."""
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /more HTTP/1.0\r\n\r\n")
    data = read_until_close(sock)
    sock.close()
    assert data.count(b"HTTP/1.1 200 ") == 1 and data.endswith(b"root /old")
    assert b"\r\nconnection: close\r\n" in data.lower()


def test_pipelined_chunked_bodies_and_gets(srv):
    """The end of a chunked body (trailers included) is where the next pipelined request starts."""
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n"
                 b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"2\r\nhi\r\n0\r\n\r\n"
                 b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = read_until_close(sock)
    sock.close()
    bodies = [part.split(b"\r\n\r\n", 1)[1] for part in data.split(b"HTTP/1.1 ")[1:]]
    assert bodies == [b"POST 3 abc", b"root /second", b"POST 2 hi", b"root /last"]


def test_body_in_many_small_reads(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    raw = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
           b"5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n")
    for at in range(0, len(raw), 7):
        sock.sendall(raw[at:at + 7])
        time.sleep(0.01)
    data = read_until_close(sock)
    sock.close()
    assert data.endswith(b"POST 6 hello!")


def test_connect_is_refused_and_the_server_goes_on(srv):
    for target in (b"example.com:443", b"/"):
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        sock.sendall(b"CONNECT " + target + b" HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        data = read_until_close(sock)
        sock.close()
        assert data.startswith(b"HTTP/1.1 501 "), data[:200]
        assert b"not a proxy" in data
    assert httpx.get(srv.url + "/").status_code == 200
    assert "Traceback" not in srv.log()


def test_response_header_values_are_latin1_and_trimmed(srv):
    with httpx.Client(base_url=srv.url) as client:
        utf8 = client.get("/hdr?utf8")
        padded = client.get("/hdr?padded")
    assert utf8.status_code == 200
    raw = dict(utf8.headers.raw)
    assert raw[b"x-utf8"] == "café".encode()   # the handler's bytes, as they were
    assert dict(padded.headers.raw)[b"x-padded"] == b"padded"


def test_unwritable_response_header_is_a_500_not_a_dead_server(srv):
    """A control byte in a header value is the handler's error (a 500 and the usual log line)."""
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"GET /hdr?vtab HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = read_until_close(sock)
    sock.close()
    assert data.startswith(b"HTTP/1.1 500 "), data[:200]
    assert b"a\x0bb" not in data
    assert httpx.get(srv.url + "/").status_code == 200
    log = srv.log()
    assert "response header 'x-vtab' has an invalid name or value" in log
    assert "Traceback" not in log


def test_handler_connection_close_ends_the_connection(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"GET /hdr?close HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
    data = read_until_close(sock)
    sock.close()
    assert data.count(b"HTTP/1.1 ") == 1 and data.endswith(b"hdr close")
    assert b"\r\nconnection: close\r\n" in data.lower()


# -- the h2c upgrade (RFC 7540 3.2) --------------------------------------------------------------
def h2c_exchange(port: int, method: str, path: str, body: bytes = b"", chunked: bool = False
                 ) -> tuple[bytes, int, bytes]:
    """Upgrade a connection with a request (and its body); (the 101 head, stream 1's status and body)."""
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    settings = client.initiate_upgrade_connection().decode()
    framing = ("Transfer-Encoding: chunked\r\n" if chunked
               else f"Content-Length: {len(body)}\r\n" if body else "")
    payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if chunked else body
    head = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            f"Upgrade: h2c\r\nHTTP2-Settings: {settings}\r\n{framing}\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + payload)
        data = b""
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            data += sock.recv(65536)
        switched, _, rest = data.partition(b"\r\n\r\n")
        if not switched.startswith(b"HTTP/1.1 101 "):
            return switched, 0, rest
        sock.sendall(client.data_to_send())
        status, answer, ended = 0, b"", False
        while not ended and time.monotonic() < deadline:
            for event in client.receive_data(rest):
                if isinstance(event, h2.events.ResponseReceived) and event.stream_id == 1:
                    status = int(dict(event.headers)[b":status"])
                elif isinstance(event, h2.events.DataReceived) and event.stream_id == 1:
                    answer += event.data
                    client.acknowledge_received_data(event.flow_controlled_length, 1)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == 1:
                    ended = True
            sock.sendall(client.data_to_send())
            if not ended:
                rest = sock.recv(65536)
                if not rest:
                    break
        return switched, status, answer


def test_h2c_upgrade_answers_on_stream_1(srv):
    switched, status, body = h2c_exchange(srv.port, "GET", "/up")
    assert b"upgrade: h2c" in switched.lower()
    assert (status, body) == (200, b"root /up")


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_h2c_upgrade_with_a_body(srv, chunked):
    """The body of the upgrading request is HTTP/1.1 still, and the handler on stream 1 gets it."""
    switched, status, body = h2c_exchange(srv.port, "POST", "/echo", b"hello", chunked)
    assert switched.startswith(b"HTTP/1.1 101 ")
    assert (status, body) == (200, b"POST 5 hello")


def test_declined_upgrade_keeps_the_connection(srv):
    """An Upgrade the server does not speak is an ordinary request; the connection goes on."""
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                 b"Content-Length: 4\r\n\r\nbody")
    first = read_answer(sock, b"POST 4 body")
    assert first.startswith(b"HTTP/1.1 200 ") and first.endswith(b"POST 4 body")
    sock.sendall(b"GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert read_until_close(sock).endswith(b"root /next")
    sock.close()


# -- choosing the parser ---------------------------------------------------------------------------
def test_parser_option_values(monkeypatch):
    assert load_config(None, [], require_root=False).server_http1_parser == "auto"
    chosen = load_config(None, [("server.http1-parser", "H11")], require_root=False)
    assert chosen.server_http1_parser == "h11"
    with pytest.raises(ConfigError, match=r"'server.http1-parser'.*expected auto, h11 or httptools"):
        load_config(None, [("server.http1-parser", "picohttp")], require_root=False)
    monkeypatch.setitem(sys.modules, "httptools", None)   # as if it were not installed
    with pytest.raises(ConfigError, match=r"'server.http1-parser'.*httptools is not installed"):
        load_config(None, [("server.http1-parser", "httptools")], require_root=False)
    assert protocol_class.__wrapped__("auto") is H11Protocol


def test_auto_prefers_httptools():
    if not httptools_available():
        assert protocol_class("auto") is H11Protocol
        return
    from petrel.server.protocol.http11_httptools import HttptoolsProtocol
    assert protocol_class("auto") is HttptoolsProtocol
    assert protocol_class("h11") is H11Protocol


def test_bad_parser_option_on_the_command_line(tmp_path):
    result = subprocess.run(petrel_command("serve", f"--lua.root={tmp_path}", "--server.http1-parser=fast"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "server.http1-parser" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
