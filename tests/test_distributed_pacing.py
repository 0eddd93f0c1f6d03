"""Shared per-host pacing (tribun_crawler/distributed/pacing.py) against a real redis-server of the tests' own.

The Lua script is the whole guarantee: turns handed out one delay apart, departures claimed one delay apart
whichever worker wakes late, pauses pushing every later turn, keys that expire. The middleware's part (waiting
without blocking, the delay it asks for) is tested through a crawl of two workers on one local site.
"""

from __future__ import annotations

import asyncio
import threading
import time
from itertools import pairwise
from typing import Any

import pytest
import redis
from aiohttp import web
from scrapy import signals
from scrapy.crawler import Crawler

from tests.local_crawl import CDN_SETTINGS, LocalSite, PagesSpider, html, make_crawler
from tests.test_blocks import WWW, article
from tribun_crawler.distributed.pacing import PACE_KEY_TTL_MS, SharedPacing
from tribun_crawler.extensions.stop import PromptStop
from tribun_crawler.middlewares.politeness import HostPacingMiddleware

HOST = "banyumas.tribunnews.com"


@pytest.fixture
def pacing(server: redis.Redis) -> SharedPacing:
    return SharedPacing(server, "tribun:run:test:pace")


def test_turns_are_handed_out_one_delay_apart(pacing: SharedPacing) -> None:
    waits = [pacing.reserve(HOST, 1.0) for _ in range(4)]

    # Reserved one after the other (a loaded machine may take a while between calls): turns at 0, 1, 2, 3 s.
    for n, wait in enumerate(waits):
        assert n - 0.3 <= wait <= n + 0.001, waits
    # Another host has turns of its own.
    assert pacing.reserve("www.tribunnews.com", 1.0) == 0


def test_a_request_leaves_only_one_delay_after_the_last_departure(pacing: SharedPacing) -> None:
    assert pacing.reserve(HOST, 0.5) == 0
    assert pacing.claim(HOST, 0.5) == 0  # the first request of the host leaves at once

    # A second request whose worker claims too early (it did not wait) is told the rest of the delay.
    assert 0.2 <= pacing.claim(HOST, 0.5) <= 0.5
    time.sleep(0.55)
    assert pacing.claim(HOST, 0.5) == 0


def test_a_late_departure_pushes_the_next_turn_back(pacing: SharedPacing) -> None:
    first, second = pacing.reserve(HOST, 0.3), pacing.reserve(HOST, 0.3)
    assert first == 0
    assert 0.1 <= second <= 0.3
    time.sleep(0.2)  # the first request's worker wakes 0.2 s late, then leaves
    assert pacing.claim(HOST, 0.3) == 0

    time.sleep(max(0.0, second - 0.2))  # the second wakes on its turn: the first left only ~0.1 s ago
    assert 0.02 <= pacing.claim(HOST, 0.3) <= 0.3


def test_the_delay_runs_from_the_end_of_the_last_exchange(pacing: SharedPacing) -> None:
    # A request leaves, and its answer takes 0.3 s (a slow page, or a new connection's handshake): the next
    # request, whichever worker sends it, waits the whole delay from the answer, not from the departure.
    assert pacing.reserve(HOST, 0.5) == 0
    assert pacing.claim(HOST, 0.5) == 0
    time.sleep(0.3)
    pacing.done(HOST)
    assert 0.3 <= pacing.claim(HOST, 0.5) <= 0.5
    assert 0.3 <= pacing.reserve(HOST, 0.5) <= 0.5


def test_a_pause_holds_every_later_turn(pacing: SharedPacing, server: redis.Redis) -> None:
    assert pacing.reserve(HOST, 0.5) == 0
    assert pacing.claim(HOST, 0.5) == 0
    pacing.pause(HOST, 5.0)  # a 429 with Retry-After: 5

    # The next turn is the pause plus the delay away, for any worker; a claim inside the pause must wait.
    assert 5.2 <= pacing.reserve(HOST, 0.5) <= 5.5
    assert 5.2 <= pacing.claim(HOST, 0.5) <= 5.5
    # A shorter pause does not shorten a longer one.
    pacing.pause(HOST, 1.0)
    assert 5.0 <= pacing.claim(HOST, 0.5) <= 5.5


