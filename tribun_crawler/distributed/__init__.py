"""Several workers, one crawl: the request queue and the request dupefilter in Redis (scrapy-redis).

**Switch.** The add-on ``DistributedQueue`` (in ``ADDONS``) turns it on when ``REDIS_URL`` is set, or when
``TRIBUN_DISTRIBUTED=1`` (Redis then at ``REDIS_URL``, or scrapy-redis' ``REDIS_HOST``/``REDIS_PORT``, default
localhost:6379); ``TRIBUN_DISTRIBUTED=0`` keeps the queue local even with ``REDIS_URL`` set (the state store
may still use Redis). Both are read from the environment or ``-s``; add-ons see ``-s`` values, so the switch
lives in this one place. Off, nothing changes: Scrapy's own scheduler, no server needed.

**Runs.** Every ``scrapy crawl tribun`` started with the switch on is a worker. A worker joins the run in
progress (one whose workers are alive) or, when there is none, starts a new run with a fresh id. The queue and
the dupefilter are keyed by run: ``<spider>:run:<id>:requests`` and ``…:dupefilter``; ``<spider>:run`` names
the current run. So the workers of one run share the queue, and the start requests they all yield (hubs, daily
indexes) are fetched once per run, while the next run has a new id and fetches them again. A worker started
while a run is in progress joins it; its start requests are then duplicates and it helps with the queue.

**Liveness.** Each worker writes a heartbeat every ``TRIBUN_DISTRIBUTED_HEARTBEAT`` seconds (and whether it
has work in progress) into ``…:workers`` and ``…:busy``, using the Redis server's clock; a worker silent for
three heartbeats is gone (crashed). Run keys also expire a week after the last heartbeat.

**Closing.** An idle worker stays open while the shared queue holds requests or another worker is busy (it may
still add requests), and closes once the queue has stayed empty, with nobody busy, for
``TRIBUN_DISTRIBUTED_IDLE_TIMEOUT`` seconds; before deciding, it puts the leased requests of gone workers back
into the queue (work left too). An idle worker notices new requests at Scrapy's engine heartbeat (every 5 s). The
last worker to leave a run deletes its keys (queue, dupefilter, registry, leases): the next run starts clean.
A run whose workers all crashed is replaced by the next worker that starts.

**Requests as JSON.** Requests travel through Redis as JSON (``SCHEDULER_SERIALIZER`` is
``distributed/serializer.py``, set by the add-on; any other, pickle included, is refused at start): a value read from
Redis is only ever data. An entry that is no request of the spider (a pickle, garbage, a callback that is no
spider method) is logged, counted (``tribun/distributed/bad_payload``) and dropped, never executed.

**No request lost with a worker.** A request taken from the queue is leased to its worker in Redis
(``…:leased:<worker>``) until the engine is done with it; a gone worker's leased requests are put back into the
queue by the first worker to notice (``tribun/distributed/leases_recovered``), and a worker that closes gives
back what it still holds: distributed/leases.py.

**Politeness.** The workers of a run pace each host together, as one client: a request takes its host's next
turn in Redis before it leaves (``pacing.py``, used by ``middlewares/politeness.py``), and a host one worker
finds blocking is left alone by all (``blocks.py``, used by ``middlewares/blocks.py``). Both keep their keys
under the run's prefix, with a TTL; :func:`shared_run_of` gives a component the worker's run.

**Redis going away.** A worker rides out Redis restarting or refusing calls (distributed/faults.py): each call is
retried briefly by redis-py, and past that the scheduler never lets the error reach the engine: it hands out no
request (the engine asks again), holds the requests it is given in memory and queues them once Redis is back, and
keeps the worker open. The outage is logged when it starts and when it ends (``tribun/distributed/redis_outages``,
``…/redis_down_seconds``). After ``TRIBUN_REDIS_GIVE_UP`` seconds without Redis the worker closes, finish reason
``redis_down`` (exit status 9): its leased requests stay leased in Redis, and the other workers put them back
into the queue once its heartbeat is stale; requests still held in memory are lost, logged and counted
(``…/redis_lost``).

**Limits.** A request's callbacks must be spider methods and its ``meta`` and ``cb_kwargs`` hold JSON values
or the types serializer.py names (a request carrying anything else is refused when queued,
``tribun/distributed/unserializable``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from secrets import token_hex
from time import monotonic
from typing import TYPE_CHECKING, Any, TypeVar

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis import defaults as redis_defaults
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from tribun_crawler import stats as stat
from tribun_crawler.distributed import serializer
from tribun_crawler.distributed.faults import REDIS_DOWN_REASON, RedisOutage, queue_client, redis_location
from tribun_crawler.distributed.leases import LeasedQueue, WorkerLeases
from tribun_crawler.distributed.serializer import Unserializable
from tribun_crawler.settings import is_truthy

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from scrapy.utils.request import RequestFingerprinterProtocol
    from twisted.internet.defer import Deferred
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

#: A worker that missed this many heartbeats is taken for gone.
STALE_HEARTBEATS = 3
#: Run keys expire this long after the last heartbeat, so a crashed run leaves nothing behind for good.
RUN_KEY_TTL = 7 * 24 * 3600

_FALSE = {"0", "false", "no", "off"}
#: The requests' serializer (``SCHEDULER_SERIALIZER``): JSON, never pickle.
SERIALIZER = "tribun_crawler.distributed.serializer"


def distributed_enabled(settings: BaseSettings) -> bool:
    """``TRIBUN_DISTRIBUTED`` when it is set, else whether ``REDIS_URL`` is."""
    flag = str(settings.get("TRIBUN_DISTRIBUTED") or "").strip().lower()
    if is_truthy(flag):
        return True
    if flag in _FALSE:
        return False
    if flag:
        raise ValueError(f"TRIBUN_DISTRIBUTED must be 1 or 0 (or empty to follow REDIS_URL), got {flag!r}")
    return bool(settings.get("REDIS_URL"))


class DistributedQueue:
    """Scrapy add-on: the shared scheduler in Redis when ``REDIS_URL`` or ``TRIBUN_DISTRIBUTED`` asks, its requests
    as JSON (``SCHEDULER_SERIALIZER``, distributed/serializer.py)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if distributed_enabled(settings):
            settings.set("SCHEDULER", "tribun_crawler.distributed.SharedScheduler", priority="addon")
            settings.set("SCHEDULER_SERIALIZER", SERIALIZER, priority="addon")


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis' dupefilter, fingerprinting with the crawler's request fingerprinter.

    scrapy-redis hashes the canonical URL itself; the project's ``TribunRequestFingerprinter`` makes every
    variant of an article (``m.``, ``/amp/``, ``utm_*``, slug or not) one request, and the shared filter must
    agree with it.
    """

    def __init__(
        self,
        server: Any,
        key: str,
        debug: bool = False,
        *,
        fingerprinter: RequestFingerprinterProtocol,
        stats: StatsCollector | None = None,
    ) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """A filter keyed by spider (``SCHEDULER_DUPEFILTER_KEY``), for use outside ``SharedScheduler``."""
        assert crawler.spidercls is not None
        key_template = crawler.settings.get("SCHEDULER_DUPEFILTER_KEY", redis_defaults.SCHEDULER_DUPEFILTER_KEY)
        return cls(
            queue_client(crawler.settings),
            key_template % {"spider": crawler.spidercls.name},
            crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
            stats=crawler.stats,
        )

    @classmethod
    def from_spider(cls, spider: Spider) -> Self:
        return cls.from_crawler(spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def log(self, request: Request, spider: Spider) -> None:
        super().log(request, spider)
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")
            # Work a worker of the same run already has: the run report's explanation for a worker that
            # fetched listings but emitted nothing because the others took every article.
            self.stats.inc_value(stat.DISTRIBUTED_FILTERED)


# Timestamps come from the Redis server's clock (TIME): workers on several machines need not agree on theirs.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# KEYS: current. ARGV: run key prefix, new run id, worker, stale seconds, ttl.
_JOIN = (
    _NOW
    + """
