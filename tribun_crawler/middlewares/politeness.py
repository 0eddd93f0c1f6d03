"""Pacing per host: how long the crawler waits before its next request to a host.

Scrapy spaces the requests to one host by the download slot's delay (``DOWNLOAD_DELAY``, tuned by
AutoThrottle). Two things it does not do, done here:

* **robots.txt ``Crawl-delay``.** Scrapy parses it but never enforces it. For a host whose robots.txt asks for
  one, the slot's delay is held at ``max(current delay, Crawl-delay)`` and its jitter set to 0: the jitter is
  symmetric (±50 % by default), so it would otherwise space some requests closer than the host asked.
  AutoThrottle lowers a slot's delay after every response; the floor is put back right after it, which works
  because this middleware is built after the extensions and so receives ``response_downloaded`` after
  AutoThrottle.
* **Backoff.** After a retryable answer (``RETRY_HTTP_CODES``: 429, 5xx, …) or a retryable exception
  (timeouts, refused connections: ``RETRY_EXCEPTIONS``) the whole host pauses for
  ``TRIBUN_RETRY_BACKOFF_BASE * 2**n`` seconds (``n`` = retries so far), or for its ``Retry-After`` when a
  429/503 carries one, capped at ``TRIBUN_RETRY_BACKOFF_MAX``. RetryMiddleware still decides whether to
  retry; this only delays the host's next request, whichever it is. The pause moves the slot's last-request
  time into the future, so the next request waits the pause plus the usual delay.

**Shared by the workers of a distributed run** (``distributed_enabled``: ``REDIS_URL`` or
``TRIBUN_DISTRIBUTED``), this middleware also decides *when* each request may leave, for the run as a whole:
before a request goes on (``process_request``) it takes its host's next turn in Redis
(``tribun_crawler.distributed.pacing``), waits for it without blocking (other hosts' requests go on
meanwhile), waits until this worker has nothing of the host in flight, and claims the turn as it leaves; when
it left the downloader (answered or failed) the host's delay starts again from that moment, for all. The
delay asked for is the largest this worker knows for the host: ``DOWNLOAD_DELAY`` (``TRIBUN_DOWNLOAD_DELAY``),
its Crawl-delay, AutoThrottle's current delay; a backoff or ``Retry-After`` pause is written to the same key,
so every worker holds the host. Scrapy's own slot delay stays as a per-worker floor, never above the shared
delay, and its jitter is set to 0 for the hosts paced so: a random extra wait after the shared turn would let
the next worker's request follow closer than the delay. A stop (``extensions/stop.py``) ends the waits: the
requests go on to PromptStop, which hands them back unsent; a host blocked (``middlewares/blocks.py``) takes no
turn, its requests waiting for one go on at once, to be dropped. Without Redis nothing of this runs. A Redis error
lets the request go with the local pacing only (logged, ``tribun/errors/shared_pacing``).

Stats: ``tribun/backoff/count``, ``tribun/backoff/retry_after`` (pauses that honoured a ``Retry-After``),
``tribun/crawl_delay/<host>`` (the Crawl-delay applied, in seconds), ``tribun/pacing/waited`` and
``tribun/pacing/wait_ms`` (requests that waited for their shared turn, and how long in all).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import load_object

from tribun_crawler import stats as stat
from tribun_crawler.compat import download_slot, hold_slot, slot_busy, space_new_slots, space_slot
from tribun_crawler.distributed import distributed_enabled, join_shared, redis_away
from tribun_crawler.distributed.pacing import SharedPacing
from tribun_crawler.extensions.stop import PromptStop
from tribun_crawler.middlewares.blocks import BlockDetectionMiddleware

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

#: Seconds between looks at this worker's own download slot of a host, while a request of the host is in flight.
LOCAL_SLOT_POLL = 0.01

#: A request waiting for its shared turn looks this often (seconds) whether the run is stopping or its host blocked.
STOP_CHECK = 0.5

#: Statuses whose ``Retry-After`` header is read (RFC 9110 defines it for 503 and 3xx, RFC 6585 for 429).
RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(response: Response, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (delta-seconds or HTTP date); None if absent."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(retry_times: int, base: float, maximum: float) -> float:
    """Exponential backoff: ``base`` after the first failure, doubled per retry, capped at ``maximum``."""
    return float(min(base * 2**retry_times, maximum))


class HostPacingMiddleware:
    """Hold each host to its robots.txt Crawl-delay, and pause a host after errors (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.robots_user_agent: str = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.retry_http_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.retry_exceptions: tuple[type[BaseException], ...] = tuple(
            load_object(name) if isinstance(name, str) else name for name in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff_base = settings.getfloat("TRIBUN_RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("TRIBUN_RETRY_BACKOFF_MAX")
        self.download_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.crawl_delays: dict[str, float] = {}
        """Crawl-delay per download slot key (the host name), from each host's robots.txt."""
        self.distributed = distributed_enabled(settings)
        self._shared: SharedPacing | None = None
        self._stop: PromptStop | None = None
        self._blocks: BlockDetectionMiddleware | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(middleware.request_left_downloader, signal=signals.request_left_downloader)
        return middleware

    # --- Shared pacing (distributed runs) ------------------------------------------------------------------

    def shared_pacing(self) -> SharedPacing | None:
        """The run's shared turns, once the worker joined its run; None without Redis, or while it is away."""
        if not self.distributed:
            return self._shared
        if redis_away(self.crawler):
            return None
        self._shared = join_shared(
            self.crawler, self._shared, lambda server, run: SharedPacing(server, run.key("pace"))
        )
        return self._shared

    def host_delay(self, key: str) -> float:
        """The spacing this worker asks for a host: DOWNLOAD_DELAY, its Crawl-delay, AutoThrottle's delay."""
        slot = download_slot(self.crawler, key)
        return max(self.download_delay, self.crawl_delays.get(key, 0.0), slot.delay if slot is not None else 0.0)

    async def wait_for_turn(self, key: str, seconds: float) -> bool:
        """Sleep ``seconds`` (without blocking); False as soon as the run is stopping (PromptStop) or the host is
        blocked: the request then has no turn to wait for."""
        end = monotonic() + seconds
        while (left := end - monotonic()) > 0:
            if self.run_stopping() or self.host_blocked(key):
                return False
            await sleep(min(left, STOP_CHECK))
        return not (self.run_stopping() or self.host_blocked(key))

    def host_blocked(self, key: str) -> bool:
        """A blocked host's requests take no turn: they go straight on to BlockDetectionMiddleware, which drops
        them (it is later on the way out, so that nothing waits between its check and the download slot)."""
        if self._blocks is None:
            self._blocks = self.crawler.get_downloader_middleware(BlockDetectionMiddleware)
        return self._blocks is not None and self._blocks.is_blocked(key)

    def run_stopping(self) -> bool:
        if self._stop is None:
            self._stop = self.crawler.get_downloader_middleware(PromptStop)
        return self._stop is not None and self._stop.stopping

    async def process_request(self, request: Request) -> None:
        shared = self.shared_pacing()
        if shared is None:
            return
        key = self.crawler.engine.downloader.get_slot_key(request)
        if self.host_blocked(key):
            return
        started = monotonic()
        try:
            wait = shared.reserve(key, self.host_delay(key))
            while True:
                if not await self.wait_for_turn(key, wait):
                    # PromptStop (last on the way out) hands the request back unsent; BlockDetectionMiddleware
                    # drops it.
                    return
                # This worker sends one request of a host at a time: claimed while an earlier one is still in
                # flight, the request would leave later than recorded, and the next worker's turn come too soon.
                while slot_busy(self.crawler, key):
                    await sleep(LOCAL_SLOT_POLL)
                delay = self.host_delay(key)
                wait = shared.claim(key, delay)
                if wait <= 0:
                    break
        except RedisError as exc:
            self.crawler.stats.inc_value(stat.ERRORS("shared_pacing"))
            logger.warning("Shared pacing failed for %s (%s): sent with this worker's pacing only", request.url, exc)
            return
        slot = download_slot(self.crawler, key)
        if slot is not None:
            space_slot(slot, delay)
        waited = monotonic() - started
        if waited > LOCAL_SLOT_POLL:
            self.crawler.stats.inc_value(stat.PACING_WAITED)
            self.crawler.stats.inc_value(stat.PACING_WAIT_MS, round(waited * 1000))

    def request_left_downloader(self, request: Request, spider: Spider) -> None:
        """Answered or failed: the host's next request, from any worker, waits the delay from now."""
        shared = self.shared_pacing()
        key = request.meta.get("download_slot")
        if shared is None or key is None:
            return
        try:
            shared.done(key)
        except RedisError as exc:
            self.crawler.stats.inc_value(stat.ERRORS("shared_pacing"))
            logger.warning("Shared pacing could not note the end of %s: %s", request.url, exc)

    # --- robots.txt Crawl-delay -----------------------------------------------------------------------------

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        delay = robotparser.crawl_delay(self.robots_user_agent)
        if not delay or delay <= 0:
            return
        key = self.crawler.engine.downloader.get_slot_key(request)
        self.crawl_delays[key] = delay
        # Slots are created lazily and dropped after a minute idle: the new ones are shaped too.
        space_new_slots(self.crawler, key, delay)
        slot = download_slot(self.crawler, key)
        if slot is not None:
            space_slot(slot, delay)
        self.crawler.stats.set_value(stat.CRAWL_DELAY(key), delay)
        logger.info(
            "robots.txt of %s asks for Crawl-delay %s s: its requests are spaced at least that far",
            key,
            delay,
        )

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        key: str | None = request.meta.get("download_slot")
        delay = self.crawl_delays.get(key) if key else None
        if key is None or delay is None:
            return
        slot = download_slot(self.crawler, key)
        if slot is not None:
            space_slot(slot, delay)

    # --- Backoff -------------------------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.retry_http_codes or request.meta.get("dont_retry"):
            return response
        wait = backoff_seconds(request.meta.get("retry_times", 0), self.backoff_base, self.backoff_max)
        asked = retry_after_seconds(response) if response.status in RETRY_AFTER_STATUSES else None
        if asked is not None:
            wait = min(max(wait, asked), self.backoff_max)
            self.crawler.stats.inc_value(stat.BACKOFF_RETRY_AFTER)
        self.pause_host(request, wait, reason=str(response.status))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, self.retry_exceptions) and not request.meta.get("dont_retry"):
            wait = backoff_seconds(request.meta.get("retry_times", 0), self.backoff_base, self.backoff_max)
            self.pause_host(request, wait, reason=type(exception).__name__)

    def pause_host(self, request: Request, seconds: float, *, reason: str) -> None:
        key = request.meta.get("download_slot")
        slot = download_slot(self.crawler, key) if key else None
        if key is None or slot is None or seconds <= 0:
            return
        hold_slot(slot, seconds, monotonic())
        shared = self.shared_pacing()
        if shared is not None:
            try:
                shared.pause(key, seconds)
            except RedisError as exc:
                self.crawler.stats.inc_value(stat.ERRORS("shared_pacing"))
                logger.warning("Could not pause %s for the other workers: %s", key, exc)
        self.crawler.stats.inc_value(stat.BACKOFF_COUNT)
        logger.debug("Pausing requests to %s for %.1f s after %s on %s", key, seconds, reason, request.url)
