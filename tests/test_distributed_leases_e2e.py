"""End to end, distributed: three real ``scrapy crawl tribun`` workers, one SIGKILLed while it holds leased requests.

A redis-server of the test's own holds the shared queue, the leases and the state; the replica answers every
request after 50 ms, so the workers overlap as against the real site. Once a worker holds leased requests (and the
crawl is under way), it is killed without warning: no close, no give-back. The two others notice it is gone (three
missed heartbeats), put its leased requests back into the queue, and finish the crawl. Across the three feeds, the
dead worker's included, every story of the network is emitted exactly once, and no lease is left in Redis.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.crawl import Workers, article, crawl_env
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES

pytestmark = [pytest.mark.slow, pytest.mark.redis]

SITES = ",".join(POPULATED_SITES)
WORKERS = 3
#: Short liveness: a worker silent for three heartbeats (3 s) is gone; long enough that a survivor slowed down by
#: a busy machine is not taken for gone.
SETTINGS = {"TRIBUN_DISTRIBUTED_HEARTBEAT": "1", "TRIBUN_DISTRIBUTED_IDLE_TIMEOUT": "3"}
#: A worker that has not closed after this long is hanging.
RUN_TIMEOUT = 150
#: The victim is killed once the workers have emitted this many articles between them (the crawl is under way).
KILL_AFTER_ITEMS = 8


def killed_feed(feed: Path) -> list[dict[str, Any]]:
    """The feed of the killed worker: every complete line (a line cut short by the kill was never recorded)."""
    if not feed.exists():
        return []
    complete = feed.read_bytes().split(b"\n")[:-1]
    return [article(line) for line in complete if line.strip()]


def leases(client: redis.Redis) -> dict[str, int]:
    """Worker id -> requests it holds leased now."""
    held = {}
    for key in client.scan_iter(match="tribun:run:*:leased:*"):
        count = client.hlen(key)
        if count:
            held[key.decode().split(":leased:", 1)[1]] = count
    return held


def kill_one_holding_leases(workers: Workers, client: redis.Redis, deadline: float) -> tuple[str, str, int]:
    """SIGKILL the first worker seen holding leased requests once the crawl is under way: its name, its worker id,
    and how many requests it held when it died. A worker's id in Redis is ``host:pid:token``."""
    by_pid = {process.pid: name for name, process in workers.processes.items()}
    while True:
        assert time.monotonic() < deadline, "no worker ever held leased requests mid-crawl"
        assert workers.all_running(), "a worker ended before the kill"
        if workers.emitted() >= KILL_AFTER_ITEMS:
            for worker in leases(client):
                pid = int(worker.split(":")[1])
                if pid in by_pid:
                    name = by_pid[pid]
                    workers.processes[name].send_signal(signal.SIGKILL)
                    workers.processes[name].wait()
                    # Read after the kill: what it held when it died (nobody recovers it within 2 s).
                    return name, worker, leases(client).get(worker, 0)
        time.sleep(0.02)


def test_a_worker_killed_with_leased_requests_loses_no_article(
    tmp_path: Path, slow_replica: Replica, fresh_redis_url: str
) -> None:
    network = slow_replica.network()
    expected = network.expected(POPULATED_SITES, depth=2, index_dates=[slow_replica.today], include_copies=True)
    client = redis.Redis.from_url(fresh_redis_url)
    env = crawl_env({**slow_replica.env, "REDIS_URL": fresh_redis_url})
    names = [f"worker{n}" for n in range(1, WORKERS + 1)]
    deadline = time.monotonic() + RUN_TIMEOUT
    with Workers(tmp_path, env, dict.fromkeys(names, SETTINGS), {"sites": SITES}) as workers:
        victim, victim_id, held_at_kill = kill_one_holding_leases(workers, client, deadline)
        results = {name: workers.wait(name, max(1.0, deadline - time.monotonic())) for name in names if name != victim}

    assert held_at_kill >= 1
    for result in results.values():
        assert result["status"] == 0, result["log"][-3000:]
        assert result["report"]["finish_reason"] == "finished"
        assert "Shared queue empty and no worker busy" in result["log"]
    items = killed_feed(workers.feed(victim)) + [item for result in results.values() for item in result["items"]]
    urls = [item["url"] for item in items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    assert set(urls) <= {e.url for e in expected}
    # Every story once: the original or its syndicated copy, whichever was read first.
    stories = {e.based_on or e.url for e in expected}
    assert sorted({e.based_on or e.url for e in expected if e.url in urls}) == sorted(stories)
    assert len(urls) == len(stories)
    # One survivor put back exactly what the victim held, once.
    recoveries = [
        line
        for result in results.values()
        for line in result["log"].splitlines()
        if f"Worker {victim_id} is gone" in line
    ]
    assert len(recoveries) == 1, recoveries
    assert f": {held_at_kill} leased request(s) back in the shared queue" in recoveries[0]
    assert sum(result["report"]["stats"].get("tribun/distributed/leases_recovered", 0) for result in results.values())

    # No lease left, nor any key of the run: the last survivor deleted them.
    assert list(client.scan_iter(match="tribun:run*")) == []
    client.close()
