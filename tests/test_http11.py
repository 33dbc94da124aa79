"""HTTP/1.1 over raw sockets: keep-alive, pipelining, bodies, 100-continue, HEAD, errors."""

from __future__ import annotations

import email.utils
import socket
import time

import h11
import httpx
import pytest

from support import DEFAULT_ENGINE

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/", "root")
            petrel.add_route("/echo", "echo")
            petrel.add_route("/mypath", "first")
            petrel.add_route("/mypath/subpath", "second")
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
    """,
}


@pytest.fixture
def srv(start_server):
    return start_server(SERVICE, DEFAULT_ENGINE, "--server.keepalive-timeout=2",
                        "--server.max-body-size=100000", "--server.max-header-size=4096")


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


def test_not_found_without_route(start_server):
    service = {"b.lua": 'function bootstrap() petrel.add_route("/only", "h") end\n'
                        'function h(q, r) return r end\n'}
    server = start_server(service)
    reply = httpx.get(server.url + "/elsewhere")
    assert reply.status_code == 404


def test_longest_prefix_wins(srv):
    with httpx.Client(base_url=srv.url) as client:
        assert client.get("/mypath/subpath/abc").text == "second"
        assert client.get("/mypath/abc").text == "first"
        assert client.get("/mypathx").text == "first"
        assert client.get("/other").text == "root /other"
