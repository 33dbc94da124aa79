"""HTTP/1.1 against hostile clients: framing ambiguities, oversized heads, slow heads and bodies.

Each attack is played by a raw socket against a real server; after it, a normal request on a new
connection must still be answered. The HTTP layer does not depend on the engine, so one engine runs
these; it does depend on the parser, so every test runs on both (h11, and httptools where
installed). Timeouts are set small through the server options; the tests wait for what the server
does (an answer, a close) and never measure how long it took.
"""

from __future__ import annotations

import select
import socket
import time

import httpx
import pytest

from http1_parsers import http1_parser  # noqa: F401  (the fixture)
from support import DEFAULT_ENGINE, read_until_close

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/", "root")
            petrel.add_route("/echo", "echo")
        end
    """,
    "handlers.lua": """
        function root(request, response)
            response.content = "root " .. request.path
            return response
        end
        function echo(request, response)
            response.content = request.method .. " " .. #request.content .. " " .. request.content
            return response
        end
    """,
}

READ_LIMIT = 10.0   # seconds a test waits for the server to answer or close, at most


@pytest.fixture
def srv(start_server, http1_parser):
    return start_server(SERVICE, DEFAULT_ENGINE, f"--server.http1-parser={http1_parser}",
                        "--server.header-timeout=1", "--server.body-timeout=1",
                        "--server.keepalive-requests=3", "--server.keepalive-timeout=30",
                        "--server.max-request-line=8192", "--server.max-headers=100")


def connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=READ_LIMIT)


def status_of(data: bytes) -> int:
    assert data.startswith(b"HTTP/1.1 "), data[:200]
    return int(data[9:12])


def assert_closing_error(data: bytes, statuses: tuple[int, ...], words: str) -> None:
    """A short text/plain error naming the problem, with Connection: close."""
    assert status_of(data) in statuses, data[:300]
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"\r\nconnection: close\r\n" in head.lower() + b"\r\n"
    assert b"content-type: text/plain" in head.lower()
    assert words.encode() in body, body
    assert b"Traceback" not in data


def assert_still_serving(server) -> None:
    reply = httpx.get(server.url + "/after", timeout=READ_LIMIT)
    assert (reply.status_code, reply.text) == (200, "root /after"), server.log()[-3000:]
    assert "Traceback" not in server.log()


def attack(server, raw: bytes) -> bytes:
    sock = connect(server)
    try:
        sock.sendall(raw)
        return read_until_close(sock)
    finally:
        sock.close()


@pytest.mark.parametrize("raw, statuses, words", [
    pytest.param(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"0\r\n\r\n", (400,), "both Content-Length and Transfer-Encoding", id="cl-and-te"),
    pytest.param(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                 b"hello", (400,), "both Content-Length and Transfer-Encoding", id="te-and-cl"),
    pytest.param(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                 (400,), "Content-Length", id="differing-cl"),
    pytest.param(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!",
                 (400,), "Content-Length", id="cl-list"),
    pytest.param(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
                 (400, 501), "Transfer-Encoding", id="te-gzip"),
    pytest.param(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                 (400, 501), "Transfer-Encoding", id="te-chunked-not-last"),
    pytest.param(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
                 (400, 501), "Transfer-Encoding", id="te-twice"),
    pytest.param(b"POST /echo HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                 (400,), "HTTP/1.0", id="te-in-http10"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n", (400,), "folding", id="obs-fold"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tfolded\r\n\r\n", (400,), "folding",
                 id="obs-fold-tab"),
    pytest.param(b"GET / HTTP/1.1\nHost: x\n\n", (400,), "bare LF", id="bare-lf"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\nX-A: a\r\n\r\n", (400,), "bare LF", id="bare-lf-inside"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\rX-A: a\r\n\r\n", (400,), "bare CR", id="bare-cr"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", (400,), "NUL", id="nul-in-value"),
    pytest.param(b"GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n", (400,), "NUL", id="nul-in-target"),
    pytest.param(b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", (400,), "single spaces", id="double-space"),
    pytest.param(b"GET /\tHTTP/1.1\r\nHost: x\r\n\r\n", (400,), "single spaces", id="tab-separator"),
])
def test_ambiguous_or_malformed_heads_are_refused(srv, raw, statuses, words):
    assert_closing_error(attack(srv, raw), statuses, words)
    assert_still_serving(srv)


def test_five_thousand_header_lines(srv):
    raw = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(5000)) + b"\r\n"
    assert_closing_error(attack(srv, raw), (431,), "server.max-headers")
    assert_still_serving(srv)


def test_header_line_count_limit_is_exact(start_server, http1_parser):
    server = start_server(SERVICE, DEFAULT_ENGINE, f"--server.http1-parser={http1_parser}",
                          "--server.max-headers=10")
    lines = b"Host: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(9))   # 10 lines
    assert status_of(attack(server, b"GET / HTTP/1.1\r\n" + lines + b"Connection: close\r\n\r\n")) == 431
    sock = connect(server)
    sock.sendall(b"GET / HTTP/1.1\r\n" + lines + b"\r\n")
    assert status_of(sock.recv(65536)) == 200
    sock.close()
    assert_still_serving(server)


def test_hundred_kib_request_line(srv):
    raw = b"GET /" + b"a" * (100 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert_closing_error(attack(srv, raw), (414,), "server.max-request-line")
    assert_still_serving(srv)


def test_request_line_limit_is_exact(start_server, http1_parser):
    server = start_server(SERVICE, DEFAULT_ENGINE, f"--server.http1-parser={http1_parser}",
                          "--server.max-request-line=100")
    def line(length: int) -> bytes:
        request_line = b"GET /" + b"a" * (length - len(b"GET / HTTP/1.1")) + b" HTTP/1.1"
        assert len(request_line) == length
        return request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert status_of(attack(server, line(100))) == 200
    assert status_of(attack(server, line(101))) == 414
    assert_still_serving(server)


def test_request_line_without_end_is_cut_early(srv):
    """A request line that never ends is refused once it is too long, without waiting for more."""
    sock = connect(srv)
    sock.sendall(b"GET /" + b"a" * 9000)   # no CRLF, and we keep the connection open
    assert_closing_error(read_until_close(sock), (414,), "server.max-request-line")
    sock.close()
    assert_still_serving(srv)


def trickle(sock: socket.socket, data: bytes, pause: float) -> bytes:
    """Send ``data`` a byte at a time, ``pause`` between bytes, until the server answers; its answer."""
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            break
        readable, _, _ = select.select([sock], [], [], pause)
        if readable:
            break
    return read_until_close(sock)


def test_slowloris_head_is_cut(srv):
    """One header byte at a time, each well inside the idle timeout: the whole-head clock cuts it."""
    sock = connect(srv)
    sock.sendall(b"GET / HTTP/1.1\r\n")
    data = trickle(sock, b"Host: x\r\nX-Slow: " + b"s" * 200 + b"\r\n\r\n", 0.1)
    sock.close()
    assert_closing_error(data, (408,), "server.header-timeout")
    assert_still_serving(srv)


def test_slowloris_on_a_later_request_of_a_kept_connection(srv):
    sock = connect(srv)
    sock.sendall(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
    first = sock.recv(65536)
    assert status_of(first) == 200 and first.endswith(b"root /first")
    data = trickle(sock, b"GET /second HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 200 + b"\r\n\r\n", 0.1)
    sock.close()
    assert_closing_error(data, (408,), "server.header-timeout")
    assert_still_serving(srv)


def test_slow_body_is_cut(srv):
    sock = connect(srv)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    data = read_until_close(sock)   # we pause for good: the body timeout must end it
    sock.close()
    assert_closing_error(data, (408,), "server.body-timeout")
    assert_still_serving(srv)


def test_body_sent_steadily_is_not_cut(srv):
    """The body clock is per pause, not per body: bytes well inside the limit keep it alive."""
    sock = connect(srv)
    body = b"0123456789ab"
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
                 % len(body))
    for byte in body:
        sock.sendall(bytes([byte]))
        time.sleep(0.15)
    data = read_until_close(sock)
    sock.close()
    assert status_of(data) == 200
    assert data.endswith(b"POST 12 " + body)


def test_keepalive_requests_closes_after_the_third(srv):
    sock = connect(srv)
    replies = []
    for index in range(3):
        sock.sendall(b"GET /k%d HTTP/1.1\r\nHost: x\r\n\r\n" % index)
        reply = b""
        for _ in range(100):
            reply += sock.recv(65536)
            if reply.endswith(b"root /k%d" % index):
                break
        replies.append(reply)
    rest = read_until_close(sock)   # the server closes after the third answer
    sock.close()
    assert rest == b""
    assert [status_of(reply) for reply in replies] == [200, 200, 200]
    closes = [b"\r\nconnection: close\r\n" in reply.lower() for reply in replies]
    assert closes == [False, False, True]
    assert_still_serving(srv)


def test_keepalive_requests_with_pipelining(srv):
    """Four pipelined requests, a limit of three: three answers, the last saying close, then EOF."""
    sock = connect(srv)
    sock.sendall(b"".join(b"GET /p%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(4)))
    data = read_until_close(sock)
    sock.close()
    assert data.count(b"HTTP/1.1 200 ") == 3
    assert data.endswith(b"root /p2")
    assert data.lower().count(b"connection: close") == 1
    assert_still_serving(srv)


def test_unlimited_keepalive_requests(start_server, http1_parser):
    server = start_server(SERVICE, DEFAULT_ENGINE, f"--server.http1-parser={http1_parser}",
                          "--server.keepalive-requests=0")
    with httpx.Client(base_url=server.url) as client:
        for index in range(5):
            reply = client.get(f"/u{index}")
            assert reply.status_code == 200
            assert "close" not in reply.headers.get("connection", "")


def test_pipelined_bad_head_after_a_good_one(srv):
    """A head that follows another in the same packet gets the same checks."""
    data = attack(srv, b"GET /good HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\nHost: x\n\n")
    assert status_of(data) == 200
    second = data[data.index(b"root /good") + len(b"root /good"):]
    assert_closing_error(second, (400,), "bare LF")
    assert_still_serving(srv)


def test_empty_lines_before_a_request_are_ignored(srv):
    data = attack(srv, b"\r\n\r\nGET /lead HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(data) == 200
    assert data.endswith(b"root /lead")


def test_head_cut_by_eof(srv):
    sock = connect(srv)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")
    sock.shutdown(socket.SHUT_WR)
    data = read_until_close(sock)
    sock.close()
    assert_closing_error(data, (400,), "closed in the middle of a request head")
    assert_still_serving(srv)


def test_refused_body_still_read_by_the_client(start_server, http1_parser):
    """A 413 while the client is still sending: it gets the answer, not a reset."""
    server = start_server(SERVICE, DEFAULT_ENGINE, f"--server.http1-parser={http1_parser}",
                          "--server.max-body-size=100000")
    sock = connect(server)
    sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(200):   # up to 6.4 MiB, far past the limit; we stop once the server answers
        try:
            sock.sendall(b"8000\r\n" + b"z" * 0x8000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            break
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            break
    data = read_until_close(sock)
    sock.close()
    assert_closing_error(data, (413,), "server.max-body-size")
    assert_still_serving(server)


def test_bytes_after_a_closing_request_do_not_destroy_its_answer(srv):
    """HTTP/1.0 ends the connection after one answer; what the client sent beyond it is drained,
    so the answer is read rather than lost to a reset."""
    data = attack(srv, b"GET /old HTTP/1.0\r\n\r\n" + b"x" * 300_000)
    assert status_of(data) == 200
    assert data.endswith(b"root /old")
    assert_still_serving(srv)


CHUNKED_HEAD = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("body, statuses", [
    pytest.param(b"3\nabc\r\n0\r\n\r\n", (400,), id="bare-lf-after-size"),
    pytest.param(b"3\r\nabcd\r\n0\r\n\r\n", (400,), id="data-longer-than-size"),
    pytest.param(b"g\r\n", (400,), id="not-hex"),
    pytest.param(b"-1\r\n", (400,), id="negative"),
    pytest.param(b"3 ;a=b\r\nabc\r\n0\r\n\r\n", (400,), id="space-before-extension"),
    # h11 reads up to 20 hex digits and then waits for that much data (the body timeout ends it)
    pytest.param(b"ffffffffffffffffff\r\n", (400, 408, 413), id="size-overflow"),
    pytest.param(b"1" * 70000, (400, 431), id="size-line-without-end"),
    # h11 bounds only a trailer section that is still incomplete: one that arrives whole is read
    pytest.param(b"0\r\n" + b"".join(b"X-T%d: %s\r\n" % (i, b"t" * 100) for i in range(700)) + b"\r\n",
                 (200, 400, 431), id="huge-trailers"),
])
def test_malformed_chunked_bodies_are_refused(srv, body, statuses):
    data = attack(srv, CHUNKED_HEAD + body)
    assert status_of(data) in statuses, data[:300]
    assert b"connection: close\r\n" in data.lower()
    assert b"Traceback" not in data
    assert_still_serving(srv)


def test_head_after_an_upgrade_request_body_is_checked(srv):
    """A declined Upgrade request's body is read as HTTP/1.1 framing says, and what follows it is a
    head like any other: the raw-byte checks refuse the bare LF."""
    data = attack(srv, b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                       b"Content-Length: 5\r\n\r\nhelloGET /bad HTTP/1.1\nHost: x\n\n")
    assert status_of(data) == 200
    first_end = data.index(b"POST 5 hello") + len(b"POST 5 hello")
    assert_closing_error(data[first_end:], (400,), "bare LF")
    assert_still_serving(srv)


def test_smuggled_request_inside_a_chunked_body_stays_body(srv):
    """A request line inside chunk data is data; the request after the terminating chunk is served."""
    inner = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    data = attack(srv, head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(inner), inner)
                  + b"GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert data.count(b"HTTP/1.1 200 ") == 2
    assert b"root /smuggled" not in data
    assert data.endswith(b"root /after")
