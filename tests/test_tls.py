"""TLS on the HTTP port (server.http2.tls): ALPN h2 and http/1.1, plain text still served beside it.

The certificate is made at test time with the openssl command (skipped when it is missing).
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import h2.errors
import httpx
import pytest

from test_http2 import (CONFIG, DEFAULT_ENGINE, GETTING_STARTED, JSON_BODY, READ_TIMEOUT, SERVICE,
                        TEXT_BODY, RawH2, _fields, curl_get, expected, run_tool)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """(key file, certificate file) for localhost and 127.0.0.1, self-signed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    base = tmp_path_factory.mktemp("tls")
    key, crt = base / "key.pem", base / "crt.pem"
    result = run_tool([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                       "-out", str(crt), "-days", "2", "-subj", "/CN=localhost",
                       "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], timeout=60)
    assert result.returncode == 0, result.stderr
    return key, crt


def tls_options(certificate: tuple[Path, Path]) -> list[str]:
    key, crt = certificate
    return ["--server.http2.tls=1", f"--server.http2.key-file={key}", f"--server.http2.crt-file={crt}"]


def client_context(certificate: tuple[Path, Path], alpn: list[str] | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(certificate[1]))
    if alpn:
        context.set_alpn_protocols(alpn)
    return context


def https_url(server) -> str:
    return f"https://localhost:{server.port}"


def test_getting_started_over_tls_with_curl(start_server, engine, certificate):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    server = start_server(GETTING_STARTED, engine, *tls_options(certificate), config=CONFIG)
    url = f"https://127.0.0.1:{server.port}"
    first, version1 = curl_get(curl, f"{url}/json/foo=bar", "-k", "--http2")
    second, version2 = curl_get(curl, f"{url}/text/foo=bar", "-k", "--http2")
    assert (version1, version2) == ("2", "2")
    assert first == JSON_BODY
    assert second == TEXT_BODY
    # HTTP/1.1 over TLS, the counter going on
    third, version3 = curl_get(curl, f"{url}/json/foo=bar", "-k", "--http1.1")
    fourth, version4 = curl_get(curl, f"{url}/text/foo=bar", "-k", "--http1.1")
    assert (version3, version4) == ("1.1", "1.1")
    assert third == expected("/json/foo=bar", 3, "json")
    assert fourth == expected("/text/foo=bar", 4, "text")


def test_getting_started_over_tls_http11_documented_bytes(start_server, certificate):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    server = start_server(GETTING_STARTED, DEFAULT_ENGINE, *tls_options(certificate), config=CONFIG)
    url = f"https://127.0.0.1:{server.port}"
    assert curl_get(curl, f"{url}/json/foo=bar", "-k", "--http1.1") == (JSON_BODY, "1.1")
    assert curl_get(curl, f"{url}/text/foo=bar", "-k", "--http1.1") == (TEXT_BODY, "1.1")


def test_tls_with_httpx_both_protocols_and_plain_text_beside(start_server, certificate):
    server = start_server(SERVICE, DEFAULT_ENGINE, *tls_options(certificate))
    context = client_context(certificate, None)
    with httpx.Client(http2=True, verify=context, timeout=30) as client:
        response = client.get(f"{https_url(server)}/info?q=1", headers={"cookie": "a=1; b=2"})
    assert response.http_version == "HTTP/2"
    fields = _fields(response.content)
    assert (fields["proto"], fields["version"], fields["host"]) == ("https", "2", f"localhost:{server.port}")
    assert (fields["a"], fields["b"]) == ("1", "2")
    with httpx.Client(http2=False, verify=context, timeout=30) as client:
        response = client.get(f"{https_url(server)}/info")
    assert response.http_version == "HTTP/1.1"
    fields = _fields(response.content)
    assert (fields["proto"], fields["version"]) == ("https", "1.1")
    with httpx.Client(base_url=server.url, timeout=30) as plain:   # the same port, no TLS
        assert _fields(plain.get("/info").content)["proto"] == "http"
    with httpx.Client(base_url=server.url, http1=False, http2=True, timeout=30) as plain:
        fields = _fields(plain.get("/info").content)
        assert (fields["proto"], fields["version"]) == ("http", "2")
    # bodies of several MiB both ways over TLS
    upload = bytes(range(256)) * (12 * 1024)   # 3 MiB
    with httpx.Client(http2=True, verify=context, timeout=60) as client:
        echoed = client.post(f"{https_url(server)}/echo", content=upload)
        big = client.get(f"{https_url(server)}/big?kib=4096")
    assert echoed.http_version == "HTTP/2"
    assert echoed.content == upload
    assert len(big.content) == 4 * 1024 * 1024


def test_tls_raw_h2_and_errors(start_server, certificate):
    server = start_server(SERVICE, DEFAULT_ENGINE, *tls_options(certificate))
    h2_context = client_context(certificate, ["h2"])
    client = RawH2(server.port, tls=h2_context)
    try:
        assert client.sock.selected_alpn_protocol() == "h2"
        slow = client.request("/slow?ms=500")
        assert bytes(client.get("/fast")["body"]) == b"fast"
        assert not client.responses[slow]["ended"]
        assert bytes(client.response(slow)["body"]) == b"slow"
    finally:
        client.close()

    # ALPN h2 and then not the preface: GOAWAY PROTOCOL_ERROR
    client = RawH2(server.port, tls=h2_context, send_preface=False)
    client.conn.initiate_connection()
    client.conn.data_to_send()
    try:
        client.send_raw(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        client.pump_until_closed()
        assert client.goaway is not None
        assert client.goaway.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    finally:
        client.close()

    # no ALPN: HTTP/1.1, and no h2c upgrade over TLS
    with socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT) as raw:
        with client_context(certificate, None).wrap_socket(raw, server_hostname="localhost") as sock:
            assert sock.selected_alpn_protocol() is None
            sock.sendall(b"GET /fast HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                         b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n")
            data = b""
            deadline = time.monotonic() + READ_TIMEOUT
            while not data.endswith(b"fast") and time.monotonic() < deadline:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
    assert data.startswith(b"HTTP/1.1 200 "), data

    # a broken handshake closes that connection only
    with socket.create_connection(("127.0.0.1", server.port), timeout=READ_TIMEOUT) as raw:
        raw.sendall(b"\x16\x03\x01\x00\x05hello" + b"\x00" * 64)
        assert raw.recv(4096) is not None   # an alert or the end of the stream, not a hang
    with httpx.Client(http2=True, verify=client_context(certificate, None), timeout=30) as client:
        assert client.get(f"{https_url(server)}/fast").content == b"fast"
    nghttp = shutil.which("nghttp")
    if nghttp is not None:
        result = run_tool([nghttp, f"https://127.0.0.1:{server.port}/fast"])
        assert result.returncode == 0, result.stderr
        assert result.stdout == b"fast"
    assert "Traceback" not in server.log()


def test_unusable_certificate_is_a_startup_error(start_server, certificate, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    key = certificate[0]
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.http2.tls=1", f"--server.http2.key-file={key}",
                          f"--server.http2.crt-file={bad}", expect_ready=False)
    assert server.process.wait(30) == 1
    server.stopped = True
    log = server.log()
    assert "cannot start" in log and "server.http2.crt-file" in log
    assert "Traceback" not in log
