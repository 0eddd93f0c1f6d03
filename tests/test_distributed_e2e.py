"""End to end, distributed: two real ``scrapy crawl tribun`` workers sharing one crawl through Redis.

A redis-server of the test's own (tests/redis_server.py) holds the shared queue, dupefilter and state; both
workers are started at the same moment against one replica network. Together they must read each article once
and emit it once, close by themselves once the shared queue stays empty, and a second scheduled run of both
workers, with nothing new on the site, must emit nothing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import Workers, crawl_env
from tests.replica import Replica
from tests.replica.network import POPULATED_SITES

pytestmark = pytest.mark.slow

SITES = ",".join(POPULATED_SITES)
WORKERS = 2
#: Seconds the shared queue stays empty, with no worker busy, before a worker closes.
IDLE_TIMEOUT = "3"
#: A worker that has not closed after this long is hanging.
RUN_TIMEOUT = 120


def run_workers(tmp_path: Path, replica: Replica, redis_url: str, run: str) -> list[dict[str, Any]]:
    """Start every worker of one scheduled run at once and wait for all; their feeds, reports and statuses."""
    env = crawl_env({**replica.env, "REDIS_URL": redis_url})
    settings = {"TRIBUN_DISTRIBUTED_IDLE_TIMEOUT": IDLE_TIMEOUT}
    names = [f"{run}-worker{n}" for n in range(1, WORKERS + 1)]
    with Workers(tmp_path, env, dict.fromkeys(names, settings), {"sites": SITES}) as workers:
        return [workers.wait(name, RUN_TIMEOUT) for name in names]


def test_two_workers_share_one_crawl_and_a_second_run_finds_nothing_new(
    tmp_path: Path, replica: Replica, fresh_redis_url: str
) -> None:
    network = replica.network()
    expected = network.expected(POPULATED_SITES, depth=2, index_dates=[replica.today], include_copies=True)

    workers = run_workers(tmp_path, replica, fresh_redis_url, "first")
    log = replica.requests()

    for worker in workers:
        assert worker["status"] == 0, worker["log"][-3000:]
        # Closed by itself once the shared queue stayed empty, not killed or timed out.
        assert "Shared queue empty and no worker busy" in worker["log"]
        assert worker["report"]["finish_reason"] == "finished"
    # One shared run, not two crawls side by side.
    runs = {worker["report"]["stats"]["tribun/distributed/run"] for worker in workers}
    assert len(runs) == 1
    urls = [item["url"] for worker in workers for item in worker["items"]]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    assert set(urls) <= {e.url for e in expected}
    # A story and its syndicated copy are one article: whichever a worker read first is emitted.
    stories = {e.based_on or e.url for e in expected}
    assert sorted({e.based_on or e.url for e in expected if e.url in urls}) == sorted(stories)
    assert len(urls) == len(stories)
    # No article page was read twice, by one worker or by both.
    assert network.duplicate_fetches(log) == {}
    assert network.forbidden_requests(log, POPULATED_SITES, 2, [replica.today]) == []

    second = run_workers(tmp_path, replica, fresh_redis_url, "second")

    assert [worker["items"] for worker in second] == [[]] * WORKERS
    assert [worker["report"]["articles"] for worker in second] == [0] * WORKERS
    assert any(worker["report"]["pages"]["total"] for worker in second), "the second run read the listings again"
    # Nothing new is not a broken run: no worker may report one.
    assert [(worker["status"], worker["report"]["problems"]) for worker in second] == [(0, [])] * WORKERS
