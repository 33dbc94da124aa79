"""server.gzip: handler and static responses compressed for clients that accept gzip, on HTTP/1.1 (both
parsers) and HTTP/2, with real clients (httpx, curl --compressed, raw sockets)."""

from __future__ import annotations

import gzip
import shutil
import socket
import subprocess
import zlib

import httpx
import pytest

from http1_parsers import http1_parser  # noqa: F401  (the fixture)
from support import DEFAULT_ENGINE

TEXT = "".join(f"line {i}: the quick brown fox jumps over the lazy dog\n" for i in range(400))
BIG = "".join(f'{{"id": {i}, "name": "item {i}", "tags": ["a", "b"]}},\n' for i in range(20000))

SERVICE = {"g.lua": f"""
    function bootstrap()
        petrel.add_route("/", "h")
    end
    TEXT = [[{TEXT}]]
    function h(request, response)
        local a = request.args
        response.headers["content-type"] = a.type or "text/plain; charset=utf-8"
        if a.encoding then response.headers["content-encoding"] = a.encoding end
        if a.etag then response.headers["etag"] = a.etag end
        if a.vary then response.headers["vary"] = a.vary end
        if a.status then response.status = tonumber(a.status) end
        if a.small then
            response.content = "tiny"
        elseif a.big then
            local parts = {{}}
            for i = 0, 19999 do
                parts[#parts + 1] = '{{"id": ' .. i .. ', "name": "item ' .. i .. '", "tags": ["a", "b"]}},\\n'
            end
            response.content = table.concat(parts)
        else
            response.content = TEXT
        end
        return response
    end
"""}


