"""HTTP/2 on the HTTP port: prior knowledge, h2c upgrade, streams, flow control, resets, errors.

Real servers on loopback; clients are httpx (http2=True), curl, nghttp and h2load where installed,
and :class:`RawH2`, a bare h2-library client on a socket for what the others would never send.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings
import httpx
import pytest
from hyperframe.frame import DataFrame, Frame, RstStreamFrame

from support import EXAMPLES, ServerProcess, engine_available, petrel_command, write_service

JSON_BODY = b'{\n  "plain":"/json/foo=bar:1",\n  "encoded":"L2pzb24vZm9vPWJhcjox"\n}\n'
TEXT_BODY = b"plain: /text/foo=bar:2\nencoded: L3RleHQvZm9vPWJhcjoy\n"
GETTING_STARTED = EXAMPLES / "getting-started" / "lua"
CONFIG = EXAMPLES / "getting-started" / "petrel.conf"
READ_TIMEOUT = 10.0

# A service for the edge cases: a slow handler, an echo, a big answer, the request's fields.
SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/slow", "slow")
            petrel.add_route("/fast", "fast")
            petrel.add_route("/echo", "echo")
            petrel.add_route("/big", "big")
            petrel.add_route("/info", "info")
            petrel.add_route("/fields", "fields")
        end
    """,
    "handlers.lua": """
        function slow(request, response)
            print(LOG_INFO, "slow started " .. request.path)
            petrel.sleep_millis(tonumber(request.args.ms) or 2000)
            response.content = "slow"
            return response
        end

        function fast(request, response)
            response.content = "fast"
            return response
        end

        function echo(request, response)
            response.headers["x-md5"] = hash.md5(request.content)
            response.headers["content-type"] = "application/octet-stream"
            response.content = request.content
            return response
        end

        function big(request, response)
            response.content = string.rep("0123456789abcdef", tonumber(request.args.kib) * 64)
            return response
        end

        function fields(request, response)
            response.headers["te"] = "trailers"
            response.headers["set-cookie"] = "session=s3cret"
            response.headers["x-kind"] = "fields"
            response.content = "fields"
            return response
        end

        function info(request, response)
            response.content = table.concat({
                "method=" .. request.method, "proto=" .. request.proto, "host=" .. request.host,
                "path=" .. request.path, "query=" .. (request.query or ""),
                "version=" .. (request.http_version or ""),
                "cookie=" .. (request.headers["cookie"] or ""),
                "a=" .. (request.cookies["a"] or ""), "b=" .. (request.cookies["b"] or ""),
                "x-test=" .. (request.headers["x-test"] or ""),
                "host-header=" .. (request.headers["host"] or ""),
                "length=" .. #request.content}, "\\n") .. "\\n"
            return response
        end
    """,
}


def expected(path: str, count: int, kind: str) -> bytes:
    """The getting-started answer for ``path`` when the shared counter reaches ``count``."""
    plain = f"{path}:{count}"
    encoded = base64.b64encode(plain.encode()).decode()
    if kind == "json":
        return f'{{\n  "plain":"{plain}",\n  "encoded":"{encoded}"\n}}\n'.encode()
    return f"plain: {plain}\nencoded: {encoded}\n".encode()


def test_expected_matches_the_documented_bytes():
    assert expected("/json/foo=bar", 1, "json") == JSON_BODY
    assert expected("/text/foo=bar", 2, "text") == TEXT_BODY


