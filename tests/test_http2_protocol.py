"""HTTP2Protocol without sockets: an h2 client connection in memory talks to it byte for byte."""

from __future__ import annotations

import base64

import h2.config
import h2.connection
import h2.errors
import h2.events
import pytest

from petrel.messages import Response
from petrel.server.protocol.http2 import (ConnectionEnded, HTTP2Protocol, HTTP2Settings, ProtocolError,
                                          RequestReady, RequestRejected, StreamCancelled, WindowOpened)


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
    assert (ready.head.method, ready.head.path, ready.head.query) == ("POST", "/a/b", "x=1")
    assert ready.head.authority == "example.test"
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
    assert [e.head.path for e in pair.of(RequestReady)] == ["/next"]


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
    with pytest.raises(ProtocolError):
        HTTP2Protocol().initiate_upgrade("!!!")
    with pytest.raises(ProtocolError):
        HTTP2Protocol().initiate_upgrade(base64.urlsafe_b64encode(b"\x00\x04\xff\xff\xff\xff").decode())


def test_graceful_goaway_frame_keeps_streams_usable():
    pair = Pair()
    stream_id = pair.request(head())
    frame = pair.server.goaway_frame()
    assert frame[3] == 7   # GOAWAY
    pair.server.send_headers(stream_id, Response(200), 0, end_stream=True)   # still allowed
    assert pair.server.data_to_send()
