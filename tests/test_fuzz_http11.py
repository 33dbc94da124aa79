"""Fuzzing HTTP/1.1: random bytes and mutated valid requests, on both parsers (h11, httptools).

In process, the sans-IO protocol object gets many inputs, split at random points: it may refuse
them only with its ProtocolError (carrying a 4xx/5xx), never with another exception. The two
protocol objects are also played against each other: every request both accept must reach the
handler identically and be answered with the same bytes. Over a real socket, a running server
gets fewer: every connection ends with answers or a close, in bounded time, and the server keeps
serving with no traceback in its log.
"""

from __future__ import annotations

import re
import socket
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from http1_parsers import PARSERS, http1_parser, protocol_for  # noqa: F401  (the fixture)
from petrel.messages import Response
from petrel.server.protocol.http11 import NEED_DATA, PEER_CLOSED, ProtocolError
from petrel.server.protocol.http2 import PREFACE_START
from support import DEFAULT_ENGINE

VALID = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\nX-A: 1\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\nTrailer: t\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\nbody",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET http://x/abs HTTP/1.1\r\nHost: x\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
]

HUGE_NUMBERS = [b"99999999999999999999999999", b"18446744073709551616", b"-1", b"1e9", b"0x10",
                b" 5", b"5 ", b"+5", b"4294967296", b"00000000000000000000000005"]
HUGE_HEX = [b"ffffffffffffffffffff", b"7fffffffffffffff", b"-1", b"0x10", b"g", b"", b" 3", b"3 "]


@st.composite
def mutated_request(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "crlf+", "crlf-", "length", "chunk", "insert",
                                   "lf", "repeat"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[at:]
        elif op == "crlf+":
            data[at:at] = b"\r\n"
        elif op == "crlf-":
            where = data.find(b"\r\n", at)
            if where >= 0:
                del data[where:where + 2]
        elif op == "length":
            data = bytearray(re.sub(rb"(?i)(content-length: *)[^\r]*", lambda m: m.group(1) +
                                    draw(st.sampled_from(HUGE_NUMBERS)), bytes(data), count=1))
        elif op == "chunk":
            data = bytearray(re.sub(rb"\r\n\r\n[0-9a-f]+\r\n", lambda m: b"\r\n\r\n" +
                                    draw(st.sampled_from(HUGE_HEX)) + b"\r\n", bytes(data), count=1))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "lf":
            where = data.find(b"\r\n", at)
            if where >= 0:
                del data[where]
        elif op == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 40))] * draw(st.integers(2, 30))
    return bytes(data)


inputs = st.one_of(mutated_request(), st.binary(max_size=300),
                   st.lists(mutated_request(), min_size=2, max_size=3).map(b"".join))


@st.composite
def split(draw, data: bytes) -> list[bytes]:
    """``data`` in pieces, as reads from a socket might deliver it."""
    cuts = sorted(set(draw(st.lists(st.integers(0, len(data)), max_size=6))))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


DATE = re.compile(rb"\r\ndate: [^\r]*\r\n")
ANSWER = Response(200, headers=[("content-type", "text/plain"), ("x-a", " 1 ")], body=b"ok")


class Driver:
    """Plays the I/O loop's part: reads heads and bodies, answers each request, goes on.

    ``log`` records, per request, its head, its body and the bytes of the answer (the date left
    out), to compare what the two parsers made of the same input.
    """

    def __init__(self, parser: str) -> None:
        self.protocol = protocol_for(parser)(max_header_size=2048, max_body_size=10000, max_headers=20,
                                             max_request_line=256)
        self.in_body = False
        self.done = False
        self.answered = 0
        self.log: list[tuple] = []
        self.head = None
        self.body = b""

    def feed(self, data: bytes) -> None:
        protocol = self.protocol
        protocol.receive_data(data)
        while not self.done:
            if not self.in_body:
                head = protocol.next_head()
                if head is NEED_DATA:
                    return
                if head is PEER_CLOSED:
                    self.done = True
                    return
                self.in_body = True
                self.head, self.body = head, b""
                if protocol.client_waits_for_continue:
                    assert protocol.continue_response().startswith(b"HTTP/1.1 100 ")
            part = protocol.next_body_part()
            if part is NEED_DATA:
                return
            if part is not None:
                assert isinstance(part, bytes)
                self.body += part
                continue
            out = protocol.response_head(ANSWER, 2) + protocol.body(b"ok") + protocol.end()
            assert out.startswith(b"HTTP/1.1 200 ")
            self.log.append((self.head, self.body, DATE.sub(b"\r\n", out),
                             protocol.keep_alive, protocol.must_close))
            self.answered += 1
            self.in_body = False
            if protocol.must_close or not protocol.keep_alive:
                self.done = True
                return
            protocol.start_next_cycle()