# -- a bare HTTP/2 client ----------------------------------------------------------------------------
class RawH2:
    """An h2 client connection on a blocking socket; every read has a timeout, every loop a deadline."""

    def __init__(self, port: int, *, validate: bool = True, settings: dict | None = None,
                 tls: ssl.SSLContext | None = None, send_preface: bool = True,
                 sock: socket.socket | None = None, upgrade: bool = False) -> None:
        if sock is None:
            sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT)
            if tls is not None:
                sock = tls.wrap_socket(sock, server_hostname="localhost")
        sock.settimeout(READ_TIMEOUT)
        self.sock = sock
        config = h2.config.H2Configuration(client_side=True, header_encoding=None,
                                           validate_outbound_headers=validate,
                                           normalize_outbound_headers=validate)
        self.conn = h2.connection.H2Connection(config)
        self.responses: dict[int, dict] = {}
        self.goaway: h2.events.ConnectionTerminated | None = None
        self.remote_settings: dict = {}
        self.closed = False
        self.auto_ack = True
        if upgrade:
            self.conn.initiate_upgrade_connection()
            self.responses[1] = self._new()
        elif send_preface:
            self.conn.initiate_connection()
        if settings:
            self.conn.update_settings(settings)
        if send_preface or upgrade:
            self.flush()

    @staticmethod
    def _new() -> dict:
        return {"status": None, "headers": {}, "body": bytearray(), "ended": False, "reset": None}

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, path: str, method: str = "GET", headers: list | None = None, body: bytes = b"",
                end_stream: bool | None = None, raw_headers: list | None = None) -> int:
        stream_id = self.conn.get_next_available_stream_id()
        if raw_headers is None:
            raw_headers = [(":method", method), (":scheme", "http"), (":authority", "localhost"),
                           (":path", path)] + list(headers or [])
        self.responses[stream_id] = self._new()
        done = end_stream if end_stream is not None else not body
        self.conn.send_headers(stream_id, [(k.encode(), v.encode()) for k, v in raw_headers], end_stream=done)
        self.flush()
        if body:
            self.send_body(stream_id, body, end_stream=end_stream is None or end_stream)
        return stream_id

    def send_body(self, stream_id: int, body: bytes, end_stream: bool = True) -> None:
        """Send within the server's windows, reading WINDOW_UPDATEs while they are closed."""
        view = memoryview(body)
        offset = 0
        deadline = time.monotonic() + 60
        while offset < len(view):
            assert time.monotonic() < deadline, "the server's window never opened"
            if self.responses[stream_id]["ended"] or self.responses[stream_id]["reset"] is not None:
                return   # answered (413) or reset: stop sending
            window = self.conn.local_flow_control_window(stream_id)
            if window <= 0:
                self.pump(lambda: self.conn.local_flow_control_window(stream_id) > 0
                          or self.responses[stream_id]["reset"] is not None
                          or self.responses[stream_id]["ended"])
                continue
            size = min(window, self.conn.max_outbound_frame_size, len(view) - offset)
            last = end_stream and offset + size == len(view)
            self.conn.send_data(stream_id, view[offset:offset + size].tobytes(), end_stream=last)
            offset += size
            self.flush()

    def reset(self, stream_id: int, code: int = h2.errors.ErrorCodes.CANCEL) -> None:
        self.conn.reset_stream(stream_id, code)
        self.flush()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def receive_once(self) -> None:
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise AssertionError("no answer from the server within the read timeout") from None
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        if not data:
            self.closed = True
            return
        for event in self.conn.receive_data(data):
            self._event(event)
        self.flush()

    def _event(self, event) -> None:
        if isinstance(event, h2.events.ResponseReceived):
            headers = {k.decode(): v.decode() for k, v in event.headers}
            response = self.responses.setdefault(event.stream_id, self._new())
            response["status"] = int(headers[":status"])
            response["headers"] = headers
            response["raw"] = event.headers
        elif isinstance(event, h2.events.DataReceived):
            self.responses[event.stream_id]["body"] += event.data
            if self.auto_ack:
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.responses[event.stream_id]["ended"] = True
        elif isinstance(event, h2.events.StreamReset):
            self.responses.setdefault(event.stream_id, self._new())["reset"] = event.error_code
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.goaway = event
        elif isinstance(event, h2.events.RemoteSettingsChanged):
            for code, change in event.changed_settings.items():
                self.remote_settings[code] = change.new_value

    def pump(self, until, timeout: float = READ_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not until():
            assert not self.closed, "the server closed the connection"
            assert time.monotonic() < deadline, "timed out waiting for the server"
            self.receive_once()

    def pump_until_closed(self, timeout: float = READ_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.closed:
            assert time.monotonic() < deadline, "the server did not close the connection"
            self.receive_once()

    def response(self, stream_id: int, timeout: float = READ_TIMEOUT) -> dict:
        self.pump(lambda: self.responses[stream_id]["ended"] or self.responses[stream_id]["reset"] is not None,
                  timeout)
        return self.responses[stream_id]

    def get(self, path: str, **kwargs) -> dict:
        return self.response(self.request(path, **kwargs))


DEFAULT_ENGINE = ("auto", None)   # lupa when it imports, else lark


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for the tests that only need answers; it outlives the connections they break."""
    base = tmp_path_factory.mktemp("http2")
    root = write_service(base / "service", SERVICE)
    log_path = base / "server.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            petrel_command("serve", f"--lua.root={root}", "--engine=auto", "--server.listen=127.0.0.1",
                           "--server.port=0", "--lua.statebuffer=4", "--log.level=7"),
            stdout=log_file, stderr=subprocess.STDOUT, cwd=str(base),
            env=dict(os.environ, PYTHONUNBUFFERED="1"))
    server = ServerProcess(process, log_path)
    try:
        server.port = int(server.wait_for_log(r"listening on \S+ port (\d+)", 30).group(1))
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.log()


def h2_client(server, **kwargs) -> httpx.Client:
    """httpx speaking HTTP/2 with prior knowledge to a plain-text port."""
    return httpx.Client(base_url=server.url, http1=False, http2=True, timeout=30, **kwargs)


def run_tool(args: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, timeout=timeout)


def curl_get(curl: str, url: str, *flags: str) -> tuple[bytes, str]:
    """The body and the HTTP version curl used."""
    result = run_tool([curl, "-s", "-S", "-o", "-", "-w", "\n%{http_version}", *flags, url])
    assert result.returncode == 0, result.stderr
    body, _, version = result.stdout.rpartition(b"\n")
    return body, version.decode()


# -- the getting-started service ---------------------------------------------------------------------
def test_getting_started_over_h2c_with_httpx(start_server, engine):
    server = start_server(GETTING_STARTED, engine, config=CONFIG)
    with h2_client(server) as client:
        first = client.get("/json/foo=bar")
        second = client.get("/text/foo=bar")
    assert first.http_version == second.http_version == "HTTP/2"
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == "application/json"
    assert second.headers["content-type"] == "text/plain"
    assert first.content == JSON_BODY
    assert second.content == TEXT_BODY
    for response in (first, second):
        assert response.headers["server"].startswith("petrel/")
        assert response.headers["date"].endswith(" GMT")
        assert response.headers["content-length"] == str(len(response.content))
    # then the command-line clients, one after the other on the same server: the counter goes on
    curl = shutil.which("curl")
    nghttp = shutil.which("nghttp")
    count = 2
    for name, tool, flags in (("curl, prior knowledge", curl, ["--http2-prior-knowledge"]),
                              ("curl, h2c upgrade", curl, ["--http2"]),
                              ("nghttp, prior knowledge", nghttp, []),
                              ("nghttp, h2c upgrade", nghttp, ["-u"])):
        if tool is None:
            continue
        for kind in ("json", "text"):
            count += 1
            url = f"{server.url}/{kind}/foo=bar"
            if tool == curl:
                body, version = curl_get(curl, url, *flags)
                assert version == "2", name
            else:
                result = run_tool([nghttp, *flags, url])
                assert result.returncode == 0, result.stderr
                body = result.stdout
            assert body == expected(f"/{kind}/foo=bar", count, kind), name


CLI_CLIENTS = {
    "curl-prior-knowledge": ("curl", ["--http2-prior-knowledge"]),
    "curl-upgrade": ("curl", ["--http2"]),
    "nghttp-prior-knowledge": ("nghttp", []),
    "nghttp-upgrade": ("nghttp", ["-u"]),
}


@pytest.mark.parametrize("client", sorted(CLI_CLIENTS))
def test_getting_started_documented_bytes_with(start_server, client):
    """Each command-line client, first on a fresh server, gets exactly the documented bytes."""
    name, flags = CLI_CLIENTS[client]
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"{name} is not installed")
    server = start_server(GETTING_STARTED, DEFAULT_ENGINE, config=CONFIG)
    bodies = []
    for path in ("/json/foo=bar", "/text/foo=bar"):
        if name == "curl":
            body, version = curl_get(tool, f"{server.url}{path}", *flags)
            assert version == "2"
        else:
            result = run_tool([tool, *flags, f"{server.url}{path}"])
            assert result.returncode == 0, result.stderr
            body = result.stdout
        bodies.append(body)
    assert bodies == [JSON_BODY, TEXT_BODY]


def test_h2load(start_server):
    h2load = shutil.which("h2load")
    if h2load is None:
        pytest.skip("h2load is not installed (nghttp2-client)")
    reason = engine_available("lupa", "luajit")
    if reason:
        pytest.skip(f"a load test for the lupa engine: {reason}")
    server = start_server(GETTING_STARTED, ("lupa", "luajit"), "--log.level=5", config=CONFIG,
                          statebuffer=100)
    result = run_tool([h2load, "-n", "10000", "-c", "10", "-m", "10", f"{server.url}/json/foo"], timeout=120)
    output = result.stdout.decode()
    assert result.returncode == 0, output + result.stderr.decode()
    assert re.search(r"requests: 10000 total, 10000 started, 10000 done, 10000 succeeded, "
                     r"0 failed, 0 errored", output), output
    assert "10000 2xx" in output
    rate = re.search(r"finished in \S+, ([\d.]+) req/s", output)
    print(f"h2load -n 10000 -c 10 -m 10: {rate.group(1) if rate else '?'} requests/s")


# -- concurrency -------------------------------------------------------------------------------------
def test_slow_stream_delays_no_other_stream(start_server, engine):
    server = start_server(SERVICE, engine)
    client = RawH2(server.port)
    try:
        slow = client.request("/slow?ms=1000")
        fast = [client.request(f"/fast?n={n}") for n in range(10)]
        client.pump(lambda: all(client.responses[s]["ended"] for s in fast))
        assert not client.responses[slow]["ended"], "the slow stream finished before the fast ones"
        for stream_id in fast:
            assert client.responses[stream_id]["status"] == 200
            assert bytes(client.responses[stream_id]["body"]) == b"fast"
        response = client.response(slow)
        assert response["status"] == 200 and bytes(response["body"]) == b"slow"
    finally:
        client.close()

    # the same with httpx, on one connection
    finished: list[str] = []

    async def fetch(client: httpx.AsyncClient, path: str) -> httpx.Response:
        response = await client.get(path)
        finished.append(path)
        return response

    async def main() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, http1=False, http2=True, timeout=30) as client:
            slow = asyncio.ensure_future(fetch(client, "/slow?ms=1000"))
            await asyncio.sleep(0.1)
            # one after the other: httpx hands a response over late when several arrive in one read
            fast = [await fetch(client, f"/fast?n={n}") for n in range(10)]
            assert not slow.done()
            return [await slow, *fast]

    responses = asyncio.run(main())
    assert [r.status_code for r in responses] == [200] * 11
    assert all(r.http_version == "HTTP/2" for r in responses)
    assert finished[-1] == "/slow?ms=1000"
    assert responses[0].content == b"slow"


def test_max_concurrent_streams_is_announced(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-concurrent-streams=7",
                          "--server.http2.initial-window-size=70000", "--server.http2.max-frame-size=32768",
                          "--server.http2.max-header-list-size=8192")
    client = RawH2(server.port)
    try:
        response = client.get("/fast")
        assert response["status"] == 200
        codes = h2.settings.SettingCodes
        assert client.remote_settings[codes.MAX_CONCURRENT_STREAMS] == 7
        assert client.remote_settings[codes.INITIAL_WINDOW_SIZE] == 70000
        assert client.remote_settings[codes.MAX_FRAME_SIZE] == 32768
        assert client.remote_settings[codes.MAX_HEADER_LIST_SIZE] == 8192
    finally:
        client.close()


# -- bodies and flow control -------------------------------------------------------------------------
def test_multi_mib_bodies_both_ways_with_httpx(start_server, engine):
    server = start_server(SERVICE, engine)
    upload = os.urandom(5 * 1024 * 1024 + 123)
    with h2_client(server) as client:
        echoed = client.post("/echo", content=upload)
        big = client.get("/big?kib=8192")
    assert echoed.status_code == 200 and echoed.http_version == "HTTP/2"
    assert echoed.headers["x-md5"] == hashlib.md5(upload).hexdigest()
    assert echoed.content == upload
    assert big.status_code == 200
    assert len(big.content) == 8 * 1024 * 1024
    assert big.content == b"0123456789abcdef" * (8 * 1024 * 64)


def test_flow_control_with_small_windows(start_server):
    """The server waits for WINDOW_UPDATEs when sending, and its own window is respected by h2."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.initial-window-size=65535")
    codes = h2.settings.SettingCodes
    client = RawH2(server.port, settings={codes.INITIAL_WINDOW_SIZE: 16384})
    try:
        upload = os.urandom(1024 * 1024 + 7)
        stream_id = client.request("/echo", method="POST", body=upload)
        response = client.response(stream_id, timeout=60)
        assert response["status"] == 200
        assert bytes(response["body"]) == upload
        # Now stop acknowledging: the server must stop at the window and go on when it opens.
        client.auto_ack = False
        stream_id = client.request("/big?kib=1024")
        client.pump(lambda: len(client.responses[stream_id]["body"]) >= 16384)
        time.sleep(0.3)
        client.sock.settimeout(0.3)
        try:
            client.receive_once()
        except AssertionError:
            pass   # nothing more arrived: the window is closed
        client.sock.settimeout(READ_TIMEOUT)
        assert len(client.responses[stream_id]["body"]) <= 65535   # stream window <= connection window
        assert not client.responses[stream_id]["ended"]
        client.auto_ack = True
        received = len(client.responses[stream_id]["body"])
        client.conn.acknowledge_received_data(received, stream_id)
        client.conn.increment_flow_control_window(1024 * 1024 * 2, stream_id)
        client.conn.increment_flow_control_window(1024 * 1024 * 2)
        client.flush()
        response = client.response(stream_id, timeout=30)
        assert len(response["body"]) == 1024 * 1024
    finally:
        client.close()


def test_body_over_max_body_size_gets_413(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.max-body-size=100000")
    with h2_client(server) as client:
        declared = client.post("/echo", content=b"x" * 200000)
        assert declared.status_code == 413

        def chunks():   # no content-length: the limit is found while the body arrives
            for _ in range(20):
                yield b"y" * 20000

        streamed = client.post("/echo", content=chunks())
        assert streamed.status_code == 413
        fine = client.post("/echo", content=b"z" * 100000)
        assert fine.status_code == 200 and fine.content == b"z" * 100000
    raw = RawH2(server.port)
    try:
        stream_id = raw.request("/echo", method="POST", end_stream=False)
        raw.send_body(stream_id, b"w" * 150000, end_stream=True)
        response = raw.response(stream_id)
        assert response["status"] == 413
        assert raw.get("/fast")["status"] == 200
    finally:
        raw.close()


def test_head_has_no_body(shared_server):
    server = shared_server
    with h2_client(server) as client:
        response = client.head("/fast")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "4"


def test_response_heads_keep_one_off_fields_out_of_the_hpack_table(shared_server):
    """The request id (new in every response) and Set-Cookie go as never-indexed literals, the
    fields that repeat into the dynamic table (and the first request id, naming the field for the
    others); TE, request-only, is not sent at all."""
    client = RawH2(shared_server.port)
    try:
        first, second, third = client.get("/fields"), client.get("/fields"), client.get("/fields")
    finally:
        client.close()
    assert type(first["raw"][[f[0] for f in first["raw"]].index(b"x-request-id")]).__name__ == "HeaderTuple"
    for response in (first, second, third):
        assert response["status"] == 200 and bytes(response["body"]) == b"fields"
        assert "te" not in response["headers"]
        assert response["headers"]["x-kind"] == "fields"
        assert response["headers"]["set-cookie"] == "session=s3cret"
        kinds = {name: type(field).__name__ for field in response["raw"] for name in [field[0]]}
        if response is not first:
            assert kinds[b"x-request-id"] == "NeverIndexedHeaderTuple"
        assert kinds[b"set-cookie"] == "NeverIndexedHeaderTuple"
        assert kinds[b"x-kind"] == kinds[b"server"] == "HeaderTuple"
    ids = {response["headers"]["x-request-id"] for response in (first, second, third)}
    assert len(ids) == 3


def test_static_files_stream_over_http2(start_server, tmp_path):
    files = tmp_path / "static"
    files.mkdir()
    content = os.urandom(3 * 1024 * 1024 + 5)   # above the size that is read at once: streamed
    (files / "blob.bin").write_bytes(content)
    service = {"bootstrap.lua": f"""
        function bootstrap()
            petrel.add_directory_route("/static/", "{files}")
        end
    """}
    server = start_server(service, DEFAULT_ENGINE)
    with h2_client(server) as client:
        response = client.get("/static/blob.bin")
        head = client.head("/static/blob.bin")
    assert response.status_code == 200 and response.content == content
    assert head.content == b"" and head.headers["content-length"] == str(len(content))
    raw = RawH2(server.port)   # a download cancelled half-way leaves the connection usable
    try:
        raw.auto_ack = False
        stream_id = raw.request("/static/blob.bin")
        raw.pump(lambda: len(raw.responses[stream_id]["body"]) > 0)
        raw.reset(stream_id)
        raw.auto_ack = True
        assert raw.get("/static/nothing")["status"] == 404
    finally:
        raw.close()
    assert "Traceback" not in server.log()


def test_answers_that_finish_together_are_all_sent_whole(shared_server):
    """Many streams opened in one write (and a PING among them) finish in the same loop turn; their
    answers leave together, each stream's frames whole and in order, the PING answered."""
    client = RawH2(shared_server.port)
    try:
        streams = []
        for n in range(30):
            stream_id = client.conn.get_next_available_stream_id()
            path = "/fast" if n % 3 else f"/big?kib={n + 1}"
            client.responses[stream_id] = client._new()
            client.conn.send_headers(stream_id, [(b":method", b"GET"), (b":scheme", b"http"),
                                                 (b":authority", b"localhost"), (b":path", path.encode())],
                                     end_stream=True)
            streams.append((stream_id, n))
            if n == 15:
                client.conn.ping(b"midwayyy")
        client.flush()   # one write
        for stream_id, n in streams:
            response = client.response(stream_id)
            assert response["status"] == 200 and response["reset"] is None
            body = bytes(response["body"])
            if n % 3:
                assert body == b"fast"
            else:
                assert body == b"0123456789abcdef" * (64 * (n + 1))
                assert response["headers"]["content-length"] == str(len(body))
        assert bytes(client.get("/fast")["body"]) == b"fast"
    finally:
        client.close()


def test_a_client_that_stops_reading_is_dropped_after_keepalive_timeout(start_server):
    """Answers wait for the writer; a write the peer does not take within keepalive-timeout ends
    the connection, its streams are cancelled, and their Lua states go back."""
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.keepalive-timeout=1", statebuffer=2)
    codes = h2.settings.SettingCodes
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client = RawH2(server.port, sock=sock, settings={codes.INITIAL_WINDOW_SIZE: (1 << 31) - 1})
    try:
        client.conn.increment_flow_control_window((1 << 31) - 1 - 65535)
        for _ in range(3):
            client.request("/big?kib=16384")   # 16 MiB each, never read
        server.wait_for_log(r"a write not taken within 1(\.0)?s, closing", timeout=20)
    finally:
        client.close()
    # The server and its Lua states are fine.
    other = RawH2(server.port)
    try:
        for _ in range(3):
            assert bytes(other.get("/fast")["body"]) == b"fast"
    finally:
        other.close()


# -- cancelling streams ------------------------------------------------------------------------------
def test_rst_stream_cancels_the_handler(start_server, engine):
    server = start_server(SERVICE, engine, statebuffer=2)
    client = RawH2(server.port)
    try:
        streams = [client.request(f"/slow?ms=20000&n={n}") for n in range(6)]
        server.wait_for_log(r"(?s)(slow started.*){6}")
        for stream_id in streams:
            client.reset(stream_id)
        lines = []
        deadline = time.monotonic() + 10
        while len(lines) < 6 and time.monotonic() < deadline:
            lines = re.findall(r"reset by the client, its handler cancelled \(Lua states in use: (\d+)\)",
                               server.log())
            time.sleep(0.05)
        assert len(lines) == 6, server.log()
        assert lines[-1] == "0"
        # the connection and the server keep serving, with states that work
        assert bytes(client.get("/fast")["body"]) == b"fast"
        assert bytes(client.get("/slow?ms=10")["body"]) == b"slow"
    finally:
        client.close()
    with h2_client(server) as other:
        assert other.get("/fast").content == b"fast"
    assert "Traceback" not in server.log()


def test_connection_gone_mid_handler_cancels_its_streams(start_server, engine):
    server = start_server(SERVICE, engine, statebuffer=2)
    client = RawH2(server.port)
    try:
        for n in range(3):
            client.request(f"/slow?ms=20000&n={n}")
        server.wait_for_log(r"(?s)(slow started.*){3}")
    finally:
        client.close()
    match = server.wait_for_log(r"ended with (\d+) streams unanswered, their handlers cancelled "
                                r"\(Lua states in use: (\d+)\)")
    assert match.groups() == ("3", "0")
    other = RawH2(server.port)
    try:
        assert bytes(other.get("/slow?ms=10")["body"]) == b"slow"
    finally:
        other.close()


def test_client_gone_mid_handler(shared_server):
    server = shared_server
    for _ in range(3):
        client = RawH2(server.port)
        client.request("/slow?ms=20000")
        client.request("/slow?ms=20000")
        server.wait_for_log(r"slow started")
        client.close()
    with h2_client(server) as other:
        assert other.get("/fast").content == b"fast"


# -- request values ----------------------------------------------------------------------------------
def _fields(body: bytes) -> dict[str, str]:
    return dict(line.split("=", 1) for line in body.decode().splitlines())


def test_request_fields_match_http11(start_server, engine):
    server = start_server(SERVICE, engine)
    client = RawH2(server.port)
    try:
        response = client.get("/info", raw_headers=[
            (":method", "GET"), (":scheme", "http"), (":authority", "example.test:8080"),
            (":path", "/info/x?q=1&r=2"), ("cookie", "a=1"), ("x-test", "yes"), ("cookie", "b=2")])
    finally:
        client.close()
    assert response["status"] == 200
    fields = _fields(bytes(response["body"]))
    assert fields["method"] == "GET"
    assert fields["proto"] == "http"
    assert fields["host"] == "example.test:8080"
    assert fields["host-header"] == "example.test:8080"
    assert fields["path"] == "/info/x"
    assert fields["query"] == "q=1&r=2"
    assert fields["version"] == "2"
    assert fields["cookie"] == "a=1; b=2"
    assert (fields["a"], fields["b"]) == ("1", "2")
    assert fields["x-test"] == "yes"
    with httpx.Client(base_url=server.url) as http11:
        one = _fields(http11.get("/info/x?q=1&r=2", headers={"cookie": "a=1; b=2", "x-test": "yes",
                                                              "host": "example.test:8080"}).content)
    for key in ("method", "proto", "host", "path", "query", "cookie", "a", "b", "x-test", "host-header"):
        assert one[key] == fields[key], key
    assert one["version"] == "1.1"


def test_post_body_reaches_the_handler(shared_server):
    server = shared_server
    with h2_client(server) as client:
        response = client.post("/info", content=b"hello")
    assert _fields(response.content)["length"] == "5"
    assert _fields(response.content)["method"] == "POST"


# -- the h2c upgrade ---------------------------------------------------------------------------------
def _upgrade_request(path: str, settings: str, extra: str = "") -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            f"Upgrade: h2c\r\nHTTP2-Settings: {settings}\r\n{extra}\r\n").encode()


def test_h2c_upgrade_answers_on_stream_1(shared_server):
    server = shared_server
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT)
    client = RawH2(server.port, sock=sock, upgrade=False, send_preface=False)
    settings = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    header = settings.initiate_upgrade_connection().decode()
    sock.sendall(_upgrade_request("/info?up=1", header))
    head = b""
    deadline = time.monotonic() + READ_TIMEOUT
    while b"\r\n\r\n" not in head and time.monotonic() < deadline:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101 "), head
    assert b"upgrade: h2c" in head.lower()
    client = RawH2(server.port, sock=sock, upgrade=True)
    try:
        response = client.response(1)
        assert response["status"] == 200
        fields = _fields(bytes(response["body"]))
        assert fields["query"] == "up=1" and fields["host"] == "localhost"
        assert bytes(client.get("/fast")["body"]) == b"fast"   # and the connection goes on in HTTP/2
    finally:
        client.close()


