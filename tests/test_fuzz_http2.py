"""Fuzzing HTTP/2: random frames and byte flips of a valid conversation.

(a) In process, into HTTP2Protocol, driven the way the I/O loop drives it (requests answered, windows
    honoured): nothing escapes but the project's protocol errors, and once the connection has ended
    it stays ended. The frame guard judges the same bytes alike however they are split.
(b) Over a socket, into a real server, fewer examples: every connection ends in a GOAWAY, a close or
    an answer to the client's final PING within a bounded time, and the server keeps serving.
"""

from __future__ import annotations

import socket
import time

import hpack
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hyperframe.frame import (ContinuationFrame, DataFrame, GoAwayFrame, HeadersFrame, PingFrame,
                              PriorityFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame)

from petrel.messages import Response
from petrel.server.protocol.http2 import (PREFACE, ConnectionEnded, HTTP2Protocol, HTTP2Settings,
                                          RequestReady)
from petrel.server.protocol.http2_guard import FrameGuard
from support import DEFAULT_ENGINE
from test_http2_floods import SERVICE, parse_frames

STREAM_IDS = st.sampled_from([0, 1, 3, 5, 7, 9, 2, 4, 2**31 - 1])
NONZERO_IDS = st.sampled_from([1, 3, 5, 7, 9, 2, 4, 2**31 - 1])   # (hyperframe refuses 0 for some)
REQUEST = [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "/hit")]


def _raw_frame(kind: int, flags: int, stream_id: int, payload: bytes, length: int | None) -> bytes:
    length = len(payload) if length is None else length
    return (length.to_bytes(3, "big") + bytes([kind, flags]) + stream_id.to_bytes(4, "big") + payload)


raw_frames = st.builds(_raw_frame, st.integers(0, 12), st.integers(0, 255), STREAM_IDS,
                       st.binary(max_size=40),
                       st.one_of(st.none(), st.none(), st.integers(0, 100)))


@st.composite
def valid_frames(draw) -> bytes:
    """One well-formed frame of a random kind (HEADERS blocks get their own HPACK encoder)."""
    kind = draw(st.sampled_from(["headers", "data", "rst", "window", "settings", "ping", "priority",
                                 "continuation", "goaway"]))
    stream_id = draw(STREAM_IDS if kind == "window" else NONZERO_IDS)
    end = draw(st.booleans())
    if kind == "headers":
        frame = HeadersFrame(stream_id)
        path = draw(st.sampled_from(["/hit", "/count", "/nope", "", "relative"]))
        fields = [(":method", draw(st.sampled_from(["GET", "POST", "HEAD", "CONNECT"]))),
                  (":scheme", "http"), (":authority", "localhost"), (":path", path)]
        if draw(st.booleans()):
            fields.append(("Upper", "1"))
        frame.data = hpack.Encoder().encode(fields)
        if draw(st.booleans()):
            frame.flags.add("END_HEADERS")
    elif kind == "data":
        frame = DataFrame(stream_id)
        frame.data = draw(st.binary(max_size=30))
    elif kind == "rst":
        frame = RstStreamFrame(stream_id)
        frame.error_code = draw(st.integers(0, 14))
        return frame.serialize()
    elif kind == "window":
        frame = WindowUpdateFrame(stream_id, window_increment=draw(st.integers(1, 2**31 - 1)))
        return frame.serialize()
    elif kind == "settings":
        values = draw(st.dictionaries(st.integers(1, 8), st.integers(0, 2**31 - 1), max_size=3))
        return SettingsFrame(0, settings=values).serialize()
    elif kind == "ping":
        return PingFrame(0, opaque_data=draw(st.binary(min_size=8, max_size=8))).serialize()
    elif kind == "priority":
        frame = PriorityFrame(stream_id, depends_on=draw(STREAM_IDS), stream_weight=draw(st.integers(0, 255)))
        return frame.serialize()
    elif kind == "continuation":
        frame = ContinuationFrame(stream_id)
        frame.data = draw(st.binary(max_size=20))
        if draw(st.booleans()):
            frame.flags.add("END_HEADERS")
        return frame.serialize()
    else:
        frame = GoAwayFrame(0, last_stream_id=draw(st.integers(0, 99)), error_code=draw(st.integers(0, 14)))
        return frame.serialize()
    if end:
        frame.flags.add("END_STREAM")
    return frame.serialize()


def conversation() -> bytes:
    """A valid client conversation: requests with and without bodies, a reset, pings, updates."""
    encoder = hpack.Encoder()
    parts = [PREFACE, SettingsFrame(0, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 1 << 20}).serialize()]
    for stream_id in (1, 3, 5, 7):
        frame = HeadersFrame(stream_id)
        method = "POST" if stream_id in (3, 7) else "GET"
        frame.data = encoder.encode([(":method", method), *REQUEST[1:]])
        frame.flags.add("END_HEADERS")
        if method == "GET":
            frame.flags.add("END_STREAM")
        parts.append(frame.serialize())
        if method == "POST":
            data = DataFrame(stream_id)
            data.data = b"body of %d" % stream_id
            data.flags.add("END_STREAM")
            parts.append(data.serialize())
    reset = RstStreamFrame(7)
    reset.error_code = 8
    parts += [reset.serialize(), PingFrame(0, opaque_data=b"12345678").serialize(),
              WindowUpdateFrame(0, window_increment=1000).serialize(), SettingsFrame(0, flags=["ACK"]).serialize()]
    return b"".join(parts)