@pytest.mark.parametrize("parser", PARSERS)
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_protocol_object_raises_only_protocol_errors(parser, data):
    raw = data.draw(inputs)
    driver = Driver(parser)
    try:
        for piece in data.draw(split(raw)) + [b""]:
            driver.feed(piece)
            if driver.done:
                break
    except ProtocolError as exc:
        assert 400 <= exc.status <= 599, exc
        reply = driver.protocol.error_response(exc.status, str(exc))
        assert reply == b"" or reply.startswith(f"HTTP/1.1 {exc.status} ".encode())
        assert reply == b"" or b"\r\nconnection: close\r\n" in reply


def run(parser: str, pieces: list[bytes]) -> Driver:
    """A driver that was given these pieces and then the end of the input; ``refused`` set."""
    driver = Driver(parser)
    driver.refused = None
    try:
        for piece in pieces + [b""]:
            driver.feed(piece)
            if driver.done:
                break
    except ProtocolError as exc:
        driver.refused = exc.status
    return driver


def outcome(parser: str, pieces: list[bytes]) -> tuple[int, bool]:
    """(requests answered, whether the input was refused) for input arriving in these pieces."""
    driver = run(parser, pieces)
    return driver.answered, driver.refused is not None


@pytest.mark.parametrize("parser", PARSERS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_how_bytes_are_split_does_not_change_the_outcome(parser, data):
    """The head checks are incremental; reads of any size must see the same requests and refusals."""
    raw = data.draw(inputs)
    assert outcome(parser, data.draw(split(raw))) == outcome(parser, [raw])
    assert outcome(parser, [raw[i:i + 1] for i in range(len(raw))]) == outcome(parser, [raw])


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("raw", VALID)
def test_valid_requests_are_answered_in_process(parser, raw):
    driver = Driver(parser)
    driver.feed(raw)
    driver.feed(b"")
    assert driver.answered == raw.count(b" HTTP/1.")


def assert_same_requests(raw: bytes, pieces: list[bytes]) -> tuple[Driver, Driver]:
    """h11 and httptools on the same input: every request both got to is the same request, with
    the same body, answered with the same bytes and the same keep-alive decision."""
    h11_run, fast_run = run("h11", pieces), run("httptools", pieces)
    common = min(len(h11_run.log), len(fast_run.log))
    assert h11_run.log[:common] == fast_run.log[:common], raw
    if h11_run.refused is None and fast_run.refused is None:
        assert h11_run.log == fast_run.log, raw
    return h11_run, fast_run


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_both_parsers_agree_on_what_they_both_accept(data):
    protocol_for("httptools")   # (skipped where it is not installed)
    raw = data.draw(inputs)
    assert_same_requests(raw, data.draw(split(raw)))


KEEPING = b"".join(raw for raw in VALID if b"HTTP/1.0" not in raw and b"close" not in raw)


@pytest.mark.parametrize("raw", VALID + [KEEPING])
def test_both_parsers_answer_valid_requests_identically(raw):
    protocol_for("httptools")
    h11_run, fast_run = assert_same_requests(raw, [raw])
    assert h11_run.refused is fast_run.refused is None
    assert len(fast_run.log) == raw.count(b" HTTP/1.")


HOSTILE = [
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
    b"GET /" + b"a" * 300 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 30 + b"\r\n",
    b"CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
    b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\nHost: x\n\n",
    b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /b  HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_both_parsers_refuse_the_hardened_cases_alike(raw):
    """The framing, Host, limit and raw-byte refusals are the same status on both parsers."""
    protocol_for("httptools")
    h11_run, fast_run = assert_same_requests(raw, [raw])
    assert h11_run.refused is not None
    assert (fast_run.refused, len(fast_run.log)) == (h11_run.refused, len(h11_run.log))


@pytest.mark.parametrize("parser", PARSERS)
def test_upgrade_request_body_in_process(parser):
    """An Upgrade request's body is read as HTTP/1.1, and after it the switch keeps what followed."""
    protocol = protocol_for(parser)()
    protocol.receive_data(b"POST / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                          b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nPRI * HTTP/2.0")
    head = protocol.next_head()
    assert protocol.h2c_upgrade_settings(head) == "AAMAAABkAAQAoAAAAAIAAAAA"
    assert protocol.next_body_part() == b"hi"
    assert protocol.next_body_part() is None
    assert protocol.switch_protocols("h2c") == b"HTTP/1.1 101 \r\nconnection: Upgrade\r\nupgrade: h2c\r\n\r\n"
    assert protocol.trailing_data == b"PRI * HTTP/2.0"


SERVICE = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/", "root") end\n',
    "handlers.lua": "function root(request, response) response.content = 'ok' return response end\n",
}
READ_LIMIT = 10.0
STATUS = re.compile(rb"HTTP/1\.1 (\d{3}) ")
PROTOCOL_ERRORS = {400, 408, 413, 414, 431, 501}   # the handler answers 200, the router 404


def exchange(port: int, pieces: list[bytes]) -> bytes:
    """Send the pieces, half-close, and read until the server closes (bounded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=READ_LIMIT) as sock:
        try:
            for piece in pieces:
                sock.sendall(piece)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass   # the server already answered and closed (a reset: EPIPE, ECONNRESET, ENOTCONN)
        data = b""
        deadline = time.monotonic() + READ_LIMIT
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return data
            except socket.timeout:
                break
            if not chunk:
                return data
            data += chunk
    pytest.fail(f"no close within {READ_LIMIT} s for {pieces!r}; got {data[:200]!r}")


@pytest.fixture
def fuzz_server(start_server, http1_parser):
    return start_server(SERVICE, DEFAULT_ENGINE, f"--server.http1-parser={http1_parser}",
                        "--server.max-body-size=10000",
                        "--server.max-header-size=2048", "--server.max-headers=20",
                        "--server.max-request-line=256", "--server.header-timeout=5",
                        "--server.body-timeout=5")


def test_server_survives_fuzzed_connections(fuzz_server):
    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def one_connection(data):
        raw = data.draw(inputs)
        reply = exchange(fuzz_server.port, data.draw(split(raw)))
        if reply and raw.startswith(PREFACE_START):
            # HTTP/2 with prior knowledge, by design: its answer is frames, SETTINGS first.
            assert reply[3:4] == b"\x04" and b"Traceback" not in reply, reply[:200]
        elif reply:
            assert reply.startswith(b"HTTP/1.1 "), reply[:200]
            statuses = [int(code) for code in STATUS.findall(reply)]
            assert statuses and all(100 <= code <= 599 for code in statuses), reply[:300]
            refused = [code for code in statuses if code in PROTOCOL_ERRORS]
            if refused:   # a request the protocol refused is the last answer, and it says close
                assert statuses.index(refused[0]) == len(statuses) - 1, reply[:300]
                assert b"\r\nconnection: close\r\n" in reply.lower()
            assert b"Traceback" not in reply

    one_connection()
    for raw in [b"\x00" * 50, b"GET /" + b"a" * 5000, b"\r\n" * 100, b"POST / HTTP/1.1\r\n"]:
        exchange(fuzz_server.port, [raw])
    reply = httpx.get(fuzz_server.url + "/", timeout=READ_LIMIT)
    assert reply.status_code == 200 and reply.text == "ok"
    assert "Traceback" not in fuzz_server.log()


# -- the response writer against h11's own --------------------------------------------------------
WRITER_REQUESTS = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
]
WRITER_RESPONSES = [
    Response(200, [], b""),
    Response(200, [("content-type", "application/json"), ("X-Request-Id", "r1")], b'{"a":1}'),
    Response(404, [("Content-Type", " text/plain "), ("content-length", "99")], b"nope"),
    Response(204, [("x-a", "1")], b""),
    Response(304, [("ETag", '"e"')], b""),
    Response(299, [("Date", "Thu, 01 Jan 1970 00:00:00 GMT"), ("Server", "mine")], b"x"),
    Response(200, [("server", "mine"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2")], b"yy"),
    Response(200, [("connection", "close")], b"closing"),
    Response(200, [("Connection", "keep-alive, X-Thing")], b"kept"),
    Response(200, [("x-b", "2"), ("Host", "h")], b"host first"),
    Response(599, [], b"odd"),
]


DATE = re.compile(rb"(?im)^date: [^\r\n]*\r\n")


def h11_writes(raw: bytes, response: Response, close: bool) -> tuple[bytes, bool]:
    """What h11's own writer sends for ``response`` to the request ``raw``, and whether the
    connection stays open after it."""
    import h11

    from petrel.server.protocol.common import response_fields
    from petrel.server.protocol.http11_base import reason
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(raw)
    request = conn.next_event()
    while not isinstance(conn.next_event(), h11.EndOfMessage):
        pass
    fields = response_fields(response, len(response.body), frozenset(("content-length", "transfer-encoding")))
    if close:
        fields.append((b"connection", b"close"))
    out = conn.send(h11.Response(status_code=response.status, headers=fields, reason=reason(response.status)))
    if request.method != b"HEAD":
        out += conn.send(h11.Data(data=response.body)) if response.body and response.status not in (204, 304) else b""
    out += conn.send(h11.EndOfMessage())
    return out, conn.our_state is h11.DONE and conn.their_state is h11.DONE


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("close", [False, True], ids=["open", "close"])
@pytest.mark.parametrize("raw", WRITER_REQUESTS)
def test_responses_are_written_as_h11_writes_them(parser, raw, close):
    """One writer serves both parsers: its bytes and its keep-alive decision are h11's."""
    for response in WRITER_RESPONSES:
        protocol = protocol_for(parser)()
        protocol.receive_data(raw)
        assert protocol.next_head() not in (NEED_DATA, PEER_CLOSED)
        while protocol.next_body_part() is not None:
            pass
        ours = (protocol.response_head(response, len(response.body), close)
                + protocol.body(response.body) + protocol.end())
        theirs, keep_alive = h11_writes(raw, response, close)
        # (the Date line of each is of the second it was written in: they may differ by one)
        assert (DATE.sub(b"", ours), protocol.keep_alive) == (DATE.sub(b"", theirs), keep_alive), \
            (raw, response)