def test_bad_http2_settings_is_answered_in_http11(shared_server):
    server = shared_server
    with socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT) as sock:
        sock.sendall(_upgrade_request("/fast", "!!not base64!!", "Connection-Extra: 1\r\n"))
        data = b""
        deadline = time.monotonic() + READ_TIMEOUT
        while not data.endswith(b"fast") and time.monotonic() < deadline:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    assert data.startswith(b"HTTP/1.1 200 "), data
    assert data.endswith(b"fast")


# -- protocol errors ---------------------------------------------------------------------------------
def test_bad_preface_gets_goaway_protocol_error(shared_server):
    server = shared_server
    client = RawH2(server.port, send_preface=False)
    client.conn.initiate_connection()
    client.conn.data_to_send()   # the h2 client state only parses what the server sends
    try:
        client.send_raw(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + b"\x00" * 9)
        client.pump_until_closed()
        assert client.goaway is not None
        assert client.goaway.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    finally:
        client.close()
    with h2_client(server) as other:   # and the server is fine
        assert other.get("/fast").content == b"fast"


def test_preface_in_pieces(shared_server):
    server = shared_server
    client = RawH2(server.port, send_preface=False)
    client.conn.initiate_connection()
    data = client.conn.data_to_send()
    try:
        for piece in (data[:3], data[3:10], data[10:]):
            client.send_raw(piece)
            time.sleep(0.05)
        assert bytes(client.get("/fast")["body"]) == b"fast"
    finally:
        client.close()


