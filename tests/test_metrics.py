"""Metrics: the meter's EWMA rates and the timer's percentiles on known inputs, and the three outputs
(log summary, Graphite plaintext to a real TCP receiver, Prometheus page parsed by prometheus_client)
of a running petrel."""

from __future__ import annotations

import math
import random
import re
import socket
import threading
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from petrel.metrics import Meter, MetricsRegistry, Timer
from support import DEFAULT_ENGINE
from petrel.metrics.graphite import graphite_hostname

TIMEOUT = 20

SERVICE = {
    "service.lua": """
        function bootstrap()
            petrel.add_route("/count/", "count")
            petrel.add_route("/broken/", "broken")
        end
        function count(request, response)
            local c = metric()
            c:register_counter("req_counter")
            c:increment()
            local m = metric()
            m:register_meter("lua_meter")
            m:increment(2)
            local t = metric()
            t:register_timer("lua_timer")
            t:update(tonumber(request.args.v or "10"))
            response.content = "ok"
            return response
        end
        function broken(request, response)
            error("on purpose")
        end
    """,
}


# -- the registry on known inputs --------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_meter_rates_follow_the_ewma_of_known_values():
    # The reference values are those of Dropwizard metrics' EWMA tests: 3 events in the first
    # 5-second tick, then nothing.
    clock = FakeClock()
    meter = Meter("m", clock=clock)
    meter.increment(3)
    clock.now += 5
    rates = meter.rates()
    for window in ("m1", "m5", "m15", "h1"):
        assert rates[window] == pytest.approx(0.6)
    clock.now += 60
    rates = meter.rates()
    assert rates["m1"] == pytest.approx(0.22072766, abs=1e-8)
    assert rates["m5"] == pytest.approx(0.49123845, abs=1e-8)
    assert rates["m15"] == pytest.approx(0.56130419, abs=1e-8)
    assert rates["h1"] == pytest.approx(0.6 * math.exp(-1 / 60), abs=1e-8)
    clock.now += 60
    assert meter.rates()["m1"] == pytest.approx(0.08120117, abs=1e-8)
    assert meter.total() == 3
    assert meter.rates()["mean"] == pytest.approx(3 / 125)


def test_meter_steady_rate_converges():
    clock = FakeClock()
    meter = Meter("m", clock=clock)
    for _ in range(12 * 60):          # one hour at 10 events per second
        meter.increment(50)
        clock.now += 5
    rates = meter.rates()
    assert rates["m1"] == pytest.approx(10.0)
    assert rates["m15"] == pytest.approx(10.0)
    assert rates["h1"] == pytest.approx(10.0)
    assert meter.total() == 36000


def test_timer_percentiles_of_known_values():
    timer = Timer("t", clock=FakeClock())
    values = list(range(1, 101))
    random.Random(7).shuffle(values)
    for value in values:
        timer.update(value)
    snapshot = timer.snapshot()
    assert snapshot["count"] == 100
    assert snapshot["min"] == 1 and snapshot["max"] == 100
    assert snapshot["mean"] == pytest.approx(50.5)
    # linear interpolation between closest ranks
    assert snapshot["p50"] == pytest.approx(50.5)
    assert snapshot["p75"] == pytest.approx(75.25)
    assert snapshot["p95"] == pytest.approx(95.05)
    assert snapshot["p99"] == pytest.approx(99.01)
    assert snapshot["p999"] == pytest.approx(99.901)


def test_timer_reservoir_stays_bounded_and_representative():
    timer = Timer("t")
    for value in range(100000):
        timer.update(value % 1000)
    snapshot = timer.snapshot()
    assert snapshot["count"] == 100000
    assert len(timer._samples) == Timer.RESERVOIR
    assert snapshot["min"] == 0 and snapshot["max"] == 999
    assert 400 < snapshot["p50"] < 600


def test_gauge_reads_its_value_and_never_fails():
    registry = MetricsRegistry()
    value = [3]
    registry.gauge("g", lambda: value[0])
    value[0] = 5
    assert registry.items()[0][1].value() == 5
    registry.gauge("bad", lambda: 1 / 0)
    assert dict(registry.items())["bad"].value() == 0


