"""HTTP/2 floods against a real server: rapid reset, control frames, CONTINUATION, HPACK bombs.

The attacker is a raw socket writing frames built with hyperframe and hpack; what the server sends
back is parsed frame by frame (h2's own client would stop at the GOAWAY, or refuse to send the
attack at all). Each attack must end in GOAWAY with the right error code before the server has done
the attack's work (counted with a route that counts its runs, or read from the GOAWAY's last stream
id, never timed), and the server must answer the next client normally.
"""

from __future__ import annotations

import select
import socket
import time

import h2.errors
import hpack
import httpx
import pytest
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              PriorityFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame)

from support import DEFAULT_ENGINE

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
CALM = h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
READ_TIMEOUT = 10.0

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/hit", "hit")
            petrel.add_route("/count", "count")
        end
    """,
    "handlers.lua": """
        function hit(request, response)
            local hits = metric()
            hits:register_counter("hits")
            hits:increment()
            response.content = "hit"
            return response
        end

        function count(request, response)
            local hits = metric()
            hits:register_counter("hits")
            response.content = tostring(hits:total())
            return response
        end
    """,
}


# -- a raw attacker ----------------------------------------------------------------------------------
def parse_frames(data: bytes) -> tuple[list, bytes]:
    """The whole frames at the start of ``data``, and the bytes left over."""
    frames = []
    view = memoryview(data)
    while len(view) >= 9:
        frame, length = Frame.parse_frame_header(view[:9])
        if len(view) < 9 + length:
            break
        frame.parse_body(view[9:9 + length])
        frames.append(frame)
        view = view[9 + length:]
    return frames, bytes(view)


class Attacker:
    """A socket that speaks just enough HTTP/2 to attack: every read has a timeout, every loop a bound."""

    def __init__(self, port: int, *, rcvbuf: int | None = None) -> None:
        sock = socket.socket()
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(READ_TIMEOUT)
        sock.connect(("127.0.0.1", port))
        self.sock = sock
        self.encoder = hpack.Encoder()
        self.frames: list = []
        self._pending = b""
        self.closed = False
        self.sock.sendall(PREFACE + SettingsFrame(0).serialize())

    def close(self) -> None:
        self.sock.close()

    def headers(self, stream_id: int, path: str = "/hit", *, end_stream: bool = True,
                end_headers: bool = True, extra: list | None = None) -> bytes:
        frame = HeadersFrame(stream_id)
        frame.data = self.encoder.encode([(":method", "GET"), (":scheme", "http"),
                                          (":authority", "localhost"), (":path", path), *(extra or [])])
        if end_stream:
            frame.flags.add("END_STREAM")
        if end_headers:
            frame.flags.add("END_HEADERS")
        return frame.serialize()

    def _take(self, data: bytes) -> None:
        frames, self._pending = parse_frames(self._pending + data)
        self.frames += frames

    def _read_available(self) -> None:
        """Whatever the server has sent by now, without waiting."""
        while not self.closed and select.select([self.sock], [], [], 0)[0]:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            self._take(data)

    @property
    def goaway(self) -> GoAwayFrame | None:
        return next((f for f in self.frames if isinstance(f, GoAwayFrame)), None)

    def attack(self, pieces, limit: int) -> int:
        """Send up to ``limit`` pieces, one at a time, until the server says GOAWAY or closes.

        Returns how many pieces went out whole.
        """
        sent = 0
        for piece in pieces:
            if sent >= limit or self.goaway is not None or self.closed:
                break
            try:
                self.sock.sendall(piece)
            except OSError:   # reset by the server, or it stopped reading (the timeout)
                break
            sent += 1
            self._read_available()
        return sent

    def read_until_closed(self, timeout: float = READ_TIMEOUT) -> list:
        deadline = time.monotonic() + timeout
        while not self.closed:
            assert time.monotonic() < deadline, "the server did not close the connection"
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise AssertionError("no answer from the server within the read timeout") from None
            except OSError:
                data = b""
            if not data:
                self.closed = True
                break
            self._take(data)
        return self.frames

    def ended_with(self, code: int = CALM) -> GoAwayFrame:
        """The connection ended with one GOAWAY of ``code``."""
        self.read_until_closed()
        goaways = [f for f in self.frames if isinstance(f, GoAwayFrame)]
        assert len(goaways) == 1, self.frames[-5:]
        assert goaways[0].error_code == code, goaways[0]
        return goaways[0]


def served_normally(server) -> int:
    """A plain client on a new connection is answered; returns the hits counted so far."""
    with httpx.Client(http1=False, http2=True, timeout=READ_TIMEOUT) as client:
        response = client.get(f"{server.url}/count")
        assert response.status_code == 200 and response.http_version == "HTTP/2"
        return int(response.text)


def pieces_of(data: bytes, size: int = 16384):
    for start in range(0, len(data), size):
        yield data[start:start + size]


# -- rapid reset -------------------------------------------------------------------------------------
def test_rapid_reset_ends_in_enhance_your_calm(start_server, engine):
    """CVE-2023-44487: 20,000 streams opened and reset at once; max-resets 50 stops it early."""
    server = start_server(SERVICE, engine, "--server.http2.max-resets=50")
    attacker = Attacker(server.port)
    streams = 20000
    try:
        parts = []
        for n in range(streams):
            stream_id = 2 * n + 1
            reset = RstStreamFrame(stream_id)
            reset.error_code = h2.errors.ErrorCodes.CANCEL
            parts.append(attacker.headers(stream_id) + reset.serialize())
        attack = b"".join(parts)
        attacker.attack(pieces_of(attack), limit=len(attack) // 16384 + 1)
        goaway = attacker.ended_with()
    finally:
        attacker.close()
    assert goaway.last_stream_id < 2 * streams - 1
    # At most the 50 streams reset within the limit reached the server's request layer, and those
    # reset in the bytes that opened them never started their handler.
    assert served_normally(server) < 50
    assert "ENHANCE_YOUR_CALM" in server.log()
    assert "Traceback" not in server.log()


def test_a_stream_reset_in_the_write_that_opened_it_never_runs_its_handler(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE)
    attacker = Attacker(server.port)
    try:
        parts = []
        for n in range(40):   # within max-resets (200): the connection goes on
            reset = RstStreamFrame(2 * n + 1)
            reset.error_code = h2.errors.ErrorCodes.CANCEL
            parts.append(attacker.headers(2 * n + 1) + reset.serialize())
        # one write of ~1 KiB: one read on the server, so each HEADERS meets its RST_STREAM there
        attacker.sock.sendall(b"".join(parts) + attacker.headers(81, "/count"))
        deadline = time.monotonic() + READ_TIMEOUT
        while not any(isinstance(f, DataFrame) and f.stream_id == 81 for f in attacker.frames):
            assert time.monotonic() < deadline and not attacker.closed
            attacker._take(attacker.sock.recv(65536))
        body = b"".join(f.data for f in attacker.frames if isinstance(f, DataFrame) and f.stream_id == 81)
        assert body == b"0"
        assert attacker.goaway is None
    finally:
        attacker.close()
    assert served_normally(server) == 0


def test_streams_the_server_resets_count_as_resets(start_server):
    """Malformed requests are answered 400 and reset by the server: that counts too."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-resets=20")
    attacker = Attacker(server.port)
    try:
        # 60: within max-concurrent-streams (100) even if the server reads them all at once; no
        # END_STREAM, so each 400 is followed by the server's RST_STREAM
        attack = b"".join(attacker.headers(2 * n + 1, end_stream=False, extra=[("Bad-Upper", "1")])
                          for n in range(60))
        attacker.sock.sendall(attack)
        goaway = attacker.ended_with()
    finally:
        attacker.close()
    assert goaway.last_stream_id < 119
    answered = [f for f in attacker.frames if isinstance(f, HeadersFrame)]
    assert 0 < len(answered) <= 21
    assert served_normally(server) == 0


