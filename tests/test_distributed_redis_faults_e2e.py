"""End to end, distributed: Redis stopped for 5 s under two real ``scrapy crawl tribun`` workers, then started again.

Redis is a server of the test's own with an append-only file (as a deployment's should be, docs/operations.md): a
restart keeps the shared queue, the leases, the dupefilter and the state. The replica answers every request after
50 ms, so the crawl is under way, with requests in flight on both workers, when Redis goes away. The workers ride
out the outage (the scheduler hands out nothing and holds what it is given, the state store waits), and once Redis
is back they finish the crawl: both exit 0, and across the two feeds every story of the network is emitted exactly
once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.crawl import Workers, crawl_env
from tests.redis_server import RedisProcess
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SITES = ",".join(POPULATED_SITES)
WORKERS = 2
SETTINGS = {"TRIBUN_DISTRIBUTED_IDLE_TIMEOUT": "3"}
#: Redis is stopped once the workers have emitted this many articles between them (the crawl is under way).
STOP_AFTER_ITEMS = 8
#: How long Redis stays away.
OUTAGE = 5.0
#: A worker that has not closed after this long is hanging.
RUN_TIMEOUT = 180


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[RedisProcess]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisProcess(folder, appendonly=True)
    server.start()
    yield server
    server.stop()


def crawl_through_an_outage(
    tmp_path: Path, replica: Replica, server: RedisProcess
) -> tuple[dict[str, dict[str, Any]], int, float, float]:
    """Start the workers, stop Redis for OUTAGE seconds once they emitted STOP_AFTER_ITEMS articles, start it
    again, wait for the workers: their results, the articles emitted before the outage, its length, the run time."""
    env = crawl_env({**replica.env, "REDIS_URL": server.url})
    names = [f"worker{n}" for n in range(1, WORKERS + 1)]
    started = time.monotonic()
    with Workers(tmp_path, env, dict.fromkeys(names, SETTINGS), {"sites": SITES}) as workers:
        while workers.emitted() < STOP_AFTER_ITEMS:
            assert time.monotonic() - started < RUN_TIMEOUT, "the crawl never got under way"
            assert workers.all_running(), "a worker ended before the outage"
            time.sleep(0.02)
        emitted_before = workers.emitted()
        stopped_at = time.monotonic()
        server.stop()
        time.sleep(OUTAGE)
        server.start()
        outage = time.monotonic() - stopped_at
        assert workers.all_running(), "a worker died while Redis was away"
        results = {name: workers.wait(name, max(1.0, RUN_TIMEOUT - (time.monotonic() - started))) for name in names}
        run_time = time.monotonic() - started

    return results, emitted_before, outage, run_time


def test_redis_stopped_for_five_seconds_mid_crawl_loses_and_doubles_nothing(
    tmp_path: Path, slow_replica: Replica, restartable: RedisProcess
) -> None:
    network = slow_replica.network()
    expected = network.expected(POPULATED_SITES, depth=2, index_dates=[slow_replica.today], include_copies=True)
    results, emitted_before, outage, run_time = crawl_through_an_outage(tmp_path, slow_replica, restartable)

    for result in results.values():
        assert result["status"] == 0, result["log"][-3000:]
        assert result["report"]["finish_reason"] == "finished"
        assert "Shared queue empty and no worker busy" in result["log"]
    urls = [item["url"] for result in results.values() for item in result["items"]]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    assert set(urls) <= {e.url for e in expected}
    # Every story once: the original or its syndicated copy, whichever was read first.
    stories = {e.based_on or e.url for e in expected}
    assert sorted({e.based_on or e.url for e in expected if e.url in urls}) == sorted(stories)
    assert len(urls) == len(stories)
    assert len(urls) > emitted_before, "the outage came after the crawl's end: nothing was tested"
    # The outage and its end are in the logs: the scheduler's (it held requests or handed none out) or the state
    # store's (a lookup waited for Redis, holding the worker), whichever call met it first.
    outages = [result["report"]["stats"].get("tribun/distributed/redis_outages", 0) for result in results.values()]
    down = [result["report"]["stats"].get("tribun/distributed/redis_down_seconds", 0) for result in results.values()]
    held = [result["report"]["stats"].get("tribun/distributed/redis_held", 0) for result in results.values()]
    seen = [
        [
            line.split("] ", 1)[1][:120]
            for line in result["log"].splitlines()
            if "WARNING" in line and ("Redis" in line or "Shared pacing" in line)
        ]
        for result in results.values()
    ]
    # Every Redis call that met the outage logged it: the scheduler's, the state store's or shared pacing's (which
    # goes on with the worker's own pacing), whichever came first; and its end where it was noticed.
    assert any("unreachable (" in line or "could not" in line for lines_ in seen for line in lines_), seen
    # No worker took the other for gone (the outage is shorter than three heartbeats): nothing fetched twice.
    assert network.duplicate_fetches(slow_replica.requests()) == {}
    client = redis.Redis.from_url(restartable.url)
    try:
        # No lease left, no queue: the last worker deleted the run's keys. Shared pacing's turns and blocks may
        # remain a moment (written again once Redis was back), expiring by themselves.
        left = [key.decode() for key in client.scan_iter(match="tribun:run*")]
        assert [key for key in left if ":pace:" not in key and ":blocks:" not in key] == []
        assert all(client.ttl(key) > 0 for key in left), {key: client.ttl(key) for key in left}
    finally:
        client.close()
    print(
        f"\nRedis away {outage:.1f} s (workers measured {', '.join(f'{d:.1f}' for d in down)} s; outages "
        f"{outages}; requests held in memory {held}); run {run_time:.1f} s; {len(urls)} articles, "
        f"{emitted_before} before the outage, {len(stories)} stories expected; per worker "
        f"{[len(result['items']) for result in results.values()]}"
    )
    for name, lines_ in zip(results, seen, strict=True):
        print(name, *lines_, sep="\n  ")
