"""Redis going away: one retry policy for every client the crawl makes, and one outage clock per worker.

**Retries.** Every Redis client of the crawl (the shared queue's, made by scrapy-redis from ``REDIS_PARAMS``, and
the state store's) retries a call that fails on a connection error, a timeout or a server still loading its data
(``BusyLoadingError``) with redis-py's own ``Retry`` and ``ExponentialBackoff``, reconnecting each time.

- The shared queue's client is brief (:func:`queue_client_params`, well under a second): its calls run on the
  engine's thread, and ``SharedScheduler`` rides out a longer outage itself without blocking the engine: it hands
  the engine no request (the engine asks again), keeps the requests it is given in a local buffer until Redis is
  back, and tries Redis again at most once a second.
- The state store's client is patient (:func:`state_client_params`, retrying for ``TRIBUN_REDIS_GIVE_UP`` seconds
  at most, a second between tries): its calls sit in the middle of an item or a response, where failing would drop
  an article; so they wait for Redis, holding the engine, rather than lose it.

**Give-up.** :class:`RedisOutage` is the worker's record of an outage: logged once when it starts and once when
Redis is back (with its length), counted (``tribun/distributed/redis_outages``,
``tribun/distributed/redis_down_seconds``). Once Redis has been unreachable for ``TRIBUN_REDIS_GIVE_UP`` seconds,
the scheduler closes the worker with finish reason :data:`REDIS_DOWN_REASON` (exit status 9, ``EXIT_REDIS_DOWN`` in
checks.py).
"""

from __future__ import annotations

import logging
from time import monotonic
from typing import TYPE_CHECKING, Any, TypeVar

from redis import exceptions
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from scrapy.settings import BaseSettings
from scrapy_redis.connection import SETTINGS_PARAMS_MAP, get_redis_from_settings

from tribun_crawler import stats as stat

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The finish reason of a worker that gave up on Redis (``CUT_SHORT_REASONS`` in checks.py).
REDIS_DOWN_REASON = "redis_down"
#: The errors worth a retry: Redis restarting, unreachable for a while, or loading its data after a restart.
RETRY_ON: list[type[Exception]] = [exceptions.ConnectionError, exceptions.TimeoutError, exceptions.BusyLoadingError]
#: The shared queue's client: 2 retries, 0.1 and 0.2 s apart (a dropped connection, a failover); the scheduler
#: takes over after that. Every failing call holds the engine that long (pacing and blocks use this client too).
QUEUE_RETRIES = 2
QUEUE_BACKOFF = ExponentialBackoff(cap=0.2, base=0.05)
#: The state store's client: a try every second at most.
STATE_BACKOFF_CAP = 1.0
#: Seconds to connect before a try counts as failed (a host that drops packets rather than refusing).
CONNECT_TIMEOUT = 5.0
#: While Redis is away, the scheduler tries it again this often at most.
PROBE_INTERVAL = 1.0


def queue_client_params() -> dict[str, Any]:
    """redis-py arguments of the shared queue's client: brief retries (module docstring)."""
    return {
        "retry": Retry(QUEUE_BACKOFF, QUEUE_RETRIES),
        "retry_on_error": RETRY_ON,
        "socket_connect_timeout": CONNECT_TIMEOUT,
    }


class LoggedRetry(Retry):
    """redis-py's ``Retry`` that logs a call's first failure and its recovery: a state lookup waiting for Redis
    holds the whole worker, and the log must say why."""

    def __init__(self, backoff: ExponentialBackoff, retries: int, *, what: str) -> None:
        super().__init__(backoff, retries)
        self.what = what

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        failed_at: float | None = None

        def logged(error: Exception, *failures: int) -> Any:
            nonlocal failed_at
            if failed_at is None:
                failed_at = monotonic()
                logger.warning("%s: Redis unreachable (%s), retrying for %.0f s", self.what, error, self.patience)
            return fail(error, *failures)

        result = super().call_with_retry(do, logged, is_retryable, with_failure_count)
        if failed_at is not None:
            logger.warning("%s: Redis answers again, after %.1f s", self.what, monotonic() - failed_at)
        return result

    @property
    def patience(self) -> float:
        return sum(self._backoff.compute(failures) for failures in range(1, self._retries + 1))


