"""The server's connection stream on the asyncio transport (petrel.net.transport_stream), on real
loopback sockets, on asyncio's loop and on uvloop."""

from __future__ import annotations

import socket
import threading
import time

import anyio
import pytest

from petrel.net.transport_stream import HIGH_WATER, TransportStream, take_over


def _loops() -> list:
    loops = [pytest.param({}, id="asyncio")]
    try:
        import uvloop
    except ImportError:
        loops.append(pytest.param(None, id="uvloop", marks=pytest.mark.skip(reason="uvloop is not installed")))
    else:
        loops.append(pytest.param({"loop_factory": uvloop.new_event_loop}, id="uvloop"))
    return loops


LOOPS = _loops()


def run(test, options) -> None:
    anyio.run(test, backend="asyncio", backend_options=options)


async def accepted(listener, client_action) -> TransportStream:
    """Accept one connection from a client run in a thread by ``client_action(port)``."""
    listener = listener.listeners[0]
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    thread = threading.Thread(target=client_action, args=(port,), daemon=True)
    thread.start()
    with anyio.fail_after(10):
        stream = take_over(await listener.accept())
    assert isinstance(stream, TransportStream)
    return stream


@pytest.mark.parametrize("options", LOOPS)
def test_bytes_arrive_in_order_and_the_end_is_end_of_stream(options):
    payload = bytes(range(256)) * 4096   # 1 MiB

    def client(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(16) == b"got it"

    async def test() -> None:
        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
            stream = await accepted(listener, client)
            received = bytearray()
            with anyio.fail_after(20):
                while True:
                    try:
                        chunk = await stream.receive(10000)
                    except anyio.EndOfStream:
                        break
                    assert len(chunk) <= 10000
                    received += chunk
                assert bytes(received) == payload
                await stream.send(b"got it")   # half-closed by the peer: our side still writes
            await stream.aclose()
            with pytest.raises(anyio.ClosedResourceError):
                await stream.receive()

    run(test, options)


@pytest.mark.parametrize("options", LOOPS)
def test_a_client_that_sends_while_nobody_reads_is_held_back(options):
    sent = []

    def client(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.settimeout(0.5)
            block = b"x" * 65536
            deadline = time.monotonic() + 5
            try:
                while time.monotonic() < deadline and sum(sent) < 64 * 1024 * 1024:
                    sent.append(sock.send(block))
            except (socket.timeout, OSError):
                pass   # the server stopped reading: the kernel buffers are full

    async def test() -> None:
        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
            stream = await accepted(listener, client)
            first = await stream.receive()   # reading is on from here
            previous = -1
            for _ in range(50):   # until the client's sends stop getting through (at most 10 s)
                await anyio.sleep(0.2)
                if sum(sent) == previous:
                    break
                previous = sum(sent)
            # The server holds at most the high-water mark (plus one read) in memory, whatever
            # the client sends; the rest waits in the kernel, and is read once we read.
            assert stream._protocol.paused
            assert stream._protocol.queued <= HIGH_WATER + 262144
            total = len(first)
            with anyio.move_on_after(10):
                while True:
                    try:
                        total += len(await stream.receive())
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        break
            assert total == sum(sent)
            await stream.aclose()

    run(test, options)


@pytest.mark.parametrize("options", LOOPS)
def test_a_peer_that_resets_breaks_the_stream(options):
    def client(port: int) -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()   # linger 0: a reset

    async def test() -> None:
        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
            stream = await accepted(listener, client)
            with anyio.fail_after(10):
                with pytest.raises((anyio.BrokenResourceError, anyio.EndOfStream)):
                    while True:
                        await stream.receive()
                with pytest.raises(anyio.BrokenResourceError):
                    for _ in range(100):
                        await stream.send(b"x" * 65536)
                        await anyio.sleep(0.01)
            await stream.aclose()

    run(test, options)


@pytest.mark.parametrize("options", LOOPS)
def test_a_receive_with_data_waiting_lets_other_tasks_run(options):
    def client(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"a" * 100000)
            time.sleep(2)

    async def test() -> None:
        ran = []

        async def other() -> None:
            for _ in range(50):
                ran.append(1)
                await anyio.sleep(0)

        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
            stream = await accepted(listener, client)
            await stream.receive(1)
            await anyio.sleep(0.3)   # the rest is queued now
            async with anyio.create_task_group() as tg:
                tg.start_soon(other)
                before = len(ran)
                for _ in range(20):
                    await stream.receive(1)   # each finds data waiting
                assert len(ran) > before
            await stream.aclose()

    run(test, options)


@pytest.mark.parametrize("options", LOOPS)
def test_an_interrupted_receive_ends_like_the_end_of_the_stream(options):
    release = threading.Event()

    def client(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            release.wait(10)
            sock.sendall(b"late")
            time.sleep(1)

    async def test() -> None:
        async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
            stream = await accepted(listener, client)
            async with anyio.create_task_group() as tg:
                async def interrupt_soon() -> None:
                    await anyio.sleep(0.2)
                    stream.interrupt_receive()
                tg.start_soon(interrupt_soon)
                with anyio.fail_after(5), pytest.raises(anyio.EndOfStream):
                    await stream.receive()
            # The interrupt was for that receive only: the next one reads what comes.
            release.set()
            with anyio.fail_after(5):
                assert await stream.receive() == b"late"
            await stream.aclose()

    run(test, options)
