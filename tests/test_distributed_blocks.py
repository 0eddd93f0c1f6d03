"""Blocks shared by the workers of a run (tribun_crawler/distributed/blocks.py), against a real redis-server.

Each "worker" is a BlockDetectionMiddleware of its own crawler, with its own clock, sharing one run's keys.
"""

from __future__ import annotations

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from tests.test_blocks import BANYUMAS, SPIDER, WWW, Clock, article, cloudfront_403, middleware_for, page
from tribun_crawler.distributed.blocks import HOSTS_TTL, REFRESH_SECONDS, SharedBlocks
from tribun_crawler.middlewares.blocks import BlockDetectionMiddleware

PREFIX = "tribun:run:test:blocks"
COOLDOWN = 600


def worker(server: redis.Redis, name: str) -> tuple[BlockDetectionMiddleware, Clock]:
    clock = Clock()
    middleware = middleware_for({"TRIBUN_BLOCK_THRESHOLD": 3, "TRIBUN_BLOCK_COOLDOWN": COOLDOWN}, clock)
    middleware.distributed = True
    middleware._shared = SharedBlocks(server, PREFIX, name, clock=clock)
    return middleware, clock


def schedule(middleware: BlockDetectionMiddleware, *hosts: str) -> None:
    for host in hosts:
        middleware.request_scheduled(Request(f"https://{host}/robots.txt"), SPIDER)


def refuse(middleware: BlockDetectionMiddleware, host: str, times: int) -> None:
    for n in range(times):
        request = article(host, n)
        middleware.process_request(request)
        middleware.response_downloaded(cloudfront_403(request), request, SPIDER)


def test_a_block_found_by_one_worker_is_kept_by_the_others(server: redis.Redis) -> None:
    first, _ = worker(server, "w1")
    second, second_clock = worker(server, "w2")
    schedule(first, WWW, BANYUMAS)
    second.process_request(article(WWW, 0))  # w2 has read the run's blocks: none yet

    refuse(first, WWW, 3)

    # In Redis, for the cool-down, naming the worker that found it.
    assert server.get(f"{PREFIX}:blocked:{WWW}") == b"w1"
    assert COOLDOWN * 1000 - 1000 <= server.pttl(f"{PREFIX}:blocked:{WWW}") <= COOLDOWN * 1000
    # w2 reads the blocks at most once a second: within that second it still sends; then it drops.
    second.process_request(article(WWW, 1))
    second_clock.now += REFRESH_SECONDS
    with pytest.raises(IgnoreRequest):
        second.process_request(article(WWW, 2))
    second.process_request(article(BANYUMAS, 1))  # another host is not affected
    stats = second.crawler.stats
    assert stats.get_value(f"tribun/distributed/blocked/{WWW}") == 1
    assert stats.get_value(f"tribun/block_dropped/{WWW}") == 1
    assert stats.get_value(f"tribun/blocked/{WWW}") is None  # not found by w2 itself
    # The run's hosts come from every worker: w2 never scheduled banyumas itself, nor is everything blocked.
    assert set(second.hosts) == {WWW, BANYUMAS}
    assert not second.every_host_blocked()
    # The run's host list lives while workers read it, and goes an hour after the run: nothing left for good.
    assert HOSTS_TTL - 5 <= server.ttl(f"{PREFIX}:hosts") <= HOSTS_TTL


def test_after_the_cooldown_one_more_refusal_blocks_again_for_everyone(server: redis.Redis) -> None:
    first, _ = worker(server, "w1")
    second, second_clock = worker(server, "w2")
    schedule(first, WWW, BANYUMAS)
    refuse(first, WWW, 3)
    second_clock.now += REFRESH_SECONDS
    with pytest.raises(IgnoreRequest):
        second.process_request(article(WWW, 1))

    server.delete(f"{PREFIX}:blocked:{WWW}")  # the cool-down is over for the run (the key's TTL)
    second_clock.now += COOLDOWN
    request = article(WWW, 4)
    second.process_request(request)
    second.response_downloaded(cloudfront_403(request), request, SPIDER)

    # As for a block of its own: the first answer after the cool-down decides, and w2 tells the others.
    assert second.is_blocked(WWW)
    assert second.crawler.stats.get_value(f"tribun/blocked/{WWW}") == 1
    assert server.get(f"{PREFIX}:blocked:{WWW}") == b"w2"


def test_the_run_closes_as_blocked_when_every_host_of_every_worker_blocks(server: redis.Redis) -> None:
    first, _ = worker(server, "w1")
    second, _ = worker(server, "w2")
    third, third_clock = worker(server, "w3")
    schedule(first, WWW)
    schedule(second, BANYUMAS)
    third.process_request(Request(f"https://{WWW}/robots.txt"))
    closed: list[BlockDetectionMiddleware] = []
    for middleware in (first, second, third):
        middleware.close_spider = lambda m=middleware: closed.append(m)  # type: ignore[method-assign]

    refuse(first, WWW, 3)
    # w1 alone blocked www, but the run also has banyumas (w2's): not every host is blocked.
    assert closed == []

    refuse(second, BANYUMAS, 3)
    third_clock.now += REFRESH_SECONDS
    with pytest.raises(IgnoreRequest):
        third.process_request(article(WWW, 9))

    # w2 saw its own block complete the run's (it read www's from Redis first); w3 learned both from Redis.
    assert second in closed
    assert third in closed
    assert third.blocked_hosts() == [BANYUMAS, WWW]


def test_redis_unavailable_leaves_each_worker_its_own_blocks(server: redis.Redis) -> None:
    middleware, clock = worker(server, "w1")
    # Nobody listens on port 9; no retries, so each failed call fails at once.
    broken = redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    middleware._shared = SharedBlocks(broken, PREFIX, "w1", clock=clock)
    schedule(middleware, WWW, BANYUMAS)

    refuse(middleware, WWW, 3)

    assert middleware.is_blocked(WWW)
    with pytest.raises(IgnoreRequest):
        middleware.process_request(article(WWW, 5))
    assert middleware.crawler.stats.get_value("tribun/errors/shared_blocks") >= 1
    request = article(BANYUMAS, 1)
    middleware.process_request(request)
    middleware.response_downloaded(page(request), request, SPIDER)
    assert not middleware.is_blocked(BANYUMAS)
