"""HTTP/2 on h2, sans-IO.

:class:`HTTP2Protocol` wraps an ``h2.connection.H2Connection`` and turns its frame-level events into
what a server acts on: a complete request (head and body) on a stream, a stream the client cancelled,
a flow-control window that opened, the end of the connection. It also writes responses (Date and
Server headers, content-length, no body for HEAD, 204 and 304) and answers the requests it can judge
by itself:

- a malformed header block (bad pseudo-headers, upper-case or connection-specific names, ...) is a
  stream error, so it gets ``400`` on that stream only; h2 would make it a connection error, which
  is why its inbound header validation is switched off here and run per request instead;
- a body over ``server.max-body-size`` gets ``413`` as soon as that is known (the rest of it is
  acknowledged and dropped);
- a frame-level protocol error ends the connection with GOAWAY (h2 queues it);
- a client that floods the connection (streams opened and reset, control frames, endless header
  blocks, oversized frames; see :mod:`.http2_guard`) gets GOAWAY ENHANCE_YOUR_CALM before h2 has
  parsed the bytes that crossed the limit. A stream reset in the same bytes that opened it never
  becomes a RequestReady, so its handler is not started at all.

Received body bytes are handed back to the peer's flow-control window at once: the body is kept in
memory until it is complete anyway, and max-body-size bounds it. No sockets, no clocks here; the
caller passes the arrival time in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Callable

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
from hpack import Encoder, NeverIndexedHeaderTuple
from hyperframe.frame import GoAwayFrame

from ...messages import Response
from .common import RequestHead, response_fields
from .errors import ProtocolError
from .http2_guard import FrameGuard, Violation

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# What decides that a connection speaks HTTP/2 with prior knowledge. A connection that starts like
# this and then gets the rest of the preface wrong is answered with GOAWAY PROTOCOL_ERROR.
PREFACE_START = b"PRI * HTTP/2.0\r\n"

ErrorCodes = h2.errors.ErrorCodes

# RFC 9113 8.2.2: HTTP/1.1 connection-specific fields that must not be sent over HTTP/2 (and TE,
# allowed in requests only, with "trailers").
_CONNECTION_SPECIFIC = frozenset(("connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                  "upgrade", "te", "content-length"))
# Response fields kept out of the HPACK dynamic table (RFC 7541 7.1.3): sensitive ones, and the
# request id, new in every response, which would only push the fields that repeat out of the table
# and make every later lookup in it longer. The first response of a connection, and every
# _NAME_REFRESH-th after it, puts its request id in the table all the same, so that the others
# name the field by its index there (a byte instead of the Huffman-coded name) while it lasts.
_NEVER_INDEXED = frozenset((b"x-request-id", b"set-cookie", b"authorization", b"proxy-authorization"))
_NAME_REFRESH = 1024
_TOKEN68_BASE64URL = re.compile(r"[A-Za-z0-9_-]*=*")   # RFC 7540 3.2.1 (and padding, tolerated)


@dataclass(frozen=True, slots=True)
class HTTP2Settings:
    """What the server announces in its SETTINGS frame (and the connection window it opens)."""

    max_concurrent_streams: int = 100
    initial_window_size: int = 1 << 20
    max_header_list_size: int = 65536
    max_frame_size: int = 16384
    # Not announced: what a client may do per 10 seconds before GOAWAY ENHANCE_YOUR_CALM.
    max_resets: int = 200
    max_control_frames: int = 1000

    @classmethod
    def from_config(cls, config) -> HTTP2Settings:
        return cls(max_concurrent_streams=config.server_http2_max_concurrent_streams,
                   initial_window_size=config.server_http2_initial_window_size,
                   max_header_list_size=config.server_http2_max_header_list_size,
                   max_frame_size=config.server_http2_max_frame_size,
                   max_resets=config.server_http2_max_resets,
                   max_control_frames=config.server_http2_max_control_frames)


# -- events ------------------------------------------------------------------------------------------
# (RequestHead, the head of a request, is the one HTTP/1.1 emits too: see .common.)


@dataclass(frozen=True, slots=True)
class RequestReady:
    """A request whose header block and body are complete: serve it."""

    stream_id: int
    head: RequestHead
    body: bytes
    arrived: float


@dataclass(frozen=True, slots=True)
class RequestRejected:
    """A request this module already answered (400, 413, 501); for the log."""

    stream_id: int
    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class StreamCancelled:
    """The client reset the stream (RST_STREAM): stop working on it."""

    stream_id: int
    error_code: int


@dataclass(frozen=True, slots=True)
class WindowOpened:
    """The peer opened a send window; 0 means the whole connection (or every stream)."""

    stream_id: int


@dataclass(frozen=True, slots=True)
class ConnectionEnded:
    """The peer sent GOAWAY (``by_peer``), or broke the protocol or a limit (our GOAWAY is queued)."""

    error_code: int
    reason: str
    by_peer: bool = False


Event = RequestReady | RequestRejected | StreamCancelled | WindowOpened | ConnectionEnded


@dataclass(slots=True)
class _Incoming:
    """A request whose body is still arriving."""

    head: RequestHead
    arrived: float
    body: bytearray = field(default_factory=bytearray)


class _LiteralEncoder(Encoder):
    """HPACK without Huffman coding for the response heads.

    After a connection's first response, the fields that repeat (content-type, server, the
    date of this second) are indexed and cost a byte or two whatever the coding; what is left
    as literals is mostly the request id (never indexed) and content-length, which Huffman
    shortens by a few bytes at a cost that hpack pays in Python, byte by byte: 4% of the
    instructions of a small HTTP/2 response.
    """

    def encode(self, headers, huffman: bool = False) -> bytes:
        return super().encode(headers, huffman)


class HTTP2Protocol:
    # Makes the X-Request-Id of a request answered here (the server's request ids), or None.
    new_request_id: Callable[[], str] | None = None

    def __init__(self, settings: HTTP2Settings | None = None,
                 max_body_size: int = 64 * 1024 * 1024) -> None:
        self.settings = settings or HTTP2Settings()
        self.max_body_size = max_body_size
        # Outbound headers are checked, lower-cased and stripped by response_fields already (and
        # given the kinds h2 would mark never-indexed): h2 need not walk them again.
        config = h2.config.H2Configuration(client_side=False, header_encoding=None,
                                           validate_inbound_headers=False,
                                           validate_outbound_headers=False,
                                           normalize_outbound_headers=False)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.encoder = _LiteralEncoder()
        codes = h2.settings.SettingCodes
        s = self.settings
        # Announced in the first SETTINGS frame; h2 applies settings given here at once rather than
        # on the peer's ACK, so the limits it derives from them are set by hand as well.
        self.conn.local_settings = h2.settings.Settings(client=False, initial_values={
            codes.MAX_CONCURRENT_STREAMS: s.max_concurrent_streams,
            codes.INITIAL_WINDOW_SIZE: s.initial_window_size,
            codes.MAX_HEADER_LIST_SIZE: s.max_header_list_size,
            codes.MAX_FRAME_SIZE: s.max_frame_size,
            codes.ENABLE_PUSH: 0,
        })
        self.conn.max_inbound_frame_size = s.max_frame_size
        self.conn.decoder.max_header_list_size = s.max_header_list_size
        self.guard = FrameGuard(max_resets=s.max_resets, max_control_frames=s.max_control_frames,
                                max_header_block=s.max_header_list_size, max_frame_size=s.max_frame_size)
        self._incoming: dict[int, _Incoming] = {}
        self._now = 0.0
        self._aborted: ConnectionEnded | None = None
        self._announced_last: int | None = None   # of a graceful GOAWAY already sent
        self._heads = 0   # response heads sent
        self.closed = False

    # -- starting ----------------------------------------------------------------------------------
    def initiate(self) -> None:
        """Queue the server preface for a connection that starts with the client's preface."""
        self.conn.initiate_connection()
        self._open_connection_window()

    def initiate_upgrade(self, settings_header: str) -> None:
        """Take over a connection upgraded from HTTP/1.1 (``Upgrade: h2c``).

        ``settings_header`` is the HTTP2-Settings field (base64url SETTINGS payload). Stream 1 is
        then the upgrading request, half-closed: answer it with :meth:`send_headers` and friends.
        Raises ProtocolError (400: the field is malformed) when it is not valid, before anything
        is queued for sending that matters; the caller may then answer in HTTP/1.1 instead, as a
        server that ignores the upgrade does.
        """
        value = settings_header.strip()
        if not _TOKEN68_BASE64URL.fullmatch(value):
            raise ProtocolError(400, "bad HTTP2-Settings: not base64url")
        try:
            payload = value.encode("ascii") + b"=" * (-len(value) % 4)
            self.conn.initiate_upgrade_connection(payload)
        except Exception as exc:   # base64, hyperframe and h2 errors alike
            raise ProtocolError(400, f"bad HTTP2-Settings: {exc}") from None
        self._open_connection_window()

    def _open_connection_window(self) -> None:
        # The connection window always starts at 65535 (RFC 9113 6.9.2); open it as wide as one
        # stream's so that one upload is not throttled by the connection.
        increment = self.settings.initial_window_size - 65535
        if increment > 0:
            self.conn.increment_flow_control_window(increment)

    # -- input -------------------------------------------------------------------------------------
    def receive_data(self, data: bytes, now: float = 0.0) -> list[Event]:
        """Feed bytes from the peer; ``now`` stamps the requests whose headers are in them."""
        if self.closed:
            return []
        self._now = now
        violation = self.guard.scan(data, now)
        if violation is not None:
            return [self._abort(violation)]
        try:
            h2_events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as exc:
            self.closed = True
            code = getattr(exc, "error_code", ErrorCodes.PROTOCOL_ERROR)
            if self.conn.state_machine.state is not h2.connection.ConnectionState.CLOSED:
                # A bad preface fails before h2 has queued its GOAWAY.
                self.conn.close_connection(error_code=code)
            return [ConnectionEnded(int(code), str(exc) or type(exc).__name__)]
        events: list[Event] = []
        for event in h2_events:
            if isinstance(event, h2.events.RequestReceived):
                self._headers(event, now, events)
            elif isinstance(event, h2.events.DataReceived):
                self._data(event, events)
            elif isinstance(event, h2.events.StreamEnded):
                self._ended(event.stream_id, events)
            elif isinstance(event, h2.events.StreamReset):
                self._incoming.pop(event.stream_id, None)
                events.append(StreamCancelled(event.stream_id, int(event.error_code or 0)))
                if not event.remote_reset:
                    # h2 reset it for a stream error the client made: as costly as a reset.
                    violation = self.guard.count_reset(now)
                    if violation is not None:
                        return [self._abort(violation, event.stream_id)]
            elif isinstance(event, h2.events.WindowUpdated):
                events.append(WindowOpened(event.stream_id))
            elif isinstance(event, h2.events.RemoteSettingsChanged):
                if h2.settings.SettingCodes.INITIAL_WINDOW_SIZE in event.changed_settings:
                    events.append(WindowOpened(0))
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.closed = True
                reason = (event.additional_data or b"").decode("utf-8", "replace")
                events.append(ConnectionEnded(int(event.error_code or 0), reason or "GOAWAY received",
                                              by_peer=True))
            # TrailersReceived: trailers are not part of the Request value; StreamEnded follows.
            # Ping, settings ACK, priority: h2 has dealt with them.
            if self._aborted is not None:   # a reset too many in _reject
                return [self._aborted]
        cancelled = {event.stream_id for event in events if isinstance(event, StreamCancelled)}
        if cancelled:
            # Opened and reset in the same bytes: nothing to serve (stream ids are never reused).
            events = [event for event in events
                      if not (isinstance(event, RequestReady) and event.stream_id in cancelled)]
        return events

    def _abort(self, violation: Violation, last_stream_id: int | None = None) -> ConnectionEnded:
        """End the connection for a limit the client crossed: GOAWAY with the violation's code.

        ``last_stream_id``: the stream that crossed it, when h2 has already opened later ones that
        will never be served (the client may retry those); else h2's highest stream id.
        """
        self._incoming.clear()
        self.close(violation.error_code, last_stream_id)
        self._aborted = ConnectionEnded(int(violation.error_code), violation.reason)
        return self._aborted

    def _headers(self, event: h2.events.RequestReceived, now: float, events: list[Event]) -> None:
        stream_id = event.stream_id
        try:
            head = _request_head(event.headers)
        except ProtocolError as exc:
            self._reject(stream_id, exc.status, str(exc), "", events, reset=event.stream_ended is None)
            return
        length = next((v for k, v in head.headers if k == "content-length"), None)
        if length is not None and length.isdigit() and int(length) > self.max_body_size:
            self._reject(stream_id, 413, "request body larger than server.max-body-size", head.method,
                         events)
            return
        self._incoming[stream_id] = _Incoming(head, now)
        if event.stream_ended is not None:
            self._ended(stream_id, events)

    def _data(self, event: h2.events.DataReceived, events: list[Event]) -> None:
        stream_id = event.stream_id
        # Give the window back at once, whether the data is kept or dropped.
        self.conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
        incoming = self._incoming.get(stream_id)
        if incoming is None:
            return
        incoming.body += event.data
        if len(incoming.body) > self.max_body_size:
            del self._incoming[stream_id]
            self._reject(stream_id, 413, "request body larger than server.max-body-size",
                         incoming.head.method, events)

    def _ended(self, stream_id: int, events: list[Event]) -> None:
        incoming = self._incoming.pop(stream_id, None)
        if incoming is not None:
            events.append(RequestReady(stream_id, incoming.head, bytes(incoming.body), incoming.arrived))

    def _reject(self, stream_id: int, status: int, reason: str, method: str, events: list[Event],
                reset: bool = False) -> None:
        """Answer a request here. The rest of its body, if any, is acknowledged and dropped; with
        ``reset`` (a malformed request) the stream is reset after the answer instead."""
        body = f"{status} {_phrase(status)}\n".encode()
        response = Response(status, [("content-type", "text/plain; charset=utf-8")], body)
        if self.new_request_id is not None:
            response.headers.append(("x-request-id", self.new_request_id()))
        events.append(RequestRejected(stream_id, status, reason))
        if self.conn.state_machine.state is h2.connection.ConnectionState.CLOSED:
            return   # the client's GOAWAY came in the same bytes, after the request: nobody to answer
        try:
            self.send_headers(stream_id, response, len(body), end_stream=False)
            if method != "HEAD" and self.send_window(stream_id) >= len(body):
                self.conn.send_data(stream_id, body, end_stream=True)
            else:
                self.conn.end_stream(stream_id)
            if not reset:
                return
            # RFC 9113 8.1: a complete response sent early; ask the client to stop sending. Not
            # done for 413: some clients (httpx) take the reset for a failure and lose the 413.
            self.conn.reset_stream(stream_id, ErrorCodes.NO_ERROR)
        except (h2.exceptions.StreamClosedError, h2.exceptions.StreamIDTooLowError):
            # Events are acted on after h2 has read all the bytes they came in: the client reset
            # the stream later in them, or its END_STREAM let the answer close it already; or h2
            # closed it and has already forgotten it (a higher stream opened since: "too low").
            return
        violation = self.guard.count_reset(self._now)
        if violation is not None:
            events.append(self._abort(violation, stream_id))

    # -- output ------------------------------------------------------------------------------------
    def send_headers(self, stream_id: int, response: Response, body_length: int,
                     end_stream: bool) -> None:
        """Queue the response head; ``end_stream`` when no body follows.

        The fields are HTTP/1.1's (:func:`~.common.response_fields`), names in lower case, without
        the connection-specific ones; one that cannot be sent is a ProtocolError (500), raised
        before anything is queued.
        """
        headers = response_fields(response, body_length, _CONNECTION_SPECIFIC, lower=True)
        index_id = self._heads % _NAME_REFRESH == 0
        self._heads += 1
        for i, (name, value) in enumerate(headers):
            if name in _NEVER_INDEXED and not (index_id and name == b"x-request-id"):
                headers[i] = NeverIndexedHeaderTuple(name, value)
        headers.insert(0, (b":status", b"%d" % response.status))
        self.conn.send_headers(stream_id, headers, end_stream=end_stream)

    def send_error(self, stream_id: int, status: int, method: str) -> None:
        """Answer a request with a short plain-text ``status`` instead of its response (one that
        :meth:`send_headers` refused); nothing of that response was queued."""
        self._reject(stream_id, status, "", method, [])

    def send_window(self, stream_id: int) -> int:
        """How many body bytes may be sent on the stream now (stream and connection windows)."""
        return self.conn.local_flow_control_window(stream_id)

    @property
    def max_frame_size(self) -> int:
        return self.conn.max_outbound_frame_size

    def send_data(self, stream_id: int, data: bytes | memoryview, end_stream: bool = False) -> None:
        """Queue body bytes; the caller keeps within :meth:`send_window` and :attr:`max_frame_size`."""
        self.conn.send_data(stream_id, data, end_stream=end_stream)

    def end_stream(self, stream_id: int) -> None:
        self.conn.end_stream(stream_id)

    def reset_stream(self, stream_id: int, error_code: int = ErrorCodes.INTERNAL_ERROR) -> None:
        """Reset a stream. A refusal (REFUSED_STREAM) counts against max-resets, like a client's
        reset: over the limit, the connection is closed (GOAWAY queued, :attr:`closed` set)."""
        try:
            self.conn.reset_stream(stream_id, error_code)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            return   # already closed on both sides: nothing to reset
        if error_code == ErrorCodes.REFUSED_STREAM and not self.closed:
            violation = self.guard.count_reset(self._now)
            if violation is not None:
                self._abort(violation)

    def goaway_frame(self, last_stream_id: int | None = None, error_code: int = 0) -> bytes:
        """A GOAWAY that leaves the connection usable for the streams already open.

        h2's ``close_connection`` closes its state machine, after which open streams can send no
        more; a graceful shutdown sends this frame instead and ends the streams first.
        """
        frame = GoAwayFrame(0)
        frame.last_stream_id = self.conn.highest_inbound_stream_id if last_stream_id is None else last_stream_id
        frame.error_code = error_code
        self._announced_last = frame.last_stream_id
        return frame.serialize()

    def close(self, error_code: int = ErrorCodes.NO_ERROR, last_stream_id: int | None = None) -> None:
        """Queue the final GOAWAY (its last stream id never above one announced before)."""
        if self._announced_last is not None:
            last_stream_id = min(self._announced_last, self.conn.highest_inbound_stream_id
                                 if last_stream_id is None else last_stream_id)
        if not self.closed:
            self.closed = True
            try:
                self.conn.close_connection(error_code=error_code, last_stream_id=last_stream_id)
            except h2.exceptions.ProtocolError:
                pass

    def data_to_send(self) -> bytes:
        return self.conn.data_to_send()

    @property
    def highest_stream_id(self) -> int:
        return self.conn.highest_inbound_stream_id

    @property
    def pending_requests(self) -> int:
        """Requests whose body is still arriving."""
        return len(self._incoming)