local prefix = ARGV[1]
local current = redis.call('GET', KEYS[1])
if current then
  local workers = prefix .. current .. ':workers'
  if redis.call('ZCOUNT', workers, now - tonumber(ARGV[4]), '+inf') > 0 then
    redis.call('ZADD', workers, now, ARGV[3])
    return {current, 0}
  end
  for _, worker in ipairs(redis.call('ZRANGE', workers, 0, -1)) do
    redis.call('DEL', prefix .. current .. ':leased:' .. worker)
  end
  redis.call('DEL', workers, prefix .. current .. ':busy', prefix .. current .. ':requests',
             prefix .. current .. ':dupefilter')
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[5])
redis.call('ZADD', prefix .. ARGV[2] .. ':workers', now, ARGV[3])
redis.call('EXPIRE', prefix .. ARGV[2] .. ':workers', ARGV[5])
return {ARGV[2], 1}
"""
)

# KEYS: workers, busy, requests, dupefilter, current, this worker's leases, related depths, related links.
# ARGV: worker, busy (1/0), ttl, run id.
_BEAT = (
    _NOW
    + """
redis.call('ZADD', KEYS[1], now, ARGV[1])
if ARGV[2] == '1' then redis.call('ZADD', KEYS[2], now, ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
redis.call('EXPIRE', KEYS[6], ARGV[3])
redis.call('EXPIRE', KEYS[7], ARGV[3])
redis.call('EXPIRE', KEYS[8], ARGV[3])
if redis.call('GET', KEYS[5]) == ARGV[4] then redis.call('EXPIRE', KEYS[5], ARGV[3]) end
return 1
"""
)

# KEYS: busy. ARGV: worker, stale seconds.
_OTHERS_BUSY = (
    _NOW
    + """
local n = 0
for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[2]), '+inf')) do
  if worker ~= ARGV[1] then n = n + 1 end
