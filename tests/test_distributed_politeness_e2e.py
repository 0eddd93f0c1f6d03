"""End to end, distributed politeness: four real ``scrapy crawl tribun`` workers are one polite client.

Four workers share one crawl through a redis-server of the test's own, against the replica network answering
each request after ``LATENCY`` seconds (so the workers' requests overlap as against the real site). The
replica's own request log is the judge: it notes when each request arrived and, through a User-Agent suffix,
which worker sent it.

* Pacing: with one ``DOWNLOAD_DELAY`` for all, two requests to one host, from whichever workers, arrive at
  least 0.9 x the delay apart; every article is emitted once; every worker did part of the work.
* Blocks: a host answering 403 is blocked by the first worker that sees ``TRIBUN_BLOCK_THRESHOLD`` refusals in a
  row; after that no worker sends it more than the threshold again (the requests already on their way).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import Workers, crawl_env, spider_today
from tests.replica import Replica, start_replica
from tests.replica.network import POPULATED_SITES
from tribun_crawler import settings as project_settings
from tribun_crawler.distributed.blocks import REFRESH_SECONDS
from tribun_crawler.sites import site_key

pytestmark = pytest.mark.slow

SITES = ",".join(POPULATED_SITES)
WORKERS = 4
DELAY = 0.5
#: Seconds the replica waits before each answer.
LATENCY = 0.05
IDLE_TIMEOUT = "3"
#: A worker that has not closed after this long is hanging.
RUN_TIMEOUT = 300


def worker_agent(n: int) -> str:
    """The project's browser User-Agent with the worker's number: the replica logs it with every request."""
    return f"{project_settings.USER_AGENT} tribun-worker/{n}"


def run_workers(
    tmp_path: Path, replica: Replica, redis_url: str, settings: Mapping[str, str] = {}
) -> tuple[list[dict[str, Any]], float]:
    """Start every worker at once and wait for all; their feeds, reports, statuses, and the run's wall time."""
    env = crawl_env({**replica.env, "REDIS_URL": redis_url})
    started = time.monotonic()
    every_worker: dict[str, dict[str, str]] = {}
    for n in range(1, WORKERS + 1):
        every_worker[f"worker{n}"] = {
            "TRIBUN_DISTRIBUTED_IDLE_TIMEOUT": IDLE_TIMEOUT,
            "DOWNLOAD_DELAY": str(DELAY),
            "USER_AGENT": worker_agent(n),
            # Each host takes one request per delay, so the whole run needs about one request in progress per
            # host: 4 workers x 2 for 5 hosts. More only waits for its turn, and one worker would take requests
            # the idle ones (which look at the shared queue every 5 s) could have had.
            "CONCURRENT_REQUESTS": "2",
            **settings,
        }
    with Workers(tmp_path, env, every_worker, {"sites": SITES}) as workers:
        results = [{"name": name, **workers.wait(name, RUN_TIMEOUT)} for name in every_worker]
    return results, time.monotonic() - started


def worker_of(entry: Mapping[str, Any]) -> int | None:
    agent = str(entry.get("user_agent", ""))
    marker = " tribun-worker/"
    return int(agent.rsplit(marker, 1)[1]) if marker in agent else None


