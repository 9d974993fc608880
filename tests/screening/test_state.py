import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from fraudwall.errors import InputError
from fraudwall.screening.state import SIZE, CallerState
from fraudwall.screening.stores import MAX_TRIES, MemoryStore, RedisStore, open_store

T0 = 29_000_000  # a minute since the epoch


def _calls(st: CallerState, minute: int, n: int, first: int = 0) -> None:
    for i in range(n):
        st.record_attempt(minute, f"+86139{first + i * 37:08d}")


def test_windows_slide_out_at_their_length():
    st = CallerState()
    _calls(st, T0, 5)
    w = st.windows(T0)
    assert (w.calls_10m, w.calls_1h, w.calls_24h, w.new_24h) == (5, 5, 5, 5)
    st.advance(T0 + 10)
    assert st.windows(T0 + 10).calls_10m == 0 and st.windows(T0 + 10).calls_1h == 5
    st.advance(T0 + 60)
    w = st.windows(T0 + 60)
    assert w.calls_1h == 0 and w.calls_24h == 5
    st.advance(T0 + 24 * 60)
    assert st.windows(T0 + 24 * 60).calls_24h == 0


def test_repeat_callee_is_not_new_and_counts_repeats():
    st = CallerState()
    for _ in range(4):
        st.record_attempt(T0, "+8613900000001")
    w = st.windows(T0)
    assert (w.calls_24h, w.new_24h) == (4, 1)
    assert st.repeats("+8613900000001", T0) == (4, 0)
    st.record_end(T0, "+8613900000001", 30, 60)
    assert st.repeats("+8613900000001", T0) == (4, 1)


def test_outcomes_count_answered_and_short():
    st = CallerState()
    _calls(st, T0, 3)
    st.record_end(T0 + 1, "+8613900000000", 0, 60)
    st.record_end(T0 + 1, "+8613900000037", 12, 60)
    st.record_end(T0 + 1, "+8613900000074", 300, 60)
    w = st.windows(T0 + 1)
    assert (w.ended_24h, w.answered_24h, w.short_24h) == (3, 2, 1)


def test_counters_saturate_instead_of_wrapping():
    st = CallerState()
    _calls(st, T0, 300)
    assert st.windows(T0).calls_10m == 255


def test_sequential_run_counts_ascending_numbers_only():
    st = CallerState()
    for i in range(8):
        st.record_attempt(T0, f"+86138000000{i * 3:02d}")
    assert st.windows(T0).sequential_run == 7
    st.record_attempt(T0, "+8613100000000")
    assert st.windows(T0).sequential_run == 0


def test_state_of_wrong_size_is_refused():
    with pytest.raises(ValueError, match="bytes"):
        CallerState(b"\x01" * (SIZE - 1))


def test_store_round_trips_state(store):
    st = CallerState()
    _calls(st, T0, 3)
    store.put("+8613800000000", st)
    back = store.get("+8613800000000")
    assert back is not None and back.windows(T0).calls_24h == 3
    assert store.get("+8613800000001") is None
    seen = store.update_pair("+8613800000000", "+8613800000001", lambda a, b: (a, b, (a, b)))
    assert seen[0] is not None and seen[1] is None


def test_memory_store_is_bounded_and_evicts_least_recent():
    s = MemoryStore(max_callers=100, ttl_minutes=1560)
    for i in range(1000):
        st = CallerState()
        st.record_attempt(T0, "+8613900000000")
        s.put(f"n{i}", st)
    assert len(s) == 100 and s.evicted == 900
    assert s.get("n0") is None and s.get("n999") is not None


def test_memory_store_expires_idle_callers():
    s = MemoryStore(ttl_minutes=60)
    st = CallerState()
    st.record_attempt(T0, "+8613900000000")
    s.put("old", st)
    fresh = CallerState()
    fresh.record_attempt(T0 + 61, "+8613900000000")
    s.put("new", fresh)
    assert s.get("old") is None and s.expired == 1
    assert s.get("new") is not None


def test_snapshot_restores_the_windows(tmp_path: Path):
    s = MemoryStore()
    st = CallerState()
    _calls(st, T0, 7)
    s.put("+8613800000000", st)
    assert s.snapshot(tmp_path / "snap.bin") == 1
    again = MemoryStore()
    assert again.restore(tmp_path / "snap.bin") == 1
    back = again.get("+8613800000000")
    assert back is not None and back.windows(T0).calls_24h == 7


def test_bad_or_truncated_snapshot_names_the_file(tmp_path: Path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"hello")
    with pytest.raises(InputError, match=r"bad.bin.*not a fraudwall screening snapshot"):
        MemoryStore().restore(bad)
    s = MemoryStore()
    st = CallerState()
    st.record_attempt(T0, "+8613900000000")
    s.put("x", st)
    s.snapshot(tmp_path / "ok.bin")
    cut = tmp_path / "cut.bin"
    cut.write_bytes((tmp_path / "ok.bin").read_bytes()[:-10])
    with pytest.raises(InputError, match="truncated at record 1"):
        MemoryStore().restore(cut)