end
return n
"""
)

# KEYS: workers, busy, requests, dupefilter, current, the run's hosts (blocks.py), related depths, related links.
# ARGV: worker, stale seconds, run id, leases key prefix, pace key prefix, blocked key prefix.
_LEAVE = (
    _NOW
    + """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('ZCOUNT', KEYS[1], now - tonumber(ARGV[2]), '+inf') > 0 then return 0 end
-- The last live worker: the leases of gone workers not recovered yet go with the run.
for _, worker in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do redis.call('DEL', ARGV[4] .. worker) end
redis.call('DEL', ARGV[4] .. ARGV[1])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
if redis.call('GET', KEYS[5]) == ARGV[3] then redis.call('DEL', KEYS[5]) end
-- Each host's turns and block (pacing.py, blocks.py) go with the run too, rather than wait for their TTL.
for _, host in ipairs(redis.call('SMEMBERS', KEYS[6])) do redis.call('DEL', ARGV[5] .. host, ARGV[6] .. host) end
redis.call('DEL', KEYS[6], KEYS[7], KEYS[8])
return 1
"""
)


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{token_hex(3)}"


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{token_hex(3)}"


class SharedRun:
    """A worker's membership of the shared run in Redis: join, heartbeat, who is busy, leave."""

    def __init__(self, server: Any, namespace: str, worker: str, heartbeat: float) -> None:
        self.server = server
        self.namespace = namespace
        self.worker = worker
        self.stale_after = heartbeat * STALE_HEARTBEATS
        self.run_id: str | None = None
        self._join = server.register_script(_JOIN)
        self._beat = server.register_script(_BEAT)
        self._others_busy = server.register_script(_OTHERS_BUSY)
        self._leave = server.register_script(_LEAVE)

    @property
    def current_key(self) -> str:
        return f"{self.namespace}:run"

    def key(self, name: str) -> str:
        """A key of the joined run: ``requests``, ``dupefilter``, ``workers``, ``busy`` or ``leased:<worker>``."""
        if self.run_id is None:
            raise RuntimeError("not in a run yet: join() first")
        return f"{self.current_key}:{self.run_id}:{name}"

    @property
    def leased_prefix(self) -> str:
        """The run's lease hashes are this followed by the worker id (distributed/leases.py)."""
        return self.key("leased:")

    @property
    def leased_key(self) -> str:
        """This worker's lease hash."""
        return self.leased_prefix + self.worker

    def run_keys(self) -> list[str]:
        return [self.key("workers"), self.key("busy"), self.key("requests"), self.key("dupefilter")]

    def related_keys(self) -> list[str]:
        """The run's related-link depths and links (distributed/depths.py)."""
        return [self.key("related:depth"), self.key("related:links")]

    def join(self) -> bool:
        """Join the live run, or start one; True when this worker started it."""
        run_id, created = self._join(
            keys=[self.current_key],
            args=[f"{self.current_key}:", new_run_id(), self.worker, self.stale_after, RUN_KEY_TTL],
        )
        self.run_id = run_id.decode() if isinstance(run_id, bytes) else str(run_id)
        return bool(created)

    def beat(self, busy: bool) -> None:
        self._beat(
            keys=[*self.run_keys(), self.current_key, self.leased_key, *self.related_keys()],
            args=[self.worker, "1" if busy else "0", RUN_KEY_TTL, self.run_id],
        )

    def others_busy(self) -> int:
        """Other live workers with work in progress at their last heartbeat."""
        return int(self._others_busy(keys=[self.key("busy")], args=[self.worker, self.stale_after]))

    def leave(self) -> bool:
        """Leave the run; True when this was its last live worker and the run's keys were deleted."""
        return bool(
            self._leave(
                keys=[*self.run_keys(), self.current_key, self.key("blocks:hosts"), *self.related_keys()],
                args=[
                    self.worker,
                    self.stale_after,
                    self.run_id,
                    self.leased_prefix,
                    self.key("pace:"),
                    self.key("blocks:blocked:"),
                ],
            )
        )


