"""HTTP2Protocol without sockets: an h2 client connection in memory talks to it byte for byte."""

from __future__ import annotations

import base64

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import pytest

from petrel.messages import Response
from hyperframe.frame import (DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame, RstStreamFrame,
                              SettingsFrame)

from petrel.server.protocol.http2 import (PREFACE, ConnectionEnded, HTTP2Protocol, HTTP2Settings,
                                          ProtocolError, RequestReady, RequestRejected, StreamCancelled,
                                          WindowOpened)
from petrel.server.protocol.http2_guard import FrameGuard, RateLimit


class Pair:
    """A client h2 connection wired to a server HTTP2Protocol."""

    def __init__(self, settings: HTTP2Settings | None = None, max_body_size: int = 1 << 20,
                 validate: bool = True) -> None:
        self.server = HTTP2Protocol(settings, max_body_size)
        self.server.initiate()
        config = h2.config.H2Configuration(client_side=True, header_encoding="latin-1",
                                           validate_outbound_headers=validate,
                                           normalize_outbound_headers=validate)
        self.client = h2.connection.H2Connection(config)
        self.client.initiate_connection()
        self.server_events: list = []
        self.client_events: list = []
        self.exchange()

    def exchange(self) -> None:
        """Move bytes both ways until neither side has anything to say."""
        for _ in range(50):
            to_server = self.client.data_to_send()
            if to_server:
                self.server_events += self.server.receive_data(to_server, now=123.0)
            to_client = self.server.data_to_send()
            if to_client:
                self.client_events += self.client.receive_data(to_client)
            if not to_server and not to_client:
                return
        raise AssertionError("the two sides never went quiet")

    def request(self, headers: list[tuple[str, str]], body: bytes = b"", end: bool = True) -> int:
        stream_id = self.client.get_next_available_stream_id()
        self.client.send_headers(stream_id, headers, end_stream=end and not body)
        if body:
            self.client.send_data(stream_id, body, end_stream=end)
        self.exchange()
        return stream_id

    def of(self, kind, stream_id: int | None = None) -> list:
        return [e for e in self.server_events if isinstance(e, kind)
                and (stream_id is None or getattr(e, "stream_id", None) == stream_id)]

    def client_of(self, kind, stream_id: int | None = None) -> list:
        return [e for e in self.client_events if isinstance(e, kind)
                and (stream_id is None or getattr(e, "stream_id", None) == stream_id)]


def head(path: str = "/", method: str = "GET", *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(":method", method), (":scheme", "http"), (":authority", "example.test"), (":path", path),
            *extra]


def test_a_request_becomes_one_event_with_its_body():
    pair = Pair()
    stream_id = pair.request(head("/a/b?x=1", "POST", ("cookie", "a=1"), ("cookie", "b=2")), b"hello")
    [ready] = pair.of(RequestReady)
    assert ready.stream_id == stream_id and ready.arrived == 123.0
    assert (ready.head.method, ready.head.target, ready.head.http_version) == ("POST", "/a/b?x=1", "2")
    assert (ready.head.authority, ready.head.scheme) == ("example.test", "http")
    assert ("host", "example.test") in ready.head.headers
    cookies = [v for k, v in ready.head.headers if k == "cookie"]
    assert "; ".join(cookies) == "a=1; b=2"
    assert ready.body == b"hello"


def test_trailers_are_dropped_and_the_request_still_ends():
    pair = Pair()
    stream_id = pair.client.get_next_available_stream_id()
    pair.client.send_headers(stream_id, head("/t", "POST"))
    pair.client.send_data(stream_id, b"body")
    pair.client.send_headers(stream_id, [("x-checksum", "1")], end_stream=True)
    pair.exchange()
    [ready] = pair.of(RequestReady)
    assert ready.body == b"body"
    assert all(k != "x-checksum" for k, _ in ready.head.headers)