def test_unknown_store_spec_is_an_input_error():
    with pytest.raises(InputError, match="--state"):
        open_store("mysql://x", ttl_minutes=60)


def _count_one(a: CallerState | None, _b: CallerState | None):
    a = a or CallerState()
    a.record_attempt(T0, "+8613900000000")
    return a, None, a.windows(T0).calls_24h


def test_redis_store_reruns_a_step_another_worker_overtook(redis_url):
    prefix = f"cas{time.monotonic_ns()}:"
    mine, other = RedisStore(redis_url, prefix=prefix), RedisStore(redis_url, prefix=prefix)
    raced = []

    def step(a, b):
        if not raced:  # between this worker's read and write, another one counts a call
            raced.append(other.update_pair("+8613800000000", None, _count_one))
        return _count_one(a, b)

    assert mine.update_pair("+8613800000000", None, step) == 2
    assert mine.conflicts == 1 and other.conflicts == 0
    back = mine.get("+8613800000000")
    assert back is not None and back.windows(T0).calls_24h == 2  # no count lost


def test_concurrent_async_updates_lose_no_count(store):
    # set-ups of one caller overlapping on the event loop (Redis: all read before any writes)
    async def run() -> list[int]:
        try:
            return await asyncio.gather(
                *(store.aupdate_pair("+8613800000000", None, _count_one) for _ in range(MAX_TRIES))
            )
        finally:
            if isinstance(store, RedisStore):
                await store.aclose()

    counts = asyncio.run(run())
    if isinstance(store, RedisStore):  # decided from the records read, counts re-made
        assert counts == [1] * MAX_TRIES and store.lost_writes == 0
    else:
        assert sorted(counts) == list(range(1, MAX_TRIES + 1))
    back = store.get("+8613800000000")
    assert back is not None and back.windows(T0).calls_24h == MAX_TRIES


def test_async_answer_comes_before_the_write_back_and_a_raced_write_is_redone(redis_url):
    prefix = f"wb{time.monotonic_ns()}:"
    mine, other = RedisStore(redis_url, prefix=prefix), RedisStore(redis_url, prefix=prefix)
    raced = []

    def step(a, b):
        if not raced:  # between this worker's read and its write-back another worker counts
            raced.append(other.update_pair("+8613800000000", None, _count_one))
        return _count_one(a, b)

    async def run() -> tuple[int, int, list[int]]:
        try:
            answer = await mine.aupdate_pair("+8613800000000", None, step)
            behind = len(mine._inflight)
            # a later call reads the other worker's count at least (the redone write-back
            # may still be on its way)
            later = [await mine.aupdate_pair("+8613800000000", None, _count_one)]
            await mine.flush()
            return answer, behind, later
        finally:
            await mine.aclose()

    answer, behind, later = asyncio.run(run())
    assert (answer, behind) == (1, 1)  # decided from the records read, written afterwards
    assert later[0] in (2, 3)
    assert mine.conflicts >= 1 and mine.lost_writes == 0
    back = mine.get("+8613800000000")
    assert back is not None and back.windows(T0).calls_24h == 3  # no count lost


def test_sequential_async_updates_see_each_others_writes(redis_url):
    store = RedisStore(redis_url, prefix=f"seq{time.monotonic_ns()}:")

    async def run() -> list[int]:
        try:  # no flush in between: the pipeline's order alone makes each see the last
            return [await store.aupdate_pair("+8613800000000", None, _count_one) for _ in range(5)]
        finally:
            await store.aclose()

    assert asyncio.run(run()) == [1, 2, 3, 4, 5] and store.conflicts == 0


def test_a_failed_write_back_is_counted_and_the_next_call_goes_on(redis_url):
    store = RedisStore(redis_url, prefix=f"lost{time.monotonic_ns()}:")
    killed = []

    def step(a, b):
        if not killed:  # the connection dies after the read, before the write-back
            killed.append(store.client.client_kill_filter(_type="normal", skipme=True))
        return _count_one(a, b)

    async def run() -> list[int]:
        try:
            return [await store.aupdate_pair("+8613800000000", None, s) for s in (step, _count_one)]
        finally:
            await store.aclose()

    assert asyncio.run(run()) == [1, 1]  # the first call was answered but could not be counted
    assert killed == [1] and store.lost_writes == 1
    back = store.get("+8613800000000")
    assert back is not None and back.windows(T0).calls_24h == 1


def _redis_counts(store: RedisStore, between: Callable[[], None], calls: int = 3) -> list[int]:
    """``calls`` async updates of one caller with ``between()`` run before each but the first."""

    async def run() -> list[int]:
        out = []
        try:
            for k in range(calls):
                if k:
                    await store.flush()  # what follows happens while the store is idle
                    between()
                out.append(await store.aupdate_pair("+8613800000000", None, _count_one))
        finally:
            await store.aclose()
        return out

    return asyncio.run(run())