# -- request heads -----------------------------------------------------------------------------------
# RFC 9113 8.2.1: a name has no controls, space, upper case, DEL or higher, and a colon only first
# (a pseudo-header); a value has no NUL, CR or LF, and no space or tab at either end.
_FIELD_NAME = re.compile(rb":?[!-9;-@\[-~]+")
_FIELD_VALUE = re.compile(rb"(?:[^\x00\n\r \t](?:[^\x00\n\r]*[^\x00\n\r \t])?)?")
_REQUEST_PSEUDO = frozenset((b":method", b":scheme", b":authority", b":path", b":protocol"))
_HOP_BY_HOP = frozenset((b"connection", b"proxy-connection", b"keep-alive", b"transfer-encoding",
                         b"upgrade"))


def _request_head(raw: list[tuple[bytes, bytes]]) -> RequestHead:
    """Check a request header block (RFC 9113 8.2, 8.3) and split it; a ProtocolError (400, or 501
    for CONNECT) when it is malformed.

    The checks are those of h2's ``validate_headers`` for a request (which h2 makes as a chain of
    generators, one per rule), in one pass.
    """
    pseudo: dict[str, str] = {}
    headers: list[tuple[str, str]] = []
    host: str | None = None
    regular = False
    for name, value in raw:
        if _FIELD_NAME.fullmatch(name) is None:
            raise ProtocolError(400, f"invalid header name {name!r}")
        if _FIELD_VALUE.fullmatch(value) is None:
            raise ProtocolError(400, f"invalid value for header {name!r}")
        if name[0] == 0x3a:   # ":"
            if regular:
                raise ProtocolError(400, f"pseudo-header field {name!r} after a regular one")
            if name not in _REQUEST_PSEUDO:
                raise ProtocolError(400, f"pseudo-header field {name!r} not allowed in a request")
            key = name.decode("latin-1")
            if key in pseudo:
                raise ProtocolError(400, f"duplicate pseudo-header field {name!r}")
            pseudo[key] = value.decode("latin-1")
            continue
        regular = True
        if name in _HOP_BY_HOP:
            raise ProtocolError(400, f"connection-specific header field {name!r}")
        if name == b"te" and value.lower() != b"trailers":
            raise ProtocolError(400, f"invalid value for TE: {value!r}")
        text = value.decode("latin-1")
        if name == b"host":
            if host is not None:
                raise ProtocolError(400, "more than one Host header")
            host = text
        headers.append((name.decode("latin-1"), text))
    method = pseudo.get(":method")
    if method is None:
        raise ProtocolError(400, "no :method")
    if method == "CONNECT" and ":protocol" not in pseudo:
        if ":scheme" in pseudo or ":path" in pseudo:
            raise ProtocolError(400, "CONNECT with :scheme or :path")
    elif ":scheme" not in pseudo or ":path" not in pseudo:
        raise ProtocolError(400, "no :scheme or no :path")
    authority = pseudo.get(":authority")
    if authority is None and host is None:
        raise ProtocolError(400, "neither :authority nor Host")
    if authority is not None and host is not None and authority != host:
        raise ProtocolError(400, f":authority {authority!r} and Host {host!r} differ")
    if pseudo.get(":path") == "":
        raise ProtocolError(400, "empty :path")
    if method == "CONNECT":
        raise ProtocolError(501, "CONNECT is not supported")
    if ":protocol" in pseudo:
        raise ProtocolError(400, ":protocol is only allowed with CONNECT")
    target = pseudo[":path"]
    if not target.startswith("/") and not (target == "*" and method == "OPTIONS"):
        raise ProtocolError(400, f":path {target!r} is not an absolute path")
    if authority is not None and host is None:
        # The same request.headers on both protocols: HTTP/2 carries the host in :authority.
        headers.insert(0, ("host", authority))
    return RequestHead(method, target, "2", headers, authority, pseudo.get(":scheme"))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