def test_keys_belong_to_the_run_and_expire_after_the_last_turn(pacing: SharedPacing, server: redis.Redis) -> None:
    for _ in range(3):
        pacing.reserve(HOST, 2.0)

    assert server.keys("*") == [f"tribun:run:test:pace:{HOST}".encode()]
    # Alive past its last turn (4 s ahead), then gone: an idle host leaves nothing behind.
    ttl = server.pttl(pacing.key(HOST))
    assert PACE_KEY_TTL_MS + 4_500 <= ttl <= PACE_KEY_TTL_MS + 6_000 + 50


def test_concurrent_workers_leave_one_delay_apart(own_redis_url: str) -> None:
    """Four threads, each with a connection of its own (a worker), send five requests each to one host."""
    delay = 0.2
    departures: list[tuple[float, float]] = []
    """(just before, just after) the call that let a request leave: the claim, on Redis' clock, is between."""
    lock = threading.Lock()

    def worker() -> None:
        client = redis.Redis.from_url(own_redis_url)
        pacing = SharedPacing(client, "tribun:run:threads:pace")
        try:
            for _ in range(5):
                wait = pacing.reserve(HOST, delay)
                while True:
                    time.sleep(wait)
                    before = time.monotonic()
                    wait = pacing.claim(HOST, delay)
                    if wait == 0:
                        with lock:
                            departures.append((before, time.monotonic()))
                        break
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    elapsed = time.monotonic() - started

    departures.sort()
    # The most two departures can be apart by the threads' clock: a delay at least if Redis spaced the claims
    # (however long a loaded machine took to run a thread), nearly nothing if two had gone at once.
    widest = [later[1] - earlier[0] for earlier, later in pairwise(departures)]
    assert len(departures) == 20
    assert min(widest) >= delay - 0.005, widest
    # One request per delay, not slower: turns are handed out in order, none lost.
    assert elapsed < 19 * delay + 1.5


# --- The middleware in a crawl ------------------------------------------------------------------------------


def shared_settings(redis_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "REDIS_URL": redis_url,
        "DOWNLOADER_MIDDLEWARES": {"tribun_crawler.middlewares.politeness.HostPacingMiddleware": 560},
        "ADDONS": {"tribun_crawler.distributed.DistributedQueue": 0},
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0.3,
        "TRIBUN_DISTRIBUTED_IDLE_TIMEOUT": 0.5,
        "TRIBUN_DISTRIBUTED_HEARTBEAT": 0.2,
        **extra,
    }


def test_two_workers_pace_one_host_together_and_others_go_on(server: redis.Redis, own_redis_url: str) -> None:
    """Two crawlers on one event loop share a run: pages of one host one delay apart across both, while the
    other host's pages are not held behind them."""
    arrivals: dict[str, list[float]] = {"slow": [], "fast": []}

    def answer(request: web.Request) -> web.Response:
        arrivals[request.path.split("/")[1]].append(time.monotonic())
        return html()

    async def run() -> list[Crawler]:
        async with LocalSite(answer) as site:
            # One host: /slow pages on 127.0.0.1, /fast pages on localhost (another slot, another turn).
            slow = [site.url(f"/slow/{n}") for n in range(6)]
            fast = [site.url(f"/fast/{n}").replace("127.0.0.1", "localhost") for n in range(6)]
            crawlers = [make_crawler(PagesSpider, shared_settings(own_redis_url)) for _ in range(2)]
            await asyncio.gather(
                crawlers[0].crawl_async(urls=slow[:3] + fast[:3]),
                crawlers[1].crawl_async(urls=slow[3:] + fast[3:]),
            )
            return crawlers

    crawlers = asyncio.run(run())

    for path, times in arrivals.items():
        assert len(times) == 6, path
        times.sort()
        gaps = [b - a for a, b in pairwise(times)]
        assert min(gaps) >= 0.3 * 0.9, (path, gaps)
    # The two hosts were fetched side by side, each at its own pace, not one after the other.
    assert min(arrivals["fast"]) < max(arrivals["slow"])
    assert min(arrivals["slow"]) < max(arrivals["fast"])
    waited = [crawler.stats.get_value("tribun/pacing/waited") or 0 for crawler in crawlers]
    assert sum(waited) >= 8  # every request after the first of each host waited for its turn