def test_bad_frame_gets_goaway_protocol_error(shared_server):
    server = shared_server
    client = RawH2(server.port)
    try:
        client.pump(lambda: client.remote_settings)
        # DATA on stream 0 is a connection error (hyperframe will not even build it)
        client.send_raw(struct.pack(">I", 4)[1:] + b"\x00\x00" + struct.pack(">I", 0) + b"nope")
        client.pump_until_closed()
        assert client.goaway is not None
        assert client.goaway.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    finally:
        client.close()


def test_data_after_end_stream_gets_rst_stream(start_server):
    """RFC 9113 5.1: a frame on a half-closed (remote) stream is a stream error STREAM_CLOSED."""
    server = start_server(SERVICE, DEFAULT_ENGINE)
    client = RawH2(server.port)
    try:
        stream_id = client.request("/slow?ms=20000")
        server.wait_for_log(r"slow started")
        frame = DataFrame(stream_id)   # the h2 client would refuse to send it: write it raw
        frame.data = b"late"
        client.send_raw(frame.serialize())
        client.pump(lambda: client.responses[stream_id]["reset"] is not None)
        assert client.responses[stream_id]["reset"] == h2.errors.ErrorCodes.STREAM_CLOSED
        assert client.goaway is None
        assert bytes(client.get("/fast")["body"]) == b"fast"
        server.wait_for_log(r"stream 1 reset by the client, its handler cancelled")
    finally:
        client.close()


