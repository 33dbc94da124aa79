"""Metrics across the workers of one server (server.workers=2), on every engine: the getting-started
counter goes 1, 2, 3, ... whatever worker answers, also after a worker is killed and restarted; one
Prometheus scrape sees every worker's requests; Graphite and the log get the whole server's values
from one worker only."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from support import DEFAULT_ENGINE, EXAMPLES
from test_metrics import SERVICE, GraphiteReceiver

GETTING_STARTED = EXAMPLES / "getting-started" / "lua"
TIMEOUT = 30


def _workers_that_answered(log: str) -> set[str]:
    return set(re.findall(r"\| (w\d) \| access \|", log))


def _fresh_connection_get(url: str) -> httpx.Response:
    # A new connection each time, so that the kernel spreads the requests over the workers.
    return httpx.get(url, headers={"connection": "close"}, timeout=TIMEOUT)


def test_counter_counts_across_workers(start_server, engine):
    server = start_server(GETTING_STARTED, engine, "--server.workers=2", "--log.access=1", statebuffer=2)
    server.wait_for_log(r"(?s)listening on .*listening on ")
    seen = []
    for n in range(1, 41):
        reply = _fresh_connection_get(f"{server.url}/text/x")
        assert reply.status_code == 200
        seen.append(reply.text.splitlines()[0])
        if n >= 20 and len(_workers_that_answered(server.log())) == 2:
            break
    assert seen == [f"plain: /text/x:{n}" for n in range(1, len(seen) + 1)]
    assert _workers_that_answered(server.log()) == {"w1", "w2"}, "both workers answered"


def test_counter_survives_a_worker_restart(start_server):
    server = start_server(GETTING_STARTED, DEFAULT_ENGINE, "--server.workers=2", "--log.access=1",
                          statebuffer=2)
    server.wait_for_log(r"(?s)listening on .*listening on ")
    for n in range(1, 11):
        assert _fresh_connection_get(f"{server.url}/text/x").text.startswith(f"plain: /text/x:{n}\n")
    pid = int(re.search(r"worker 1 \(pid (\d+)\) started", server.log()).group(1))
    os.kill(pid, signal.SIGKILL)
    server.wait_for_log(r"worker 1 \(pid \d+\) killed by SIGKILL; restarting")
    server.wait_for_log(r"(?s)restarting in .*worker 1 \(pid \d+\) started")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.log().count("listening on") < 3:
        time.sleep(0.1)
    # The restarted worker adopts its predecessor's counts: nothing is lost, nothing counted twice.
    for n in range(11, 31):
        reply = _fresh_connection_get(f"{server.url}/text/x")
        assert reply.status_code == 200
        assert reply.text.startswith(f"plain: /text/x:{n}\n"), reply.text


async def _requests(url: str, paths: list[str], concurrency: int) -> list[int]:
    statuses: list[int] = []
    queue = list(paths)

    async def client() -> None:
        while queue:
            path = queue.pop()
            async with httpx.AsyncClient(timeout=TIMEOUT) as http:   # a connection per request
                statuses.append((await http.get(url + path)).status_code)

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return statuses


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _value(families: dict, family: str, sample: str | None = None, **labels) -> float:
    for item in families[family].samples:
        if item.name == (sample or family) and item.labels == {k: str(v) for k, v in labels.items()}:
            return item.value
    raise AssertionError(f"no {sample or family} {labels} in {families[family].samples}")


def test_one_prometheus_scrape_sees_every_worker(start_server, engine):
    server = start_server(SERVICE, engine, "--server.workers=2", "--log.access=1",
                          "--metrics.prometheus=/metrics", statebuffer=2)
    server.wait_for_log(r"(?s)listening on .*listening on ")
    total = 0
    for _ in range(5):   # until both workers have answered (the kernel spreads connections)
        statuses = asyncio.run(_requests(server.url, [f"/count/?v={10 * (1 + n % 3)}" for n in range(30)]
                                         + ["/broken/"] * 2, 8))
        assert statuses.count(200) == 30 and statuses.count(500) == 2
        total += 1
        answered = _workers_that_answered(server.log())
        if answered == {"w1", "w2"}:
            break
    assert _workers_that_answered(server.log()) == {"w1", "w2"}
    ok, broken = 30 * total, 2 * total
    scrapes = []
    for _ in range(6):   # several scrapes, answered by one worker or the other: each sees it all
        page = _fresh_connection_get(server.url + "/metrics")
        assert page.status_code == 200
        scrapes.append(_families(page.text))
    for number, families in enumerate(scrapes):
        assert _value(families, "petrel_req_counter", "petrel_req_counter_total") == ok
        assert _value(families, "petrel_lua_meter", "petrel_lua_meter_total") == 2 * ok
        assert _value(families, "petrel_lua_timer_seconds", "petrel_lua_timer_seconds_count") == ok
        assert _value(families, "petrel_lua_timer_seconds", "petrel_lua_timer_seconds_sum") == \
            pytest.approx(ok * 0.02)
        assert _value(families, "petrel_lua_timer_seconds", "petrel_lua_timer_seconds_bucket",
                      le="0.025") == 2 * ok // 3
        assert _value(families, "petrel_lua_timer_seconds_quantile", quantile=0.5) == pytest.approx(0.02)
        assert _value(families, "petrel_lua_timer_seconds_min") == pytest.approx(0.01)
        assert _value(families, "petrel_lua_timer_seconds_max") == pytest.approx(0.03)
        assert _value(families, "petrel_server_responses", "petrel_server_responses_total",
                      code="2xx") == ok + number
        assert _value(families, "petrel_server_responses", "petrel_server_responses_total",
                      code="5xx") == broken
        assert _value(families, "petrel_server_lua_errors", "petrel_server_lua_errors_total") == broken
        # This scrape is counted when it begins; its response when it ends.
        assert _value(families, "petrel_server_requests", "petrel_server_requests_total") == \
            ok + broken + number + 1
        assert _value(families, "petrel_server_request_duration_seconds",
                      "petrel_server_request_duration_seconds_count") == ok + broken + number


def test_graphite_and_log_report_the_whole_server_from_one_worker(start_server):
    receiver = GraphiteReceiver()
    try:
        server = start_server(SERVICE, DEFAULT_ENGINE, "--server.workers=2", "--log.access=1",
                              "--metrics.graphite=1", "--metrics.graphite.host=127.0.0.1",
                              f"--metrics.graphite.port={receiver.port}", "--metrics.graphite.interval=1",
                              "--metrics.graphite.prefix=test", "--metrics.log=1", statebuffer=2)
        server.wait_for_log(r"(?s)listening on .*listening on ")
        count = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (count < 20 or _workers_that_answered(server.log()) != {"w1", "w2"}):
            assert _fresh_connection_get(server.url + "/count/").text == "ok"
            count += 1
        assert _workers_that_answered(server.log()) == {"w1", "w2"}

        def batch_with_all(lines):
            return [line for _, line in lines if re.match(rf"test\.[^.]+\.req_counter {count} ", line)] or None

        receiver.wait_for(batch_with_all, timeout=15)
        server.wait_for_log(rf"metrics \| info \| req_counter: counter {count}\n", timeout=15)
        with receiver.lock:
            lines = [line for _, line in receiver.lines]
    finally:
        receiver.close()
    # One value per name and timestamp: no worker's value overwrites another's.
    by_stamp: dict[tuple[str, str], set[str]] = {}
    for line in lines:
        name, value, stamp = line.split()
        by_stamp.setdefault((name, stamp), set()).add(value)
    assert all(len(values) == 1 for values in by_stamp.values()), by_stamp
    counts = [int(line.split()[1]) for line in lines if ".req_counter " in line]
    assert counts == sorted(counts) and counts[-1] == count
    # The log summary comes from one worker at a time.
    log = server.log()
    summaries = re.findall(r"\| (w\d) \| metrics \| info \| req_counter: counter (\d+)", log)
    stamps_per_line = {}
    for worker, value in summaries:
        stamps_per_line.setdefault(value, set()).add(worker)
    assert len({worker for worker, _ in summaries}) == 1, summaries


# -- the segments themselves, two workers' registries in one process -------------------------------------
@pytest.fixture
def two_workers(tmp_path):
    from petrel.metrics import shared
    shared.create_segments(str(tmp_path), 2)
    return [shared.SharedRegistry(shared.Segments(str(tmp_path), n)) for n in (1, 2)]


def test_counters_reset_decrement_and_wrap_across_segments(two_workers):
    first, second = two_workers
    a, b = first.counter("c"), second.counter("c")
    a.increment(5)
    b.increment(2)
    b.decrement(1)
    assert a.total() == b.total() == 6
    a.reset()   # the whole server's count becomes 0; the other worker's word is left alone
    assert a.total() == b.total() == 0
    b.increment()
    assert a.total() == 1
    b.increment(2**63 - 1)   # 64-bit wrap, as Lua 5.4 integers
    assert a.total() == -2**63
    # A metric another worker made: found by get_counter, listed by items(), kinds enforced.
    second.counter("only_second").increment(3)
    assert first.get_counter("only_second").total() == 3
    with pytest.raises(KeyError, match="metric 'only_second' is a counter, not a meter"):
        first.meter("only_second")
    with pytest.raises(KeyError, match="no timer named 'nothing'"):
        first.get_timer("nothing")
    assert [name for name, _ in first.items()] == ["c", "only_second"]


def test_meters_timers_and_gauges_merge(two_workers):
    first, second = two_workers
    first.meter("m").increment(3)
    second.meter("m").increment(4)
    assert first.meter("m").total() == 7
    assert set(first.meter("m").rates()) == {"m1", "m5", "m15", "h1", "mean"}
    for value in (10, 20):
        first.timer("t").update(value)
    second.timer("t").update(30)
    snapshot = second.timer("t").snapshot()
    assert snapshot["count"] == 3 and snapshot["min"] == 10 and snapshot["max"] == 30
    assert snapshot["mean"] == 20 and snapshot["p50"] == 20
    count, total, _snapshot, buckets = first.timer("t").reported()
    assert (count, total, sum(buckets)) == (3, 60, 3)
    first.gauge("g", lambda: 2)
    second.gauge("g", lambda: 5)
    assert dict(first.items())["g"].value() == 7
    # Past its reservoir a worker's values stand for more than one each: the quantiles weigh them.
    big = first.timer("big")
    for _ in range(3 * big.RESERVOIR):
        big.update(100)
    small = second.timer("big")
    for _ in range(big.RESERVOIR):
        small.update(1)
    assert first.timer("big").snapshot()["p50"] == 100
    assert first.timer("big").snapshot()["count"] == 4 * big.RESERVOIR


def test_a_restarted_worker_adopts_its_segment(tmp_path):
    from petrel.metrics import shared
    shared.create_segments(str(tmp_path), 2)
    before = shared.SharedRegistry(shared.Segments(str(tmp_path), 1))
    before.counter("c").increment(4)
    before.timer("t").update(7)
    after = shared.SharedRegistry(shared.Segments(str(tmp_path), 1))   # the same worker number again
    after.counter("c").increment()
    after.timer("t").update(9)
    assert after.counter("c").total() == 5
    assert after.timer("t").snapshot()["count"] == 2
    assert after.timer("t").snapshot()["max"] == 9


def test_a_shared_meter_follows_the_known_ewma_values(tmp_path):
    # Dropwizard's EWMA reference (as in test_metrics): 3 events in the first tick, then none,
    # with a day without events at the end (the ticks folded in closed form).
    from petrel.metrics import shared
    from petrel.metrics.registry import Meter
    from test_metrics import FakeClock
    clock = FakeClock()
    shared.create_segments(str(tmp_path), 1)
    segments = shared.Segments(str(tmp_path), 1)
    word = segments.own.add("m", "meter")
    segments.own.d[word + 4] = segments.own.d[word + 5] = clock.now   # last tick, start
    meter = shared.SharedMeter("m", segments, word, clock=clock)
    reference = Meter("r", clock=clock)
    meter.increment(3)
    reference.increment(3)
    clock.now += 65
    assert meter.rates()["m1"] == pytest.approx(0.22072766, abs=1e-8)
    assert meter.rates()["m15"] == pytest.approx(0.56130419, abs=1e-8)
    clock.now += 60
    assert meter.rates()["m1"] == pytest.approx(0.08120117, abs=1e-8)
    clock.now += 86400
    for window in ("m5", "m15", "h1", "mean"):
        assert meter.rates()[window] == pytest.approx(reference.rates()[window], rel=1e-9)
    assert meter.total() == 3
