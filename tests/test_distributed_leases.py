"""Leased requests of the shared queue: held in Redis while a worker works on them, released when the engine is done,
given back when the worker closes, recovered by the others when it is gone; bad queue entries run nothing."""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path

import pytest
import redis
from aiohttp import web
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from tests.conftest import with_tribun_defaults
from tests.local_crawl import LocalSite, html, make_crawler
from tests.test_distributed import (
    ADDON,
    ARTICLES,
    HUB_ITEM,
    HUB_PAGE,
    SHARED_SCHEDULER,
    HubSpider,
    crawler_for,
    hub_site,
    opened_scheduler,
    worker_settings,
)
from tests.test_distributed_serializer import Marker
from tribun_crawler.distributed import RUN_KEY_TTL, DistributedQueue, SharedRun, SharedScheduler
from tribun_crawler.distributed.faults import PROBE_INTERVAL

pytestmark = pytest.mark.redis


@pytest.fixture
def in_progress(monkeypatch: pytest.MonkeyPatch) -> set[Request]:
    """What the engine holds (compat.requests_in_progress, whose contract tests/test_compat.py checks): the test
    plays the engine, adding a request when it starts on it and removing it when it is done."""
    held: set[Request] = set()
    monkeypatch.setattr("tribun_crawler.distributed.leases.requests_in_progress", lambda crawler: held)
    return held


def leased(server: redis.Redis, scheduler: SharedScheduler) -> dict[bytes, bytes]:
    assert scheduler.run is not None
    return server.hgetall(scheduler.run.leased_key)  # type: ignore[return-value]


def hub_request(scheduler: SharedScheduler, path: str, priority: int = 0) -> Request:
    return Request(f"https://www.tribunnews.com{path}", callback=scheduler.spider.parse_hub, priority=priority)


def gone(server: redis.Redis, scheduler: SharedScheduler) -> None:
    """The worker stops beating (killed): its last heartbeat was long ago."""
    assert scheduler.run is not None
    if scheduler.beat_call is not None and scheduler.beat_call.running:
        scheduler.beat_call.stop()
    server.zadd(scheduler.run.key("workers"), {scheduler.run.worker: 1_000_000})


def test_a_taken_request_is_leased_until_the_engine_is_done_with_it(
    emptied_redis_url: str, server: redis.Redis, in_progress: set[Request]
) -> None:
    async def scenario() -> None:
        worker = opened_scheduler(crawler_for(emptied_redis_url))
        worker.enqueue_request(hub_request(worker, "/nasional"))
        request = worker.next_request()
        assert request is not None
        in_progress.add(request)
        # Taken off the queue and leased in one step: in Redis, in this worker's name.
        assert not worker.has_pending_requests()
        (payload,) = leased(server, worker).values()
        assert b"/nasional" in payload
        # Still being worked on at the next heartbeat: the lease stays, renewed with the run's keys.
        worker.beat()
        assert len(leased(server, worker)) == 1
        assert worker.run is not None
        assert 0 < server.ttl(worker.run.leased_key) <= RUN_KEY_TTL
        # Done (parsed, its items written, its requests queued): released at the next look.
        in_progress.discard(request)
        worker.beat()
        assert leased(server, worker) == {}
        worker.close("finished")

    asyncio.run(scenario())


def take_meeting_an_outage(worker: SharedScheduler, *, ran_then_lost: bool) -> None:
    """The worker's next take meets a broken connection: after Redis ran the take script (its answer lost), or
    before it could. Then Redis answers again, and the worker's next probe is due."""
    assert worker.queue is not None
    ran = worker.queue._take

    def broken(**kwargs: object) -> object:
        if ran_then_lost:
            ran(**kwargs)
        raise redis.ConnectionError("Connection closed by server.")

    worker.queue._take = broken
    assert worker.next_request() is None  # met the outage
    worker.queue._take = ran
    worker.outage.last_try -= PROBE_INTERVAL