def test_without_redis_the_middleware_never_waits_nor_connects() -> None:
    # REDIS_URL names a port nobody listens on: with the switch off, nothing may try it.
    settings = {"REDIS_URL": "redis://127.0.0.1:9/0", "TRIBUN_DISTRIBUTED": "0", "DOWNLOAD_DELAY": 0}

    async def run() -> tuple[Crawler, list[Any]]:
        async with LocalSite(lambda request: html()) as site:
            crawler = make_crawler(
                PagesSpider,
                {
                    **settings,
                    "DOWNLOADER_MIDDLEWARES": {"tribun_crawler.middlewares.politeness.HostPacingMiddleware": 560},
                },
            )
            items: list[Any] = []
            crawler.signals.connect(lambda item, **_: items.append(item), signal=signals.item_scraped, weak=False)
            await crawler.crawl_async(urls=[site.url(f"/berita/{n}") for n in range(3)])
            return crawler, items

    crawler, items = asyncio.run(run())
    middleware = next(
        m for m in crawler.engine.downloader.middleware.middlewares if isinstance(m, HostPacingMiddleware)
    )
    assert len(items) == 3
    assert middleware.shared_pacing() is None
    assert crawler.stats.get_value("tribun/pacing/waited") is None
    assert crawler.stats.get_value("tribun/errors/shared_pacing") is None


def test_a_stop_ends_the_waits_and_hands_the_requests_back_unsent(own_redis_url: str) -> None:
    """A 30 s delay: the second page's turn is far; a stop after the first page must not wait for it."""

    async def run() -> tuple[Crawler, LocalSite, float]:
        async with LocalSite(lambda request: html()) as site:
            settings = shared_settings(own_redis_url, DOWNLOAD_DELAY=30, CONCURRENT_REQUESTS=2)
            settings["DOWNLOADER_MIDDLEWARES"] = {
                **settings["DOWNLOADER_MIDDLEWARES"],
                "tribun_crawler.extensions.stop.PromptStop": 960,
            }
            crawler = make_crawler(PagesSpider, settings)

            def stop(**_: Any) -> None:
                crawler.get_downloader_middleware(PromptStop).stop("shutdown")  # type: ignore[union-attr]

            crawler.signals.connect(stop, signal=signals.item_scraped, weak=False)
            started = time.monotonic()
            await crawler.crawl_async(urls=[site.url("/berita/1"), site.url("/berita/2")])
            return crawler, site, time.monotonic() - started

    crawler, site, elapsed = asyncio.run(run())

    assert len(site.hits) == 1
    assert elapsed < 5
    assert crawler.stats.get_value("finish_reason") == "shutdown"
    assert crawler.stats.get_value("tribun/stop/requeued") == 1


def test_the_requests_of_a_blocked_host_wait_for_no_turn(own_redis_url: str) -> None:
    """Six pages of a host that answers 403, a 2 s delay: after the third refusal blocks it, the three requests
    waiting for their turns (at 6, 8 and 10 s) are dropped at once, not when their turn comes."""
    blocks = "tribun_crawler.middlewares.blocks.BlockDetectionMiddleware"
    settings = shared_settings(
        own_redis_url, DOWNLOAD_DELAY=2, TEST_CDN_BLOCKED_HOSTS=[WWW], TRIBUN_BLOCK_THRESHOLD=3, **CDN_SETTINGS
    )
    settings["DOWNLOADER_MIDDLEWARES"] = {**settings["DOWNLOADER_MIDDLEWARES"], blocks: 950}
    crawler = make_crawler(PagesSpider, settings)

    started = time.monotonic()
    asyncio.run(crawler.crawl_async(urls=[article(WWW, n).url for n in range(6)]))
    elapsed = time.monotonic() - started

    stats = crawler.stats.get_stats()
    assert stats[f"test/cdn_hits/{WWW}"] == 3
    assert stats[f"tribun/blocked/{WWW}"] == 1
    assert stats[f"tribun/block_dropped/{WWW}"] == 3
    assert elapsed < 7, elapsed  # blocked at about 4 s; the last turn was at 10 s