def test_response_head_and_body():
    pair = Pair()
    stream_id = pair.request(head())
    response = Response(201, [("X-Thing", "1"), ("Connection", "close"), ("content-length", "999"),
                              ("transfer-encoding", "chunked")], b"made")
    pair.server.send_headers(stream_id, response, len(response.body), end_stream=False)
    pair.server.send_data(stream_id, response.body, end_stream=True)
    pair.exchange()
    [received] = pair.client_of(h2.events.ResponseReceived)
    headers = dict(received.headers)
    assert headers[":status"] == "201"
    assert headers["x-thing"] == "1"
    assert headers["content-length"] == "4"
    assert "connection" not in headers and "transfer-encoding" not in headers
    assert headers["server"].startswith("petrel/") and headers["date"].endswith("GMT")
    assert b"".join(e.data for e in pair.client_of(h2.events.DataReceived)) == b"made"


def test_unwritable_response_head_is_refused_before_anything_is_queued():
    pair = Pair()
    stream_id = pair.request(head("/", "GET"))
    for bad in [("x-bad", "a\r\nx-injected: 1"), ("x-bad", "caf\u00e9 \u2713"), ("bad name", "1")]:
        with pytest.raises(ProtocolError) as caught:
            pair.server.send_headers(stream_id, Response(200, [bad]), 0, end_stream=True)
        assert caught.value.status == 500
        assert pair.server.data_to_send() == b""
    pair.server.send_error(stream_id, 500, "GET")
    pair.exchange()
    [received] = pair.client_of(h2.events.ResponseReceived, stream_id)
    assert dict(received.headers)[":status"] == "500"
    assert "x-injected" not in dict(received.headers)
    assert b"".join(e.data for e in pair.client_of(h2.events.DataReceived)) == b"500 Internal Server Error\n"


def test_no_content_length_for_204():
    pair = Pair()
    stream_id = pair.request(head())
    pair.server.send_headers(stream_id, Response(204), 0, end_stream=True)
    pair.exchange()
    [received] = pair.client_of(h2.events.ResponseReceived)
    assert "content-length" not in dict(received.headers)


@pytest.mark.parametrize("headers", [
    [(":method", "GET"), (":scheme", "http"), (":authority", "x")],                       # no :path
    head("/", "GET", (":bogus", "1")),
    head("/", "GET", ("Upper", "1")),
    head("/", "GET", ("keep-alive", "1")),
    head("relative"),
    head("/", "CONNECT"),
])
def test_malformed_heads_are_answered_on_their_stream(headers):
    pair = Pair(validate=False)
    stream_id = pair.request(headers)
    [rejected] = pair.of(RequestRejected, stream_id)
    assert rejected.status in (400, 501)
    [received] = pair.client_of(h2.events.ResponseReceived, stream_id)
    assert dict(received.headers)[":status"] == str(rejected.status)
    assert not pair.of(ConnectionEnded)
    # and the connection goes on
    pair.request(head("/next"))
    assert [e.head.target for e in pair.of(RequestReady)] == ["/next"]


def test_content_length_over_the_limit_is_413_before_the_body():
    pair = Pair(max_body_size=10)
    stream_id = pair.request(head("/", "POST", ("content-length", "11")), end=False)
    [rejected] = pair.of(RequestRejected, stream_id)
    assert rejected.status == 413
    # the client may go on sending; the data is acknowledged and dropped, no reset
    pair.client.send_data(stream_id, b"x" * 11, end_stream=True)
    pair.exchange()
    assert not pair.client_of(h2.events.StreamReset)
    assert not pair.of(RequestReady)


def test_a_body_growing_over_the_limit_is_413():
    pair = Pair(max_body_size=10)
    stream_id = pair.request(head("/", "POST"), b"x" * 8, end=False)
    assert not pair.of(RequestRejected)
    pair.client.send_data(stream_id, b"x" * 8, end_stream=True)
    pair.exchange()
    [rejected] = pair.of(RequestRejected, stream_id)
    assert rejected.status == 413
    assert not pair.of(RequestReady)


