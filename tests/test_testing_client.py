"""petrel.testing.Client: a service's requests through the real dispatch, no socket, every engine."""

from __future__ import annotations

import pytest

from support import EXAMPLES, write_service
from petrel.testing import Client

SERVICE = {
    "bootstrap.lua": 'function bootstrap() petrel.add_route("/echo/", "echo") petrel.add_route("/boom", "boom") end\n',
    "echo.lua": """
        function echo(request, response)
            response.headers["x-method"] = request.method
            response.content = request.path .. "|" .. request.query .. "|" .. request.content
                .. "|" .. (request.headers["x-test"] or "")
            return response
        end
        function boom(request, response) error("no luck") end
    """,
}


def test_client_on_every_engine(engine, tmp_path):
    name, runtime = engine
    root = write_service(tmp_path / "svc", SERVICE)
    with Client(root, engine=name, runtime=runtime) as client:
        reply = client.get("/echo/a?b=1", headers={"X-Test": "yes"})
        assert (reply.status, reply.text, reply.header("x-method")) == (200, "/echo/a|b=1||yes", "GET")
        reply = client.post("/echo/p", body="data")
        assert reply.text == "/echo/p||data|" and reply.header("X-Method") == "POST"
        assert client.get("/nothing").status == 404
        assert client.get("/boom").status == 500


def test_client_on_the_getting_started_service(engine):
    name, runtime = engine
    with Client(EXAMPLES / "getting-started" / "lua", engine=name, runtime=runtime) as client:
        reply = client.get("/json/x")
        assert reply.status == 200
        assert b'"plain":"/json/x:1"' in reply.body