def gets(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests that reached a host of the network (tunnels through the proxy are not requests to a host)."""
    return [entry for entry in log if entry["method"] == "GET" and not entry.get("off_network")]


def gaps_per_host(entries: list[dict[str, Any]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for entry in entries:
        times[entry["host"]].append(float(entry["t"]))
    return {
        host: [later - earlier for earlier, later in zip(sorted(ts), sorted(ts)[1:], strict=False)]
        for host, ts in times.items()
    }


def test_four_workers_space_each_host_as_one_client(tmp_path: Path, fresh_redis_url: str) -> None:
    with start_replica(tmp_path, today=spider_today(), latency=LATENCY) as replica:
        network = replica.network()
        expected = network.expected(POPULATED_SITES, depth=2, index_dates=[replica.today], include_copies=True)
        workers, elapsed = run_workers(tmp_path, replica, fresh_redis_url)
        log = gets(replica.requests())

    for worker in workers:
        assert worker["status"] == 0, worker["log"][-3000:]
        assert worker["report"]["finish_reason"] == "finished"
    assert len({worker["report"]["stats"]["tribun/distributed/run"] for worker in workers}) == 1

    # Every article once, across the four feeds.
    urls = [item["url"] for worker in workers for item in worker["items"]]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    stories = {e.based_on or e.url for e in expected}
    assert sorted({e.based_on or e.url for e in expected if e.url in urls}) == sorted(stories)
    assert network.duplicate_fetches(log) == {}

    # Every worker did part of the work (pages beyond its own robots.txt files).
    per_worker = Counter(worker_of(entry) for entry in log if entry["path"] != "/robots.txt")
    # The spacing, as the sites saw it: across all workers, never closer than 0.9 x the delay per host.
    gaps = gaps_per_host(log)
    per_host = Counter(entry["host"] for entry in log)
    smallest = {host: min(host_gaps) for host, host_gaps in gaps.items() if host_gaps}
    print(f"\nshared pacing, {WORKERS} workers, DOWNLOAD_DELAY {DELAY} s, replica latency {LATENCY} s:")
    print(f"  run time {elapsed:.1f} s, {len(log)} GET requests, {len(urls)} articles emitted")
    print(f"  requests per worker (robots.txt aside): {dict(sorted(per_worker.items(), key=str))}")
    for host in sorted(per_host):
        host_gaps = sorted(gaps.get(host, []))
        median = host_gaps[len(host_gaps) // 2] if host_gaps else float("nan")
        print(
            f"  {host}: {per_host[host]} requests, smallest gap {smallest.get(host, float('nan')):.3f} s, "
            f"median {median:.3f} s"
        )
    assert None not in per_worker, "a request without a worker's User-Agent"
    assert sorted(per_worker) == list(range(1, WORKERS + 1)), per_worker
    assert {host: gap for host, gap in smallest.items() if gap < 0.9 * DELAY} == {}
    waited = sum(worker["report"]["stats"].get("tribun/pacing/waited", 0) for worker in workers)
    assert waited > 0


def test_a_host_one_worker_finds_blocking_is_left_alone_by_all(tmp_path: Path, fresh_redis_url: str) -> None:
    # www: the host with the most requests (section hubs, daily index, articles), so the others have many to send.
    blocked = "www.tribunnews.com"
    threshold = 3
    with start_replica(tmp_path, today=spider_today(), latency=LATENCY, block=[blocked]) as replica:
        workers, elapsed = run_workers(
            tmp_path,
            replica,
            fresh_redis_url,
            {"TRIBUN_BLOCK_THRESHOLD": str(threshold), "TRIBUN_BLOCK_COOLDOWN": "600"},
        )
        log = gets(replica.requests())

    for worker in workers:
        assert worker["report"]["finish_reason"] == "finished", worker["log"][-3000:]
    refusals = [entry for entry in log if entry["host"] == blocked]
    assert all(entry["status"] == 403 for entry in refusals)
    # The threshold-th refusal in a row to one worker is the block; which worker saw it first, and when.
    runs: Counter[int | None] = Counter()
    blocked_at = first = None
    for entry in sorted(refusals, key=lambda e: float(e["t"])):
        worker = worker_of(entry)
        runs[worker] += 1
        if runs[worker] == threshold:
            blocked_at, first = float(entry["t"]), worker
            break
    assert blocked_at is not None, f"no worker got {threshold} refusals: {len(refusals)} in all"
    after = Counter(worker_of(entry) for entry in refusals if float(entry["t"]) > blocked_at)
    print(
        f"\nshared blocks, {WORKERS} workers: {len(refusals)} requests to {blocked}, worker {first} blocked it "
        f"first, {sum(after.values())} requests after that ({dict(after)}), run time {elapsed:.1f} s"
    )
    # The others learn of the block from Redis: none sends more than the threshold after it, and nothing is sent
    # once they all had time to read it (a worker reads the run's blocks once a second; a request may be on its
    # way already).
    assert all(count <= threshold for count in after.values()), after
    late = [entry for entry in refusals if float(entry["t"]) > blocked_at + REFRESH_SECONDS + DELAY + 0.5]
    assert late == []
    # Every worker knew the block: found it itself, or took it on from another through Redis.
    stats = [worker["report"]["stats"] for worker in workers]
    found = [s.get(f"tribun/blocked/{blocked}", 0) for s in stats]
    learned = [s.get(f"tribun/distributed/blocked/{blocked}", 0) for s in stats]
    print(f"  blocks found per worker {found}, taken on from another {learned}")
    assert sum(found) >= 1
    assert all(f + n >= 1 for f, n in zip(found, learned, strict=True)), (found, learned)
    assert sum(learned) >= 1
    # The other sites were crawled as usual.
    assert {site_key(entry["host"]) for entry in log if entry["status"] == 200} >= set(POPULATED_SITES) - {"www"}
