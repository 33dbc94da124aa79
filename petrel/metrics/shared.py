"""Metrics across the worker processes of one server: one memory-mapped segment per worker.

With ``server.workers`` > 1 the master makes one segment file per worker in the run directory (on
``/dev/shm`` where it exists) before it starts them (:func:`create_segments`); each worker maps
every segment (:func:`attach`) and writes only its own. A metric is a record in the segment of each
worker that used it: a counter is one 64-bit word, a meter its count and EWMA state, a timer its
count, sum, min, max, histogram buckets and reservoir. Nothing is locked between processes: a word
has one writer, and a reader adds up the words of every segment. So a counter's ``total()`` is
exact at once in every worker (1, 2, 3, ... whatever worker answers), and every output (Lua's
``total()``/``rates()``/``snapshot()``, Prometheus, Graphite, the log) reports the whole server.

Why this and not the embedded store or the master aggregating (measured on the development
machine): an increment here costs about 1.5 us (a word in a mapped page, under the process's own
lock for the engines that run Lua on threads), one ``incr`` on the SQLite store about 50 us, and a
master that aggregates would answer a scrape or ``total()`` with data one push interval old.

Multi-word records (meters, timers) carry a sequence number that is odd while their writer updates
them (a seqlock): a reader copies the record again when it changed under it. Gauges are read from
the server (open connections, ready Lua states) by each worker and published into its segment every
``GAUGE_SECONDS``; their merged value is the sum of the last published values.

A worker that is restarted maps the same segment again and adopts its records: counts go on from
where its predecessor left them. The segments are removed with the run directory when the server
stops.
"""

from __future__ import annotations

import bisect
import fcntl
import math
import mmap
import os
import random
import threading
import time
from typing import Any, Callable, Iterable

from .registry import (TIMER_BUCKETS_MS, Counter, Gauge, Meter, MetricsRegistry, Timer, _EWMA,
                       _quantile, TICK_SECONDS)

SEGMENT_BYTES = 32 * 1024 * 1024    # sparse: only the pages records touch take memory
MAGIC = 0x314D4C4552544550          # b"PETRELM1" little-endian
MAX_RECORDS = 8192
MAX_NAME_BYTES = 1024
HEADER_WORDS = 8                    # magic, record count, next free word, (reserved)
DIRECTORY = HEADER_WORDS            # word index of the record offsets
DATA = DIRECTORY + MAX_RECORDS      # word index of the first record
GAUGE_SECONDS = 1.0
SEQLOCK_TRIES = 100

KIND_CODES = {"counter": 1, "meter": 2, "timer": 3, "gauge": 4}
KIND_NAMES = {code: name for name, code in KIND_CODES.items()}
METER_WORDS = 10    # seq, count, uncounted, initialised, last_tick, start, m1, m5, m15, h1
NBUCKETS = len(TIMER_BUCKETS_MS) + 1
TIMER_HEAD = 6      # seq, count, sum, min, max, samples
TIMER_WORDS = TIMER_HEAD + NBUCKETS + Timer.RESERVOIR
PAYLOAD_WORDS = {"counter": 1, "meter": METER_WORDS, "timer": TIMER_WORDS, "gauge": 1}

SEGMENT_PATTERN = "metrics-{}.seg"
REPORT_LOCK = "metrics-report.lock"