def test_async_updates_survive_flushed_scripts(redis_url):
    store = RedisStore(redis_url, prefix=f"fl{time.monotonic_ns()}:")
    # as after a Redis restart: the compare-and-set script is no longer cached
    store.client.script_flush()  # every call then finds the script missing, the first too
    before = _script_calls(store)
    assert _redis_counts(store, lambda: store.client.script_flush()) == [1, 2, 3]
    after = _script_calls(store)
    # each write-back asks for the script by name once, then sends it whole: no second ask
    assert {k: after[k] - before[k] for k in after} == {"evalsha": 3, "eval": 3}


def _script_calls(store: RedisStore) -> dict[str, int]:
    """How many EVALSHA and EVAL commands Redis has run (a NOSCRIPT reply counts as a call)."""
    stats = store.client.info("commandstats")
    return {name: stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("evalsha", "eval")}


def test_async_updates_survive_connections_closed_by_redis(redis_url):
    store = RedisStore(redis_url, prefix=f"kill{time.monotonic_ns()}:")

    def kill() -> None:  # as Redis's idle timeout or a restart does to the worker's connections
        assert store.client.client_kill_filter(_type="normal", skipme=True) >= 1

    assert _redis_counts(store, kill) == [1, 2, 3]
    back = store.get("+8613800000000")
    assert back is not None and back.windows(T0).calls_24h == 3


def test_async_updates_share_one_pipelined_connection(redis_url):
    store = RedisStore(redis_url, prefix=f"conn{time.monotonic_ns()}:")

    async def run() -> list[int]:
        try:
            return await asyncio.gather(
                *(store.aupdate_pair(f"+86138{k:08d}", None, _count_one) for k in range(64))
            )
        finally:
            await store.aclose()

    assert asyncio.run(run()) == [1] * 64  # 64 callers at once, each counted once
    assert store._pipe.opened == 1
    assert all(store.get(f"+86138{k:08d}") is not None for k in range(64))


def test_async_update_fails_when_redis_stops_answering(redis_url):
    store = RedisStore(redis_url, prefix=f"hang{time.monotonic_ns()}:")
    store._pipe.timeout_s = 0.2

    async def run() -> tuple[str, float, int]:
        try:
            await store.aupdate_pair("+8613800000000", None, _count_one)  # connected, works
            store.client.client_pause(1500)  # Redis holds every client's commands for 1.5 s
            t0 = time.monotonic()
            with pytest.raises(RedisTimeoutError) as e:
                await store.aupdate_pair("+8613800000000", None, _count_one)
            waited = time.monotonic() - t0
            await asyncio.sleep(1.5)  # Redis answers again: a new connection is opened
            count = await store.aupdate_pair("+8613800000000", None, _count_one)
            return str(e.value), waited, count
        finally:
            await store.aclose()

    message, waited, count = asyncio.run(run())
    assert "no reply from Redis within 0.2 s" in message and 0.15 < waited < 1.0
    assert count == 2 and store._pipe.opened == 2


def test_async_update_without_redis_is_a_connection_error(tmp_path):
    store = RedisStore(f"unix://{tmp_path}/nothing.sock")

    async def run() -> None:
        try:
            await store.aupdate_pair("+8613800000000", None, _count_one)
        finally:
            await store.aclose()

    with pytest.raises(RedisConnectionError, match="cannot connect to Redis"):
        asyncio.run(run())


def test_async_updates_log_in_and_select_the_database_of_the_url(redis_url):
    admin = RedisStore(redis_url).client
    user = f"fw{time.monotonic_ns()}"
    admin.acl_setuser(user, enabled=True, passwords=["+s3cret"], keys=["*"], commands=["+@all"])
    hostport = redis_url.split("//", 1)[1].split("/", 1)[0]
    store = RedisStore(f"redis://{user}:s3cret@{hostport}/3", prefix=f"db{time.monotonic_ns()}:")
    wrong = RedisStore(f"redis://{user}:nope@{hostport}/3", prefix=store.prefix)

    async def run() -> int:
        try:
            with pytest.raises(RedisConnectionError, match="refused the connection"):
                await wrong.aupdate_pair("+8613800000000", None, _count_one)
            return await store.aupdate_pair("+8613800000000", None, _count_one)
        finally:
            await store.aclose()
            await wrong.aclose()

    try:
        assert asyncio.run(run()) == 1
        key = store.prefix + "+8613800000000"
        assert store.client.exists(key) == 1  # in database 3, as the URL says
        assert admin.exists(key) == 0  # not in database 0
    finally:
        store.client.delete(store.prefix + "+8613800000000")
        admin.acl_deluser(user)


def test_a_cancelled_flush_leaves_the_write_backs_running(redis_url):
    store = RedisStore(redis_url, prefix=f"cf{time.monotonic_ns()}:")

    async def run() -> None:
        try:
            await store.aupdate_pair("+8613800000000", None, _count_one)  # write-back sent
            waiting = asyncio.ensure_future(store.flush())
            await asyncio.sleep(0)
            waiting.cancel()  # as when the worker's shutdown is cut short
            with pytest.raises(asyncio.CancelledError):
                await waiting
        finally:
            await store.aclose()

    asyncio.run(run())
    back = store.get("+8613800000000")
    assert store.lost_writes == 0 and back is not None and back.windows(T0).calls_24h == 1