def test_stream_errors_the_client_provokes_count_as_resets(start_server):
    """DATA after END_STREAM makes the server reset the stream (STREAM_CLOSED): also counted."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-resets=20")
    attacker = Attacker(server.port)
    try:
        parts = []
        for n in range(200):
            late = DataFrame(2 * n + 1)
            late.data = b"late"
            parts.append(attacker.headers(2 * n + 1) + late.serialize())
        attack = b"".join(parts)
        attacker.attack(pieces_of(attack, 1024), limit=1000)
        goaway = attacker.ended_with()
    finally:
        attacker.close()
    assert goaway.last_stream_id < 399
    assert served_normally(server) < 200


# -- control frames ----------------------------------------------------------------------------------
def _ping(_n: int) -> bytes:
    return PingFrame(0, opaque_data=b"flooding").serialize()


def _settings(_n: int) -> bytes:
    return SettingsFrame(0, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 65535}).serialize()


def _priority(n: int) -> bytes:
    frame = PriorityFrame(2 * n + 1)
    frame.depends_on = 0
    frame.stream_weight = 15
    return frame.serialize()


def _window_update(_n: int) -> bytes:
    return WindowUpdateFrame(0, window_increment=1).serialize()


def _empty_data(_n: int) -> bytes:
    return DataFrame(1).serialize()   # on the open stream 1, no data, no END_STREAM


def _padded_empty_data(_n: int) -> bytes:
    frame = DataFrame(1, flags=["PADDED"])
    frame.pad_length = 20
    return frame.serialize()


def _unknown_type(_n: int) -> bytes:
    return b"\x00\x00\x04\xf0\x00\x00\x00\x00\x00" + b"junk"   # type 0xf0: ignored by HTTP/2


@pytest.mark.parametrize("make", [_ping, _settings, _priority, _window_update, _empty_data,
                                  _padded_empty_data, _unknown_type],
                         ids=["PING", "SETTINGS", "PRIORITY", "WINDOW_UPDATE", "empty DATA",
                              "padded empty DATA", "unknown type"])
def test_control_frame_flood_ends_in_enhance_your_calm(start_server, make):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-control-frames=100")
    attacker = Attacker(server.port)
    frames = 20000
    try:
        if make in (_empty_data, _padded_empty_data):
            attacker.sock.sendall(attacker.headers(1, "/count", end_stream=False))
        attack = b"".join(make(n) for n in range(frames))
        attacker.attack(pieces_of(attack, 4096), limit=len(attack) // 4096 + 1)
        attacker.ended_with()
    finally:
        attacker.close()
    acks = [f for f in attacker.frames if isinstance(f, (PingFrame, SettingsFrame)) and "ACK" in f.flags]
    assert len(acks) <= 100 + 1   # (+ the ACK of the client's first SETTINGS)
    assert served_normally(server) == 0


def test_ping_flood_from_a_client_that_never_reads(start_server):
    """The answers pile up only to the limit: the server sends GOAWAY and closes all the same."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-control-frames=200")
    attacker = Attacker(server.port, rcvbuf=4096)
    pings = 50000
    try:
        attack = b"".join(_ping(n) for n in range(pings))
        sent = 0
        for piece in pieces_of(attack):   # no reading at all while sending
            try:
                attacker.sock.sendall(piece)
            except OSError:
                break
            sent += 1
        attacker.ended_with()
    finally:
        attacker.close()
    acks = [f for f in attacker.frames if isinstance(f, PingFrame)]
    assert len(acks) <= 200
    assert served_normally(server) == 0