# -- Graphite ---------------------------------------------------------------------------------------------
class GraphiteReceiver:
    """A real TCP listener standing for carbon: it records every line of every connection."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines: list[tuple[int, str]] = []     # (connection number, line)
        self.connections: list[socket.socket] = []
        self.stopping = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with self.lock:
                self.connections.append(conn)
                number = len(self.connections)
            threading.Thread(target=self._read, args=(conn, number), daemon=True).start()

    def _read(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(0.5)
        buffer = b""
        while not self.stopping:
            try:
                data = conn.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                return
            buffer += data
            *complete, buffer = buffer.split(b"\n")
            with self.lock:
                self.lines.extend((number, line.decode()) for line in complete)

    def wait_for(self, predicate, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = predicate(list(self.lines))
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"not received in {timeout} s; got {self.lines[-40:]}")

    def drop_connections(self) -> None:
        with self.lock:
            for conn in self.connections:
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()

    def close(self) -> None:
        self.stopping = True
        self.sock.close()


@pytest.fixture
def graphite():
    receiver = GraphiteReceiver()
    yield receiver
    receiver.close()


def test_graphite_receives_names_values_and_timestamps(start_server, graphite):
    started = int(time.time())
    server = start_server(SERVICE, DEFAULT_ENGINE, "--metrics.graphite=1",
                          "--metrics.graphite.host=127.0.0.1", f"--metrics.graphite.port={graphite.port}",
                          "--metrics.graphite.interval=1", "--metrics.graphite.prefix=test")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        for value in (10, 20, 30):
            assert client.get(f"/count/?v={value}").text == "ok"
    base = f"test.{graphite_hostname()}."

    def batch_with_three(lines):
        stamps = [line.split()[2] for _, line in lines if line.startswith(base + "req_counter 3 ")]
        if not stamps:
            return None
        return {line.split()[0]: (line.split()[1], line.split()[2])
                for _, line in lines if line.split()[2] == stamps[-1]}

    batch = graphite.wait_for(batch_with_three)
    finished = int(time.time())
    values = {name.removeprefix(base): float(value) for name, (value, _stamp) in batch.items()}
    stamps = {int(stamp) for _value, stamp in batch.values()}
    assert len(stamps) == 1 and started - 1 <= stamps.pop() <= finished + 1
    assert all(name.startswith(base) for name in batch)
    assert values["req_counter"] == 3
    assert values["lua_meter.count"] == 6
    assert {"lua_meter.m1", "lua_meter.m5", "lua_meter.m15", "lua_meter.h1"} <= values.keys()
    assert values["lua_timer.count"] == 3
    assert values["lua_timer.min"] == 10 and values["lua_timer.max"] == 30
    assert values["lua_timer.mean"] == 20 and values["lua_timer.p50"] == 20
    assert values["lua_timer.p999"] == pytest.approx(29.98)
    for field in ("p75", "p95", "p99"):
        assert 20 <= values[f"lua_timer.{field}"] <= 30
    assert values["server.requests.count"] == 3
    assert values["server.responses.2xx"] == 3
    assert values["server.request_duration.count"] == 3
    assert 0 < values["server.request_duration.min"] <= values["server.request_duration.max"]
    assert values["server.lua_errors"] == 0
    assert values["server.statebuffer.ready"] >= 1
    assert "server.connections" in values
    line_format = re.compile(r"^test\.[\w.:-]+ -?\d+(\.\d+)? \d+$")
    assert all(line_format.match(f"{name} {value} {stamp}") for name, (value, stamp) in batch.items())

    # The receiver goes away: the server connects again and goes on sending.
    first_connections = len(graphite.connections)
    graphite.drop_connections()
    graphite.wait_for(lambda lines: any(number > first_connections for number, _ in lines), timeout=10)
    assert server.process.poll() is None


def test_graphite_receiver_down_never_blocks_requests(start_server):
    with socket.socket() as sock:   # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = start_server(SERVICE, DEFAULT_ENGINE, "--metrics.graphite=1",
                          "--metrics.graphite.host=127.0.0.1", f"--metrics.graphite.port={port}",
                          "--metrics.graphite.interval=1")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            assert client.get("/count/").text == "ok"
            time.sleep(0.05)
    server.wait_for_log(rf"metrics \| warning \| graphite: cannot send to 127\.0\.0\.1:{port}")
    assert len(re.findall("graphite: cannot send", server.log())) == 1   # said once, not per batch


# -- Prometheus -------------------------------------------------------------------------------------------
def test_prometheus_page_parses(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--metrics.prometheus=/metrics")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        for value in (10, 20, 30):
            client.get(f"/count/?v={value}")
        assert client.get("/broken/").status_code == 500
        page = client.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain; version=")
    families = {family.name: family for family in text_string_to_metric_families(page.text)}

    def value(family: str, sample: str | None = None, **labels) -> float:
        for item in families[family].samples:
            if item.name == (sample or family) and item.labels == {k: str(v) for k, v in labels.items()}:
                return item.value
        raise AssertionError(f"no {sample or family} {labels} in {families[family].samples}")

    assert families["petrel_req_counter"].type == "counter"
    assert value("petrel_req_counter", "petrel_req_counter_total") == 3
    assert families["petrel_lua_meter"].type == "counter"
    assert value("petrel_lua_meter", "petrel_lua_meter_total") == 6
    assert {s.labels["window"] for s in families["petrel_lua_meter_rate"].samples} == {"m1", "m5", "m15", "h1"}
    # Timers are histograms in seconds (their values are milliseconds): 10, 20 and 30 ms.
    timer = families["petrel_lua_timer_seconds"]
    assert timer.type == "histogram"
    assert value("petrel_lua_timer_seconds", "petrel_lua_timer_seconds_count") == 3
    assert value("petrel_lua_timer_seconds", "petrel_lua_timer_seconds_sum") == pytest.approx(0.06)
    assert value("petrel_lua_timer_seconds", "petrel_lua_timer_seconds_bucket", le="0.005") == 0
    assert value("petrel_lua_timer_seconds", "petrel_lua_timer_seconds_bucket", le="0.01") == 1
    assert value("petrel_lua_timer_seconds", "petrel_lua_timer_seconds_bucket", le="0.025") == 2
    assert value("petrel_lua_timer_seconds", "petrel_lua_timer_seconds_bucket", le="0.05") == 3
    assert value("petrel_lua_timer_seconds", "petrel_lua_timer_seconds_bucket", le="+Inf") == 3
    assert value("petrel_lua_timer_seconds_quantile", quantile=0.5) == pytest.approx(0.02)
    assert value("petrel_lua_timer_seconds_quantile", quantile=0.999) == pytest.approx(0.02998)
    assert value("petrel_lua_timer_seconds_min") == pytest.approx(0.01)
    assert value("petrel_lua_timer_seconds_max") == pytest.approx(0.03)
    assert value("petrel_server_requests", "petrel_server_requests_total") == 5   # the scrape counts
    # Response classes are one counter with a code label.
    responses = families["petrel_server_responses"]
    assert responses.type == "counter"
    assert value("petrel_server_responses", "petrel_server_responses_total", code="2xx") == 3
    assert value("petrel_server_responses", "petrel_server_responses_total", code="5xx") == 1
    assert value("petrel_server_responses", "petrel_server_responses_total", code="4xx") == 0
    assert value("petrel_server_lua_errors", "petrel_server_lua_errors_total") == 1
    assert value("petrel_server_connections") >= 1
    duration = families["petrel_server_request_duration_seconds"]
    assert duration.type == "histogram"
    assert value("petrel_server_request_duration_seconds",
                 "petrel_server_request_duration_seconds_count") == 4
    assert 0 < value("petrel_server_request_duration_seconds",
                     "petrel_server_request_duration_seconds_sum") < 60
    assert "process_open_fds" in families


def test_prometheus_page_is_off_by_default(start_server):
    server = start_server(SERVICE)
    assert httpx.get(server.url + "/metrics", timeout=TIMEOUT).status_code == 404


def test_prometheus_path_must_be_absolute(tmp_path):
    import subprocess

    from support import DEFAULT_ENGINE, petrel_command
    result = subprocess.run(petrel_command("serve", f"--lua.root={tmp_path}", "--metrics.prometheus=metrics"),
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "metrics.prometheus" in result.stderr


# -- the log summary --------------------------------------------------------------------------------------
def test_metrics_log_summary(start_server):
    server = start_server(SERVICE, DEFAULT_ENGINE, "--metrics.log=1")
    with httpx.Client(base_url=server.url, timeout=TIMEOUT) as client:
        client.get("/count/?v=5")
        client.get("/count/?v=15")
    server.wait_for_log(r"metrics \| info \| req_counter: counter 2\n")
    log = server.log()
    assert re.search(r"metrics \| info \| lua_timer: timer count=2 min=5 max=15 mean=10 p50=10 ", log)
    assert re.search(r"metrics \| info \| lua_meter: meter count=4 m1=\d+\.\d\d/s m5=", log)
    assert re.search(r"metrics \| info \| server\.requests: meter count=2 ", log)
