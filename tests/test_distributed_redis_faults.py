"""Redis going away under a worker: a real redis-server of the test's own, stopped and started again on its port.

The worker hands out no request and holds the ones it is given while Redis is away, queues them once it is back,
logs and counts the outage once; the state store waits for Redis instead of failing; past ``TRIBUN_REDIS_GIVE_UP``
the worker closes with finish reason ``redis_down`` and exit status 9, its leased requests left in Redis.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings

from tests.local_crawl import make_crawler
from tests.redis_server import RedisProcess
from tests.test_distributed import (
    SHARED_SCHEDULER,
    HubSpider,
    crawler_for,
    hub_site,
    opened_scheduler,
    worker_settings,
)
from tribun_crawler import stats as stat
from tribun_crawler.checks import CUT_SHORT_REASONS, EXIT_REDIS_DOWN
from tribun_crawler.distributed import SharedScheduler
from tribun_crawler.distributed.faults import (
    PROBE_INTERVAL,
    QUEUE_RETRIES,
    REDIS_DOWN_REASON,
    RedisOutage,
    queue_client,
    redis_location,
)
from tribun_crawler.extensions.report import RunReport, exit_code_of
from tribun_crawler.middlewares.blocks import BlockDetectionMiddleware
from tribun_crawler.middlewares.politeness import HostPacingMiddleware
from tribun_crawler.state import open_store

pytestmark = pytest.mark.redis


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server with an append-only file: what it held before a restart is there after it."""
    server = RedisProcess(tmp_path, appendonly=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def in_progress(monkeypatch: pytest.MonkeyPatch) -> set[Request]:
    """What the engine holds (compat.requests_in_progress): the test plays the engine."""
    held: set[Request] = set()
    monkeypatch.setattr("tribun_crawler.distributed.leases.requests_in_progress", lambda crawler: held)
    return held


def hub_request(scheduler: SharedScheduler, path: str) -> Request:
    return Request(f"https://www.tribunnews.com{path}", callback=scheduler.spider.parse_hub)


def wait_for_probe() -> None:
    """While Redis is away the scheduler tries it once per PROBE_INTERVAL."""
    time.sleep(PROBE_INTERVAL + 0.1)


def test_outage_keeps_requests_held_and_queues_them_when_redis_is_back(
    restartable: RedisProcess, in_progress: set[Request], caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        scheduler = opened_scheduler(crawler_for(restartable.url, SCHEDULER=SHARED_SCHEDULER))
        queued = hub_request(scheduler, "/queued-before")
        assert scheduler.enqueue_request(queued)

        restartable.stop()
        started = time.monotonic()
        # Never an exception towards the engine: no request handed out, work reported pending.
        assert scheduler.next_request() is None
        held = hub_request(scheduler, "/found-during")
        assert scheduler.enqueue_request(held) is True
        assert scheduler.has_pending_requests() is True
        assert [request.url for request, _ in scheduler.held] == [held.url]
        # A failing call holds the engine only for the client's brief retries.
        assert time.monotonic() - started < 3
        scheduler.beat()
        assert scheduler.next_request() is None

        restartable.start()
        wait_for_probe()
        taken = [scheduler.next_request(), scheduler.next_request(), scheduler.next_request()]
        assert sorted(request.url for request in taken if request is not None) == sorted([queued.url, held.url])
        assert taken[2] is None
        assert not scheduler.held
        # The dupefilter asked when the held request was queued: a second copy is refused.
        assert scheduler.enqueue_request(held.replace()) is False

        stats = scheduler.stats
        assert stats.get_value(stat.DISTRIBUTED_REDIS_OUTAGES) == 1
        assert stats.get_value(stat.DISTRIBUTED_REDIS_HELD) == 1
        assert stats.get_value(stat.DISTRIBUTED_REDIS_DOWN_SECONDS) >= PROBE_INTERVAL
        scheduler.close("finished")

    asyncio.run(scenario())
    unreachable = [r for r in caplog.records if "unreachable (" in r.getMessage()]
    back = [r for r in caplog.records if "answers again" in r.getMessage()]
    # Logged once at the start and once at recovery, however many calls failed in between.
    assert len(unreachable) == 1, [r.getMessage() for r in unreachable]
    assert len(back) == 1
    assert f"127.0.0.1:{restartable.port}" in unreachable[0].getMessage()


def test_idle_worker_stays_open_while_redis_is_away(restartable: RedisProcess, in_progress: set[Request]) -> None:
    async def scenario() -> None:
        scheduler = opened_scheduler(
            crawler_for(restartable.url, SCHEDULER=SHARED_SCHEDULER, TRIBUN_DISTRIBUTED_IDLE_TIMEOUT=0)
        )
        restartable.stop()
        with pytest.raises(DontCloseSpider):
            scheduler.spider_idle(scheduler.spider)
        restartable.start()
        wait_for_probe()
        assert scheduler.next_request() is None
        assert not scheduler.outage.down
        # Redis back, the queue empty, nobody busy, no idle timeout: the worker may close.
        scheduler.spider_idle(scheduler.spider)
        scheduler.close("finished")

    asyncio.run(scenario())


def test_worker_closing_without_redis_leaves_its_leases_and_counts_what_it_held(
    restartable: RedisProcess, in_progress: set[Request], caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        scheduler = opened_scheduler(crawler_for(restartable.url, SCHEDULER=SHARED_SCHEDULER))
        assert scheduler.run is not None
        leased_key = scheduler.run.leased_key
        scheduler.enqueue_request(hub_request(scheduler, "/taken"))
        taken = scheduler.next_request()
        assert taken is not None
        in_progress.add(taken)

        restartable.stop()
        scheduler.enqueue_request(hub_request(scheduler, "/never-queued"))
        scheduler.close(REDIS_DOWN_REASON)
        assert scheduler.stats.get_value(stat.DISTRIBUTED_REDIS_LOST) == 1

        restartable.start()
        client = redis.Redis.from_url(restartable.url)
        try:
            # Still leased in this worker's name: the other workers recover it once its heartbeat is stale.
            leases = list(client.hgetall(leased_key).values())
            assert len(leases) == 1
            assert b"/taken" in leases[0]
        finally:
            client.close()

    asyncio.run(scenario())
    message = next(r.getMessage() for r in caplog.records if "while closing" in r.getMessage())
    assert "1 request(s) this worker had taken stay leased" in message
    assert "1 request(s) it found while Redis was away never reached the shared queue and are lost" in message


def test_state_store_waits_for_redis_to_come_back(restartable: RedisProcess, caplog: pytest.LogCaptureFixture) -> None:
    settings = {
        "TRIBUN_STATE_BACKEND": "redis",
        "REDIS_URL": restartable.url,
        "TRIBUN_REDIS_PREFIX": "faults",
        "TRIBUN_REDIS_GIVE_UP": 30.0,
    }
    with open_store(settings) as store:
        restartable.stop()
        restarter = threading.Timer(2.0, restartable.start)
        restarter.start()
        started = time.monotonic()
        try:
            # Blocks through the outage instead of failing (which would drop the article being processed).
            assert store.get(12345) is None
        finally:
            restarter.join()
        assert time.monotonic() - started >= 1.5
    # Why the worker stood still, and for how long, in the log: once per call, not once per try.
    messages = [r.getMessage() for r in caplog.records if r.name == "tribun_crawler.distributed.faults"]
    assert len(messages) == 2, messages
    assert messages[0].startswith("State store: Redis unreachable")
    assert "retrying for 3" in messages[0]  # TRIBUN_REDIS_GIVE_UP=30: about 30 s of tries
    assert messages[1].startswith("State store: Redis answers again, after ")


def test_state_store_fails_after_the_give_up(restartable: RedisProcess) -> None:
    settings = {
        "TRIBUN_STATE_BACKEND": "redis",
        "REDIS_URL": restartable.url,
        "TRIBUN_REDIS_PREFIX": "faults",
        "TRIBUN_REDIS_GIVE_UP": 3.0,
    }
    with open_store(settings) as store:
        restartable.stop()
        started = time.monotonic()
        with pytest.raises(redis.ConnectionError):
            store.get(12345)
        # Retried for the give-up (3 s), then failed: a caller cannot wait for ever.
        assert 2.5 < time.monotonic() - started < 10
        restartable.start()


def test_outage_clock_gives_up_after_the_setting() -> None:
    now = [100.0]
    crawler = crawler_for("redis://127.0.0.1:1/0")
    assert crawler.stats is not None
    outage = RedisOutage(crawler.stats, "127.0.0.1:1", give_up=30, clock=lambda: now[0])
    assert outage.may_try()
    assert not outage.down
    outage.failed(redis.ConnectionError("refused"), "taking a request")
    outage.failed(redis.ConnectionError("refused"), "taking a request")
    assert crawler.stats.get_value(stat.DISTRIBUTED_REDIS_OUTAGES) == 1
    assert not outage.may_try()
    now[0] += PROBE_INTERVAL
    assert outage.may_try()
    now[0] += 28
    assert not outage.exceeded()
    now[0] += 1
    assert outage.exceeded()
    outage.answered()
    assert not outage.down
    assert crawler.stats.get_value(stat.DISTRIBUTED_REDIS_DOWN_SECONDS) == 30.0
    assert CUT_SHORT_REASONS[REDIS_DOWN_REASON] == EXIT_REDIS_DOWN == 9


def test_worker_gives_up_when_redis_stays_away(restartable: RedisProcess, caplog: pytest.LogCaptureFixture) -> None:
    """A real crawl: Redis stopped at the first article, never back; the worker closes by itself, exit 9."""

    async def scenario() -> tuple[Crawler, float]:
        async with hub_site() as site:
            settings = {
                **worker_settings(restartable.url),
                "TRIBUN_REDIS_GIVE_UP": 2.0,
                # The run report gives the exit status; the state stays local (its patience is tested above).
                "EXTENSIONS": {RunReport: 0},
                "TRIBUN_STATE_BACKEND": "sqlite",
            }
            crawler = make_crawler(HubSpider, settings)
            hub = site.url("/internasional")
            stopped: list[float] = []

            def stop_redis(response: object, request: Request, spider: object) -> None:
                if not stopped and request.url != hub:
                    restartable.stop()
                    stopped.append(time.monotonic())

            crawler.signals.connect(stop_redis, signal=signals.response_received)
            await asyncio.wait_for(crawler.crawl_async(hub=hub), timeout=60)
            return crawler, time.monotonic() - stopped[0]

    crawler, closed_after = asyncio.run(scenario())
    assert crawler.stats is not None
    assert crawler.stats.get_value("finish_reason") == REDIS_DOWN_REASON
    assert exit_code_of(crawler) == EXIT_REDIS_DOWN
    # Given up after the setting, not long after (heartbeat 0.2 s, probes once a second).
    assert 2.0 <= closed_after < 15, closed_after
    gave_up = [r for r in caplog.records if r.levelno == logging.ERROR and "TRIBUN_REDIS_GIVE_UP" in r.getMessage()]
    assert gave_up
    assert f"127.0.0.1:{restartable.port}" in gave_up[0].getMessage()


def test_queue_client_retries_on_connection_errors_and_keeps_the_operators_params() -> None:
    settings = Settings(
        {"REDIS_URL": "rediss://:s3cret@queue.internal:6380/0", "REDIS_PARAMS": {"socket_connect_timeout": 1.5}}
    )
    client = queue_client(settings)
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["socket_connect_timeout"] == 1.5
    assert kwargs["retry"].get_retries() == QUEUE_RETRIES
    assert redis.BusyLoadingError in kwargs["retry_on_error"]
    # Logs name the host, never the password.
    assert redis_location(settings) == "rediss://:***@queue.internal:6380/0"


def test_shared_pacing_and_blocks_step_aside_while_redis_is_away(
    restartable: RedisProcess, in_progress: set[Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        crawler = crawler_for(restartable.url, SCHEDULER=SHARED_SCHEDULER)
        scheduler = opened_scheduler(crawler)
        assert crawler.engine is not None
        # What the engine's scheduler is once it opened the spider (this engine is not started).
        monkeypatch.setattr(type(crawler.engine), "scheduler", property(lambda engine: scheduler))
        pacing = HostPacingMiddleware(crawler)
        blocks = BlockDetectionMiddleware(crawler)
        assert pacing.shared_pacing() is not None
        assert blocks.shared_blocks() is not None

        restartable.stop()
        assert scheduler.next_request() is None
        # The worker's own pacing and blocks, with no Redis call (each would hold the engine for its retries).
        assert pacing.shared_pacing() is None
        assert blocks.shared_blocks() is None

        restartable.start()
        wait_for_probe()
        scheduler.next_request()
        assert pacing.shared_pacing() is not None
        assert blocks.shared_blocks() is not None
        scheduler.close("finished")

    asyncio.run(scenario())
