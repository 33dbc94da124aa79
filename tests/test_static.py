"""Directory routes: files served without Lua, conditional requests, and no way out of the root."""

from __future__ import annotations

import email.utils
import os
import socket

import httpx
import pytest


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
        assert client.get("/static/sub").status_code == 404
        assert client.get("/static/sub/").status_code == 404
        assert client.get("/static/").status_code == 404
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


@pytest.mark.parametrize("target", [
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
])
def test_no_way_out_of_the_root(server, target):
    data = raw_get(server.port, target)
    assert b"secret" not in data and b"root:" not in data
    assert data.startswith(b"HTTP/1.1 404 ") or data.startswith(b"HTTP/1.1 400 "), data[:60]
