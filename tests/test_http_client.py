"""http_client and http2_client: Lua handlers calling real servers on loopback.

The targets are real: another route of the same running petrel, plain socket listeners that accept
and never answer, refused ports, unknown names, an HTTP/2 server made here with h2, and TLS
listeners with a self-signed certificate made here with openssl.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import anyio
import h2.config
import h2.connection
import h2.events
import httpx
import pytest

from petrel.net import DNSCache, DNSError

from support import DEFAULT_ENGINE, ENGINE_SPECS, ServerProcess, engine_available, petrel_command, write_service

TIMEOUT = 20

# A service whose handlers call back into the same server (or elsewhere) with the clients. The
# target comes in the query string: /call1/?port=..&path=..; "host" defaults to 127.0.0.1.
CLIENT_SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/hello/", "hello")
            petrel.add_route("/echo/", "echo")
            petrel.add_route("/big/", "big")
            petrel.add_route("/conn/", "conn")
            petrel.add_route("/call1/", "call1")
            petrel.add_route("/post1/", "post1")
            petrel.add_route("/reuse1/", "reuse1")
            petrel.add_route("/call2/", "call2")
            petrel.add_route("/reuse2/", "reuse2")
            petrel.add_route("/fail/", "fail")
            petrel.add_route("/args/", "bad_arguments")
        end
    """,
    "targets.lua": """
        function hello(request, response)
            response.content = "hello from " .. request.path
            return response
        end
        function echo(request, response)
            response.status = 201
            response.content = request.method .. ":" .. request.content
            return response
        end
        function big(request, response)
            response.content = string.rep("0123456789", 20000)
            return response
        end
        -- which client port the request came from: equal ports mean one reused connection
        function conn(request, response)
            response.content = tostring(request.remote_port)
            return response
        end
    """,
    "clients.lua": """
        local function target(request)
            return request.args.host or "127.0.0.1", request.args.port
        end
        function call1(request, response)
            local c = http_client()
            c:connect(target(request))
            local status, content = c:get(request.args.path)
            response.content = status .. "|" .. content
            return response
        end
        function post1(request, response)
            local c = http_client()
            c:connect(target(request))
            local status, content = c:post(request.args.path, request.content)
            response.content = status .. "|" .. content
            return response
        end
        function reuse1(request, response)
            local c = http_client()
            if request.args.nokeepalive then c:disable_keepalive() end
            c:connect(target(request))
            local s1, a = c:get("/conn/")
            local s2, b = c:get("/conn/")
            local s3, d = c:get("/hello/again")
            response.content = a .. " " .. b .. " " .. s3 .. " " .. d
            return response
        end
        function call2(request, response)
            local ok, status, content = pcall(function()
                local c = http2_client()
                local host, port = target(request)
                if request.args.ssl then
                    c:connect(host, port, true, request.args.verify ~= "0")
                else
                    c:connect(host, port)
                end
                return c:get(request.args.path)
            end)
            if not ok then
                response.status = 502
                response.content = tostring(status)
            else
                response.content = status .. "|" .. content
            end
            return response
        end
        function reuse2(request, response)
            local c = http2_client()
            c:connect(target(request))
            local s1, a = c:get(request.args.path)
            local s2, b = c:get(request.args.path)
            response.content = s1 .. "|" .. a .. "|" .. s2 .. "|" .. b
            return response
        end
        function bad_arguments(request, response)
            local results = {}
            for _, f in ipairs({
                function() http_client():get("/") end,
                function() http_client():connect("127.0.0.1", "http") end,
                function() http_client():read_timeout(-1) end,
                function() http2_client():connect("127.0.0.1", "99999") end,
            }) do
                local ok, err = pcall(f)
                results[#results + 1] = tostring(err)
            end
            response.content = table.concat(results, "\\n")
            return response
        end
        -- the failure cases: the Lua error message is returned so the test can read it
        function fail(request, response)
            local kind = request.args.kind
            local ok, err = pcall(function()
                local c = kind == "h2" and http2_client() or http_client()
                if request.args.ct then c:connect_timeout(tonumber(request.args.ct)) end
                if request.args.rt then c:read_timeout(tonumber(request.args.rt)) end
                if kind == "h2" then
                    c:connect(request.args.host or "127.0.0.1", request.args.port,
                              request.args.ssl == "1")
                else
                    c:connect(request.args.host or "127.0.0.1", request.args.port)
                end
                return c:get("/")
            end)
            response.status = ok and 200 or 502
            response.content = tostring(err)
            return response
        end
    """,
}


