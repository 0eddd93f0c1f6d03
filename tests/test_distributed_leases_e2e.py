"""End to end, distributed: three real ``scrapy crawl tribun`` workers, one SIGKILLed while it holds leased requests.

A redis-server of the test's own holds the shared queue, the leases and the state; the replica answers every
request after 50 ms, so the workers overlap as against the real site. Once a worker holds leased requests (and the
crawl is under way), it is killed without warning: no close, no give-back. The two others notice it is gone (three
missed heartbeats), put its leased requests back into the queue, and finish the crawl. Across the three feeds, the
dead worker's included, every story of the network is emitted exactly once, and no lease is left in Redis.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.crawl import REPO_ROOT, article, crawl_env, read_jsonl, read_report, scrapy_command, spider_today
from tests.redis_server import redis_server
from tests.replica import Replica, start_replica
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


@pytest.fixture
def own_redis_url(tmp_path: Path) -> Iterator[str]:
    folder = tmp_path / "redis"
    folder.mkdir()
    yield from redis_server(folder)


@pytest.fixture
def slow_replica(tmp_path: Path) -> Iterator[Replica]:
    with start_replica(tmp_path, today=spider_today(), latency=0.05) as running:
        yield running


def lines(feed: Path) -> int:
    return feed.read_bytes().count(b"\n") if feed.exists() else 0


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


class Workers:
    """The worker processes of one run, by pid (a worker's id in Redis is ``host:pid:token``)."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.processes: dict[int, tuple[str, subprocess.Popen[bytes]]] = {}
        for n in range(1, WORKERS + 1):
            name = f"worker{n}"
            command = scrapy_command(self.feed(name), {"sites": SITES}, SETTINGS, tmp_path / f"{name}.log")
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
            self.processes[process.pid] = (name, process)
        self.deadline = time.monotonic() + RUN_TIMEOUT

    def feed(self, name: str) -> Path:
        return self.tmp_path / f"{name}.jsonl"

    def kill_one_holding_leases(self, client: redis.Redis) -> tuple[str, str, int]:
        """SIGKILL the first worker seen holding leased requests once the crawl is under way: its name, its worker
        id, and how many requests it held when it died."""
        while True:
            assert time.monotonic() < self.deadline, "no worker ever held leased requests mid-crawl"
            assert all(p.poll() is None for _, p in self.processes.values()), "a worker ended before the kill"
            if sum(lines(self.feed(name)) for name, _ in self.processes.values()) >= KILL_AFTER_ITEMS:
                for worker in leases(client):
                    pid = int(worker.split(":")[1])
                    if pid in self.processes:
                        name, process = self.processes[pid]
                        process.send_signal(signal.SIGKILL)
                        process.wait()
                        # Read after the kill: what it held when it died (nobody recovers it within 2 s).
                        return name, worker, leases(client).get(worker, 0)
            time.sleep(0.02)

    def wait(self, names: set[str]) -> dict[str, tuple[int, list[dict[str, Any]], dict[str, Any], str]]:
        """Status, feed, run report and log of each of ``names``, once it has ended."""
        results = {}
        for name, process in self.processes.values():
            if name in names:
                status = process.wait(timeout=max(1.0, self.deadline - time.monotonic()))
                log = (self.tmp_path / f"{name}.log").read_text(encoding="utf-8")
                results[name] = (status, read_jsonl(self.feed(name)), read_report(self.feed(name)), log)
        return results

    def stop(self) -> None:
        for _, process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_worker_killed_with_leased_requests_loses_no_article(
    tmp_path: Path, slow_replica: Replica, own_redis_url: str
) -> None:
    network = slow_replica.network()
    expected = network.expected(POPULATED_SITES, depth=2, index_dates=[slow_replica.today], include_copies=True)
    client = redis.Redis.from_url(own_redis_url)
    workers = Workers(tmp_path, crawl_env({**slow_replica.env, "REDIS_URL": own_redis_url}))
    try:
        victim, victim_id, held_at_kill = workers.kill_one_holding_leases(client)
        results = workers.wait({name for name, _ in workers.processes.values()} - {victim})
    finally:
        workers.stop()

    assert held_at_kill >= 1
    for status, _, report, log in results.values():
        assert status == 0, log[-3000:]
        assert report["finish_reason"] == "finished"
        assert "Shared queue empty and no worker busy" in log
    items = killed_feed(workers.feed(victim)) + [item for _, found, _, _ in results.values() for item in found]
    urls = [item["url"] for item in items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    assert set(urls) <= {e.url for e in expected}
    # Every story once: the original or its syndicated copy, whichever was read first.
    stories = {e.based_on or e.url for e in expected}
    assert sorted({e.based_on or e.url for e in expected if e.url in urls}) == sorted(stories)
    assert len(urls) == len(stories)
    # One survivor put back exactly what the victim held, once.
    recoveries = [
        line for *_, log in results.values() for line in log.splitlines() if f"Worker {victim_id} is gone" in line
    ]
    assert len(recoveries) == 1, recoveries
    assert f": {held_at_kill} leased request(s) back in the shared queue" in recoveries[0]
    assert sum(report["stats"].get("tribun/distributed/leases_recovered", 0) for _, _, report, _ in results.values())

    # No lease left, nor any key of the run: the last survivor deleted them. Shared pacing's turns and blocks
    # (distributed/pacing.py, blocks.py) are no run key the last worker deletes: they expire by themselves.
    left = [key.decode() for key in client.scan_iter(match="tribun:run*")]
    assert [key for key in left if ":pace:" not in key and ":blocks:" not in key] == []
    assert all(client.ttl(key) > 0 for key in left), {key: client.ttl(key) for key in left}
    client.close()