def test_a_take_whose_answer_was_lost_is_taken_on_the_next_take(
    emptied_redis_url: str, server: redis.Redis, in_progress: set[Request]
) -> None:
    """Redis ran the take (the request left the queue, leased to this worker) and stopped before it answered: the
    worker must not leave it leased in its name, where no other worker recovers it, until the run's keys go."""

    async def scenario() -> None:
        worker = opened_scheduler(crawler_for(emptied_redis_url))
        worker.enqueue_request(hub_request(worker, "/nasional"))
        take_meeting_an_outage(worker, ran_then_lost=True)
        assert worker.queue is not None
        assert len(worker.queue) == 0
        assert len(leased(server, worker)) == 1
        # Redis answers again: the next take finds the request by its lease id, and it is the worker's now.
        request = worker.next_request()
        assert request is not None
        assert request.url == "https://www.tribunnews.com/nasional"
        assert worker.stats.get_value("tribun/distributed/leases_unanswered") == 1
        in_progress.add(request)
        assert len(leased(server, worker)) == 1
        in_progress.discard(request)
        worker.beat()
        assert leased(server, worker) == {}
        assert worker.next_request() is None
        worker.close("finished")

    asyncio.run(scenario())


def test_a_take_run_twice_under_one_lease_id_leases_one_request(
    emptied_redis_url: str, server: redis.Redis, in_progress: set[Request]
) -> None:
    """The client's retry after a broken connection runs the take script again with the same lease id: it must
    give the request leased under it, not pop a second one over it (which would be lost from the queue)."""

    async def scenario() -> None:
        worker = opened_scheduler(crawler_for(emptied_redis_url))
        worker.enqueue_request(hub_request(worker, "/nasional", priority=1))
        worker.enqueue_request(hub_request(worker, "/bisnis"))
        queue = worker.queue
        assert queue is not None
        keys, args = [queue.key, queue.leased_key], ["7", queue.lease_ttl]
        first, second = queue._take(keys=keys, args=args), queue._take(keys=keys, args=args)
        assert b"/nasional" in first[0]
        assert (first[0], first[1], second[1]) == (second[0], 0, 1)
        assert len(queue) == 1
        assert len(leased(server, worker)) == 1
        worker.close("shutdown")

    asyncio.run(scenario())


def test_a_take_that_never_ran_takes_the_next_request_as_before(
    emptied_redis_url: str, server: redis.Redis, in_progress: set[Request]
) -> None:
    async def scenario() -> None:
        worker = opened_scheduler(crawler_for(emptied_redis_url))
        worker.enqueue_request(hub_request(worker, "/nasional"))
        take_meeting_an_outage(worker, ran_then_lost=False)
        request = worker.next_request()
        assert request is not None
        assert request.url == "https://www.tribunnews.com/nasional"
        assert worker.stats.get_value("tribun/distributed/leases_unanswered") is None
        worker.close("finished")

    asyncio.run(scenario())


def test_a_gone_workers_leases_go_back_to_the_queue_once(
    emptied_redis_url: str, server: redis.Redis, in_progress: set[Request]
) -> None:
    async def scenario() -> None:
        dying = opened_scheduler(crawler_for(emptied_redis_url))
        survivor = opened_scheduler(crawler_for(emptied_redis_url))
        other = opened_scheduler(crawler_for(emptied_redis_url))
        for path, priority in (("/nasional", 10), ("/bisnis", 50), ("/sport", 0)):
            dying.enqueue_request(hub_request(dying, path, priority))
        taken = []
        for _ in range(2):
            request = dying.next_request()
            assert request is not None
            in_progress.add(request)  # as the engine does, before it asks for the next one
            taken.append(request)
        assert [r.url.rsplit("/", 1)[1] for r in taken] == ["bisnis", "nasional"]
        assert len(leased(server, dying)) == 2

        gone(server, dying)
        survivor.beat()
        other.beat()  # too late: the survivor recovered them already

        assert survivor.stats.get_value("tribun/distributed/leases_recovered") == 2
        assert other.stats.get_value("tribun/distributed/leases_recovered") is None
        assert leased(server, dying) == {}
        assert dying.run is not None
        assert server.zscore(dying.run.key("workers"), dying.run.worker) is None
        # Back with their priority, past the dupefilter that saw them: taken again as they were.
        again = [survivor.next_request() for _ in range(3)]
        assert [r.url.rsplit("/", 1)[1] for r in again if r is not None] == ["bisnis", "nasional", "sport"]
        assert all(r is not None and r.callback == survivor.spider.parse_hub for r in again)
        assert survivor.next_request() is None
        survivor.close("finished")
        other.close("finished")
        assert server.keys("hubs:*") == []

    asyncio.run(scenario())