def test_received_data_is_acknowledged():
    pair = Pair(HTTP2Settings(initial_window_size=65535))
    stream_id = pair.request(head("/", "POST"), end=False)
    for _ in range(4):
        pair.client.send_data(stream_id, b"y" * 15000)
        pair.exchange()
    # without acknowledgements 5535 bytes would be left; the last 15000 may still be unacknowledged
    assert pair.client.local_flow_control_window(stream_id) >= 65535 - 15000
    assert pair.client_of(h2.events.WindowUpdated, stream_id)


def test_client_reset_is_an_event():
    pair = Pair()
    stream_id = pair.request(head(), end=False)
    pair.client.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
    pair.exchange()
    [cancelled] = pair.of(StreamCancelled)
    assert cancelled.stream_id == stream_id and cancelled.error_code == h2.errors.ErrorCodes.CANCEL
    assert pair.server.pending_requests == 0


def test_window_updates_are_events():
    pair = Pair()
    stream_id = pair.request(head())
    pair.client.increment_flow_control_window(1000, stream_id)
    pair.client.increment_flow_control_window(1000)
    pair.exchange()
    assert {e.stream_id for e in pair.of(WindowOpened)} >= {0, stream_id}


def test_settings_are_announced():
    settings = HTTP2Settings(max_concurrent_streams=3, initial_window_size=100000,
                             max_header_list_size=5000, max_frame_size=20000)
    pair = Pair(settings)
    remote = pair.client.remote_settings
    assert remote.max_concurrent_streams == 3
    assert remote.initial_window_size == 100000
    assert remote.max_header_list_size == 5000
    assert remote.max_frame_size == 20000


def test_bad_preface_ends_with_goaway():
    protocol = HTTP2Protocol()
    protocol.initiate()
    protocol.data_to_send()
    [ended] = protocol.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert isinstance(ended, ConnectionEnded) and ended.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()
    [goaway] = [e for e in client.receive_data(protocol.data_to_send())
                if isinstance(e, h2.events.ConnectionTerminated)]
    assert goaway.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    assert protocol.receive_data(b"more") == []


def test_upgrade_settings():
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    header = client.initiate_upgrade_connection().decode().rstrip("=")
    protocol = HTTP2Protocol()
    protocol.initiate_upgrade(header)   # unpadded base64url, as clients send it
    assert protocol.highest_stream_id == 1
    with pytest.raises(ProtocolError) as caught:
        HTTP2Protocol().initiate_upgrade("!!!")
    assert caught.value.status == 400
    with pytest.raises(ProtocolError) as caught:
        HTTP2Protocol().initiate_upgrade(base64.urlsafe_b64encode(b"\x00\x04\xff\xff\xff\xff").decode())
    assert caught.value.status == 400


def test_graceful_goaway_frame_keeps_streams_usable():
    pair = Pair()
    stream_id = pair.request(head())
    frame = pair.server.goaway_frame()
    assert frame[3] == 7   # GOAWAY
    pair.server.send_headers(stream_id, Response(200), 0, end_stream=True)   # still allowed
    assert pair.server.data_to_send()


# -- flood limits ------------------------------------------------------------------------------------
CALM = h2.errors.ErrorCodes.ENHANCE_YOUR_CALM


def raw_server(**limits) -> HTTP2Protocol:
    protocol = HTTP2Protocol(HTTP2Settings(**limits))
    protocol.initiate()
    protocol.data_to_send()
    protocol.receive_data(PREFACE + SettingsFrame(0).serialize(), now=1.0)
    protocol.data_to_send()
    return protocol


def headers_frame(encoder, stream_id: int, path: str = "/", end_stream: bool = True,
                  extra: list | None = None) -> bytes:
    frame = HeadersFrame(stream_id)
    frame.data = encoder.encode([(":method", "GET"), (":scheme", "http"), (":authority", "x"),
                                 (":path", path), *(extra or [])])
    frame.flags.add("END_HEADERS")
    if end_stream:
        frame.flags.add("END_STREAM")
    return frame.serialize()


def reset_frame(stream_id: int) -> bytes:
    frame = RstStreamFrame(stream_id)
    frame.error_code = h2.errors.ErrorCodes.CANCEL
    return frame.serialize()