def raw_exchange(port: int, target: str, headers: dict[str, str], method: str = "GET") -> tuple[int, dict, bytes]:
    lines = [f"{method} {target} HTTP/1.1", "Host: x", "Connection: close",
             *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        for _ in range(10000):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    fields: dict[str, list[str]] = {}
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        fields.setdefault(name.strip().lower(), []).append(value.strip())
    return int(head_lines[0].split()[1]), {k: ", ".join(v) for k, v in fields.items()}, body


@pytest.fixture
def gz_server(start_server, engine):
    return start_server(SERVICE, engine, "--server.gzip=1")


def test_handler_response_is_compressed(gz_server):
    status, headers, body = raw_exchange(gz_server.port, "/", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(body) < len(TEXT) // 5
    assert gzip.decompress(body) == TEXT.encode()
    reply = httpx.get(gz_server.url + "/")   # httpx asks for gzip and decodes it
    assert reply.headers["content-encoding"] == "gzip" and reply.text == TEXT


def test_large_handler_response_is_compressed_off_the_loop(gz_server):
    # 900 KB: above the size compressed in a worker thread
    status, headers, body = raw_exchange(gz_server.port, "/?big=1&type=application/json",
                                         {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == BIG.encode()


ACCEPT_CASES = [
    ("gzip", True), ("GZIP", True), ("x-gzip", True), ("deflate, gzip;q=0.5", True), ("*", True),
    ("br;q=1, *;q=0.1", True), ("gzip;q=1.0", True), (" gzip ; q=0.001 ", True),
    ("gzip;q=0", False), ("gzip;q=0.000", False), ("gzip;q=0, *", False), ("*;q=0", False),
    ("identity", False), ("br", False), ("", False), (None, False), ("gzip;q=bogus", False),
    ("gzip;q=2", False), (",,,", False), ("gzip;q=nan", False),
]


def test_accept_encoding(one_gz_server):
    for accept, compressed in ACCEPT_CASES:
        headers = {} if accept is None else {"Accept-Encoding": accept}
        status, fields, body = raw_exchange(one_gz_server.port, "/", headers)
        assert status == 200
        assert ("content-encoding" in fields) == compressed, accept
        assert (gzip.decompress(body) if compressed else body) == TEXT.encode()
        assert fields["vary"] == "Accept-Encoding"   # compressed or not: the answer depends on it


@pytest.fixture
def one_gz_server(start_server, http1_parser):
    """On the default engine (the choice is made outside Lua), on the HTTP/1.1 parser of the test."""
    return start_server(SERVICE, DEFAULT_ENGINE, "--server.gzip=1", f"--server.http1-parser={http1_parser}")


NOT_COMPRESSED = [
    ("/?small=1", "below server.gzip.min-size"),
    ("/?type=image/png", "not a compressible type"),
    ("/?type=application/octet-stream", "not a compressible type"),
    ("/?encoding=br", "the handler chose its own encoding"),
    ("/?status=204", "no body"),
    ("/?status=304", "no body"),
    ("/?status=206", "a partial answer"),
]


def test_not_compressed(one_gz_server):
    for target, reason in NOT_COMPRESSED:
        status, fields, body = raw_exchange(one_gz_server.port, target, {"Accept-Encoding": "gzip"})
        assert fields.get("content-encoding") in (None, "br"), reason
        assert body[:2] != b"\x1f\x8b", reason
        if status in (204, 304):
            assert body == b"", reason


def test_headers_of_compressed_answers(one_gz_server):
    port = one_gz_server.port
    _, fields, _ = raw_exchange(port, '/?etag="v1"&vary=Origin', {"Accept-Encoding": "gzip"})
    assert fields["etag"] == 'W/"v1"'                # the bytes differ from the identity body's
    assert fields["vary"] == "Origin, Accept-Encoding"
    _, fields, _ = raw_exchange(port, '/?etag="v1"&vary=accept-encoding', {"Accept-Encoding": "gzip"})
    assert fields["vary"] == "accept-encoding"
    _, fields, _ = raw_exchange(port, '/?etag="v1"', {"Accept-Encoding": "identity"})
    assert fields["etag"] == '"v1"'
    _, fields, _ = raw_exchange(port, '/?etag=W/"v1"', {"Accept-Encoding": "gzip"})
    assert fields["etag"] == 'W/"v1"'


def test_head_has_the_headers_of_get(one_gz_server):
    port = one_gz_server.port
    for accept in ("gzip", "identity"):
        _, get, body = raw_exchange(port, "/", {"Accept-Encoding": accept})
        status, head, nothing = raw_exchange(port, "/", {"Accept-Encoding": accept}, method="HEAD")
        assert status == 200 and nothing == b""
        for name in ("content-length", "content-encoding", "vary", "content-type"):
            assert head.get(name) == get.get(name), (accept, name)


def test_http2(gz_server):
    with httpx.Client(base_url=gz_server.url, http1=False, http2=True, timeout=30) as client:
        reply = client.get("/", headers={"accept-encoding": "gzip"})
        assert reply.http_version == "HTTP/2"
        assert reply.headers["content-encoding"] == "gzip" and reply.headers["vary"] == "Accept-Encoding"
        assert reply.text == TEXT
        assert int(reply.headers["content-length"]) < len(TEXT) // 5
        head = client.head("/", headers={"accept-encoding": "gzip"})
        assert head.headers["content-length"] == reply.headers["content-length"]
        plain = client.get("/", headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.text == TEXT


def test_curl_compressed(one_gz_server):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    result = subprocess.run([curl, "-s", "-S", "--compressed", "-D", "-", "-o", "-", one_gz_server.url + "/"],
                            capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    assert b"content-encoding: gzip" in head.lower()
    assert body == TEXT.encode()
    result = subprocess.run([curl, "-s", "-S", "-D", "-", "-o", "-", one_gz_server.url + "/"],
                            capture_output=True, timeout=30)
    assert b"content-encoding" not in result.stdout.lower() and result.stdout.endswith(TEXT.encode())


def test_off_by_default(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE)
    _, fields, body = raw_exchange(server.port, "/", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in fields and "vary" not in fields and body == TEXT.encode()


def test_types_min_size_and_level_options(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--server.gzip=1", "--server.gzip.types=application/json",
                          "--server.gzip.min-size=1", "--server.gzip.level=1")
    port = server.port
    _, fields, _ = raw_exchange(port, "/", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in fields and "vary" not in fields    # text/plain is not listed
    _, fields, body = raw_exchange(port, "/?type=application/json", {"Accept-Encoding": "gzip"})
    assert fields["content-encoding"] == "gzip" and gzip.decompress(body) == TEXT.encode()
    assert body == zlib.compress(TEXT.encode(), 1, wbits=31)   # level 1, mtime 0: zlib's own bytes
    _, fields, body = raw_exchange(port, "/?small=1&type=Application/JSON;%20charset=utf-8",
                                   {"Accept-Encoding": "gzip"})
    assert fields["content-encoding"] == "gzip" and gzip.decompress(body) == b"tiny"


@pytest.mark.parametrize("option, message", [
    ("--server.gzip.types=text", "'text' is not a media type"),
    ("--server.gzip.types=*/*", "'*/*' is not a media type"),
    ("--server.gzip.types=text/html; q=1", "is not a media type"),
    ("--server.gzip.level=10", "must be at most 9"),
    ("--server.gzip.min-size=-1", "must be at least 0"),
    ("--server.gzip=maybe", "expected a boolean"),
])
def test_bad_options(start_server, option, message):
    server = start_server(SERVICE, DEFAULT_ENGINE, option, expect_ready=False)
    assert server.process.wait(30) != 0
    log = server.log()
    assert message in log and option.split("=")[0].lstrip("-") in log
    assert "Traceback" not in log


# -- static files ---------------------------------------------------------------------------------
@pytest.fixture
def static_gz_server(start_server, tmp_path, http1_parser):
    root = tmp_path / "www"
    root.mkdir()
    (root / "page.html").write_text(TEXT)
    (root / "data.json").write_text(BIG[:5000])
    (root / "photo.png").write_bytes(TEXT.encode())            # text bytes, but not a text type
    (root / "huge.txt").write_text(TEXT * 60)                   # above 1 MiB: streamed as it is
    (root / "tiny.txt").write_text("tiny\n")
    service = {"s.lua": f"""
        function bootstrap() petrel.add_directory_route("/s/", "{root}") end
    """}
    server = start_server(service, DEFAULT_ENGINE, "--server.gzip=1", f"--server.http1-parser={http1_parser}")
    server.root = root
    return server


def test_static_files_compressed(static_gz_server):
    port, root = static_gz_server.port, static_gz_server.root
    for name in ("page.html", "data.json"):
        _, fields, body = raw_exchange(port, f"/s/{name}", {"Accept-Encoding": "gzip"})
        assert fields["content-encoding"] == "gzip" and fields["vary"] == "Accept-Encoding", name
        assert gzip.decompress(body) == (root / name).read_bytes()
        assert fields["etag"].startswith('W/"')
        assert int(fields["content-length"]) == len(body)
        status, again, _ = raw_exchange(port, f"/s/{name}", {"Accept-Encoding": "gzip",
                                                             "If-None-Match": fields["etag"]})
        assert status == 304 and again["etag"] == fields["etag"] and again["vary"] == "Accept-Encoding"
        status, head, nothing = raw_exchange(port, f"/s/{name}", {"Accept-Encoding": "gzip"}, method="HEAD")
        assert nothing == b"" and head["content-length"] == fields["content-length"]
        assert head["content-encoding"] == "gzip" and head["etag"] == fields["etag"]
        _, plain, body = raw_exchange(port, f"/s/{name}", {"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain and body == (root / name).read_bytes()
        assert plain["vary"] == "Accept-Encoding" and plain["etag"] == fields["etag"][2:]


def test_static_files_not_compressed(static_gz_server):
    port, root = static_gz_server.port, static_gz_server.root
    for name in ("photo.png", "huge.txt", "tiny.txt"):
        _, fields, body = raw_exchange(port, f"/s/{name}", {"Accept-Encoding": "gzip"})
        assert "content-encoding" not in fields and body == (root / name).read_bytes(), name
    _, fields, _ = raw_exchange(port, "/s/tiny.txt", {"Accept-Encoding": "gzip"})
    assert "vary" not in fields
    # a range is never compressed
    status, fields, body = raw_exchange(port, "/s/page.html", {"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert status == 206 and "content-encoding" not in fields and body == (root / "page.html").read_bytes()[:100]
    assert fields["vary"] == "Accept-Encoding"


def test_static_over_http2(static_gz_server):
    with httpx.Client(base_url=static_gz_server.url, http1=False, http2=True, timeout=30) as client:
        reply = client.get("/s/page.html", headers={"accept-encoding": "gzip"})
        assert reply.http_version == "HTTP/2" and reply.headers["content-encoding"] == "gzip"
        assert reply.content == (static_gz_server.root / "page.html").read_bytes()
        ranged = client.get("/s/page.html", headers={"accept-encoding": "gzip", "range": "bytes=5-9"})
        assert ranged.status_code == 206 and "content-encoding" not in ranged.headers
