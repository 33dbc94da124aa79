"""Request bodies (request.form, request.files, form_list, file_list) and the text helpers
(petrel.url_encode, url_decode, html_escape), on every engine, through real servers: HTTP/1.1 on
both parsers and HTTP/2."""

from __future__ import annotations

import json

import httpx
import pytest

from http1_parsers import PARSERS, protocol_for
from support import ENGINE_SPECS, engine_available, launch_server, write_service

SERVICE = {
    "bootstrap.lua": """
        function bootstrap()
            petrel.add_route("/form", "show_form")
            petrel.add_route("/files", "show_files")
            petrel.add_route("/caught", "caught")
            petrel.add_route("/untouched", "untouched")
            petrel.add_route("/helpers", "helpers")
            petrel.add_route("/list_args", "list_args")
        end
    """,
    "handlers.lua": """
        local function q(s)
            return '"' .. (tostring(s):gsub("[%c\\"\\\\\\128-\\255]", function(c)
                return string.format("\\\\u%04x", c:byte())
            end)) .. '"'
        end

        local function object(t)
            local keys = {}
            for k in pairs(t) do keys[#keys + 1] = k end
            table.sort(keys)
            local out = {}
            for _, k in ipairs(keys) do out[#out + 1] = q(k) .. ":" .. t[k] end
            return "{" .. table.concat(out, ",") .. "}"
        end

        local function array(t)
            local out = {}
            for i, v in ipairs(t) do out[i] = v end
            return "[" .. table.concat(out, ",") .. "]"
        end

        local function file_json(f)
            return object({ name = q(f.name), filename = q(f.filename), content_type = q(f.content_type),
                            content = q(f.content), size = #f.content })
        end

        function show_form(request, response)
            local fields = {}
            for k, v in pairs(request.form) do fields[k] = q(v) end
            local all = {}
            for i, v in ipairs(request.form_list("a")) do all[i] = q(v) end
            local colon = {}
            for i, v in ipairs(request:form_list("a")) do colon[i] = q(v) end
            local count = 0
            for _ in pairs(request.files) do count = count + 1 end
            response.headers["content-type"] = "application/json"
            response.content = object({ form = object(fields), a = array(all), colon = array(colon),
                                        files = count, same = tostring(request.form == request.form) })
            return response
        end

        function show_files(request, response)
            local first = {}
            for k, f in pairs(request.files) do first[k] = file_json(f) end
            local all = {}
            for i, f in ipairs(request.file_list("f")) do all[i] = file_json(f) end
            local fields = {}
            for k, v in pairs(request.form) do fields[k] = q(v) end
            response.content = object({ files = object(first), f = array(all), form = object(fields) })
            return response
        end

        function caught(request, response)
            local ok, err = pcall(function() return request.form end)
            response.content = tostring(ok) .. " " .. tostring(err)
            return response
        end

        function untouched(request, response)
            response.content = "fine " .. #request.content
            return response
        end

        function helpers(request, response)
            local s = request.content
            response.content = object({
                encoded = q(petrel.url_encode(s)),
                decoded = q(petrel.url_decode(s)),
                decoded_plus = q(petrel.url_decode(s, false)),
                escaped = q(petrel.html_escape(s)),
                round = tostring(petrel.url_decode(petrel.url_encode(s)) == s),
            })
            return response
        end

        function list_args(request, response)
            local ok, err = pcall(function() local v = request.form_list(); return v end)
            local ok2, err2 = pcall(function() local v = request.file_list(42); return v end)
            response.content = tostring(err) .. "\\n" .. tostring(err2)
            return response
        end
    """,
}


def _combinations():
    for spec in ENGINE_SPECS:
        for parser in PARSERS:
            yield pytest.param((spec.values[0], parser.values[0]), id=f"{spec.id}-{parser.id}")


@pytest.fixture(scope="module", params=list(_combinations()))
def server(request, tmp_path_factory):
    (engine, parser) = request.param
    reason = engine_available(*engine)
    if reason:
        pytest.skip(reason)
    protocol_for(parser)   # skips httptools where it is missing
    workdir = tmp_path_factory.mktemp("body")
    root = write_service(workdir / "service", SERVICE)
    process = launch_server(workdir, root, engine, f"--server.http1-parser={parser}",
                            "--server.max-form-parts=50", "--server.max-body-size=2000000")
    yield process
    process.stop()