def launch(directory: Path, engine: tuple[str, str | None], *options: str) -> ServerProcess:
    """A petrel serving CLIENT_SERVICE, for the tests of a whole module (one start per engine)."""
    root = write_service(directory / "service", CLIENT_SERVICE)
    name, runtime = engine
    args = ["serve", f"--lua.root={root}", f"--engine={name}", "--server.listen=127.0.0.1",
            "--server.port=0", "--lua.statebuffer=4", "--log.level=7", *options]
    if runtime:
        args.append(f"--lua.runtime={runtime}")
    log_path = directory / "server.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(petrel_command(*args), stdout=log_file, stderr=subprocess.STDOUT,
                                   cwd=str(directory), env=dict(os.environ, PYTHONUNBUFFERED="1"))
    server = ServerProcess(process, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        match = re.search(r"listening on \S+ port (\d+)", server.log())
        if match:
            server.port = int(match.group(1))
            return server
        time.sleep(0.05)
    server.stop()
    raise AssertionError(f"server did not start:\n{server.log()}")


@pytest.fixture(scope="module", params=ENGINE_SPECS)
def client_server(request, tmp_path_factory):
    """For what the engines must agree on: calls, results, Lua errors, closing at request end."""
    reason = engine_available(*request.param)
    if reason:
        pytest.skip(reason)
    server = launch(tmp_path_factory.mktemp("clients"), request.param)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def one_engine_server(tmp_path_factory):
    """For the protocol details and failure causes, which live in the library, not the engine."""
    server = launch(tmp_path_factory.mktemp("clients-one"), DEFAULT_ENGINE)
    yield server
    server.stop()


def get(server, route: str, **params) -> httpx.Response:
    return httpx.get(server.url + route, params=params, timeout=TIMEOUT)


# -- http_client against the same running petrel -------------------------------------------------------
def test_get_another_route(client_server):
    reply = get(client_server, "/call1/", port=client_server.port, path="/hello/x")
    assert reply.status_code == 200
    assert reply.text == "200|hello from /hello/x"


def test_post_another_route(client_server):
    body = "payload \x00 with a zero byte and ünïcode".encode()
    reply = httpx.post(client_server.url + "/post1/", params={"port": client_server.port, "path": "/echo/"},
                       content=body, timeout=TIMEOUT)
    assert reply.content == b"201|POST:" + body


def test_large_response_and_404(client_server):
    reply = get(client_server, "/call1/", port=client_server.port, path="/big/")
    assert reply.text == "200|" + "0123456789" * 20000
    reply = get(client_server, "/call1/", port=client_server.port, path="/nowhere")
    assert reply.text.startswith("404|404 Not Found")


def test_keepalive_reuses_one_connection(client_server):
    ports = get(client_server, "/reuse1/", port=client_server.port).text.split()
    assert ports[0] == ports[1]
    assert ports[2:] == ["200", "hello", "from", "/hello/again"]


def test_disable_keepalive_opens_a_connection_per_request(client_server):
    ports = get(client_server, "/reuse1/", port=client_server.port, nokeepalive=1).text.split()
    assert ports[0] != ports[1]
    assert ports[2] == "200"


def test_resolves_names_through_the_dns_cache(client_server):
    reply = get(client_server, "/call1/", host="localhost", port=client_server.port, path="/hello/n")
    assert reply.text == "200|hello from /hello/n"


# -- responses the test writes byte by byte ----------------------------------------------------------------
class OneShotServer:
    """A listener answering every connection with fixed bytes (or nothing) on its own thread."""

    def __init__(self, reply: bytes | None, close_after: bool = True, tls: ssl.SSLContext | None = None):
        self.reply = reply
        self.close_after = close_after
        self.tls = tls
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.open: list[socket.socket] = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            self.open.append(conn)
            if self.tls is not None:
                conn.settimeout(5)
                try:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    continue
            if self.reply is None:
                continue   # accept and never answer
            conn.settimeout(5)
            try:
                conn.recv(65536)
                conn.sendall(self.reply)
                if self.close_after:
                    conn.close()
            except OSError:
                pass

    def close(self) -> None:
        self.stopping = True
        self.thread.join(5)
        for conn in self.open:
            conn.close()
        self.sock.close()


@pytest.fixture
def raw_server():
    servers: list[OneShotServer] = []

    def make(reply: bytes | None, **kwargs) -> OneShotServer:
        server = OneShotServer(reply, **kwargs)
        servers.append(server)
        return server
    yield make
    for server in servers:
        server.close()


def test_chunked_response(one_engine_server, raw_server):
    target = raw_server(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")
    assert get(one_engine_server, "/call1/", port=target.port, path="/").text == "200|hello, world"


def test_response_until_close_without_length(one_engine_server, raw_server):
    target = raw_server(b"HTTP/1.0 203 Whatever\r\n\r\nto the end")
    assert get(one_engine_server, "/call1/", port=target.port, path="/").text == "203|to the end"


def test_server_closing_an_idle_keepalive_connection_is_retried(one_engine_server, raw_server):
    # Each connection answers one request (keep-alive by default) and is then closed by the server.
    target = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert get(one_engine_server, "/reuse1/", port=target.port).text == "ok ok 200 ok"
    assert target.accepted == 3


def test_redirect_gives_the_location_like_the_original(one_engine_server, raw_server):
    target = raw_server(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
    assert get(one_engine_server, "/call1/", port=target.port, path="/").text == "302|/elsewhere"


def test_connection_is_closed_when_the_request_ends(client_server, raw_server):
    target = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", close_after=False)
    assert get(client_server, "/call1/", port=target.port, path="/").text == "200|ok"
    assert target.accepted == 1
    conn = target.open[0]
    conn.settimeout(5)
    assert conn.recv(100) == b""   # petrel closed its end (a keep-alive connection, still idle)


# -- failures: each is a Lua error naming the host and the cause ----------------------------------------
def fail(server, **params) -> str:
    started = time.monotonic()
    reply = get(server, "/fail/", **params)
    assert reply.status_code == 502, reply.text
    assert time.monotonic() - started < 10
    return reply.text


def test_read_timeout(client_server, raw_server):
    silent = raw_server(None)
    started = time.monotonic()
    message = fail(client_server, port=silent.port, rt=300)
    assert "timeout" in message and f"127.0.0.1:{silent.port}" in message
    assert 0.25 < time.monotonic() - started < 5


def test_http2_read_timeout(one_engine_server, raw_server):
    silent = raw_server(None)
    message = fail(one_engine_server, kind="h2", port=silent.port, rt=300)
    assert "timeout" in message and f"127.0.0.1:{silent.port}" in message


def test_connect_timeout(one_engine_server):
    # A listener with a full backlog that never accepts: the SYN is not answered.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(0)
    port = sock.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.1)
        message = fail(one_engine_server, port=port, ct=300)
        assert "timeout connecting to" in message and f"127.0.0.1:{port}" in message
    finally:
        for filler in fillers:
            filler.close()
        sock.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("kind", ["h1", "h2"])
def test_connection_refused(one_engine_server, kind):
    port = free_port()
    message = fail(one_engine_server, kind=kind, port=port)
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in message


@pytest.mark.parametrize("kind", ["h1", "h2"])
def test_unknown_host(one_engine_server, kind):
    message = fail(one_engine_server, kind=kind, host="nonexistent.invalid", port=80)
    assert "cannot resolve 'nonexistent.invalid'" in message


def test_reset_by_peer(one_engine_server, raw_server):
    target = raw_server(b"", close_after=False)

    def reset_all() -> None:   # answer each connection with a RST once the request arrived
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not target.open:
            time.sleep(0.01)
        time.sleep(0.2)
        for conn in target.open:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            conn.close()
    resetter = threading.Thread(target=reset_all)
    resetter.start()
    message = fail(one_engine_server, port=target.port)
    resetter.join()
    assert f"127.0.0.1:{target.port}" in message
    assert "reset" in message or "closed before" in message


def test_malformed_response(one_engine_server, raw_server):
    target = raw_server(b"SMTP ready\r\n\r\n")
    message = fail(one_engine_server, port=target.port)
    assert f"malformed response from 127.0.0.1:{target.port}" in message


def test_closed_before_complete(one_engine_server, raw_server):
    target = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
    message = fail(one_engine_server, port=target.port)
    assert f"connection to 127.0.0.1:{target.port} closed before the response was complete" in message


def test_bad_arguments(client_server):
    lines = get(client_server, "/args/").text.splitlines()
    assert "'get' called before 'connect'" in lines[0]
    assert "bad argument #2 to 'connect' (invalid port 'http')" in lines[1]
    assert "bad argument #1 to 'read_timeout'" in lines[2]
    assert "invalid port '99999'" in lines[3]


# -- HTTP/2 ----------------------------------------------------------------------------------------------
class H2Server:
    """A small HTTP/2 server (h2 on a loopback socket, prior knowledge or TLS with ALPN)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.tls = tls
        self.connections = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            protocol = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
            protocol.initiate_connection()
            conn.sendall(protocol.data_to_send())
            while not self.stopping:
                data = conn.recv(65536)
                if not data:
                    break
                for event in protocol.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        headers = dict(event.headers)
                        path = headers[b":path"].decode()
                        body = f"h2 {path} on {self.connections}".encode() * (
                            5000 if path == "/big" else 1)
                        protocol.send_headers(event.stream_id, [(":status", "200"),
                                                                ("content-length", str(len(body)))])
                        self._send_body(conn, protocol, event.stream_id, body)
                conn.sendall(protocol.data_to_send())
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    @staticmethod
    def _send_body(conn, protocol, stream_id: int, body: bytes) -> None:
        while body:
            window = protocol.local_flow_control_window(stream_id)
            size = min(window, protocol.max_outbound_frame_size, len(body))
            if size <= 0:
                conn.sendall(protocol.data_to_send())
                for event in protocol.receive_data(conn.recv(65536)):
                    pass   # window updates
                continue
            protocol.send_data(stream_id, body[:size])
            body = body[size:]
        protocol.end_stream(stream_id)

    def close(self) -> None:
        self.stopping = True
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def h2_server():
    servers = []

    def make(tls=None) -> H2Server:
        server = H2Server(tls)
        servers.append(server)
        return server
    yield make
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    key, crt = directory / "key.pem", directory / "crt.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(crt), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return key, crt


def tls_server_context(certificate, alpn: list[str]) -> ssl.SSLContext:
    key, crt = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(crt), str(key))
    context.set_alpn_protocols(alpn)
    return context


def test_http2_get(client_server, h2_server):
    target = h2_server()
    assert get(client_server, "/call2/", port=target.port, path="/a/b").text == "200|h2 /a/b on 1"


def test_http2_large_response_uses_flow_control(one_engine_server, h2_server):
    target = h2_server()
    reply = get(one_engine_server, "/call2/", port=target.port, path="/big")
    assert reply.text == "200|" + "h2 /big on 1" * 5000


def test_http2_reuses_its_connection(client_server, h2_server):
    target = h2_server()
    reply = get(client_server, "/reuse2/", port=target.port, path="/x")
    assert reply.text == "200|h2 /x on 1|200|h2 /x on 1"
    assert target.connections == 1


def test_http2_tls_with_verification_off(client_server, h2_server, certificate):
    target = h2_server(tls_server_context(certificate, ["h2"]))
    reply = get(client_server, "/call2/", port=target.port, path="/secure", ssl=1, verify=0)
    assert reply.text == "200|h2 /secure on 1"


def test_http2_tls_verification_fails_on_self_signed(one_engine_server, raw_server, certificate):
    target = raw_server(None, tls=tls_server_context(certificate, ["h2"]))
    message = fail(one_engine_server, kind="h2", port=target.port, ssl=1)
    assert f"TLS handshake with 127.0.0.1:{target.port} failed" in message
    assert "certificate verify failed" in message


def test_http2_client_against_petrel_itself(client_server):
    reply = get(client_server, "/call2/", port=client_server.port, path="/hello/h2")
    assert reply.text == "200|hello from /hello/h2"


def test_http2_client_to_petrel_over_tls(one_engine_server, tmp_path, certificate):
    key, crt = certificate
    tls_server = launch(tmp_path, DEFAULT_ENGINE, "--server.http2.tls=1",
                        f"--server.http2.key-file={key}", f"--server.http2.crt-file={crt}")
    try:
        reply = get(one_engine_server, "/call2/", port=tls_server.port, path="/hello/tls", ssl=1, verify=0)
        assert reply.text == "200|hello from /hello/tls"
        reply = get(one_engine_server, "/call2/", port=tls_server.port, path="/hello/tls", ssl=1)
        assert reply.status_code == 502 and "certificate verify failed" in reply.text
    finally:
        tls_server.stop()


# -- the DNS cache (the real resolver, a clock the test moves) ----------------------------------------
def test_dns_cache_keeps_answers_for_its_ttl():
    clock = [0.0]
    cache = DNSCache(60.0, clock=lambda: clock[0])

    async def main() -> None:
        first = await cache.resolve("localhost", 80)
        assert first and all(sockaddr[1] == 80 for _family, sockaddr in first)
        assert await cache.resolve("LOCALHOST", 80) == first
        assert (cache.lookups, cache.hits) == (1, 1)
        clock[0] = 61.0
        await cache.resolve("localhost", 80)
        assert cache.lookups == 2
        assert await cache.resolve("127.0.0.1", 80) == [(socket.AF_INET, ("127.0.0.1", 80))]
        assert cache.lookups == 2   # literals never reach the resolver
    anyio.run(main)


def test_dns_cache_shares_one_lookup_and_does_not_cache_failures():
    cache = DNSCache(60.0)

    async def main() -> None:
        results = []

        async def resolve() -> None:
            results.append(await cache.resolve("localhost", 8080))
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(resolve)
        assert cache.lookups == 1 and len(results) == 5 and all(r == results[0] for r in results)
        for attempt in (1, 2):
            with pytest.raises(DNSError, match="cannot resolve 'nonexistent.invalid'"):
                await cache.resolve("nonexistent.invalid", 80)
            assert cache.lookups == 1 + attempt
    anyio.run(main)


def test_dns_cache_ttl_zero_asks_every_time():
    cache = DNSCache.from_minutes(0)

    async def main() -> None:
        await cache.resolve("localhost", 80)
        await cache.resolve("localhost", 80)
    anyio.run(main)
    assert cache.lookups == 2