def shared_run_of(crawler: Crawler) -> tuple[Any, SharedRun] | None:
    """The Redis connection and the shared run of this worker, once its scheduler joined one; None when the
    crawl is not distributed (or before the spider opened)."""
    try:
        engine = crawler.engine
    except RuntimeError:  # Scrapy 2.19: no engine before the crawl starts (a spider driven by a test)
        return None
    scheduler = engine.scheduler if engine is not None else None
    if isinstance(scheduler, SharedScheduler) and scheduler.run is not None and scheduler.run.run_id is not None:
        return scheduler.server, scheduler.run
    return None


Part = TypeVar("Part")


def join_shared(crawler: Crawler, held: Part | None, build: Callable[[Any, SharedRun], Part]) -> Part | None:
    """A worker component's part of its shared run (shared pacing, shared blocks): ``held`` once built, else
    ``build(server, run)`` once the worker has joined its run; None before."""
    if held is None and (joined := shared_run_of(crawler)) is not None:
        return build(*joined)
    return held


def redis_away(crawler: Crawler) -> bool:
    """True while this worker's scheduler finds Redis unreachable (distributed/faults.py): shared pacing and blocks
    then go by the worker's own without trying Redis, each failing call holding the engine for its retries."""
    scheduler = crawler.engine.scheduler if crawler.engine is not None else None
    return isinstance(scheduler, SharedScheduler) and scheduler.outage.down