def test_control_frames_under_the_limit_are_answered(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-control-frames=100")
    attacker = Attacker(server.port)
    try:
        attacker.sock.sendall(b"".join(_ping(n) for n in range(50)) + attacker.headers(1, "/count"))
        deadline = time.monotonic() + READ_TIMEOUT
        while not any(isinstance(f, DataFrame) and "END_STREAM" in f.flags for f in attacker.frames):
            assert time.monotonic() < deadline and not attacker.closed
            attacker._take(attacker.sock.recv(65536))
        assert len([f for f in attacker.frames if isinstance(f, PingFrame)]) == 50
        assert attacker.goaway is None
    finally:
        attacker.close()


# -- header blocks -----------------------------------------------------------------------------------
def test_continuation_flood_ends_before_the_block_does(start_server):
    """A header block that never ends: many empty CONTINUATION frames."""
    server = start_server(SERVICE, DEFAULT_ENGINE)
    attacker = Attacker(server.port)
    try:
        first = attacker.headers(1, end_headers=False)
        continuation = ContinuationFrame(1).serialize()
        piece = continuation * 1000
        # 90 MB of frames: more than the socket buffers can hold, so the attack cannot all go out
        # before the server's GOAWAY, however quickly the client writes.
        sent = attacker.attack([first] + [piece] * 10000, limit=10001)
        attacker.ended_with()
    finally:
        attacker.close()
    assert sent < 10001
    assert served_normally(server) == 0


def test_continuation_bytes_over_the_header_list_size_end_the_connection(start_server):
    """CONTINUATION frames that stay under the frame count but add up to more than the limit."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-header-list-size=4096")
    attacker = Attacker(server.port)
    try:
        first = attacker.headers(1, end_headers=False)
        frame = ContinuationFrame(1)
        frame.data = b"\x00" * 3000
        sent = attacker.attack([first] + [frame.serialize()] * 2000, limit=2001)
        attacker.ended_with()
    finally:
        attacker.close()
    assert sent < 2001
    assert served_normally(server) == 0


def test_an_oversized_frame_is_refused_on_its_header(start_server):
    """A frame header announcing 16 MiB: FRAME_SIZE_ERROR at once, not after buffering the body."""
    server = start_server(SERVICE, DEFAULT_ENGINE)
    attacker = Attacker(server.port)
    try:
        attacker.sock.sendall(b"\xff\xff\xff\x00\x00\x00\x00\x00\x01" + b"x" * 100)
        attacker.ended_with(h2.errors.ErrorCodes.FRAME_SIZE_ERROR)
    finally:
        attacker.close()
    assert served_normally(server) == 0


def _vm_hwm(pid: int) -> int:
    """The process's peak resident memory, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))


def test_hpack_bomb_ends_the_connection_without_large_memory(start_server):
    """A 64 KiB block of one-byte references to a 4 KiB table entry would decode to ~240 MiB."""
    server = start_server(SERVICE, DEFAULT_ENGINE)
    attacker = Attacker(server.port)
    try:
        served_normally(server)   # (the server's memory after a first request, as a baseline)
        before = _vm_hwm(server.process.pid)
        block = bytearray(attacker.encoder.encode([(":method", "GET"), (":scheme", "http"),
                                                   (":authority", "localhost"), (":path", "/hit")]))
        # literal with incremental indexing, new name: the entry lands at index 62
        value = b"a" * 4000
        block += b"\x40" + bytes([6]) + b"x-bomb" + b"\x7f" + _hpack_int(len(value) - 127) + value
        block += b"\xbe" * (65536 - len(block))   # 0xbe: indexed field 62
        chunks = [bytes(block[i:i + 16384]) for i in range(0, len(block), 16384)]
        frames = []
        for index, chunk in enumerate(chunks):
            frame = HeadersFrame(1) if index == 0 else ContinuationFrame(1)
            frame.data = chunk
            if index == 0:
                frame.flags.add("END_STREAM")
            if index == len(chunks) - 1:
                frame.flags.add("END_HEADERS")
            frames.append(frame.serialize())
        attacker.sock.sendall(b"".join(frames))
        attacker.read_until_closed()
    finally:
        attacker.close()
    goaway = attacker.goaway
    assert goaway is not None
    assert goaway.error_code in (CALM, h2.errors.ErrorCodes.COMPRESSION_ERROR)
    assert served_normally(server) == 0
    assert _vm_hwm(server.process.pid) - before < 64 * 1024


def _hpack_int(value: int) -> bytes:
    """The continuation bytes of an HPACK integer whose prefix is full (RFC 7541 5.1)."""
    out = bytearray()
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


# -- stalls ------------------------------------------------------------------------------------------
def test_a_request_body_that_never_comes_is_closed_after_body_timeout(start_server):
    """Streams whose bodies never arrive do not hold the connection open for ever."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.body-timeout=1", "--server.keepalive-timeout=60")
    attacker = Attacker(server.port)
    try:
        attacker.sock.sendall(b"".join(attacker.headers(2 * n + 1, end_stream=False) for n in range(10)))
        attacker.ended_with(h2.errors.ErrorCodes.NO_ERROR)
    finally:
        attacker.close()
    assert served_normally(server) == 0
    server.wait_for_log(r"with 10 request bodies incomplete, closing")
