"""Directory routes: files served without Lua, index.html, redirects, conditional and Range requests,
precompressed files, Cache-Control, and no way out of the root."""

from __future__ import annotations

import email.utils
import gzip
import os
import shutil
import socket
import subprocess

import httpx
import pytest

from support import DEFAULT_ENGINE


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "www"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_text("<h1>hi</h1>\n")
    (root / "style.css").write_text("body {}\n")
    (root / "data.json").write_text('{"a": 1}\n')
    (root / "blob.bin").write_bytes(bytes(range(256)) * 8)
    (root / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    (root / "sub" / "page.txt").write_text("page\n")
    (root / "with space.txt").write_text("spaced\n")
    (tmp_path / "secret.txt").write_text("secret\n")
    os.symlink(tmp_path / "secret.txt", root / "link-out.txt")
    os.symlink(root / "sub" / "page.txt", root / "link-in.txt")
    (root / "docs").mkdir()
    (root / "docs" / "index.html").write_text("<h1>docs</h1>\n")
    (root / "outdex").mkdir()
    (tmp_path / "secret.html").write_text("secret\n")
    os.symlink(tmp_path / "secret.html", root / "outdex" / "index.html")
    # precompressed neighbours: app.js.gz is served for app.js; plain.txt.gz points out of the root
    (root / "app.js").write_text("function f() { return 1; }\n" * 200)
    (root / "app.js.gz").write_bytes(gzip.compress((root / "app.js").read_bytes(), mtime=0))
    (root / "plain.txt").write_text("plain text\n" * 100)
    (tmp_path / "secret.txt.gz").write_bytes(gzip.compress(b"secret\n"))
    os.symlink(tmp_path / "secret.txt.gz", root / "plain.txt.gz")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("secret\n")
    (tmp_path / "outside" / "index.html").write_text("secret\n")
    os.symlink(tmp_path / "outside", root / "link-out-dir")
    return root


@pytest.fixture
def server(start_server, engine, site):
    service = {"b.lua": f"""
        function bootstrap()
            petrel.add_directory_route("/static/", "{site}")
            petrel.add_route("/", "h")
        end
        function h(request, response)
            response.content = "lua"
            return response
        end
    """}
    return start_server(service, engine)


def test_files_with_type_and_length(server, site):
    with httpx.Client(base_url=server.url) as client:
        for name, kind in [("index.html", "text/html"), ("style.css", "text/css"),
                           ("data.json", "application/json"), ("blob.bin", "application/octet-stream"),
                           ("sub/page.txt", "text/plain"), ("with%20space.txt", "text/plain")]:
            reply = client.get(f"/static/{name}")
            assert reply.status_code == 200, name
            assert reply.headers["content-type"].startswith(kind), name
            expected = (site / name.replace("%20", " ")).read_bytes()
            assert reply.content == expected
            assert reply.headers["content-length"] == str(len(expected))


def test_large_file_streams_exactly(server, site):
    reply = httpx.get(f"{server.url}/static/big.bin", timeout=30)
    assert reply.content == (site / "big.bin").read_bytes()


def test_last_modified_and_if_modified_since(server, site):
    with httpx.Client(base_url=server.url) as client:
        reply = client.get("/static/index.html")
        last_modified = reply.headers["last-modified"]
        stamp = email.utils.parsedate_to_datetime(last_modified).timestamp()
        assert int(stamp) == int(os.stat(site / "index.html").st_mtime)
        again = client.get("/static/index.html", headers={"if-modified-since": last_modified})
        assert again.status_code == 304 and again.content == b""
        older = email.utils.formatdate(stamp - 3600, usegmt=True)
        assert client.get("/static/index.html", headers={"if-modified-since": older}).status_code == 200


def test_etag_and_if_none_match(server):
    with httpx.Client(base_url=server.url) as client:
        etag = client.get("/static/style.css").headers["etag"]
        assert client.get("/static/style.css", headers={"if-none-match": etag}).status_code == 304
        assert client.get("/static/style.css", headers={"if-none-match": f'"other", {etag}'}).status_code == 304
        assert client.get("/static/style.css", headers={"if-none-match": '"other"'}).status_code == 200


def test_head(server, site):
    reply = httpx.head(f"{server.url}/static/blob.bin")
    assert reply.status_code == 200
    assert reply.content == b""
    assert reply.headers["content-length"] == str(len((site / "blob.bin").read_bytes()))


def test_missing_files_and_directories(server):
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/static/nope.txt").status_code == 404
        assert client.get("/static/sub/").status_code == 404        # no index.html, no listing
        assert client.get("/static/style.css/").status_code == 404  # a file is not a directory
        assert client.post("/static/index.html").status_code == 405


def test_symlink_inside_root_is_served(server):
    assert httpx.get(f"{server.url}/static/link-in.txt").text == "page\n"


def raw_get(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        for _ in range(1000):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


OUTSIDE_TARGETS = [
    "/static/../secret.txt",
    "/static/sub/../../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/sub/%2e%2e/%2e%2e/secret.txt",
    "/static/..%2fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/link-out.txt",
    "/static/..\\secret.txt",
    "/static/%00index.html",
    "/static/..",
    "/static/%2e%2e",
    "/static/sub/%2E%2e/",
    "/static/.%2e/secret.txt",
    "/static/%2e./secret.txt",
    "/static/sub/./../../secret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/docs%00/",
    "/static/link-out-dir/",
    "/static/link-out-dir",
    "/static/link-out-dir/secret.txt",
    "/static/outdex/",
    "/static/outdex/index.html",
    "/static/plain.txt.gz",
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/%ff/",
]


def test_no_way_out_of_the_root(one_server):
    for target in OUTSIDE_TARGETS:
        for extra in ("", "Accept-Encoding: gzip\r\n", "Range: bytes=0-3\r\n"):
            data = _raw(one_server.port, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                         f"{extra}\r\n".encode())
            assert b"secret" not in data and b"root:" not in data, target
            assert data.startswith((b"HTTP/1.1 404 ", b"HTTP/1.1 400 ")), (target, data[:60])


def test_no_way_out_over_http2(one_server):
    with httpx.Client(base_url=one_server.url, http1=False, http2=True, timeout=30) as client:
        for target in ("/static/%2e%2e/secret.txt", "/static/link-out-dir/secret.txt", "/static/outdex/",
                       "/static/link-out.txt"):
            reply = client.get(target, headers={"accept-encoding": "gzip"})
            assert reply.status_code == 404 and b"secret" not in reply.content, target


# -- directories ----------------------------------------------------------------------------------
def test_directory_index_and_redirect(server):
    with httpx.Client(base_url=server.url) as client:
        root = client.get("/static/")
        assert root.status_code == 200 and root.text == "<h1>hi</h1>\n"
        assert root.headers["content-type"].startswith("text/html")
        assert client.get("/static/docs/").text == "<h1>docs</h1>\n"
        moved = client.get("/static/docs")
        assert moved.status_code == 301 and moved.headers["location"] == "/static/docs/"
        moved = client.get("/static/docs?x=1&y=%20")
        assert moved.status_code == 301 and moved.headers["location"] == "/static/docs/?x=1&y=%20"
        assert client.get("/static/docs", follow_redirects=True).text == "<h1>docs</h1>\n"
        assert client.head("/static/docs/").headers["content-length"] == str(len("<h1>docs</h1>\n"))
        # an index.html that is a symlink out of the root is not served
        assert client.get("/static/outdex/").status_code == 404


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        for _ in range(1000):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def _head_of(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def test_redirect_of_a_root_route_stays_on_this_site(start_server, site):
    service = {"b.lua": f"""
        function bootstrap() petrel.add_directory_route("/", "{site}") end
    """}
    server = start_server(service, DEFAULT_ENGINE)
    for target, location in [("//docs", "/docs/"), ("///docs", "/docs/"), ("/docs", "/docs/"),
                             ("/%64ocs", "/%64ocs/")]:
        status, headers, _ = _head_of(_raw(server.port, f"GET {target} HTTP/1.1\r\nHost: x\r\n"
                                                        f"Connection: close\r\n\r\n".encode()))
        assert status == 301 and headers["location"] == location, target
    assert httpx.get(f"{server.url}/").text == "<h1>hi</h1>\n"
    (site / "a dir").mkdir()
    status, headers, _ = _head_of(_raw(server.port, b"GET /a%20dir?q=\"x\" HTTP/1.1\r\nHost: x\r\n"
                                                    b"Connection: close\r\n\r\n"))
    assert status == 301 and headers["location"] == "/a%20dir/?q=%22x%22"


# -- Range ------------------------------------------------------------------------------------------
@pytest.fixture
def one_server(start_server, site):
    """The directory route on the default engine (these behaviours involve no Lua)."""
    service = {"b.lua": f"""
        function bootstrap()
            petrel.add_directory_route("/static/", "{site}")
            petrel.add_directory_route("/cached/", "{site}", {{cache_control = "public, max-age=60"}})
        end
    """}
    return start_server(service, DEFAULT_ENGINE)


def test_single_ranges(one_server, site):
    blob = (site / "blob.bin").read_bytes()
    size = len(blob)
    with httpx.Client(base_url=one_server.url) as client:
        full = client.get("/static/blob.bin")
        assert full.headers["accept-ranges"] == "bytes"
        for spec, first, last in [("0-9", 0, 9), ("10-", 10, size - 1), ("-16", size - 16, size - 1),
                                  ("-99999", 0, size - 1), (f"{size - 1}-{size + 1000}", size - 1, size - 1),
                                  ("100-99999999999999999999999999", 100, size - 1),
                                  ("5-5", 5, 5)]:
            reply = client.get("/static/blob.bin", headers={"range": f"bytes={spec}"})
            assert reply.status_code == 206, spec
            assert reply.headers["content-range"] == f"bytes {first}-{last}/{size}", spec
            assert reply.content == blob[first:last + 1], spec
            assert reply.headers["content-length"] == str(last - first + 1)
            assert reply.headers["etag"] == full.headers["etag"]
        # overlapping and adjacent ranges merge into one
        reply = client.get("/static/blob.bin", headers={"range": "bytes=0-9, 5-19,20-29"})
        assert reply.status_code == 206 and reply.headers["content-range"] == f"bytes 0-29/{size}"
        assert reply.content == blob[:30]
        # HEAD ignores Range
        head = client.head("/static/blob.bin", headers={"range": "bytes=0-9"})
        assert head.status_code == 200 and head.headers["content-length"] == str(size)


def parse_byteranges(content_type: str, body: bytes) -> list[tuple[str, str, bytes]]:
    """(content-type, content-range, data) of each part of a multipart/byteranges body, strictly."""
    assert content_type.startswith("multipart/byteranges; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    assert body.startswith(b"--" + boundary + b"\r\n") and body.endswith(b"\r\n--" + boundary + b"--\r\n")
    inner = body[len(boundary) + 4:-(len(boundary) + 8)]
    parts = []
    for chunk in inner.split(b"\r\n--" + boundary + b"\r\n"):
        head, _, data = chunk.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        parts.append((fields["content-type"], fields["content-range"], data))
    return parts


def test_several_ranges_answer_multipart_byteranges(one_server, site):
    blob = (site / "blob.bin").read_bytes()
    size = len(blob)
    with httpx.Client(base_url=one_server.url) as client:
        reply = client.get("/static/blob.bin", headers={"range": "bytes=100-199, 0-1, 1000-1000, -5"})
        assert reply.status_code == 206 and "content-range" not in reply.headers
        assert int(reply.headers["content-length"]) == len(reply.content)
        parts = parse_byteranges(reply.headers["content-type"], reply.content)
        assert parts == [("application/octet-stream", f"bytes 0-1/{size}", blob[0:2]),
                         ("application/octet-stream", f"bytes 100-199/{size}", blob[100:200]),
                         ("application/octet-stream", f"bytes 1000-1000/{size}", blob[1000:1001]),
                         ("application/octet-stream", f"bytes {size - 5}-{size - 1}/{size}", blob[-5:])]
        # more than 16 disjoint ranges, or a multipart body not smaller than the file: the whole file
        many = ",".join(f"{i}-{i}" for i in range(0, 68, 4))
        reply = client.get("/static/blob.bin", headers={"range": f"bytes={many}"})
        assert reply.status_code == 200 and reply.content == blob
        reply = client.get("/static/style.css", headers={"range": "bytes=0-0,2-2"})
        assert reply.status_code == 200 and reply.content == (site / "style.css").read_bytes()
    with httpx.Client(base_url=one_server.url, http1=False, http2=True, timeout=30) as client:
        reply = client.get("/static/blob.bin", headers={"range": "bytes=0-9,20-29"})
        assert reply.http_version == "HTTP/2" and reply.status_code == 206
        assert [p[2] for p in parse_byteranges(reply.headers["content-type"], reply.content)] == \
            [blob[0:10], blob[20:30]]


def test_multipart_byteranges_of_a_large_file_stream(one_server, site):
    big = (site / "big.bin").read_bytes()
    reply = httpx.get(f"{one_server.url}/static/big.bin", headers={"range": "bytes=0-9,1000000-2500000"},
                      timeout=30)
    assert reply.status_code == 206
    parts = parse_byteranges(reply.headers["content-type"], reply.content)
    assert [p[2] for p in parts] == [big[0:10], big[1000000:2500001]]
    assert parts[1][1] == f"bytes 1000000-2500000/{len(big)}"


def test_range_of_a_large_file_streams(one_server, site):
    big = (site / "big.bin").read_bytes()
    first, last = 1000, 2 * 1024 * 1024 + 5000
    reply = httpx.get(f"{one_server.url}/static/big.bin", headers={"range": f"bytes={first}-{last}"},
                      timeout=30)
    assert reply.status_code == 206
    assert reply.content == big[first:last + 1]
    reply = httpx.get(f"{one_server.url}/static/big.bin", headers={"range": "bytes=-7"})
    assert reply.content == big[-7:]


def test_unsatisfiable_ranges(one_server, site):
    size = len((site / "blob.bin").read_bytes())
    with httpx.Client(base_url=one_server.url) as client:
        for spec in [f"{size}-", f"{size + 5}-{size + 10}", "-0", "5-1", "99999999999999999999999-",
                     f"{size}-,-0"]:
            reply = client.get("/static/blob.bin", headers={"range": f"bytes={spec}"})
            assert reply.status_code == 416, spec
            assert reply.headers["content-range"] == f"bytes */{size}", spec


def test_if_range(one_server, site):
    blob = (site / "blob.bin").read_bytes()
    with httpx.Client(base_url=one_server.url) as client:
        full = client.get("/static/blob.bin")
        etag, last_modified = full.headers["etag"], full.headers["last-modified"]
        for validator, status in [(etag, 206), (last_modified, 206), ('"other"', 200), ("W/" + etag, 200),
                                  (email.utils.formatdate(0, usegmt=True), 200), ("garbage", 200)]:
            reply = client.get("/static/blob.bin", headers={"range": "bytes=0-3", "if-range": validator})
            assert reply.status_code == status, validator
            assert reply.content == (blob[:4] if status == 206 else blob)


def test_ranges_with_curl(one_server, site):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    blob = (site / "blob.bin").read_bytes()
    result = subprocess.run([curl, "-s", "-S", "-r", "100-199", "-o", "-", "-w", "%{http_code}",
                             f"{one_server.url}/static/blob.bin"], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout[:-3] == blob[100:200] and result.stdout[-3:] == b"206"
    result = subprocess.run([curl, "-s", "-S", "-r", "0-1,10-11", "-o", "-", "-w", "\n%{content_type}",
                             f"{one_server.url}/static/blob.bin"], capture_output=True, timeout=30)
    body, _, content_type = result.stdout.rpartition(b"\n")
    assert [p[2] for p in parse_byteranges(content_type.decode(), body)] == [blob[0:2], blob[10:12]]


def test_ranges_over_http2(one_server, site):
    blob = (site / "blob.bin").read_bytes()
    with httpx.Client(base_url=one_server.url, http1=False, http2=True, timeout=30) as client:
        reply = client.get("/static/blob.bin", headers={"range": "bytes=7-70"})
        assert reply.http_version == "HTTP/2"
        assert reply.status_code == 206 and reply.content == blob[7:71]
        reply = client.get("/static/blob.bin", headers={"range": "bytes=-0"})
        assert reply.status_code == 416


@pytest.mark.parametrize("value, status", [
    ("bytes=0-0,0-0,0-0,0-0", 206),          # overlapping: merged
    ("bytes=" + ",".join(["0-1"] * 100), 206),
    ("bytes=" + ",".join(f"{i}-{i}" for i in range(0, 404, 4)), 200),   # more than 100 parts: ignored
    ("bytes=" + ",".join(f"{i}-{i}" for i in range(0, 80, 2)), 200),    # 40 disjoint ranges
    ("bytes=0-0,2-2,4-4", 206),                                             # multipart
    ("bytes=" + "9" * 5000 + "-", 416),
    ("bytes=-" + "9" * 5000, 206),
    ("bytes=0-" + "9" * 5000, 206),
    ("bytes=abc", 200), ("bytes=1-2-3", 200), ("bytes=-", 200), ("bytes=", 200), ("bytes", 200),
    ("items=0-5", 200), ("bytes=0x10-0x20", 200), ("bytes=+1-2", 200), ("bytes=1 - 2", 200),
    ("bytes=-1-", 200), ("bytes=\u00e9-1", 200), ("bytes=,,,", 200), ("bytes=0-5,garbage", 200),
    ("Bytes = 0-5", 206), ("bytes=5-1", 416), ("bytes=-0", 416), ("bytes=2048-", 416),
])
def test_hostile_range_headers(one_server, site, value, status):
    blob = (site / "blob.bin").read_bytes()
    request = (b"GET /static/blob.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\nRange: "
               + value.encode("latin-1") + b"\r\n\r\n")
    got, headers, body = _head_of(_raw(one_server.port, request))
    assert got == status, value
    if status == 200:
        assert body == blob and "content-range" not in headers
    elif status == 206 and "content-range" not in headers:
        for _, content_range, data in parse_byteranges(headers["content-type"], body):
            first, last = (int(n) for n in content_range.split()[1].split("/")[0].split("-"))
            assert data == blob[first:last + 1]
    elif status == 206:
        first, last = (int(n) for n in headers["content-range"].split()[1].split("/")[0].split("-"))
        assert body == blob[first:last + 1]
    else:
        assert headers["content-range"] == f"bytes */{len(blob)}"
    assert int(headers["content-length"]) == len(body)


def test_empty_file_ranges(one_server, site):
    (site / "empty.txt").write_bytes(b"")
    with httpx.Client(base_url=one_server.url) as client:
        assert client.get("/static/empty.txt").content == b""
        reply = client.get("/static/empty.txt", headers={"range": "bytes=0-"})
        assert reply.status_code == 416 and reply.headers["content-range"] == "bytes */0"


# -- precompressed files ------------------------------------------------------------------------------
def test_precompressed_file(one_server, site):
    js = (site / "app.js").read_bytes()
    packed = (site / "app.js.gz").read_bytes()
    with httpx.Client(base_url=one_server.url) as client:
        reply = client.get("/static/app.js", headers={"accept-encoding": "gzip"})
        assert reply.headers["content-encoding"] == "gzip"
        assert reply.headers["content-type"].startswith("text/javascript") or \
            reply.headers["content-type"].startswith("application/javascript")
        assert reply.headers["vary"].lower() == "accept-encoding"
        assert reply.headers["content-length"] == str(len(packed))
        assert reply.content == js                       # httpx decodes it
        gz_etag = reply.headers["etag"]
        head = client.head("/static/app.js", headers={"accept-encoding": "gzip"})
        assert head.headers["content-length"] == str(len(packed))
        assert head.headers["content-encoding"] == "gzip" and head.headers["etag"] == gz_etag
        for refusing in ["identity", "gzip;q=0", "br", "gzip;q=0, *;q=1"]:
            plain = client.get("/static/app.js", headers={"accept-encoding": refusing})
            assert "content-encoding" not in plain.headers, refusing
            assert plain.content == js and plain.headers["vary"].lower() == "accept-encoding"
            assert plain.headers["etag"] != gz_etag
        assert client.get("/static/app.js", headers={"accept-encoding": "gzip",
                                                     "if-none-match": gz_etag}).status_code == 304
        # a Range is of the identity file
        ranged = client.get("/static/app.js", headers={"accept-encoding": "gzip", "range": "bytes=0-7"})
        assert ranged.status_code == 206 and ranged.content == js[:8]
        assert "content-encoding" not in ranged.headers
        # the .gz asked for by its name is a gzip file
        direct = client.get("/static/app.js.gz", headers={"accept-encoding": "identity"})
        assert direct.headers["content-type"] == "application/gzip" and direct.content == packed
    raw = _raw(one_server.port, b"GET /static/app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                b"Accept-Encoding: gzip\r\n\r\n")
    assert _head_of(raw)[2] == packed


def test_precompressed_over_http2(one_server, site):
    with httpx.Client(base_url=one_server.url, http1=False, http2=True, timeout=30) as client:
        reply = client.get("/static/app.js", headers={"accept-encoding": "gzip"})
        assert reply.http_version == "HTTP/2" and reply.headers["content-encoding"] == "gzip"
        assert reply.content == (site / "app.js").read_bytes()


def test_precompressed_symlink_out_of_the_root_is_not_used(one_server, site):
    reply = httpx.get(f"{one_server.url}/static/plain.txt", headers={"accept-encoding": "gzip"})
    assert reply.status_code == 200 and "content-encoding" not in reply.headers
    assert reply.content == (site / "plain.txt").read_bytes()
    assert httpx.get(f"{one_server.url}/static/plain.txt.gz").status_code == 404


# -- Cache-Control ------------------------------------------------------------------------------------
def test_cache_control_per_route(one_server):
    with httpx.Client(base_url=one_server.url) as client:
        reply = client.get("/cached/style.css")
        assert reply.headers["cache-control"] == "public, max-age=60"
        assert "cache-control" not in client.get("/static/style.css").headers
        assert client.get("/cached/style.css", headers={"range": "bytes=0-1"}).headers["cache-control"] \
            == "public, max-age=60"
        not_modified = client.get("/cached/style.css", headers={"if-none-match": reply.headers["etag"]})
        assert not_modified.status_code == 304
        assert not_modified.headers["cache-control"] == "public, max-age=60"
        assert "cache-control" not in client.get("/cached/nope.css").headers


def test_cache_control_option_on_every_engine(start_server, engine, site):
    service = {"b.lua": f"""
        function bootstrap()
            petrel.add_directory_route("/c/", "{site}", {{cache_control = "no-cache"}})
        end
    """}
    server = start_server(service, engine)
    assert httpx.get(f"{server.url}/c/style.css").headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("options, message", [
    ('{cache_controll = "x"}', "unknown option 'cache_controll'"),
    ("{cache_control = 5}", "option 'cache_control' must be a string"),
    ('{cache_control = "a\\r\\nSet-Cookie: x=1"}', "without control characters"),
    ('{cache_control = ""}', "non-empty"),
    ('"public"', "table expected"),
])
def test_bad_directory_route_options(start_server, engine, site, options, message):
    service = {"b.lua": f"""
        function bootstrap()
            petrel.add_directory_route("/c/", "{site}", {options})
        end
    """}
    server = start_server(service, engine, expect_ready=False)
    assert server.process.wait(30) == 1
    assert message in server.log() and "b.lua:3" in server.log()
    assert "Traceback" not in server.log()


def test_a_file_replaced_while_served_is_sent_whole(one_server, site):
    import threading
    versions = [b"short version\n" * 10, b"a longer version of the same file\n" * 300]
    target = site / "deploy.txt"
    target.write_bytes(versions[0])
    stop = threading.Event()

    def deploy():
        for i in range(200000):
            if stop.is_set():
                return
            staging = site / f".deploy-{i % 2}"
            staging.write_bytes(versions[i % 2])
            os.replace(staging, target)

    writer = threading.Thread(target=deploy)
    writer.start()
    try:
        with httpx.Client(base_url=one_server.url) as client:
            for _ in range(200):
                reply = client.get("/static/deploy.txt")
                assert reply.status_code in (200, 503)
                if reply.status_code == 200:
                    assert reply.content in versions
                    assert reply.headers["etag"].endswith(f'-{len(reply.content):x}"')
    finally:
        stop.set()
        writer.join(10)