class SharedScheduler(Scheduler):
    """scrapy-redis' scheduler with a queue and a dupefilter per shared run, closing when the run is done.

    The queue is :class:`~tribun_crawler.distributed.leases.LeasedQueue` (JSON payloads, requests leased to the
    worker that takes them), whatever ``SCHEDULER_QUEUE_CLASS`` says. See the module docstring for runs, liveness
    and closing, distributed/leases.py for leases.
    """

    def __init__(
        self, server: Any, crawler: Crawler, *, heartbeat: float, idle_timeout: float, outage: RedisOutage
    ) -> None:
        # persist=True: scrapy-redis would flush the shared queue when any one worker closes; the last worker
        # of the run deletes it instead (SharedRun.leave).
        super().__init__(server, persist=True, serializer=serializer)
        self.crawler = crawler
        self.stats = crawler.stats
        self.heartbeat = heartbeat
        self.idle_timeout = idle_timeout
        self.run: SharedRun | None = None
        self.leases: WorkerLeases | None = None
        self.idle = False
        """True from the engine's spider_idle signal until this worker takes a request again."""
        self.idle_since: float | None = None
        self.beat_call: AsyncioLoopingCall | LoopingCall | None = None
        self.outage = outage
        self.held: deque[tuple[Request, str | None]] = deque()
        """Requests (and fingerprints) given while Redis was unreachable, queued once it answers again."""
        self.giving_up: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        configured = settings.get("SCHEDULER_SERIALIZER")
        if configured not in (None, SERIALIZER, serializer):
            raise ValueError(
                f"SCHEDULER_SERIALIZER={configured!r}: the shared queue only travels as JSON ({SERIALIZER}); "
                "pickle would let whoever writes to Redis run code on every worker"
            )
        server = queue_client(settings)
        # Unreachable at start: the worker fails now (exit 1), it has nothing to hold.
        server.ping()
        scheduler = cls(
            server,
            crawler,
            heartbeat=settings.getfloat("TRIBUN_DISTRIBUTED_HEARTBEAT"),
            idle_timeout=settings.getfloat("TRIBUN_DISTRIBUTED_IDLE_TIMEOUT"),
            outage=RedisOutage(crawler.stats, redis_location(settings), settings.getfloat("TRIBUN_REDIS_GIVE_UP")),
        )
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.run = SharedRun(self.server, spider.name, new_worker_id(), self.heartbeat)
        started = self.run.join()
        self.queue = LeasedQueue(
            self.server,
            spider,
            self.run.key("requests"),
            dupefilter_key=self.run.key("dupefilter"),
            leased_key=self.run.leased_key,
            lease_ttl=RUN_KEY_TTL,
            stats=self.stats,
        )
        self.leases = WorkerLeases(self.crawler, self.server, self.queue)
        self.df = SharedDupeFilter(
            self.server,
            self.run.key("dupefilter"),
            self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=self.crawler.request_fingerprinter,
            stats=self.stats,
        )
        self.stats.set_value(stat.DISTRIBUTED_RUN, self.run.run_id)
        logger.info(
            "%s shared run %s as worker %s (%d requests queued)",
            "Started" if started else "Joined",
            self.run.run_id,
            self.run.worker,
            len(self.queue),
        )
        self.beat_call = create_looping_call(self.beat)
        self.beat_call.start(self.heartbeat, now=True)

    def close(self, reason: str) -> None:
        if self.beat_call is not None and self.beat_call.running:
            self.beat_call.stop()
        if self.run is None or self.leases is None:
            return
        try:
            self.queue_held()
            self.leases.release_finished()
            given_back = self.leases.give_back()
            last = self.run.leave()
        except RedisError as exc:
            lost = len(self.held)
            if lost:
                self.stats.inc_value(stat.DISTRIBUTED_REDIS_LOST, lost)
            logger.error(
                "Redis at %s unreachable while closing (%s): %d request(s) this worker had taken stay leased in "
                "Redis, and the other workers put them back into the shared queue once its heartbeat is stale; "
                "%d request(s) it found while Redis was away never reached the shared queue and are lost",
                self.outage.where,
                exc,
                len(self.leases.held),
                lost,
            )
            return
        if given_back:
            logger.info("%d request(s) this worker had not finished put back into the shared queue", given_back)
        logger.info(
            "Left shared run %s (%s)%s",
            self.run.run_id,
            reason,
            ": last worker, run keys deleted" if last else "; other workers remain",
        )

    # --- Queue ---------------------------------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        if self.outage.may_try():
            try:
                self.queue_held()
                return self.push(request, fingerprint)
            except RedisError as exc:
                self.outage.failed(exc, "queueing a request")
        # Redis is away: the request waits in memory, the dupefilter asked when it is queued (queue_held).
        self.held.append((request, fingerprint))
        self.stats.inc_value(stat.DISTRIBUTED_REDIS_HELD)
        return True

    def push(self, request: Request, fingerprint: str | None) -> bool:
        """Queue ``request`` unless the run has seen it; raises RedisError when Redis does not answer."""
        # The dupefilter's SADD and the queue's ZADD in one script: never seen without being queued.
        try:
            queued = self.queue.push_new(request, fingerprint)
        except (Unserializable, ValueError) as exc:  # ValueError: a callback that is no method of the spider
            logger.error("Request %s not queued: it cannot travel through the shared queue: %s", request, exc)
            self.stats.inc_value(stat.DISTRIBUTED_UNSERIALIZABLE)
            return False
        self.outage.answered()
        if not queued:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def queue_held(self) -> None:
        """Queue the requests held while Redis was away, in the order they came; raises RedisError when it is
        still away (the rest stay held)."""
        while self.held:
            request, fingerprint = self.held[0]
            self.push(request, fingerprint)
            self.held.popleft()

    def next_request(self) -> Request | None:
        assert self.leases is not None
        if not self.outage.may_try():
            return None
        try:
            self.queue_held()
            self.leases.release_finished()
            request = self.leases.take()
        except RedisError as exc:
            # The engine asks again at its next turn (after a download, or its 5 s heartbeat).
            self.outage.failed(exc, "taking a request")
            return None
        self.outage.answered()
        if request is None:
            return None
        self.stats.inc_value("scheduler/dequeued/redis")
        self.mark_busy()
        return request

    def has_pending_requests(self) -> bool:
        # While Redis is away the worker counts as having work: the engine keeps asking, and never closes it as
        # idle; the give-up closes it (beat).
        if self.held or self.outage.down:
            return True
        try:
            pending = len(self.queue) > 0
        except RedisError as exc:
            self.outage.failed(exc, "counting the shared queue")
            return True
        self.outage.answered()
        return pending

    # --- Liveness and closing ------------------------------------------------------------------------------

    def mark_busy(self) -> None:
        """An idle worker that takes a request tells the others at once, not at its next heartbeat."""
        if self.idle:
            self.idle = False
            self.idle_since = None
            assert self.run is not None
            try:
                self.run.beat(busy=True)
            except RedisError as exc:
                # The next heartbeat tells them; the request is leased already.
                self.outage.failed(exc, "heartbeat")

    def beat(self) -> None:
        assert self.run is not None
        if self.outage.exceeded():
            self.give_up()
            return
        try:
            self.run.beat(busy=not self.idle)
            self.queue_held()
            self.release_and_recover()
        except RedisError as exc:
            # A missed heartbeat is harmless; the loop must keep running to send the next one.
            self.outage.failed(exc, "heartbeat")
            return
        self.outage.answered()

    def give_up(self) -> None:
        """Close the worker: Redis has been away longer than ``TRIBUN_REDIS_GIVE_UP``."""
        if self.giving_up is not None or self.crawler.engine is None:
            return
        logger.error(
            "Redis at %s unreachable for %.0f s (TRIBUN_REDIS_GIVE_UP=%.0f): closing the worker (finish reason %s); "
            "%d request(s) it had taken stay leased in Redis for the other workers, %d found meanwhile are held "
            "in memory",
            self.outage.where,
            self.outage.down_for(),
            self.outage.give_up,
            REDIS_DOWN_REASON,
            len(self.leases.held) if self.leases is not None else 0,
            len(self.held),
        )
        self.giving_up = deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_DOWN_REASON))

    def release_and_recover(self) -> None:
        """Release the leases of finished requests; put those of gone workers back into the queue."""
        assert self.run is not None
        assert self.leases is not None
        self.leases.release_finished()
        self.leases.recover(
            self.run.key("workers"), self.run.key("busy"), self.run.leased_prefix, self.run.stale_after, self.run.worker
        )

    def spider_idle(self, spider: Spider) -> None:
        """Keep an idle worker open while the shared run may still produce requests (module docstring)."""
        assert self.run is not None
        try:
            if not self.idle:
                self.run.beat(busy=False)
                self.idle = True
            # Before deciding: a gone worker's requests are work left, even with the queue empty and nobody busy.
            self.queue_held()
            self.release_and_recover()
            if self.has_pending_requests() or self.run.others_busy():
                self.idle_since = None
                raise DontCloseSpider
        except RedisError as exc:
            # Nothing can be decided without Redis: stay open until it is back, or the give-up closes the worker.
            self.outage.failed(exc, "deciding to close")
            self.idle_since = None
            raise DontCloseSpider from None
        now = monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info("Shared queue empty and no worker busy for %.0f s: closing", now - self.idle_since)