class Segment:
    """One worker's segment, mapped in this process; ``writable`` for the worker's own."""

    def __init__(self, path: str, writable: bool) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR)
        try:
            self.map = mmap.mmap(fd, SEGMENT_BYTES)
        finally:
            os.close(fd)
        view = memoryview(self.map)
        self.q = view.cast("q")
        self.d = view.cast("d")
        self.bytes = view
        if self.q[0] != MAGIC:
            raise OSError(f"{path} is not a metrics segment")
        self.writable = writable
        self.seen = 0
        self.index: dict[str, tuple[str, int]] = {}   # name -> (kind, first payload word)

    def refresh(self) -> None:
        """Read the directory entries added since the last look."""
        q = self.q
        count = q[1]
        for entry in range(self.seen, count):
            offset = q[DIRECTORY + entry]
            kind = KIND_NAMES.get(q[offset], "")
            length = q[offset + 1]
            start = (offset + 2) * 8
            name = bytes(self.bytes[start:start + length]).decode("utf-8", "replace")
            self.index[name] = (kind, offset + 2 + (length + 7) // 8)
        self.seen = count

    def lookup(self, name: str) -> tuple[str, int] | None:
        found = self.index.get(name)
        if found is None and self.q[1] != self.seen:
            self.refresh()
            found = self.index.get(name)
        return found

    def add(self, name: str, kind: str) -> int:
        """A new record (only in the process's own segment); its first payload word."""
        q = self.q
        encoded = name.encode("utf-8", "surrogateescape")
        if len(encoded) > MAX_NAME_BYTES:
            raise KeyError(f"metric name longer than {MAX_NAME_BYTES} bytes")
        count = q[1]
        name_words = (len(encoded) + 7) // 8
        offset = q[2] or DATA
        end = offset + 2 + name_words + PAYLOAD_WORDS[kind]
        if count >= MAX_RECORDS or end * 8 > SEGMENT_BYTES:
            raise KeyError(f"no room for metric '{name}': at most {MAX_RECORDS} metrics per worker")
        q[offset] = KIND_CODES[kind]
        q[offset + 1] = len(encoded)
        start = (offset + 2) * 8
        self.bytes[start:start + len(encoded)] = encoded
        payload = offset + 2 + name_words
        if kind == "meter":
            now = time.monotonic()
            self.d[payload + 4] = now
            self.d[payload + 5] = now
        q[2] = end
        q[DIRECTORY + count] = offset   # the record is complete before readers can see it
        q[1] = count + 1
        self.refresh()
        return payload


class Segments:
    """Every segment of the server, mapped in this process, and the one this worker writes."""

    def __init__(self, run_dir: str, number: int) -> None:
        self.run_dir = run_dir
        self.number = number
        self.all: list[Segment] = []
        self.own: Segment | None = None
        for name in sorted(os.listdir(run_dir)):
            if name.startswith("metrics-") and name.endswith(".seg"):
                path = os.path.join(run_dir, name)
                mine = name == SEGMENT_PATTERN.format(number)
                segment = Segment(path, mine)
                self.all.append(segment)
                if mine:
                    self.own = segment
        if self.own is None:
            raise OSError(f"no metrics segment for worker {number} in {run_dir}")
        self.lock = threading.Lock()   # writers of this process (engines may run Lua on threads)
        self._report_fd: int | None = None

    def records(self, name: str) -> list[tuple[Segment, str, int]]:
        found = []
        for segment in self.all:
            entry = segment.lookup(name)
            if entry is not None:
                found.append((segment, entry[0], entry[1]))
        return found

    def names(self) -> dict[str, str]:
        """Every metric of every worker: name -> kind (the first worker's kind wins a conflict)."""
        result: dict[str, str] = {}
        for segment in self.all:
            if segment.q[1] != segment.seen:
                segment.refresh()
            for name, (kind, _word) in segment.index.items():
                result.setdefault(name, kind)
        return result

    def holds_report_turn(self) -> bool:
        """True in the one worker that sends the periodic reports (Graphite, the log): the holder
        of a lock in the run directory, taken over by another worker when its holder dies."""
        if self._report_fd is not None:
            return True
        fd = os.open(os.path.join(self.run_dir, REPORT_LOCK), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._report_fd = fd
        return True


# -- the metrics -------------------------------------------------------------------------------------
_LOW, _HIGH = -2**63, 2**63 - 1


def _wrap(value: int) -> int:
    return ((value + 2**63) % 2**64) - 2**63


class SharedCounter(Counter):
    """A counter whose total is the sum of every worker's word."""

    def __init__(self, name: str, segments: Segments, word: int | None) -> None:
        self.name = name
        self._segments = segments
        self._word = word
        self._q = segments.own.q if segments.own is not None else None
        self._lock = segments.lock
        self._words: list[tuple[Any, int]] = []   # (a segment's words, this counter's index there)
        # Segments without this counter yet, with their record count when last looked at.
        self._missing: list[tuple[Segment, int]] = [(segment, -1) for segment in segments.all]

    @property
    def count(self) -> int:   # type: ignore[override]
        return self.total()

    def _find(self) -> None:
        missing = []
        for segment, seen in self._missing:
            records = segment.q[1]
            if records != seen:
                entry = segment.lookup(self.name)
                if entry is not None and entry[0] == "counter":
                    self._words.append((segment.q, entry[1]))
                    continue
            missing.append((segment, records))
        self._missing = missing

    def increment(self, n: int = 1) -> None:
        q, word = self._q, self._word
        with self._lock:
            value = q[word] + n
            q[word] = value if _LOW <= value <= _HIGH else _wrap(value)

    def decrement(self, n: int = 1) -> None:
        self.increment(-n)

    def total(self) -> int:
        if self._missing:
            self._find()
        total = 0
        for words, index in self._words:
            total += words[index]
        return _wrap(total)

    def reset(self) -> None:
        # This worker's word takes away what the whole server counted: the total becomes 0, and an
        # increment elsewhere meanwhile is counted after the reset.
        with self._segments.lock:
            q = self._segments.own.q   # type: ignore[union-attr]
            q[self._word] = _wrap(q[self._word] - self.total())


def _read_stable(segment: Segment, word: int, count: int) -> list[float] | None:
    """``count`` words from ``word`` as floats, ints for the integer fields left to the caller;
    copied again while the writer is inside an update (seqlock)."""
    q, d = segment.q, segment.d
    for _ in range(SEQLOCK_TRIES):
        before = q[word]
        if before & 1:
            continue
        copy = d[word:word + count].tolist()
        ints = q[word:word + count].tolist()
        if q[word] == before:
            return [ints, copy]   # type: ignore[list-item]
    return None


class SharedMeter(Meter):
    """A meter in this worker's segment; rates and count of reads are those of the whole server."""

    def __init__(self, name: str, segments: Segments, word: int | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._segments = segments
        self._word = word
        self._clock = clock
        own = segments.own
        self._q, self._d = (own.q, own.d) if own is not None else (None, None)

    def increment(self, n: int = 1) -> None:
        q, d, w = self._q, self._d, self._word
        now = self._clock()
        with self._segments.lock:
            seq = q[w] + 1
            q[w] = seq                    # odd: being written
            if now - d[w + 4] >= TICK_SECONDS:
                _tick(q, d, w, now)
            q[w + 1] += n
            q[w + 2] += n
            q[w] = seq + 1

    mark = increment

    def _states(self) -> list[tuple[list, list]]:
        states = []
        for segment, kind, word in self._segments.records(self.name):
            if kind == "meter":
                state = _read_stable(segment, word, METER_WORDS)
                if state is not None:
                    states.append(state)
        return states

    @property
    def count(self) -> int:   # type: ignore[override]
        return self.total()

    def total(self) -> int:
        return sum(ints[1] for ints, _floats in self._states())

    def rates(self) -> dict[str, float]:
        now = self._clock()
        merged = {key: 0.0 for key, _minutes in Meter.WINDOWS}
        count = 0
        start = now
        for ints, floats in self._states():
            rates = _rates_at(ints, floats, now)
            for key in merged:
                merged[key] += rates[key]
            count += ints[1]
            start = min(start, floats[5])
        elapsed = now - start
        merged["mean"] = count / elapsed if elapsed > 0 else 0.0
        return merged


_ALPHAS = [_EWMA(minutes).alpha for _key, minutes in Meter.WINDOWS]


def _advance(rates: list[float], initialised: bool, uncounted: int, ticks: int) -> list[float]:
    """The EWMA rates after ``ticks`` ticks, the first with ``uncounted`` events and the others
    with none (closed form for those: each multiplies a rate by 1 - alpha)."""
    instant = uncounted / TICK_SECONDS
    result = []
    for rate, alpha in zip(rates, _ALPHAS):
        rate = rate + alpha * (instant - rate) if initialised else instant
        if ticks > 1:
            rate *= (1.0 - alpha) ** (ticks - 1)
        result.append(rate)
    return result


def _tick(q: Any, d: Any, w: int, now: float) -> None:
    """Meter._tick_if_needed on the words of a record (the writer's side)."""
    elapsed = now - d[w + 4]
    if elapsed < TICK_SECONDS:
        return
    ticks = int(elapsed // TICK_SECONDS)
    d[w + 4] += ticks * TICK_SECONDS
    rates = _advance([d[w + 6 + slot] for slot in range(len(_ALPHAS))], bool(q[w + 3]), q[w + 2], ticks)
    for slot, rate in enumerate(rates):
        d[w + 6 + slot] = rate
    q[w + 3] = 1
    q[w + 2] = 0


def _rates_at(ints: list, floats: list, now: float) -> dict[str, float]:
    """The rates a copied meter record would have at ``now`` (the readers' side, nothing written)."""
    rates = list(floats[6:6 + len(_ALPHAS)])
    elapsed = now - floats[4]
    if elapsed >= TICK_SECONDS:
        rates = _advance(rates, bool(ints[3]), ints[2], int(elapsed // TICK_SECONDS))
    return {key: rates[slot] for slot, (key, _minutes) in enumerate(Meter.WINDOWS)}


class SharedTimer(Timer):
    """A timer in this worker's segment; snapshots merge every worker's values."""

    def __init__(self, name: str, segments: Segments, word: int | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._segments = segments
        self._word = word
        self._clock = clock
        self._random = random.Random()
        own = segments.own
        self._q, self._d = (own.q, own.d) if own is not None else (None, None)

    def update(self, value: float) -> None:
        q, d, w = self._q, self._d, self._word
        with self._segments.lock:
            seq = q[w] + 1
            q[w] = seq                    # odd: being written
            count = q[w + 1] + 1
            q[w + 1] = count
            d[w + 2] += value
            if count == 1:
                d[w + 3] = d[w + 4] = value
            elif value < d[w + 3]:
                d[w + 3] = value
            elif value > d[w + 4]:
                d[w + 4] = value
            q[w + TIMER_HEAD + bisect.bisect_left(TIMER_BUCKETS_MS, value)] += 1
            if count <= self.RESERVOIR:
                d[w + TIMER_HEAD + NBUCKETS + count - 1] = value
                q[w + 5] = count
            else:
                slot = int(self._random.random() * count)   # (see registry.Timer.update)
                if slot < self.RESERVOIR:
                    d[w + TIMER_HEAD + NBUCKETS + slot] = value
            q[w] = seq + 1

    def _parts(self) -> list[tuple[list, list]]:
        parts = []
        for segment, kind, word in self._segments.records(self.name):
            if kind == "timer":
                state = _read_stable(segment, word, TIMER_WORDS)
                if state is not None and state[0][1]:
                    parts.append(state)
        return parts

    def _merged(self) -> tuple[int, float, float, float, list[int], list[tuple[list[float], float]]]:
        count, total, low, high = 0, 0.0, math.inf, -math.inf
        buckets = [0] * NBUCKETS
        reservoirs = []
        for ints, floats in self._parts():
            count += ints[1]
            total += floats[2]
            low = min(low, floats[3])
            high = max(high, floats[4])
            for index in range(NBUCKETS):
                buckets[index] += ints[TIMER_HEAD + index]
            samples = ints[5]
            values = floats[TIMER_HEAD + NBUCKETS:TIMER_HEAD + NBUCKETS + samples]
            reservoirs.append((values, ints[1] / samples if samples else 0.0))
        return count, total, low, high, buckets, reservoirs

    @property
    def count(self) -> int:   # type: ignore[override]
        return self._merged()[0]

    @property
    def sum(self) -> float:   # type: ignore[override]
        return self._merged()[1]

    def bucket_counts(self) -> list[int]:
        return self._merged()[4]

    def snapshot(self) -> dict[str, float]:
        count, total, low, high, _buckets, reservoirs = self._merged()
        result = {"count": count, "min": low if count else 0.0, "max": high if count else 0.0,
                  "mean": total / count if count else 0.0}
        for key, q in self.PERCENTILES:
            result[key] = _merged_quantile(reservoirs, q)
        return result

    def reported(self) -> tuple[int, float, dict[str, float], list[int]]:
        """Count, sum, snapshot and buckets from one reading (what the outputs send)."""
        count, total, _low, _high, buckets, _reservoirs = self._merged()
        return count, total, self.snapshot(), buckets


def _merged_quantile(reservoirs: list[tuple[list[float], float]], q: float) -> float:
    """The q-quantile of several workers' reservoirs, each value standing for ``weight`` values
    (its worker's count over its reservoir size); with equal weights, that of the merged list."""
    weights = {weight for values, weight in reservoirs if values}
    if len(weights) <= 1:
        return _quantile(sorted(v for values, _w in reservoirs for v in values), q)
    pairs = sorted((v, weight) for values, weight in reservoirs for v in values)
    total = sum(weight for _v, weight in pairs)
    target = q * total
    seen = 0.0
    previous_mid, previous_value = 0.0, pairs[0][0]
    for value, weight in pairs:
        mid = seen + weight / 2
        if mid >= target:
            if mid == previous_mid:
                return value
            share = (target - previous_mid) / (mid - previous_mid) if target > previous_mid else 0.0
            return previous_value + (value - previous_value) * share
        previous_mid, previous_value = mid, value
        seen += weight
    return pairs[-1][0]


class SharedGauge(Gauge):
    """A gauge read in this worker and published into its segment; its value is every worker's sum."""

    def __init__(self, name: str, segments: Segments, word: int | None,
                 read: Callable[[], float] = lambda: 0) -> None:
        self.name = name
        self.read = read
        self._segments = segments
        self._word = word

    def publish(self) -> None:
        if self._word is not None:
            try:
                value = float(self.read())
            except Exception:
                value = 0.0
            self._segments.own.d[self._word] = value   # type: ignore[union-attr]

    def value(self) -> float:
        self.publish()
        total = 0.0
        for segment, kind, word in self._segments.records(self.name):
            if kind == "gauge":
                total += segment.d[word]
        return int(total) if total.is_integer() else total


_CLASSES = {"counter": SharedCounter, "meter": SharedMeter, "timer": SharedTimer, "gauge": SharedGauge}


class SharedRegistry(MetricsRegistry):
    """The registry of a worker of several: its metrics live in the segments."""

    def __init__(self, segments: Segments | None = None) -> None:
        super().__init__()
        self.segments = segments if segments is not None else _attached()
        self._views: dict[str, Any] = {}
        self._publisher: threading.Thread | None = None

    def _kind_elsewhere(self, name: str) -> str | None:
        for _segment, kind, _word in self.segments.records(name):
            return kind
        return None

    def _register(self, name: str, cls: type) -> Any:
        metric = self._metrics.get(name)
        if metric is not None and isinstance(metric, cls):
            return metric
        with self._lock:
            metric = self._metrics.get(name)
            if metric is None:
                kind = cls.kind
                elsewhere = self._kind_elsewhere(name)
                if elsewhere is not None and elsewhere != kind:
                    raise KeyError(f"metric '{name}' is a {elsewhere}, not a {kind}")
                own = self.segments.own
                assert own is not None
                entry = own.lookup(name)   # adopted from this worker's predecessor
                word = entry[1] if entry is not None else own.add(name, kind)
                metric = _CLASSES[kind](name, self.segments, word)
                self._metrics[name] = metric
                if kind == "gauge":
                    self._start_publisher()
            elif not isinstance(metric, cls):
                raise KeyError(f"metric '{name}' is a {metric.kind}, not a {cls.kind}")
            return metric

    def _get(self, name: str, cls: type) -> Any:
        metric = self._metrics.get(name)
        if metric is None:
            kind = self._kind_elsewhere(name)
            if kind is None:
                raise KeyError(f"no {cls.kind} named '{name}'")
            if kind != cls.kind:
                raise KeyError(f"metric '{name}' is a {kind}, not a {cls.kind}")
            return self._register(name, cls)   # another worker made it: this one joins in
        if not isinstance(metric, cls):
            raise KeyError(f"metric '{name}' is a {metric.kind}, not a {cls.kind}")
        return metric

    def items(self) -> list[tuple[str, Any]]:
        """Every metric of every worker, each reading the whole server."""
        result = []
        for name, kind in sorted(self.segments.names().items()):
            metric = self._metrics.get(name)
            if metric is None or metric.kind != kind:
                metric = self._views.get(name)
                if metric is None or metric.kind != kind:
                    metric = self._views[name] = _CLASSES[kind](name, self.segments, None)
            result.append((name, metric))
        return result

    def gauge(self, name: str, read: Callable[[], float]) -> Gauge:
        gauge = super().gauge(name, read)
        gauge.publish()   # type: ignore[attr-defined]
        return gauge

    def holds_report_turn(self) -> bool:
        return self.segments.holds_report_turn()

    def _start_publisher(self) -> None:
        if self._publisher is not None:
            return

        def publish() -> None:
            while True:
                for metric in list(self._metrics.values()):
                    if isinstance(metric, SharedGauge):
                        metric.publish()
                time.sleep(GAUGE_SECONDS)
        self._publisher = threading.Thread(target=publish, name="petrel-metrics-gauges", daemon=True)
        self._publisher.start()


# -- set-up ------------------------------------------------------------------------------------------
_segments: Segments | None = None


def create_segments(run_dir: str, count: int) -> None:
    """The master: one empty segment per worker, before the workers start."""
    for number in range(1, count + 1):
        path = os.path.join(run_dir, SEGMENT_PATTERN.format(number))
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, SEGMENT_BYTES)
            os.pwrite(fd, MAGIC.to_bytes(8, "little"), 0)
        finally:
            os.close(fd)


def attach(run_dir: str, number: int) -> None:
    """A worker: map the server's segments; the registries made from now on use them."""
    global _segments
    _segments = Segments(run_dir, number)


def _attached() -> Segments:
    assert _segments is not None
    return _segments


def attached() -> bool:
    return _segments is not None


def new_registry() -> MetricsRegistry:
    """The process's registry: across workers when this worker has its segment attached."""
    return SharedRegistry() if _segments is not None else MetricsRegistry()


def all_segments() -> Iterable[Segment]:
    return list(_segments.all) if _segments is not None else []