@pytest.fixture(params=["http1", "http2"])
def client(request, server):
    http2 = request.param == "http2"
    with httpx.Client(base_url=server.url, http1=not http2, http2=http2, timeout=30) as c:
        yield c


def _multipart(boundary: str, parts: list[tuple[str, bytes]]) -> bytes:
    body = b""
    for headers, content in parts:
        body += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def test_urlencoded_form_first_value_and_all_values(client):
    body = b"a=1&b=two+words&a=2&c=%FF%00x&empty=&a=&novalue"
    r = client.post("/form", content=body,
                    headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["form"] == {"a": "1", "b": "two words", "c": "\u00ff\u0000x", "empty": "",
                            "novalue": ""}
    assert data["a"] == ["1", "2", ""]
    assert data["colon"] == data["a"]
    assert data["files"] == 0
    assert data["same"] is True   # parsed once, kept in the request table


def test_no_form_for_other_bodies(client):
    for headers in ({"content-type": "application/json"}, {}):
        r = client.post("/form", content=b'{"a": 1}', headers=headers)
        assert r.status_code == 200, r.text
        assert r.json() == {"form": {}, "a": [], "colon": [], "files": 0, "same": True}
    assert client.get("/form").json()["form"] == {}


def test_multipart_fields_and_files(client):
    boundary = "----petrelB0undary"
    binary = bytes(range(256)) * 20
    body = _multipart(boundary, [
        ('Content-Disposition: form-data; name="a"', b"first"),
        ('Content-Disposition: form-data; name="f"; filename="one.bin"\r\n'
         'Content-Type: application/octet-stream', binary),
        ('Content-Disposition: form-data; name="a"', b"second"),
        ('Content-Disposition: form-data; name="f"; filename="two.txt"', b"hello\r\nworld"),
        ('Content-Disposition: form-data; name="g"; filename="caf\u00e9.txt"\r\n'
         'Content-Type: text/plain; charset=utf-8', "d\u00e9j\u00e0".encode()),
        # the boundary's text inside content that is not a delimiter (no CRLF before it)
        ('Content-Disposition: form-data; name="tricky"', f"x--{boundary}y--{boundary}--".encode()),
    ])
    r = client.post("/files", content=body,
                    headers={"content-type": f'multipart/form-data; boundary="{boundary}"'})
    assert r.status_code == 200, r.text
    data = json.loads(r.text)
    assert data["form"] == {"a": "first", "tricky": f"x--{boundary}y--{boundary}--"}
    one = data["files"]["f"]
    assert one["filename"] == "one.bin" and one["name"] == "f"
    assert one["content_type"] == "application/octet-stream"
    assert one["size"] == len(binary)
    assert one["content"].encode("latin-1") == binary
    assert [f["filename"] for f in data["f"]] == ["one.bin", "two.txt"]
    assert data["f"][1]["content"] == "hello\r\nworld"
    assert data["f"][1]["content_type"] == "text/plain"   # RFC 7578's default
    g = data["files"]["g"]
    assert g["filename"].encode("latin-1").decode() == "caf\u00e9.txt"
    assert g["content_type"] == "text/plain; charset=utf-8"
    assert g["content"].encode("latin-1").decode() == "d\u00e9j\u00e0"


def test_multipart_with_httpx_files(client):
    r = client.post("/files", data={"a": "x"}, files={"f": ("report.csv", b"1,2\n3,4\n", "text/csv")})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["form"] == {"a": "x"}
    assert data["files"]["f"]["content"] == "1,2\n3,4\n"
    assert data["files"]["f"]["content_type"] == "text/csv"


MALFORMED = [
    ("multipart/form-data", b"--x\r\n\r\n", "without a boundary"),
    ("multipart/form-data; boundary=", b"--x\r\n\r\n", "without a boundary"),
    ("multipart/form-data; boundary=XYZ",
     b'--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end', "Unexpected end"),
    ("multipart/form-data; boundary=XYZ", b"not multipart at all", "malformed multipart body"),
    ("multipart/form-data; boundary=XYZ", b"", "malformed multipart body"),
    ("multipart/form-data; boundary=XYZ",
     b'--XYZ\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\nv\r\n--XYZ--\r\n', "not UTF-8"),
    ("multipart/form-data; boundary=XYZ",
     b'--XYZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XYZ--\r\n', "Content-Disposition"),
]


@pytest.mark.parametrize("content_type, body, reason", MALFORMED)
def test_malformed_body_is_400_naming_the_handler_line(server, client, content_type, body, reason):
    r = client.post("/form", content=body, headers={"content-type": content_type})
    assert r.status_code == 400, r.text
    assert r.text == "400 Bad Request\n"
    assert "handler 'show_form' failed: handlers.lua:" in server.log()
    # the handler can catch it, and one that never reads the form is not affected
    r = client.post("/caught", content=body, headers={"content-type": content_type})
    assert r.status_code == 200
    assert r.text.startswith("false handlers.lua:") and reason in r.text, r.text
    r = client.post("/untouched", content=body, headers={"content-type": content_type})
    assert r.status_code == 200 and r.text == f"fine {len(body)}"


def test_too_many_parts_and_fields(client):
    r = client.post("/caught", content=b"&".join(b"k%d=v" % i for i in range(51)),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert "more than server.max-form-parts (50) form fields" in r.text
    r = client.post("/form", content=b"&".join(b"k%d=v" % i for i in range(50)),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and len(r.json()["form"]) == 50
    boundary = "b"
    huge = _multipart(boundary, [('Content-Disposition: form-data; name="p"', b"x")] * 20000)
    r = client.post("/caught", content=huge, headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 200
    assert "more than server.max-form-parts (50) multipart parts" in r.text
    r = client.post("/form", content=huge, headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 400


def test_body_over_max_body_size_is_413(client):
    r = client.post("/form", content=b"a=" + b"x" * 2000001,
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


def test_accessor_arguments_are_checked(client):
    r = client.get("/list_args")
    first, second = r.text.split("\n")
    assert first.startswith("handlers.lua:") and \
        "bad argument #1 to 'form_list' (string expected, got nil)" in first
    assert second.startswith("handlers.lua:") and \
        "bad argument #1 to 'file_list' (string expected, got number)" in second


@pytest.mark.parametrize("text, encoded, decoded, decoded_plus, escaped", [
    ("a b&c=d/é?+%", "a%20b%26c%3Dd%2F%C3%A9%3F%2B%25", "a b&c=d/é? %", "a b&c=d/é?+%",
     "a b&amp;c=d/é?+%"),
    ("<script>alert('x\"y')</script>", "%3Cscript%3Ealert%28%27x%22y%27%29%3C%2Fscript%3E",
     "<script>alert('x\"y')</script>", "<script>alert('x\"y')</script>",
     "&lt;script&gt;alert(&#39;x&quot;y&#39;)&lt;/script&gt;"),
    ("%41%4a%zz%4", "%2541%254a%25zz%254", "AJ%zz%4", "AJ%zz%4", "%41%4a%zz%4"),
    ("-._~09AZaz", "-._~09AZaz", "-._~09AZaz", "-._~09AZaz", "-._~09AZaz"),
    ("", "", "", "", ""),
])
def test_text_helpers(client, text, encoded, decoded, decoded_plus, escaped):
    r = client.post("/helpers", content=text.encode())
    assert r.status_code == 200, r.text
    data = {k: (v.encode("latin-1").decode() if isinstance(v, str) else v) for k, v in r.json().items()}
    assert data == {"encoded": encoded, "decoded": decoded, "decoded_plus": decoded_plus,
                    "escaped": escaped, "round": True}


def test_text_helpers_on_binary(client):
    raw = bytes(range(256))
    r = client.post("/helpers", content=raw)
    data = r.json()
    assert data["round"] is True
    assert data["encoded"] == "".join(chr(b) if chr(b).isalnum() and b < 128 or chr(b) in "-._~"
                                      else "%%%02X" % b for b in raw)
    assert data["escaped"].encode("latin-1") == raw.replace(b"&", b"&amp;").replace(b"<", b"&lt;") \
        .replace(b">", b"&gt;").replace(b'"', b"&quot;").replace(b"'", b"&#39;")


def test_empty_file_input_is_a_file_part(client):
    body = _multipart("E", [('Content-Disposition: form-data; name="f"; filename=""\r\n'
                             'Content-Type: application/octet-stream', b""),
                            ('Content-Disposition: form-data; name="note"', b"")])
    r = client.post("/files", content=body, headers={"content-type": "multipart/form-data; boundary=E"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["files"] == {"f": {"name": "f", "filename": "", "content_type": "application/octet-stream",
                                   "content": "", "size": 0}}
    assert data["form"] == {"note": ""}