def test_rst_stream_for_an_idle_stream_is_a_connection_error(shared_server):
    server = shared_server
    client = RawH2(server.port)
    try:
        client.pump(lambda: client.remote_settings)
        frame = RstStreamFrame(7)   # stream 7 was never opened
        frame.error_code = h2.errors.ErrorCodes.CANCEL
        client.send_raw(frame.serialize())
        client.pump_until_closed()
        assert client.goaway is not None
        assert client.goaway.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    finally:
        client.close()


MALFORMED = {
    "no :path": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost")],
    "no :method": [(":scheme", "http"), (":authority", "localhost"), (":path", "/fast")],
    "unknown pseudo-header": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                              (":path", "/fast"), (":color", "blue")],
    "pseudo-header after a field": [(":method", "GET"), (":scheme", "http"), ("x-a", "1"),
                                    (":authority", "localhost"), (":path", "/fast")],
    "duplicate :method": [(":method", "GET"), (":method", "POST"), (":scheme", "http"),
                          (":authority", "localhost"), (":path", "/fast")],
    "response pseudo-header": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                               (":path", "/fast"), (":status", "200")],
    "relative :path": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                       (":path", "fast")],
    "empty :path": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "")],
    "upper-case name": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                        (":path", "/fast"), ("X-Upper", "1")],
    "connection header": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                          (":path", "/fast"), ("connection", "keep-alive")],
    "te other than trailers": [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"),
                               (":path", "/fast"), ("te", "gzip")],
}