def state_client_params(give_up: float) -> dict[str, Any]:
    """redis-py arguments of the state store's client: retries for ``give_up`` seconds (module docstring)."""
    backoff = ExponentialBackoff(cap=STATE_BACKOFF_CAP, base=0.05)
    # As many retries as it takes for their pauses (redis-py's failure count starts at 1) to add up to give_up.
    retries, waited = 0, 0.0
    while waited < give_up or retries < QUEUE_RETRIES:
        retries += 1
        waited += backoff.compute(retries)
    return {
        "retry": LoggedRetry(backoff, retries, what="State store"),
        "retry_on_error": RETRY_ON,
        "socket_connect_timeout": CONNECT_TIMEOUT,
    }


def queue_client(settings: BaseSettings) -> Any:
    """The shared queue's Redis client: scrapy-redis' ``get_redis_from_settings``, with the retry policy unless
    ``REDIS_PARAMS`` sets its own (``retry``, ``retry_on_error``, ``socket_connect_timeout``)."""
    own = BaseSettings({name: settings.get(name) for name in SETTINGS_PARAMS_MAP})
    own.set("REDIS_PARAMS", {**queue_client_params(), **settings.getdict("REDIS_PARAMS")})
    return get_redis_from_settings(own)


def redis_location(settings: BaseSettings) -> str:
    """Where Redis is, for logs, never with the password."""
    # Imported here: the state package imports this module for its client's retry policy.
    from tribun_crawler.state.redis_store import redacted  # noqa: PLC0415

    url = settings.get("REDIS_URL")
    if url:
        return redacted(str(url))
    return f"{settings.get('REDIS_HOST') or 'localhost'}:{settings.get('REDIS_PORT') or 6379}"


class RedisOutage:
    """How long Redis has been unreachable for this worker, logged and counted once per outage."""

    def __init__(
        self, stats: StatsCollector, where: str, give_up: float, clock: Callable[[], float] = monotonic
    ) -> None:
        self.stats = stats
        self.where = where
        self.give_up = give_up
        self.clock = clock
        self.down_since: float | None = None
        self.last_try = 0.0

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def down_for(self) -> float:
        return 0.0 if self.down_since is None else self.clock() - self.down_since

    def may_try(self) -> bool:
        """Whether to call Redis now: always while it answers, once per ``PROBE_INTERVAL`` while it is away (each
        failing call holds the engine for the client's retries)."""
        if self.down_since is None:
            return True
        now = self.clock()
        if now - self.last_try < PROBE_INTERVAL:
            return False
        self.last_try = now
        return True

    def failed(self, error: Exception, doing: str) -> None:
        now = self.clock()
        self.last_try = now
        if self.down_since is not None:
            return
        self.down_since = now
        self.stats.inc_value(stat.DISTRIBUTED_REDIS_OUTAGES)
        logger.warning(
            "Redis at %s unreachable (%s: %s): retrying every %.0f s, holding new requests in memory; the worker "
            "gives up after %.0f s (TRIBUN_REDIS_GIVE_UP)",
            self.where,
            doing,
            error,
            PROBE_INTERVAL,
            self.give_up,
        )

    def answered(self) -> None:
        if self.down_since is None:
            return
        length = self.clock() - self.down_since
        self.down_since = None
        # A float: StatsCollector.inc_value is typed for counts.
        total = self.stats.get_value(stat.DISTRIBUTED_REDIS_DOWN_SECONDS, 0.0) + length
        self.stats.set_value(stat.DISTRIBUTED_REDIS_DOWN_SECONDS, round(total, 3))
        logger.warning("Redis at %s answers again, after %.1f s away", self.where, length)

    def exceeded(self) -> bool:
        return self.down_since is not None and self.down_for() >= self.give_up
