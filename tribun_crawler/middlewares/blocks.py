"""Block detection: a run of 403s or challenge pages from one host is a block, not a series of missing pages.

The Tribun CDN (CloudFront) answers 403 to every path once it refuses a client, robots.txt included. When
``TRIBUN_BLOCK_THRESHOLD`` answers in a row from one host are *block answers*, the host is blocked:

* one warning names the host (one still blocking after its cool-down is logged at INFO, not warned again);
* ``tribun/blocked/<host>`` counts the block (once per cool-down);
* for ``TRIBUN_BLOCK_COOLDOWN`` seconds its requests are **dropped** with IgnoreRequest and counted in
  ``tribun/block_dropped/<host>``: new ones when they reach this middleware, and those already waiting in
  the host's download slot (up to ``CONCURRENT_REQUESTS`` of them) at once. Dropped, not deferred: Scrapy
  has no delayed queue, and holding them in the downloader would take concurrency from the hosts that still
  answer. Articles the run did not fetch are found again by the next run (the state store only remembers
  emitted ones);
* after the cool-down, requests go out again and the first answer decides: another block answer blocks the
  host again at once, anything else clears it;
* when every host the run has scheduled requests for is blocked at the same time, the spider closes with
  reason ``blocked`` (``scrapy crawl`` then exits with status 3, see ``tribun_crawler.commands.crawl``).

A block answer is a response whose status is in ``TRIBUN_BLOCK_HTTP_CODES`` (403), or a WAF challenge: AWS
WAF (CloudFront) marks its CAPTCHA (405) and challenge (202) interstitials with ``x-amzn-waf-action``,
Cloudflare its challenges with ``cf-mitigated: challenge``. Any other answer, 404 and 5xx included, shows the
host serving and ends the run. Exceptions (timeouts, refused connections) neither count nor end it.

Answers are counted as they come off the network (``response_downloaded``), before the downloader sends the
host's next request, so nothing of the host leaves after the answer that blocks it, whatever the download
delay; every answer counts, robots.txt's and those RetryMiddleware will retry included. Requests are dropped
last on the way in (``DOWNLOADER_MIDDLEWARES`` 950, after RobotsTxtMiddleware's 100 and HttpCache's 900): one
that passes goes straight into its host's download slot, with nothing to wait for in between, and those in
the slot are dropped with the block. A blocked host's robots.txt request is dropped like any other.

In a distributed run (``distributed_enabled``) the block is the run's: the worker that finds a host blocking
writes it to Redis with the cool-down as its TTL (``tribun_crawler.distributed.blocks``), and every worker,
reading the run's blocks at most once a second, drops that host's requests as for a block of its own
(``tribun/distributed/blocked/<host>`` counts the blocks learned so, the drops count as above). "Every host
blocked" then means every host any worker of the run has scheduled requests for, so the workers close as
``blocked`` together. A Redis error leaves the worker with its own blocks (logged,
``tribun/errors/shared_blocks``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached

from tribun_crawler import stats as stat
from tribun_crawler.compat import take_waiting_requests
from tribun_crawler.distributed import distributed_enabled, join_shared, redis_away
from tribun_crawler.distributed.blocks import SharedBlocks

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

CLOSE_REASON = "blocked"


def is_block_answer(response: Response, block_codes: frozenset[int]) -> bool:
    """True for a refusal (403 by default) or a WAF captcha/challenge page instead of the page asked for."""
    if response.status in block_codes:
        return True
    if response.headers.get(b"x-amzn-waf-action"):
        return True
    return (response.headers.get(b"cf-mitigated") or b"").lower() == b"challenge"


@dataclass
class HostState:
    run: int = 0
    """Block answers in a row."""
    blocked_until: float | None = None
    """Clock time the current cool-down ends; None when the host is not blocked."""
    blocks: int = 0
    """Blocks so far (one per cool-down)."""


class BlockDetectionMiddleware:
    """Detect blocked hosts, pause them, close the spider when every host is blocked (module docstring)."""

    def __init__(self, crawler: Crawler, clock: Callable[[], float] = monotonic) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.clock = clock
        self.threshold = max(1, settings.getint("TRIBUN_BLOCK_THRESHOLD"))
        self.cooldown = settings.getfloat("TRIBUN_BLOCK_COOLDOWN")
        self.block_codes = frozenset(int(code) for code in settings.getlist("TRIBUN_BLOCK_HTTP_CODES"))
        self.hosts: dict[str, HostState] = {}
        self.closing: Deferred[None] | None = None
        self.distributed = distributed_enabled(settings)
        self._shared: SharedBlocks | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """A host is part of the run from its first scheduled request, not only from its first download."""
        host = urlparse_cached(request).hostname or ""
        self.hosts.setdefault(host, HostState())
        shared = self.shared_blocks()
        if shared is not None:
            try:
                shared.add_host(host)
            except RedisError as exc:
                self.shared_failed(exc)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        self.hosts.setdefault(host, HostState())
        self.read_shared_blocks()
        if self.is_blocked(host):
            self.crawler.stats.inc_value(stat.BLOCK_DROPPED(host))
            raise IgnoreRequest(f"{host} is blocking the crawler (cool-down)")

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        host = urlparse_cached(request).hostname or ""
        state = self.hosts.setdefault(host, HostState())
        if not is_block_answer(response, self.block_codes):
            if state.blocked_until is not None and not self.is_blocked(host):
                logger.info("%s answers again (HTTP %s): no longer blocked", host, response.status)
            state.run = 0
            state.blocked_until = None
            return
        state.run += 1
        if state.run >= self.threshold and not self.is_blocked(host):
            self.block(host, state, response)

    # --- Shared with the other workers (distributed runs) ---------------------------------------------------

    def shared_blocks(self) -> SharedBlocks | None:
        """The run's shared blocks, once the worker joined its run; None without Redis, or while it is away."""
        if not self.distributed:
            return self._shared
        if redis_away(self.crawler):
            return None
        self._shared = join_shared(
            self.crawler,
            self._shared,
            lambda server, run: SharedBlocks(server, run.key("blocks"), run.worker, clock=self.clock),
        )
        return self._shared

    def shared_failed(self, exc: RedisError) -> None:
        self.crawler.stats.inc_value(stat.ERRORS("shared_blocks"))
        logger.warning("Shared blocks unavailable (%s): this worker goes by its own blocks", exc)

    def read_shared_blocks(self) -> None:
        """Take on the blocks other workers found (read at most once a second), and the run's other hosts."""
        shared = self.shared_blocks()
        if shared is None:
            return
        try:
            if not shared.refresh():
                return
        except RedisError as exc:
            self.shared_failed(exc)
            return
        for host in shared.run_hosts:
            self.hosts.setdefault(host, HostState())
        learned = [
            host for host in sorted(shared.blocked_until) if shared.is_blocked(host) and not self.is_blocked(host)
        ]
        for host in learned:
            self.take_on_block(host, shared.seconds_left(host))
        if learned and self.every_host_blocked():
            self.close_spider()

    def take_on_block(self, host: str, seconds: float) -> None:
        """Another worker found ``host`` blocking: drop its requests here too for the rest of the cool-down."""
        state = self.hosts.setdefault(host, HostState())
        state.blocked_until = self.clock() + seconds
        # As after a block of this worker's own: once the cool-down is over, one more block answer blocks again.
        state.run = max(state.run, self.threshold)
        self.crawler.stats.inc_value(stat.DISTRIBUTED_BLOCKED(host))
        self.drop_waiting_requests(host)
        logger.info(
            "%s is blocking the crawler (found by another worker): its requests are dropped for %.0f s", host, seconds
        )

    # --- Block state -------------------------------------------------------------------------------------

    def is_blocked(self, host: str) -> bool:
        state = self.hosts.get(host)
        return bool(state and state.blocked_until is not None and self.clock() < state.blocked_until)

    def blocked_hosts(self) -> list[str]:
        return sorted(host for host in self.hosts if self.is_blocked(host))

    def every_host_blocked(self) -> bool:
        return bool(self.hosts) and all(self.is_blocked(host) for host in self.hosts)

    def block(self, host: str, state: HostState, response: Response) -> None:
        state.blocked_until = self.clock() + self.cooldown
        state.blocks += 1
        self.crawler.stats.inc_value(stat.BLOCKED(host))
        shared = self.shared_blocks()
        if shared is not None:
            try:
                shared.block(host, self.cooldown)
            except RedisError as exc:
                self.shared_failed(exc)
        self.drop_waiting_requests(host)
        if state.blocks == 1:
            logger.warning(
                "%s is blocking the crawler: %d answers in a row were refusals or challenge pages "
                "(last: HTTP %s for %s). Its requests are dropped for a %d s cool-down.",
                host,
                state.run,
                response.status,
                response.url,
                self.cooldown,
            )
        else:
            logger.info(
                "%s still blocks after its cool-down; dropping its requests for another %d s",
                host,
                self.cooldown,
            )
        if self.every_host_blocked():
            self.close_spider()

    def drop_waiting_requests(self, host: str) -> None:
        """Fail the requests of ``host`` that passed this middleware and wait in a download slot's queue."""
        dropped = take_waiting_requests(self.crawler, lambda request: (urlparse_cached(request).hostname or "") == host)
        for _, deferred in dropped:
            self.crawler.stats.inc_value(stat.BLOCK_DROPPED(host))
            deferred.errback(IgnoreRequest(f"{host} is blocking the crawler (cool-down)"))

    def close_spider(self) -> None:
        if self.closing is not None:
            return
        logger.error(
            "Every host of this run is blocking the crawler (%s): closing the spider",
            ", ".join(self.blocked_hosts()),
        )
        # Not awaited: closing waits for the requests in progress, this response's among them.
        self.closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON))
        self.closing.addErrback(self.log_close_failure)

    @staticmethod
    def log_close_failure(failure: Failure) -> None:
        logger.error("Closing the blocked spider failed: %s", failure.getErrorMessage())
