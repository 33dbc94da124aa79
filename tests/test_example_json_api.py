"""examples/json-api served by a real server on every engine: list, create (JSON and form), get,
delete, and the 400/404/405 answers."""

from __future__ import annotations

import httpx

from support import EXAMPLES

ROOT = EXAMPLES / "json-api" / "lua"


def test_the_json_api(engine, start_server):
    server = start_server(ROOT, engine)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        reply = client.get("/items")
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/json"
        assert reply.content == b'{"items":[]}\n'

        reply = client.post("/items", json={"name": "caf\u00e9", "tags": ["hot", "drink"], "price": 2.5})
        assert reply.status_code == 201
        assert reply.headers["location"] == "/items/1"
        assert reply.content == '{"id":1,"name":"caf\u00e9","price":2.5,"tags":["hot","drink"]}\n'.encode()
        cookie = reply.headers["set-cookie"]
        assert cookie.startswith("last_item=1;") and "HttpOnly" in cookie and "Path=/items" in cookie

        reply = client.post("/items", data={"name": "tea", "tag": ["green", "loose"], "price": "3"})
        assert reply.status_code == 201, reply.text
        assert reply.json() == {"id": 2, "name": "tea", "price": 3, "tags": ["green", "loose"]}

        reply = client.post("/items", json={"name": "water"})   # no tags: an empty list
        assert reply.status_code == 201
        assert reply.content == b'{"id":3,"name":"water","tags":[]}\n'

        assert client.get("/items/3").content == b'{"id":3,"name":"water","tags":[]}\n'
        assert client.get("/items/1").json()["name"] == "caf\u00e9"
        assert [item["id"] for item in client.get("/items").json()["items"]] == [1, 2, 3]

        reply = client.delete("/items/2")
        assert reply.status_code == 204 and reply.content == b""
        assert client.get("/items/2").status_code == 404
        assert client.delete("/items/2").status_code == 404
        assert [item["name"] for item in client.get("/items/").json()["items"]] == ["caf\u00e9", "water"]


def test_the_json_api_refuses_bad_requests(engine, start_server):
    server = start_server(ROOT, engine)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        def error(reply: httpx.Response, status: int) -> str:
            assert reply.status_code == status, reply.text
            body = reply.json()
            assert body["request_id"] == reply.headers["x-request-id"]
            return body["error"]

        assert error(client.post("/items", content=b'{"name": "x",'), 400) == \
            "json.decode: unexpected end of input (a string key expected) at byte 14"
        assert error(client.post("/items", content=b'{"name": "\xff"}'), 400) == \
            "json.decode: invalid UTF-8 at byte 11"
        assert error(client.post("/items", content=b'{"name": "a"} trailing'), 400) == \
            "json.decode: unexpected character 't' after the value at byte 15"
        assert error(client.post("/items", content=b'[1, 2]'), 400) == "the body must be a JSON object"
        assert error(client.post("/items", content=b'"name"'), 400) == "the body must be a JSON object"
        assert error(client.post("/items", json={"name": ""}), 400) == "'name' must be a string of 1 to 200 bytes"
        assert error(client.post("/items", json={"name": 5}), 400) == "'name' must be a string of 1 to 200 bytes"
        assert error(client.post("/items", json={"name": "x", "tags": "a"}), 400) == "'tags' must be a list of strings"
        assert error(client.post("/items", json={"name": "x", "tags": [1]}), 400) == "'tags' must be a list of strings"
        assert error(client.post("/items", json={"name": "x", "price": -1}), 400) == \
            "'price' must be a number of at least 0"
        assert error(client.post("/items", content=b"[" * 5000), 400) == \
            "json.decode: nested deeper than 1000 levels at byte 1001"
        assert error(client.get("/items/99"), 404) == "no item 99"
        assert error(client.get("/items/abc"), 404) == "no such resource: /items/abc"
        assert error(client.get("/items/12345678901234567890"), 404).startswith("no such resource")
        reply = client.put("/items", content=b"{}")
        assert error(reply, 405) == "method PUT not allowed on /items"
        assert reply.headers["allow"] == "GET, HEAD, POST"
        assert error(client.patch("/items/1", content=b"{}"), 405) == "method PATCH not allowed on an item"
        # Nothing was created by any of them.
        assert client.get("/items").content == b'{"items":[]}\n'