def test_an_idle_worker_stays_for_a_gone_workers_leases(
    emptied_redis_url: str, server: redis.Redis, in_progress: set[Request]
) -> None:
    async def scenario() -> None:
        dying = opened_scheduler(crawler_for(emptied_redis_url))
        idle = opened_scheduler(crawler_for(emptied_redis_url, TRIBUN_DISTRIBUTED_IDLE_TIMEOUT=0))
        dying.enqueue_request(hub_request(dying, "/nasional"))
        request = dying.next_request()
        assert request is not None
        in_progress.add(request)
        gone(server, dying)
        # The queue is empty and nobody is busy, but the gone worker's request is work left: recovered, not lost.
        with pytest.raises(DontCloseSpider):
            idle.spider_idle(idle.spider)
        assert idle.has_pending_requests()
        idle.close("finished")

    asyncio.run(scenario())


def test_a_closing_worker_gives_back_what_it_holds(
    emptied_redis_url: str, server: redis.Redis, in_progress: set[Request]
) -> None:
    async def scenario() -> None:
        stopping = opened_scheduler(crawler_for(emptied_redis_url))
        staying = opened_scheduler(crawler_for(emptied_redis_url))
        stopping.enqueue_request(hub_request(stopping, "/nasional"))
        request = stopping.next_request()
        assert request is not None
        in_progress.add(request)  # a stop cut its download short
        stopping.close("shutdown")
        assert leased(server, stopping) == {}
        taken = staying.next_request()
        assert taken is not None
        assert taken.url == request.url
        staying.close("finished")
        assert server.keys("hubs:*") == []

    asyncio.run(scenario())


def test_lease_keys_go_with_the_run(server: redis.Redis) -> None:
    crashed = SharedRun(server, "tribun", "worker-a", heartbeat=5.0)
    crashed.join()
    server.hset(crashed.leased_key, "1", "0|{}")
    server.zadd(crashed.key("workers"), {"worker-a": 1_000_000})
    # Every worker of the run crashed: the next worker replaces the run, leases included.
    fresh = SharedRun(server, "tribun", "worker-b", heartbeat=5.0)
    assert fresh.join() is True
    assert server.exists(crashed.leased_key) == 0

    # The last live worker deletes the leases of a gone worker nobody recovered yet, with the run's keys.
    dead = SharedRun(server, "tribun", "worker-c", heartbeat=5.0)
    dead.join()
    server.hset(dead.leased_key, "1", "0|{}")
    server.zadd(dead.key("workers"), {"worker-c": 1_000_000})
    fresh.beat(busy=False)
    assert server.ttl(fresh.leased_key) == -2  # no lease, no key
    assert fresh.leave() is True
    assert server.keys("tribun:*") == []


def test_a_request_that_cannot_travel_is_refused_and_not_marked_seen(
    emptied_redis_url: str, server: redis.Redis
) -> None:
    async def scenario() -> None:
        worker = opened_scheduler(crawler_for(emptied_redis_url))
        request = hub_request(worker, "/nasional")
        request.meta["opaque"] = object()
        assert worker.enqueue_request(request) is False
        assert worker.stats.get_value("tribun/distributed/unserializable") == 1
        assert not worker.has_pending_requests()
        # Not marked seen: the same page asked for properly is queued.
        assert worker.enqueue_request(hub_request(worker, "/nasional")) is True
        assert worker.enqueue_request(hub_request(worker, "/nasional")) is False
        assert worker.stats.get_value("tribun/distributed/filtered") == 1
        worker.close("finished")

    asyncio.run(scenario())


def test_the_add_on_sets_the_json_serializer_and_a_pickle_one_is_refused(emptied_redis_url: str) -> None:
    settings = Settings({"REDIS_URL": emptied_redis_url})
    DistributedQueue().update_settings(settings)
    assert settings["SCHEDULER_SERIALIZER"] == "tribun_crawler.distributed.serializer"

    crawler = get_crawler(
        HubSpider,
        with_tribun_defaults(
            {"ADDONS": {ADDON: 0}, "REDIS_URL": emptied_redis_url, "SCHEDULER_SERIALIZER": "scrapy_redis.picklecompat"}
        ),
    )
    assert crawler.settings["SCHEDULER"] == SHARED_SCHEDULER
    with pytest.raises(ValueError, match="only travels as JSON"):
        SharedScheduler.from_crawler(crawler)


