"""Lua states kept ready so that making one is not on a request's path.

``acquire`` hands out a ready state (or makes one on the spot when more requests run at once than
there are states); ``release`` resets it and puts it back, or discards it when the engine says it
cannot be reused. ``lua.statebuffer`` counts the states that exist (ready plus in use): a state in
use comes back, so only a discarded one is replaced, by a background task that makes one state per
loop turn so that requests keep being served while it works. In devmode every request gets a state made from freshly
read files and the state is discarded afterwards.
"""

from __future__ import annotations

import gc
import logging
from typing import Any, Callable

import anyio

log = logging.getLogger("petrel.server")


class StateBuffer:
    def __init__(self, engine: Any, load_sources: Callable[[], list], size: int, devmode: bool,
                 freeze: bool = False) -> None:
        self.engine = engine
        self.load_sources = load_sources
        self.size = size
        self.devmode = devmode
        self.sources = load_sources()
        self._ready: list[Any] = []
        self._wanted = anyio.Event()
        self.created = 0
        self.in_use = 0
        self.freeze = freeze   # keep the ready states out of Python's full collections (_freeze)
        self._discarded_frozen = 0   # states discarded since the last freeze

    @property
    def ready(self) -> int:
        return len(self._ready)

    def _new_state(self) -> Any:
        state = self.engine.new_state(self.sources)
        self.created += 1
        return state

    def fill(self) -> None:
        """Fill the buffer completely (at start-up)."""
        if self.devmode:
            return
        while len(self._ready) < self.size:
            self._ready.append(self._new_state())
        self._freeze()

    def _freeze(self) -> None:
        """Keep Python's full collections off the states' own objects.

        Hundreds of ready states are a large heap of Python objects that live as long as the
        server (on lark, every table and function of every state is one): a full collection
        walked them all, about 150 ms with 500 lark states, every second or so under load, and
        every request in flight waited for it (a p99 of 100 ms). gc.freeze() puts everything that
        exists now out of the collector's reach. A discarded state's objects are then not
        collected either, so once a tenth of the buffer has been discarded the refill collects
        the whole heap once (one pause of that length) and freezes it again.
        """
        if self.freeze:
            gc.freeze()
        self._discarded_frozen = 0

    def _collect_discarded(self) -> None:
        if self.freeze and self._discarded_frozen >= max(1, self.size // 10):
            gc.unfreeze()
            gc.collect()
            self._freeze()

    def acquire(self) -> Any:
        if self.devmode:
            self.sources = self.load_sources()
            state = self._new_state()
        elif self._ready:
            state = self._ready.pop()
        else:
            state = self._new_state()
        self.in_use += 1
        return state

    def release(self, state: Any) -> None:
        self.in_use -= 1
        reusable = False
        if not self.devmode:
            try:
                reusable = self.engine.reset(state)
            except Exception:
                log.exception("resetting a Lua state failed; it is discarded")
        if reusable and len(self._ready) < self.size:
            self._ready.append(state)
        else:
            self.engine.close_state(state)
            if not self.devmode:
                self._discarded_frozen += 1
                self._wanted.set()

    async def refill_forever(self) -> None:
        """Background task: top the buffer up whenever it runs low."""
        if self.devmode:
            return
        while True:
            await self._wanted.wait()
            self._wanted = anyio.Event()
            while len(self._ready) + self.in_use < self.size:
                try:
                    self._ready.append(self._new_state())
                except Exception:
                    log.exception("making a Lua state failed")
                    break
                await anyio.sleep(0)
            self._collect_discarded()
            if self.freeze:
                gc.freeze()   # (the new states too)