def test_malformed_requests_get_400_on_their_stream_only(shared_server):
    server = shared_server
    client = RawH2(server.port, validate=False)
    try:
        for name, headers in MALFORMED.items():
            response = client.get("", raw_headers=headers)
            assert response["status"] == 400, name
            assert bytes(response["body"]) == b"400 Bad Request\n", name
        # a malformed request whose body is still coming: 400, then RST_STREAM(NO_ERROR)
        stream_id = client.request("", raw_headers=MALFORMED["no :path"], end_stream=False)
        response = client.response(stream_id)
        assert response["status"] == 400
        client.pump(lambda: client.responses[stream_id]["reset"] is not None)
        assert client.responses[stream_id]["reset"] == h2.errors.ErrorCodes.NO_ERROR
        assert client.goaway is None
        assert bytes(client.get("/fast")["body"]) == b"fast"
    finally:
        client.close()


def test_header_list_too_big_ends_the_connection(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.max-header-list-size=4096")
    client = RawH2(server.port)
    try:
        client.pump(lambda: client.remote_settings)
        client.request("/fast", headers=[("x-big", "b" * 8000)])
        client.pump_until_closed()
        assert client.goaway is not None and client.goaway.error_code != 0
    finally:
        client.close()
    with h2_client(server) as other:
        assert other.get("/fast").content == b"fast"


def test_idle_connection_gets_goaway_and_is_closed(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.keepalive-timeout=1")
    client = RawH2(server.port)
    try:
        slow = client.request("/slow?ms=1100")   # longer than the idle timeout: not idle
        assert bytes(client.response(slow)["body"]) == b"slow"
        client.pump_until_closed(timeout=5)
        assert client.goaway is not None and client.goaway.error_code == h2.errors.ErrorCodes.NO_ERROR
    finally:
        client.close()


# -- shutdown ----------------------------------------------------------------------------------------
def _read_frames(sock: socket.socket, timeout: float = READ_TIMEOUT) -> list:
    """Every frame the server sends until it closes the connection, parsed with hyperframe.

    (The h2 library's client state machine stops at a GOAWAY, so it cannot show what follows it.)
    """
    data = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    frames = []
    while len(data) >= 9:
        frame, length = Frame.parse_frame_header(memoryview(data[:9]))
        frame.parse_body(memoryview(data[9:9 + length]))
        frames.append(frame)
        data = data[9 + length:]
    return frames


def test_goaway_on_shutdown_lets_open_streams_finish(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE)
    client = RawH2(server.port)
    try:
        stream_id = client.request("/slow?ms=800")
        server.wait_for_log(r"slow started")
        server.process.send_signal(signal.SIGTERM)
        frames = _read_frames(client.sock)
    finally:
        client.close()
    kinds = [type(frame).__name__ for frame in frames]
    first_goaway = kinds.index("GoAwayFrame")
    assert frames[first_goaway].error_code == 0
    assert frames[first_goaway].last_stream_id == stream_id
    answer = [f for f in frames[first_goaway:] if f.stream_id == stream_id]
    assert [type(f).__name__ for f in answer] == ["HeadersFrame", "DataFrame"]
    assert answer[1].data == b"slow" and "END_STREAM" in answer[1].flags
    assert kinds[-1] == "GoAwayFrame" and frames[-1].error_code == 0
    assert server.process.wait(15) == 0   # (a second SIGTERM from stop() would kill it)
    assert "Traceback" not in server.log()


def test_goaway_on_shutdown_with_curl(start_server):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    server = start_server(SERVICE, DEFAULT_ENGINE)
    request = subprocess.Popen([curl, "-s", "-S", "--http2-prior-knowledge", f"{server.url}/slow?ms=800"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        server.wait_for_log(r"slow started")
        server.process.send_signal(signal.SIGTERM)
        out, err = request.communicate(timeout=20)
    finally:
        if request.poll() is None:
            request.kill()
            request.wait(5)
    assert request.returncode == 0, err
    assert out == b"slow"
    assert server.process.wait(15) == 0


# -- options -----------------------------------------------------------------------------------------
def test_http2_options_in_help():
    result = run_tool(petrel_command("serve", "--help"))
    text = result.stdout.decode()
    for option in ("server.http2.max-concurrent-streams", "server.http2.initial-window-size",
                   "server.http2.max-header-list-size", "server.http2.max-frame-size"):
        assert f"--{option}" in text


def test_bad_http2_option_is_a_config_error(tmp_path):
    result = run_tool(petrel_command("serve", f"--lua.root={tmp_path}", "--server.http2.max-frame-size=100"))
    assert result.returncode == 2
    assert b"server.http2.max-frame-size" in result.stderr
    assert b"Traceback" not in result.stderr