@pytest.mark.slow
def test_a_pickle_in_the_shared_queue_runs_nothing_and_the_crawl_goes_on(
    emptied_redis_url: str, server: redis.Redis, tmp_path: Path
) -> None:
    marker = tmp_path / "unpickled"
    live_pickle = pickle.dumps({"url": "https://www.tribunnews.com/", "meta": {"x": Marker(marker)}}, protocol=-1)
    bad = [
        live_pickle,
        b"\x00garbage",
        b'{"url": "https://www.tribunnews.com/", "callback": "close"}',
        b'{"url": "https://www.tribunnews.com/", "_class": "os.system"}',
    ]

    def plant(spider: HubSpider) -> None:
        """Once the worker has joined its run, put the entries in its queue, ahead of everything."""
        run_id = server.get("hubs:run")
        assert run_id is not None
        for payload in bad:
            server.zadd(f"hubs:run:{run_id.decode()}:requests", {payload: -1000})

    async def scenario() -> tuple[Crawler, list[str]]:
        async with hub_site() as site:
            crawler = make_crawler(HubSpider, worker_settings(emptied_redis_url, idle_timeout=0))
            crawler.signals.connect(plant, signal=signals.spider_opened)
            await crawler.crawl_async(hub=site.url("/internasional"))
            return crawler, site.hits

    crawler, hits = asyncio.run(scenario())

    assert not marker.exists()
    assert crawler.stats.get_value("tribun/distributed/bad_payload") == len(bad)
    # The crawl went on: the hub and its eight articles, nothing else asked for.
    assert sorted(hits) == sorted(["/internasional", *ARTICLES])
    assert crawler.stats.get_value("item_scraped_count") == len(ARTICLES)
    assert crawler.stats.get_value("finish_reason") == "finished"
    assert server.keys("hubs:*") == []


@pytest.mark.slow
def test_redirects_retries_errors_and_robots_drops_leave_no_lease(emptied_redis_url: str, server: redis.Redis) -> None:
    """Every way a request can end in the engine (answered, redirected, retried, failed, ignored) releases its
    lease: the idle worker holds none, before the run's keys are deleted."""
    moved, flaky, missing, disallowed = ARTICLES[0], ARTICLES[1], ARTICLES[2], ARTICLES[3]
    failed_once: set[str] = set()

    def answer(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(text=f"User-agent: *\nDisallow: {disallowed}\n")
        if request.path == "/internasional":
            items = "".join(HUB_ITEM.format(href=path.lstrip("/"), title=f"Berita {path}") for path in ARTICLES)
            return html(HUB_PAGE.format(items=items))
        if request.path == moved:
            raise web.HTTPMovedPermanently(f"{moved}-baru")
        if request.path == flaky and flaky not in failed_once:
            failed_once.add(flaky)
            return html("<html><body>sibuk</body></html>", status=503)
        if request.path == missing:
            return html("<html><body>Halaman tidak ditemukan</body></html>", status=404)
        return html(f'<html><body><h1 id="arttitle">Berita {request.path}</h1></body></html>')

    held_when_idle: list[int] = []

    def count_leases(spider: HubSpider) -> None:
        held_when_idle.append(sum(server.hlen(key) for key in server.scan_iter(match="hubs:run:*:leased:*")))

    def opened(spider: HubSpider) -> None:
        # Connected now, after the scheduler's own spider_idle handler: it looks after the scheduler has.
        crawler.signals.connect(count_leases, signal=signals.spider_idle)

    async def scenario() -> list[str]:
        async with LocalSite(answer) as site:
            crawler.signals.connect(opened, signal=signals.spider_opened)
            await crawler.crawl_async(hub=site.url("/internasional"))
            return site.hits

    crawler = make_crawler(
        HubSpider, {**worker_settings(emptied_redis_url, idle_timeout=0), "ROBOTSTXT_OBEY": True, "RETRY_TIMES": 1}
    )
    hits = asyncio.run(scenario())

    assert hits.count(flaky) == 2  # retried once
    assert f"{moved}-baru" in hits
    assert disallowed not in hits
    # The hub, the 8 articles (robots.txt drops the disallowed one once taken), the redirect's target and the
    # retry: 11 requests taken from Redis, each leased and released.
    assert crawler.stats.get_value("scheduler/dequeued/redis") == 11
    assert crawler.stats.get_value("robotstxt/forbidden") == 1
    assert crawler.stats.get_value("item_scraped_count") == len(ARTICLES) - 2  # not the 404, not the disallowed
    assert held_when_idle
    assert held_when_idle == [0] * len(held_when_idle)
    assert server.keys("hubs:*") == []