CONVERSATION = conversation()


@st.composite
def flipped_conversations(draw) -> bytes:
    data = bytearray(CONVERSATION)
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(len(PREFACE), len(data) - 1))
        data[index] ^= draw(st.integers(1, 255))
    if draw(st.booleans()):
        data = data[:draw(st.integers(len(PREFACE), len(data)))]
    return bytes(data)


@st.composite
def random_conversations(draw) -> bytes:
    frames = draw(st.lists(st.one_of(raw_frames, valid_frames()), max_size=25))
    return PREFACE + SettingsFrame(0).serialize() + b"".join(frames)


conversations = st.one_of(flipped_conversations(), random_conversations())


def splits(data_length: int):
    return st.lists(st.integers(0, data_length), max_size=6).map(sorted)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:])]


# -- (a) in process ----------------------------------------------------------------------------------
def drive(protocol: HTTP2Protocol, chunks: list[bytes]) -> None:
    """Feed the chunks and answer requests as the I/O loop would; only bytes may come out."""
    for chunk in chunks:
        events = protocol.receive_data(chunk, now=1.0)
        for event in events:
            if isinstance(event, RequestReady):
                response = Response(200, [("content-type", "text/plain")], b"ok")
                try:
                    protocol.send_headers(event.stream_id, response, 2, end_stream=False)
                    if protocol.send_window(event.stream_id) >= 2:
                        protocol.send_data(event.stream_id, b"ok", end_stream=True)
                    else:
                        protocol.reset_stream(event.stream_id)
                except Exception as exc:   # the loop tolerates h2's ProtocolError here, nothing else
                    import h2.exceptions
                    assert isinstance(exc, h2.exceptions.ProtocolError), repr(exc)
        assert isinstance(protocol.data_to_send(), bytes)
        if any(isinstance(event, ConnectionEnded) for event in events):
            assert protocol.closed
    if protocol.closed:
        assert protocol.receive_data(b"\x00" * 9, now=1.0) == []


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_protocol_survives_fuzzed_conversations(data):
    conversation = data.draw(conversations)
    # in one piece, events are acted on only after h2 has read every frame (later frames may have
    # closed the streams they name); in pieces, the scan and h2 meet frames split anywhere
    cuts = [] if data.draw(st.booleans()) else data.draw(splits(len(conversation)))
    small = data.draw(st.booleans())
    limits = (HTTP2Settings(max_resets=3, max_control_frames=5, max_header_list_size=1024,
                            max_concurrent_streams=3) if small else HTTP2Settings())
    protocol = HTTP2Protocol(limits, max_body_size=64)
    protocol.initiate()
    protocol.data_to_send()
    drive(protocol, _chunks(conversation, cuts))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_guard_judges_alike_however_the_bytes_are_split(data):
    conversation = data.draw(conversations)
    cuts = data.draw(splits(len(conversation)))

    def judge(chunks):
        guard = FrameGuard(max_resets=2, max_control_frames=4, max_header_block=200)
        for index, chunk in enumerate(chunks):
            violation = guard.scan(chunk, now=0.0)
            if violation is not None:
                return violation.error_code, violation.reason, guard.resets.count, guard.control.count
        return None, None, guard.resets.count, guard.control.count

    whole = judge([conversation])
    assert judge(_chunks(conversation, cuts)) == whole
    assert judge([conversation[i:i + 1] for i in range(len(conversation))]) == whole


# -- (b) a real server -------------------------------------------------------------------------------
def _exchange(port: int, attack: bytes) -> str:
    """Send ``attack`` then a PING; how the connection ended: 'goaway', 'closed' or 'answered'."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(attack + PingFrame(0, opaque_data=b"lastping").serialize())
        except OSError:
            return "closed"
        pending = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                return "closed"
            if not data:
                return "closed"
            frames, pending = parse_frames(pending + data)
            for frame in frames:
                if isinstance(frame, GoAwayFrame):
                    return "goaway"
                if isinstance(frame, PingFrame) and frame.opaque_data == b"lastping" and "ACK" in frame.flags:
                    return "answered"
        raise AssertionError("the connection neither ended nor answered within 10 s")


def test_server_survives_fuzzed_conversations(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.keepalive-timeout=2", "--server.body-timeout=2",
                          "--server.http2.max-resets=20", "--server.http2.max-control-frames=50")
    outcomes: list[str] = []

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(conversations)
    def run(attack):
        outcomes.append(_exchange(server.port, attack))
        assert server.process.poll() is None

    run()
    assert set(outcomes) <= {"goaway", "closed", "answered"}
    with httpx.Client(http1=False, http2=True, timeout=10) as client:
        response = client.get(f"{server.url}/count")
        assert response.status_code == 200
    log = server.log()
    assert "Traceback" not in log and "internal error" not in log