def test_a_stream_opened_and_reset_in_the_same_bytes_is_never_ready():
    import hpack
    encoder = hpack.Encoder()
    protocol = raw_server()
    events = protocol.receive_data(headers_frame(encoder, 1) + reset_frame(1) + headers_frame(encoder, 3),
                                   now=1.0)
    assert [e.stream_id for e in events if isinstance(e, RequestReady)] == [3]
    assert [e.stream_id for e in events if isinstance(e, StreamCancelled)] == [1]


def test_resets_over_the_limit_end_the_connection_before_h2_reads_them():
    import hpack
    encoder = hpack.Encoder()
    protocol = raw_server(max_resets=5)
    attack = b"".join(headers_frame(encoder, 2 * n + 1) + reset_frame(2 * n + 1) for n in range(6))
    [ended] = protocol.receive_data(attack, now=2.0)
    assert isinstance(ended, ConnectionEnded) and ended.error_code == CALM
    assert protocol.closed and protocol.highest_stream_id == 0   # h2 never saw those bytes
    client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    client.initiate_connection()
    [goaway] = [e for e in client.receive_data(protocol.data_to_send())
                if isinstance(e, h2.events.ConnectionTerminated)]
    assert goaway.error_code == CALM and goaway.last_stream_id == 0


def test_resets_are_counted_per_window():
    import hpack
    encoder = hpack.Encoder()
    protocol = raw_server(max_resets=5)
    for window in range(3):   # 5 per 10 s, three windows in a row: never over
        pairs = b"".join(headers_frame(encoder, 10 * window + 2 * n + 1) + reset_frame(10 * window + 2 * n + 1)
                         for n in range(5))
        events = protocol.receive_data(pairs, now=100.0 + 10 * window)
        assert not any(isinstance(e, ConnectionEnded) for e in events)
    limit = RateLimit(2, period=10.0)
    assert [limit.hit(t) for t in (0.0, 1.0, 2.0, 10.0, 10.5, 5.0)] == [False, False, True, False, False, False]


def test_malformed_requests_reset_by_the_server_count():
    import hpack
    encoder = hpack.Encoder()
    protocol = raw_server(max_resets=3)
    bad = b"".join(headers_frame(encoder, 2 * n + 1, end_stream=False, extra=[("Upper", "1")])
                   for n in range(5))
    [ended] = protocol.receive_data(bad, now=1.0)
    assert isinstance(ended, ConnectionEnded) and ended.error_code == CALM
    frames = parse(protocol.data_to_send())
    # four answered and reset; the fourth reset is one too many, and the GOAWAY names its stream
    assert [f.stream_id for f in frames if isinstance(f, HeadersFrame)] == [1, 3, 5, 7]
    assert [f.stream_id for f in frames if isinstance(f, RstStreamFrame)] == [1, 3, 5, 7]
    [goaway] = [f for f in frames if isinstance(f, GoAwayFrame)]
    assert goaway.error_code == CALM and goaway.last_stream_id == 7


def parse(data: bytes) -> list:
    frames = []
    while len(data) >= 9:
        frame, length = Frame.parse_frame_header(memoryview(data[:9]))
        frame.parse_body(memoryview(data[9:9 + length]))
        frames.append(frame)
        data = data[9 + length:]
    return frames


def test_a_malformed_request_whose_end_came_in_the_same_bytes():
    """Answered after h2 read its END_STREAM (or the client's reset): no reset to send, no error."""
    import hpack
    encoder = hpack.Encoder()
    protocol = raw_server()
    data = DataFrame(1)
    data.data = b"x"
    data.flags.add("END_STREAM")
    events = protocol.receive_data(headers_frame(encoder, 1, end_stream=False, extra=[("Upper", "1")])
                                   + data.serialize()
                                   + headers_frame(encoder, 3, end_stream=False, extra=[("Upper", "1")])
                                   + reset_frame(3), now=1.0)
    assert [e.stream_id for e in events if isinstance(e, RequestRejected)] == [1, 3]
    assert not protocol.closed


