"""The state buffer keeps its ready states out of Python's full collections (gc.freeze), and a
state it discards is still freed: once a tenth of the buffer has gone, the refill collects."""

from __future__ import annotations

import gc
import logging
import textwrap
import weakref

import anyio
import pytest

from petrel.config import load_config
from petrel.engines import find_sources, get_engine
from petrel.engines.base import HandlerError
from petrel.libs import LibraryContext, LibraryRegistry
from petrel.messages import Request
from petrel.metrics import MetricsRegistry
from petrel.server.router import Router
from petrel.server.statebuffer import StateBuffer

SPIN = textwrap.dedent("""
    function bootstrap() end
    function spin(request, response) while true do end end
""")


def _request() -> Request:
    return Request(method="GET", path="/spin", query="", http_version="1.1", proto="http",
                   host="localhost", headers=[("host", "localhost")], content=b"",
                   remote_addr="127.0.0.1", remote_port=5555, timestamp=0.0)


@pytest.fixture(autouse=True)
def _thawed():
    yield
    gc.unfreeze()   # the rest of the test session collects as usual


def test_ready_states_are_frozen_and_discarded_ones_are_freed(tmp_path):
    (tmp_path / "service.lua").write_text(SPIN)
    config = load_config(None, [("lua.root", str(tmp_path)), ("lua.timeout", "50")])
    ctx = LibraryContext(config=config, logger=logging.getLogger("test"), metrics=MetricsRegistry(),
                         router=Router(), lib_search_path=[str(tmp_path)])
    engine = get_engine("lark")(config, LibraryRegistry(ctx))
    buffer = StateBuffer(engine, lambda: find_sources(str(tmp_path)), 10, devmode=False, freeze=True)
    buffer.fill()
    assert gc.get_freeze_count() > 0

    async def main():
        gone = []
        async with anyio.create_task_group() as tg:
            tg.start_soon(buffer.refill_forever)
            state = buffer.acquire()
            gone.append(weakref.ref(state))
            with pytest.raises(HandlerError, match="lua.timeout"):
                await engine.handle(state, "spin", _request())
            buffer.release(state)   # stopped at its limit: discarded, replaced by the refill
            del state
            with anyio.fail_after(30):
                while gone[0]() is not None:
                    await anyio.sleep(0.05)
            assert buffer.ready == 10
            tg.cancel_scope.cancel()
    anyio.run(main)
