"""The embedded store: one SQLite database in WAL mode that every worker process of a server opens.

Why SQLite, and how it is called (measured on the development machine, one ``incr`` each):
a statement on the event loop's thread takes about 50 us; the same statement handed to a thread
(``anyio.to_thread``) takes about 250 us, the thread hop costing four times the work. So the store
runs its statements on the loop's thread with SQLite's busy timeout at 0: a statement never waits
there. When another worker holds the write lock (SQLITE_BUSY), the call is retried on a thread of
its own with the busy timeout of ``shared.timeout``, so only that request waits. WAL mode lets
readers go on while one worker writes. Checkpoints (folding the WAL back into the database, the
one step that syncs to disk) and the removal of expired keys run on a background thread every
second, never on the loop.

Durability: ``synchronous=NORMAL`` in WAL mode. A transaction the store has acknowledged survives
the death of any worker process; a power cut or an operating-system crash may lose the last
transactions before a checkpoint. Without ``shared.path`` the file lives in a run directory (on
``/dev/shm`` where it exists) that the server removes when it stops: the data lasts as long as the
server.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any, Callable

import anyio
import anyio.to_thread

from . import Store, StoreError
from . import codec

SCHEMA = ("CREATE TABLE IF NOT EXISTS shared (space TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL, "
          "expires REAL, PRIMARY KEY (space, key)) WITHOUT ROWID")
LIVE = "(expires IS NULL OR expires > ?)"
MAINTENANCE_SECONDS = 1.0


def _busy(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def _expiry(ttl: float | None) -> float | None:
    return time.time() + ttl if ttl else None


class SQLiteStore(Store):
    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.describe = f"embedded store {path}"
        self._loop_conn: sqlite3.Connection | None = None
        self._thread_conn: sqlite3.Connection | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._opening: anyio.Lock | None = None
        self._stop = threading.Event()
        self._maintenance: threading.Thread | None = None

    # -- connections ---------------------------------------------------------------------------
    def _connect(self, busy_seconds: float) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=busy_seconds)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")   # checkpoints run on the maintenance thread
        return conn

    def _create(self) -> sqlite3.Connection:
        """The first connection: WAL mode and the table (waits for other workers doing the same)."""
        conn = self._connect(self.timeout)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(SCHEMA)
        except BaseException:
            conn.close()
            raise
        return conn

    async def _ensure_open(self) -> sqlite3.Connection:
        if self._loop_conn is not None:
            return self._loop_conn
        if self._opening is None:
            self._opening = anyio.Lock()
        async with self._opening:
            if self._loop_conn is None:
                try:
                    self._thread_conn = await anyio.to_thread.run_sync(self._create)
                    # Opened with a busy timeout (another worker may be opening the file too),
                    # then used on the loop without one.
                    loop_conn = await anyio.to_thread.run_sync(self._connect, self.timeout)
                    loop_conn.execute("PRAGMA busy_timeout=0")
                except sqlite3.Error as exc:
                    raise StoreError(f"shared: cannot open the {self.describe}: {exc}") from None
                self._limiter = anyio.CapacityLimiter(1)
                self._loop_conn = loop_conn
                self._maintenance = threading.Thread(target=self._maintain, daemon=True,
                                                     name="petrel-shared-maintenance")
                self._maintenance.start()
        assert self._loop_conn is not None
        return self._loop_conn

    def _maintain(self) -> None:
        try:
            conn = self._connect(self.timeout)
        except sqlite3.Error:
            return
        try:
            while not self._stop.wait(MAINTENANCE_SECONDS):
                try:
                    conn.execute("DELETE FROM shared WHERE expires <= ?", (time.time(),))
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    pass   # busy or gone: next second
        finally:
            conn.close()

    async def _run(self, op: Callable[[sqlite3.Connection], Any], write: bool) -> Any:
        conn = await self._ensure_open()
        try:
            return self._transact(conn, op, write)
        except sqlite3.Error as exc:
            if not _busy(exc):
                raise StoreError(f"shared: {self.describe} failed: {exc}") from None
        # Another worker holds the write lock: wait for it on a thread, this request only.
        try:
            return await anyio.to_thread.run_sync(self._transact, self._thread_conn, op, write,
                                                  limiter=self._limiter)
        except sqlite3.Error as exc:
            why = f"busy for {self.timeout:g} s" if _busy(exc) else str(exc)
            raise StoreError(f"shared: {self.describe} failed: {why}") from None

    @staticmethod
    def _transact(conn: sqlite3.Connection, op: Callable[[sqlite3.Connection], Any], write: bool) -> Any:
        if not write:
            return op(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = op(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    # -- the operations --------------------------------------------------------------------------
    async def get(self, space: str, key: bytes) -> bytes | None:
        def op(conn: sqlite3.Connection) -> bytes | None:
            row = conn.execute(f"SELECT value FROM shared WHERE space=? AND key=? AND {LIVE}",
                               (space, key, time.time())).fetchone()
            return row[0] if row else None
        return await self._run(op, False)

    async def set(self, space: str, key: bytes, value: bytes, ttl: float | None) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT OR REPLACE INTO shared VALUES (?, ?, ?, ?)",
                         (space, key, value, _expiry(ttl)))
        await self._run(op, False)   # one statement: atomic by itself

    async def add(self, space: str, key: bytes, value: bytes, ttl: float | None) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO shared VALUES (?, ?, ?, ?) ON CONFLICT (space, key) DO UPDATE "
                "SET value=excluded.value, expires=excluded.expires "
                "WHERE shared.expires IS NOT NULL AND shared.expires <= ?",
                (space, key, value, _expiry(ttl), time.time()))
            return cursor.rowcount == 1
        return await self._run(op, False)

    async def replace(self, space: str, key: bytes, value: bytes, ttl: float | None) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(f"UPDATE shared SET value=?, expires=? WHERE space=? AND key=? AND {LIVE}",
                                  (value, _expiry(ttl), space, key, time.time()))
            return cursor.rowcount == 1
        return await self._run(op, False)

    async def incr(self, space: str, key: bytes, n: int | float, init: int | float | None,
                   ttl: float | None) -> tuple[int | float | None, str | None]:
        def op(conn: sqlite3.Connection) -> tuple[int | float | None, str | None]:
            now = time.time()
            row = conn.execute(f"SELECT value FROM shared WHERE space=? AND key=? AND {LIVE}",
                               (space, key, now)).fetchone()
            if row is None:
                if init is None:
                    return None, "not found"
                result = codec.add(init, n)
                conn.execute("INSERT OR REPLACE INTO shared VALUES (?, ?, ?, ?)",
                             (space, key, codec.encode(result), now + ttl if ttl else None))
                return result, None
            try:
                current = codec.number(row[0])
            except codec.NotANumber:
                return None, "not a number"
            result = codec.add(current, n)
            conn.execute("UPDATE shared SET value=? WHERE space=? AND key=?",
                         (codec.encode(result), space, key))
            return result, None
        return await self._run(op, True)

    async def delete(self, space: str, key: bytes) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM shared WHERE space=? AND key=?", (space, key))
        await self._run(op, False)

    async def expire(self, space: str, key: bytes, ttl: float | None) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(f"UPDATE shared SET expires=? WHERE space=? AND key=? AND {LIVE}",
                                  (_expiry(ttl), space, key, time.time()))
            return cursor.rowcount == 1
        return await self._run(op, False)

    async def ttl(self, space: str, key: bytes) -> float | None:
        def op(conn: sqlite3.Connection) -> float | None:
            now = time.time()
            row = conn.execute(f"SELECT expires FROM shared WHERE space=? AND key=? AND {LIVE}",
                               (space, key, now)).fetchone()
            if row is None:
                return None
            return 0 if row[0] is None else max(row[0] - now, 0.001)
        return await self._run(op, False)

    async def keys(self, space: str, limit: int) -> list[bytes]:
        def op(conn: sqlite3.Connection) -> list[bytes]:
            rows = conn.execute(f"SELECT key FROM shared WHERE space=? AND {LIVE} LIMIT ?",
                                (space, time.time(), limit if limit > 0 else -1)).fetchall()
            return [row[0] for row in rows]
        return await self._run(op, False)

    async def flush_all(self, space: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM shared WHERE space=?", (space,))
        await self._run(op, False)

    # -- closing ---------------------------------------------------------------------------------
    def close_now(self) -> None:
        self._stop.set()
        for conn in (self._loop_conn, self._thread_conn):
            if conn is not None:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
        self._loop_conn = self._thread_conn = None
        if self._maintenance is not None:
            self._maintenance.join(timeout=MAINTENANCE_SECONDS + 1)
            self._maintenance = None

    async def aclose(self) -> None:
        self.close_now()