def test_requests_refused_after_the_clients_goaway_in_the_same_bytes():
    """A malformed request and a client's GOAWAY read together: h2 has closed the connection by
    the time the request is refused, so it is not answered (and nothing raises)."""
    import hpack
    encoder = hpack.Encoder()
    protocol = raw_server()
    goaway = GoAwayFrame(0)
    goaway.last_stream_id = 0
    events = protocol.receive_data(headers_frame(encoder, 1, path="") + goaway.serialize(), now=1.0)
    assert [(e.stream_id, e.status) for e in events if isinstance(e, RequestRejected)] == [(1, 400)]
    assert not any(isinstance(frame, HeadersFrame) for frame in parse(protocol.data_to_send()))


def test_control_frames_over_the_limit():
    protocol = raw_server(max_control_frames=10)   # (the client's SETTINGS was one)
    ping = PingFrame(0, opaque_data=b"12345678").serialize()
    assert protocol.receive_data(ping * 9, now=1.0) == []
    [ended] = protocol.receive_data(ping, now=1.0)
    assert ended.error_code == CALM


@pytest.mark.parametrize("frames, code", [
    # a header block in too many CONTINUATION frames (the default limit: 4 + 64 KiB / 16 KiB)
    ([(1, 0, 1, b"\x82")] + [(9, 0, 1, b"")] * 8, CALM),
    # a header block over max-header-list-size in bytes, before any of it is decoded
    ([(1, 0, 1, b"\x00" * 16000)] + [(9, 0, 1, b"\x00" * 16000)] * 4, CALM),
    # a frame that says it is longer than max-frame-size: judged on its header alone
    ([(0, 0, 1, b"")], h2.errors.ErrorCodes.FRAME_SIZE_ERROR),
])
def test_header_blocks_and_frame_sizes(frames, code):
    def raw(kind, flags, stream_id, payload):
        length = len(payload) if payload or kind else 1 << 20
        return length.to_bytes(3, "big") + bytes([kind, flags]) + stream_id.to_bytes(4, "big") + payload
    guard = FrameGuard()
    data = PREFACE + b"".join(raw(*frame) for frame in frames)
    violation = guard.scan(data, now=0.0)
    assert violation is not None and violation.error_code == code
    # and byte by byte, the same verdict
    guard = FrameGuard()
    verdicts = [guard.scan(data[i:i + 1], now=0.0) for i in range(len(data))]
    assert [v.error_code for v in verdicts if v is not None][0] == code


def test_empty_data_frames_count_and_data_frames_do_not():
    guard = FrameGuard(max_control_frames=1000)
    empty = DataFrame(1).serialize()
    padded = DataFrame(1, flags=["PADDED"])
    padded.pad_length = 10
    ending = DataFrame(1, flags=["END_STREAM"]).serialize()
    full = DataFrame(1, data=b"data").serialize()
    guard.scan(PREFACE + empty * 3 + padded.serialize() * 2 + ending + full * 5, now=0.0)
    assert guard.control.count == 5


def test_hpack_bomb_is_a_connection_error():
    protocol = raw_server()
    value = b"a" * 4000
    block = (b"\x82\x86\x84\x41\x01x" + b"\x40\x06x-bomb\x7f" + bytes([0xa1, 0x1e]) + value
             + b"\xbe" * 2000)   # 4000 = 127 + 0x1e * 128 + 0x21
    frame = HeadersFrame(1)
    frame.data = block
    frame.flags.add("END_HEADERS")
    frame.flags.add("END_STREAM")
    [ended] = protocol.receive_data(frame.serialize(), now=1.0)
    assert ended.error_code in (CALM, h2.errors.ErrorCodes.COMPRESSION_ERROR)


