"""Related-link depths shared by the workers of a run (distributed/depths.py), against a real redis-server."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.redis_server import free_port
from tests.test_spider import make_spider
from tribun_crawler.distributed.depths import SharedDepths
from tribun_crawler.spiders.related import LocalDepths, RelatedLinks, depth_key

PREFIX = "tribun:run:test:related"
P = "https://www.tribunnews.com/sport/7731390/timnas-indonesia-u-23-tiba-di-doha"
J = "https://www.tribunnews.com/sport/2017/01/29/jadwal-uji-coba-timnas-u-22"
Z = "https://www.tribunnews.com/sport/2015/08/20/hasil-undian-fase-grup-piala-presiden-2015"


def test_the_smallest_depth_is_kept_and_links_round_trip(server: redis.Redis) -> None:
    depths = SharedDepths(server, PREFIX)
    key = depth_key(P)
    assert depths.get(key) is None
    assert depths.lower(key, 2)
    assert not depths.lower(key, 2)
    assert depths.lower(key, 1)
    assert not depths.lower(key, 2)
    assert SharedDepths(server, PREFIX).get(key) == 1  # another worker sees it
    followed = depth_key(J) + depth_key(Z)
    depths.set_links(key, followed)
    assert SharedDepths(server, PREFIX).links(key) == followed
    depths.set_links(depth_key(J), (Z,))
    assert SharedDepths(server, PREFIX).links(depth_key(J)) == (Z,)


def run_chain(first: RelatedLinks, second: RelatedLinks) -> list[tuple[str, int]]:
    """Worker one reads P (reached through a related link, depth 1), then J (depth 2), holding Z back at the limit;
    worker two then finds P on a listing (depth 0): what worker two's asking for P at depth 0 makes due."""
    first.reached(P, 1)
    child, follow = first.links_to_follow(P, 1, [J])
    assert (child, list(follow)) == (2, [J])
    first.reached(J, 2)
    child, follow = first.links_to_follow(J, 2, [Z])
    assert (child, list(follow)) == (3, [])  # beyond TRIBUN_RELATED_DEPTH = 2: held back
    return second.reached(P, 0)


def test_a_nearer_listing_on_another_worker_releases_the_links_one_worker_held_back(server: redis.Redis) -> None:
    first = RelatedLinks(2, SharedDepths(server, PREFIX))
    second = RelatedLinks(2, SharedDepths(server, PREFIX))

    assert second.asked_before(P) is False
    due = run_chain(first, second)

    # P is now at depth 0, J at 1, so Z (held back at 3) is due at 2: requested by the second worker.
    assert due == [(Z, 2)]
    assert second.asked_before(P)
    assert first.depth(J) == 1


def test_in_memory_the_second_worker_knows_nothing_of_them() -> None:
    # What each worker had before the depths were shared: the links stay with the first worker.
    assert run_chain(RelatedLinks(2, LocalDepths()), RelatedLinks(2, LocalDepths())) == []


def test_redis_failing_falls_back_to_the_workers_own_memory(caplog: pytest.LogCaptureFixture) -> None:
    gone = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    depths = SharedDepths(gone, PREFIX)
    links = RelatedLinks(2, depths)

    links.reached(P, 1)
    assert links.depth(P) == 1
    links.links_to_follow(P, 1, [J])
    assert depths.links(depth_key(P)) == depth_key(J)
    assert sum("Related-link depths: Redis failed" in r.message for r in caplog.records) == 1


class Outage:
    """The worker's Redis client, failing while ``down`` as a stopped server does: for plain calls and scripts."""

    def __init__(self, server: redis.Redis) -> None:
        self.server = server
        self.down = False

    def _call(self, do: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise redis.ConnectionError("Error 111 connecting to 127.0.0.1. Connection refused.")
            return do(*args, **kwargs)

        return call

    def register_script(self, script: str) -> Any:
        return self._call(self.server.register_script(script))

    def __getattr__(self, name: str) -> Any:
        return self._call(getattr(self.server, name))


def test_what_a_worker_noted_while_redis_was_away_is_shared_once_it_answers(
    server: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """Worker one reads P and J while Redis is away, holding Z back in its own memory; once Redis answers, what it
    noted is written there, and worker two, reaching P nearer, releases Z."""
    flaky = Outage(server)
    first = RelatedLinks(2, SharedDepths(flaky, PREFIX))
    second = RelatedLinks(2, SharedDepths(server, PREFIX))
    flaky.down = True
    first.reached(P, 1)
    first.links_to_follow(P, 1, [J])
    first.reached(J, 2)
    assert first.links_to_follow(J, 2, [Z]) == (3, ())
    assert second.depth(J) is None
    flaky.down = False
    assert first.depth(Z) is None  # the first call that reaches Redis writes what waited
    assert second.depth(J) == 2
    assert second.reached(P, 0) == [(Z, 2)]
    messages = [r.message for r in caplog.records if "Related-link depths" in r.message]
    assert len(messages) == 2
    assert "Redis answers again" in messages[1]


def test_a_nearer_depth_noted_while_redis_was_away_releases_the_links_once_it_answers(server: redis.Redis) -> None:
    """Worker two read P and J with Redis up, holding Z back there. Worker one finds P on a listing while Redis is
    away: it knows nothing of P's links. Once Redis answers, the depth it noted is written, and its next step
    walks P's links as if it had reached P then: Z is due."""
    flaky = Outage(server)
    first = RelatedLinks(2, SharedDepths(flaky, PREFIX))
    second = RelatedLinks(2, SharedDepths(server, PREFIX))
    second.reached(P, 1)
    second.links_to_follow(P, 1, [J])
    second.reached(J, 2)
    assert second.links_to_follow(J, 2, [Z]) == (3, ())
    flaky.down = True
    assert first.reached(P, 0) == []
    flaky.down = False
    other = "https://www.tribunnews.com/nasional/7731367/kpu-mulai-pemutakhiran-data-pemilih"
    assert first.reached(other, 0) == [(Z, 2)]
    assert second.depth(P) == 0
    assert first.reached(other, 0) == []  # walked once


def test_another_workers_asking_is_no_proof_that_its_request_was_queued(server: redis.Redis) -> None:
    """Worker one notes J's depth and is killed before queueing J's request; worker two, reading P again (its
    lease recovered), must ask for J itself: only the shared dupefilter knows whether J was queued."""
    first = RelatedLinks(2, SharedDepths(server, PREFIX))
    second = RelatedLinks(2, SharedDepths(server, PREFIX))
    first.reached(J, 1)
    assert first.asked_here(J)
    assert second.asked_before(J)
    assert not second.asked_here(J)
    second.reached(J, 1)
    assert second.asked_here(J)


def test_a_worker_asks_for_an_article_another_worker_only_noted(server: redis.Redis) -> None:
    """The spider builds no request for an article it asked for itself, but does for one another worker noted."""
    killed, survivor = make_spider(), make_spider()
    for spider in (killed, survivor):
        spider._related = RelatedLinks(2, SharedDepths(server, PREFIX))
    assert [r.url for r in killed.article_requests(J, depth=1, priority=0)] == [f"{J}?page=all"]
    # Killed before the request was queued: the survivor asks for J again, and the shared dupefilter decides.
    assert [r.url for r in survivor.article_requests(J, depth=1, priority=0)] == [f"{J}?page=all"]
    assert list(killed.article_requests(J, depth=1, priority=0)) == []
