"""lua.devmode (--reload): a route added while serving works without a restart, and errors answer
an HTML page with the message, the traceback and the source lines (production: a plain 500)."""

from __future__ import annotations

import httpx

BOOT = 'function bootstrap() petrel.add_route("/one", "one") end\n'
BOOT2 = 'function bootstrap() petrel.add_route("/one", "one") petrel.add_route("/two", "two") end\n'
HANDLERS = """\
function one(req, res) res.content = "one" return res end
function two(req, res) res.content = "two" return res end
function boom(req, res)
    local t = nil
    return t.field .. "<b>"
end
"""


def test_new_route_without_restart(start_server, engine, tmp_path):
    root = tmp_path / "dev"
    root.mkdir()
    (root / "bootstrap.lua").write_text(BOOT)
    (root / "handlers.lua").write_text(HANDLERS)
    server = start_server(root, engine, "--reload")
    assert httpx.get(server.url + "/one").text == "one"
    assert httpx.get(server.url + "/two").status_code == 404
    (root / "bootstrap.lua").write_text(BOOT2)
    assert httpx.get(server.url + "/two").text == "two"
    server.wait_for_log("bootstrap\\(\\) ran again")


def test_error_page_with_traceback_and_source(start_server, engine, tmp_path):
    root = tmp_path / "dev"
    root.mkdir()
    (root / "bootstrap.lua").write_text('function bootstrap() petrel.add_route("/boom", "boom") end\n')
    (root / "handlers.lua").write_text(HANDLERS)
    server = start_server(root, engine, "--lua.devmode=1")
    reply = httpx.get(server.url + "/boom")
    assert reply.status_code == 500
    assert reply.headers["content-type"].startswith("text/html")
    page = reply.text
    assert "handler &#x27;boom&#x27; failed" in page or "handler 'boom' failed" in page
    assert "handlers.lua:5" in page                        # the message and the frame
    assert "stack traceback" in page
    assert "return t.field .. &quot;&lt;b&gt;&quot;" in page   # the source line, escaped
    assert "local t = nil" in page                          # the lines around it
    assert "<b>" not in page
    (root / "handlers.lua").write_text("function boom(req, res) return = end\n")
    broken = httpx.get(server.url + "/boom")
    assert broken.status_code == 500 and "does not load" in broken.text
    assert "handlers.lua:1" in broken.text


def test_production_answers_plain_500(start_server, engine, tmp_path):
    root = tmp_path / "prod"
    root.mkdir()
    (root / "bootstrap.lua").write_text('function bootstrap() petrel.add_route("/boom", "boom") end\n')
    (root / "handlers.lua").write_text(HANDLERS)
    server = start_server(root, engine)
    reply = httpx.get(server.url + "/boom")
    assert reply.status_code == 500
    assert reply.text == "500 Internal Server Error\n"
    server.wait_for_log("handler 'boom' failed")


NATIVE = '''\
from petrel.libs import Library

library = Library("greeting", "says hello")
unloaded = []


@library.function
def hello(ctx, name):
    return "{word}, " + name.decode()


@library.unload
def bye(ctx):
    ctx.logger.info("greeting {word} unloaded")
'''


def test_native_library_reloaded(start_server, engine, tmp_path):
    root = tmp_path / "dev"
    root.mkdir()
    (root / "bootstrap.lua").write_text('function bootstrap() petrel.load_lib("greeting") '
                                        'petrel.add_route("/hi", "hi") end\n')
    (root / "handlers.lua").write_text('function hi(req, res) res.content = greeting.hello("ann") '
                                       'return res end\n')
    (root / "greeting.py").write_text(NATIVE.format(word="hello"))
    server = start_server(root, engine, "--reload")
    assert httpx.get(server.url + "/hi").text == "hello, ann"
    (root / "greeting.py").write_text(NATIVE.format(word="salut"))
    assert httpx.get(server.url + "/hi").text == "salut, ann"
    server.wait_for_log("greeting hello unloaded")
    server.wait_for_log("a native library changed")
    # A native library that no longer imports: the error page, then recovery once it is fixed.
    (root / "greeting.py").write_text("this is not python\n")
    broken = httpx.get(server.url + "/hi")
    assert broken.status_code == 500 and "greeting" in broken.text
    (root / "greeting.py").write_text(NATIVE.format(word="hej"))
    assert httpx.get(server.url + "/hi").text == "hej, ann"