def test_a_malformed_stream_h2_closed_and_forgot_in_the_same_bytes_is_not_answered():
    # Stream 3's head is malformed and a second HEADERS after its END_STREAM makes h2 close it; by
    # the time the malformed head is answered, stream 5 has been opened and h2 no longer knows 3.
    import hpack
    encoder = hpack.Encoder()
    protocol = raw_server()
    trailer = HeadersFrame(3)
    trailer.data = encoder.encode([hpack.NeverIndexedHeaderTuple("x-late", "1")])   # (no table entry)
    trailer.flags.add("END_HEADERS")
    data = (headers_frame(encoder, 3, extra=[(":scheme", "https")]) + trailer.serialize()
            + headers_frame(encoder, 5))
    events = protocol.receive_data(data, now=1.0)
    assert [e.stream_id for e in events if isinstance(e, RequestReady)] == [5]
    assert [e.status for e in events if isinstance(e, RequestRejected)] == [400]
    assert not protocol.closed


# -- request heads: the one-pass checks judge as h2's validate_headers does ------------------------
from hypothesis import given, settings, strategies as st   # noqa: E402
from h2.utilities import HeaderValidationFlags, validate_headers   # noqa: E402

from petrel.server.protocol.common import RequestHead   # noqa: E402
from petrel.server.protocol.errors import ProtocolError   # noqa: E402
from petrel.server.protocol.http2 import _request_head   # noqa: E402

_FLAGS = HeaderValidationFlags(is_client=False, is_trailer=False, is_response_header=False,
                               is_push_promise=False)


def _reference_head(raw):
    """What a request head was made with h2's own checks (and the server's after them)."""
    try:
        checked = list(validate_headers(raw, _FLAGS))
    except h2.exceptions.ProtocolError:
        return 400
    pseudo, headers = {}, []
    for name, value in checked:
        key, text = name.decode("latin-1"), value.decode("latin-1")
        if key.startswith(":"):
            pseudo[key] = text
        else:
            headers.append((key, text))
    method = pseudo[":method"]
    if method == "CONNECT":
        return 501
    if ":protocol" in pseudo:
        return 400
    target = pseudo[":path"]
    if not target.startswith("/") and not (target == "*" and method == "OPTIONS"):
        return 400
    authority = pseudo.get(":authority")
    if authority is not None and not any(k == "host" for k, _ in headers):
        headers.insert(0, ("host", authority))
    return RequestHead(method, target, "2", headers, authority, pseudo.get(":scheme"))


def _head_or_status(raw):
    try:
        return _request_head(raw)
    except ProtocolError as exc:
        return exc.status


_NAMES = [b":method", b":scheme", b":authority", b":path", b":protocol", b":status", b":foo", b":",
          b"", b"host", b"Host", b"te", b"connection", b"keep-alive", b"upgrade", b"accept", b"x-a",
          b"a:b", b"a b", b"a\x7f", b"\xe9t\xe9", b"cookie"]
_VALUES = [b"", b"GET", b"CONNECT", b"OPTIONS", b"http", b"/", b"/x?y=1", b"*", b"x", b"localhost",
           b"other", b"trailers", b"TRAILERS", b"gzip", b" a", b"a ", b"a\tb", b"\ta", b"a\x00",
           b"a\r\nb", b"\xe9", b"a  b"]
_GOOD = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/"), (b":authority", b"localhost")]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(_VALUES)), max_size=7),
       st.integers(0, 4))
def test_request_heads_are_judged_as_h2_judges_them(fields, good):
    raw = _GOOD[:good] + fields
    assert _head_or_status(raw) == _reference_head(raw)


def test_request_head_examples():
    assert _head_or_status(_GOOD + [(b"accept", b"*/*")]) == RequestHead(
        "GET", "/", "2", [("host", "localhost"), ("accept", "*/*")], "localhost", "http")
    assert _head_or_status(_GOOD + [(b"te", b"Trailers")]).headers[-1] == ("te", "Trailers")
    for bad in [(b"te", b"gzip"), (b"connection", b"close"), (b"Accept", b"x"), (b"x", b" y"),
                (b"x", b"a\nb"), (b"host", b"other"), (b":path", b"/again")]:
        assert _head_or_status(_GOOD + [bad]) == 400, bad
    assert _head_or_status([(b":method", b"CONNECT"), (b":authority", b"h:443")]) == 501
