"""Flood limits for an HTTP/2 connection, judged on frame headers before h2 parses anything.

h2 does what a frame asks as soon as it has parsed it, and some frames are cheap to send but not to
serve: a stream opened and reset at once (CVE-2023-44487) still starts a request, a PING or SETTINGS
is answered with a frame, a header block split over CONTINUATION frames is buffered until it ends,
and a frame header announcing 16 MiB makes h2 buffer 16 MiB before it checks the length. So
:class:`FrameGuard` reads the same byte stream as h2, frame header by frame header, and says stop
before h2 sees the chunk that crosses a limit:

- RST_STREAM frames count against ``max_resets`` (the caller adds the streams the server resets or
  refuses itself, :meth:`FrameGuard.count_reset`);
- SETTINGS, PING, PRIORITY, WINDOW_UPDATE, DATA that carries no data and does not end its stream,
  and frames of unknown types (which h2 ignores) count against ``max_control_frames``;
- a header block (HEADERS or PUSH_PROMISE and its CONTINUATION frames) larger than
  ``max_header_block`` bytes, or split over more than ``max_continuations`` frames, ends the
  connection before it is buffered; encoded HPACK is never larger than what it decodes to (each
  field counts 32 bytes more, RFC 9113 6.5.2), so the limit on the decoded list bounds it too;
- a frame longer than ``max_frame_size`` ends the connection on its header alone.

Counts are per connection in fixed windows of ``period`` seconds (a burst across a window edge may
reach twice a limit, which still bounds the work). A limit crossed is ENHANCE_YOUR_CALM; an oversized
frame is FRAME_SIZE_ERROR. Everything else that is wrong with the frames is h2's to find. Sans-IO:
the caller passes the time in.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import h2.errors

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

ErrorCodes = h2.errors.ErrorCodes

# Frame types (RFC 9113 6).
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
# Flags.
END_STREAM = 0x1
END_HEADERS = 0x4
PADDED = 0x8

_CONTROL = frozenset((PRIORITY, SETTINGS, PING, WINDOW_UPDATE))
_KNOWN = frozenset(range(10))
_HEADER = struct.Struct(">BHBBL")   # length (24 bits), type, flags, stream id


@dataclass(frozen=True, slots=True)
class Violation:
    """Why the connection must end, and the GOAWAY error code that says so."""

    error_code: int
    reason: str


class RateLimit:
    """At most ``limit`` events per ``period`` seconds, counted in fixed windows."""

    __slots__ = ("limit", "period", "start", "count")

    def __init__(self, limit: int, period: float = 10.0) -> None:
        self.limit = limit
        self.period = period
        self.start: float | None = None
        self.count = 0

    def hit(self, now: float) -> bool:
        """Count one event; True when it is over the limit."""
        start = self.start
        if start is None or not 0.0 <= now - start < self.period:   # (a clock set back starts anew)
            self.start = now
            self.count = 0
        self.count += 1
        return self.count > self.limit


class FrameGuard:
    """Follows the client's frame headers and counts them against the limits above."""

    def __init__(self, *, max_resets: int = 200, max_control_frames: int = 1000,
                 max_header_block: int = 65536, max_frame_size: int = 16384,
                 max_continuations: int | None = None, period: float = 10.0) -> None:
        self.resets = RateLimit(max_resets, period)
        self.control = RateLimit(max_control_frames, period)
        self.max_header_block = max_header_block
        self.max_frame_size = max_frame_size
        if max_continuations is None:
            # Clients split a block into frames of 16 KiB (the least max-frame-size) or more: a
            # whole block needs this many, and a few to spare.
            max_continuations = 4 + -(-max_header_block // 16384)
        self.max_continuations = max_continuations
        self._preface = PREFACE        # what is left of the client preface to skip
        self._off = False              # the preface was wrong: h2 ends the connection, not us
        self._head = bytearray()       # a frame header (and a DATA frame's pad length) in pieces
        self._need = 9
        self._skip = 0                 # payload bytes of the current frame still to pass over
        self._block_stream = 0         # the stream whose header block is open, 0 when none
        self._block_bytes = 0
        self._block_frames = 0

    def count_reset(self, now: float) -> Violation | None:
        """A stream the server reset or refused; a Violation when that is one too many."""
        if self.resets.hit(now):
            return Violation(ErrorCodes.ENHANCE_YOUR_CALM,
                             f"more than {self.resets.limit} streams reset in {self.resets.period:g} s")
        return None

    def scan(self, data: bytes | memoryview, now: float) -> Violation | None:
        """Follow ``data``, the next bytes from the client; a Violation when they cross a limit."""
        if self._off:
            return None
        size = len(data)
        pos = 0
        if self._preface:
            take = min(len(self._preface), size)
            if bytes(data[:take]) != self._preface[:take]:
                self._off = True
                return None
            self._preface = self._preface[take:]
            pos = take
        head = self._head
        unpack = _HEADER.unpack_from
        while pos < size:
            if self._skip:
                take = min(self._skip, size - pos)
                self._skip -= take
                pos += take
                continue
            if head or size - pos < 10:   # a frame header split between reads: gather it
                take = min(self._need - len(head), size - pos)
                head += data[pos:pos + take]
                pos += take
                if len(head) < self._need:
                    return None
                buf, at = head, 0
            else:
                buf, at = data, pos
            high, low, kind, flags, stream_id = unpack(buf, at)
            length = high << 16 | low
            pad = None
            consumed = 9
            if kind == DATA and flags & PADDED and length:
                # Whether it carries data depends on its pad length, the payload's first byte.
                if buf is head and len(head) < 10:
                    self._need = 10
                    continue
                pad = buf[at + 9]
                consumed = 10
            if buf is head:
                head.clear()
                self._need = 9
            else:
                pos += consumed
            self._skip = length - (consumed - 9)
            violation = self._frame(length, kind, flags, stream_id & 0x7FFFFFFF, pad, now)
            if violation is not None:
                return violation
        return None

    def _frame(self, length: int, kind: int, flags: int, stream_id: int, pad: int | None,
               now: float) -> Violation | None:
        if length > self.max_frame_size:
            return Violation(ErrorCodes.FRAME_SIZE_ERROR,
                             f"a frame of {length} bytes, more than max-frame-size {self.max_frame_size}")
        if self._block_stream:
            if kind != CONTINUATION or stream_id != self._block_stream:
                return Violation(ErrorCodes.PROTOCOL_ERROR, "a frame inside a header block")
            self._block_frames += 1
            self._block_bytes += length
            if flags & END_HEADERS:
                self._block_stream = 0
            return self._check_block()
        if kind in (HEADERS, PUSH_PROMISE):
            self._block_frames = 1
            self._block_bytes = length
            if not flags & END_HEADERS:
                self._block_stream = stream_id or -1   # (stream 0: h2 calls it a protocol error)
            return self._check_block()
        if kind == RST_STREAM:
            return self.count_reset(now)
        if kind == DATA:
            empty = length == 0 or (pad is not None and pad >= length - 1)
            if not empty or flags & END_STREAM:
                return None
        elif kind in _KNOWN:
            if kind not in _CONTROL:
                return None   # GOAWAY, or CONTINUATION outside a block (h2 rejects that)
        if self.control.hit(now):
            return Violation(ErrorCodes.ENHANCE_YOUR_CALM,
                             f"more than {self.control.limit} control frames in {self.control.period:g} s")
        return None

    def _check_block(self) -> Violation | None:
        if self._block_bytes > self.max_header_block:
            return Violation(ErrorCodes.ENHANCE_YOUR_CALM,
                             f"a header block over {self.max_header_block} bytes")
        if self._block_frames > self.max_continuations:
            return Violation(ErrorCodes.ENHANCE_YOUR_CALM,
                             f"a header block in more than {self.max_continuations} frames")
        return None
