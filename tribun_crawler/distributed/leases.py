"""Leased requests: a request taken from the shared queue stays in Redis, in its worker's name, until it is done.

**Taking.** The shared queue is scrapy-redis' priority queue (a sorted set of JSON payloads,
``distributed/serializer.py``), keyed by run. :meth:`LeasedQueue.take` pops the first payload *and* records it in
the worker's lease hash, ``<spider>:run:<id>:leased:<worker>`` (lease id → ``<score>|<payload>``), in one Lua
script: a worker that dies a moment after the pop leaves its request in Redis, not only in its memory. A take
whose answer was lost is asked again under the same lease id and gives the request leased under it (and so does
the client's own retry), so no request is leased to a live worker that never saw it. Queueing is
one script too (the dupefilter's ``SADD`` and the queue's ``ZADD``), so a request is never marked seen without
being queued.

**Releasing.** A request is done when the engine is done with it: downloaded (or failed for good) and its answer
through the callback or errback, the item pipelines and the feed, and the requests it yielded queued in Redis. The
engine holds every request it took from the scheduler until then (``compat.requests_in_progress``, Scrapy has no
public signal for that moment: a redirect or an ignored request sends none). :class:`WorkerLeases` releases (one
``HDEL``) the leases whose requests the engine no longer holds, whenever the scheduler is asked for a request, at
each heartbeat and when the worker is idle; so a lease outlives its request by a heartbeat at most. A retry or a
redirect is a new request, queued (and leased when taken) on its own.

**Deadline.** A worker's leases last as long as its heartbeat (``…:workers``, renewed every
``TRIBUN_DISTRIBUTED_HEARTBEAT`` seconds, with the lease hash's TTL): a worker silent for three heartbeats is gone,
and so are its leases. At each heartbeat, and before deciding to close, every worker runs :meth:`WorkerLeases.recover`:
one script moves each gone worker's leased payloads back into the queue, with their priority, and strikes the
worker off the run, so only one worker recovers them (``tribun/distributed/leases_recovered``). They go straight
into the queue, past the dupefilter, which saw them already. What the gone worker had emitted of them but not yet
recorded is fetched again and the state store drops the duplicate (pipelines/dedupe.py); a worker that was only
paused, not dead, has its requests fetched twice, with the same outcome.

**Closing.** A worker that closes gives back what it still holds (a stop cut its downloads short; after a clean
finish it holds nothing); the last worker of a run deletes every lease hash with the run's keys.

**Bad payloads.** An entry of the queue that is not a request of :mod:`serializer` (a pickle, garbage, an unknown
type), or one naming a callback that is no spider method of its own, is logged, counted
(``tribun/distributed/bad_payload``), released and dropped; the worker takes the next one. A request that cannot be
encoded is refused when it is queued (``SharedScheduler.enqueue_request``): logged, counted
(``tribun/distributed/unserializable``), dropped.
"""

from __future__ import annotations

import logging
from itertools import count
from typing import TYPE_CHECKING, Any

from scrapy import Spider
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue

from tribun_crawler import stats as stat
from tribun_crawler.compat import requests_in_progress
from tribun_crawler.distributed import serializer
from tribun_crawler.distributed.serializer import BadPayload

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# Timestamps from the Redis server's clock (TIME), as the heartbeats' (distributed/__init__.py).
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# A lease's value is "<score>|<payload>": the score puts it back at its place in the queue.
_GIVE_BACK = """
local function give_back(leased, requests)
  local entries = redis.call('HGETALL', leased)
  for i = 2, #entries, 2 do
    local value = entries[i]
    local sep = string.find(value, '|', 1, true)
    redis.call('ZADD', requests, string.sub(value, 1, sep - 1), string.sub(value, sep + 1))
  end
  redis.call('DEL', leased)
  return #entries / 2
end
"""

# KEYS: requests, leased. ARGV: lease id, ttl. {payload, 1} when the lease id was taken already (a take whose
# answer was lost, asked again): the same request, not a second one popped over it.
_TAKE = """
local kept = redis.call('HGET', KEYS[2], ARGV[1])
if kept then return {string.sub(kept, string.find(kept, '|', 1, true) + 1), 1} end
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], ARGV[1], top[2] .. '|' .. top[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {top[1], 0}
"""

# KEYS: dupefilter, requests. ARGV: fingerprint ('' for dont_filter), score, payload.
_PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: leased, requests.
_GIVE_BACK_OWN = _GIVE_BACK + "return give_back(KEYS[1], KEYS[2])\n"

# KEYS: workers, busy, requests. ARGV: leased key prefix, stale seconds, this worker.
_RECOVER = (
    _NOW
    + _GIVE_BACK
    + """
local found = {}
for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[2])))) do
  if worker ~= ARGV[3] then
    local n = give_back(ARGV[1] .. worker, KEYS[3])
    redis.call('ZREM', KEYS[1], worker)
    redis.call('ZREM', KEYS[2], worker)
    table.insert(found, worker)
    table.insert(found, n)
  end
end
return found
"""
)


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue, in JSON, whose requests are leased to the worker that takes them."""

    def __init__(
        self,
        server: Any,
        spider: Spider,
        key: str,
        *,
        dupefilter_key: str,
        leased_key: str,
        lease_ttl: int,
        stats: StatsCollector,
    ) -> None:
        super().__init__(server, spider, key, serializer=serializer)
        self.dupefilter_key = dupefilter_key
        self.leased_key = leased_key
        self.lease_ttl = lease_ttl
        self.stats = stats
        self._lease_ids = count(1)
        self._unanswered: str | None = None
        self._take = server.register_script(_TAKE)
        self._push = server.register_script(_PUSH)

    def push_new(self, request: Request, fingerprint: str | None) -> bool:
        """Queue ``request`` unless ``fingerprint`` (None: ``dont_filter``) was seen; False when it was.

        Raises :class:`~tribun_crawler.distributed.serializer.Unserializable` for a value that cannot travel as
        JSON, ``ValueError`` for a callback that is no method of the spider (Scrapy's ``Request.to_dict``)."""
        payload = self._encode_request(request)
        return bool(
            self._push(keys=[self.dupefilter_key, self.key], args=[fingerprint or "", -request.priority, payload])
        )

    def push(self, request: Request) -> None:
        """Queue ``request`` without asking the dupefilter (scrapy-redis' interface)."""
        self.push_new(request, None)

    def take(self) -> tuple[str, Request] | None:
        """The first request of the queue and its lease id, or None when the queue is empty. Bad entries on the way
        are dropped (module docstring).

        A take whose answer was lost (Redis stopped, or the connection broke, after it ran the script) may have
        leased a request this worker never saw: a live worker's lease is never recovered, and the request would be
        lost with the run's keys. So a take that raised is asked again with the same lease id (the client's own
        retry does the same), and the script gives the request leased under it, if any, rather than another."""
        while True:
            lease = self._unanswered = self._unanswered or str(next(self._lease_ids))
            taken = self._take(keys=[self.key, self.leased_key], args=[lease, self.lease_ttl])
            self._unanswered = None
            if not taken:
                return None
            payload, again = taken
            if again:
                self.stats.inc_value(stat.DISTRIBUTED_LEASES_UNANSWERED)
            request = self.decode(payload)
            if request is not None:
                return lease, request
            self.server.hdel(self.leased_key, lease)

    def pop(self, timeout: int = 0) -> Request | None:
        """Take without a lease is not offered: every request taken from the shared queue is leased."""
        raise NotImplementedError("LeasedQueue.take() leases what it pops")

    def decode(self, payload: bytes) -> Request | None:
        """The request of ``payload``, or None (logged, counted) when it is none the spider made."""
        try:
            request_dict = serializer.loads(payload)
            for key in ("callback", "errback"):
                if request_dict.get(key) is not None:
                    check_spider_method(self.spider, request_dict[key])
            return request_from_dict(request_dict, spider=self.spider)
        except Exception as exc:  # noqa: BLE001 - whatever a payload makes Request() raise, it is dropped, not fatal
            logger.error("Dropped a shared queue entry that is no request of this spider: %s: %r", exc, payload[:200])
            self.stats.inc_value(stat.DISTRIBUTED_BAD_PAYLOAD)
            return None


def check_spider_method(spider: Spider, name: str) -> None:
    """A callback name must name a public method of the spider's own class, none of Scrapy's ``Spider`` API even
    when overridden (``start``, ``close``, ``from_crawler`` …), and no other attribute: a payload can name any
    attribute, and ``request_from_dict`` takes it."""
    own = any(name in vars(cls) for cls in type(spider).__mro__ if cls not in (Spider, object))
    # ``parse`` is the one callback of Scrapy's API: the default of a request without one, a spider's own when
    # overridden (``own``).
    scrapy_api = hasattr(Spider, name) and name != "parse"
    if name.startswith("_") or scrapy_api or not own or not callable(getattr(spider, name, None)):
        raise BadPayload(f"{name!r} is no callback of spider {spider.name!r}")


class WorkerLeases:
    """The requests this worker took and has not finished, by the engine's request object."""

    def __init__(self, crawler: Crawler, server: Any, queue: LeasedQueue) -> None:
        self.crawler = crawler
        self.server = server
        self.queue = queue
        self.held: dict[Request, str] = {}
        self._give_back = server.register_script(_GIVE_BACK_OWN)
        self._recover = server.register_script(_RECOVER)

    def take(self) -> Request | None:
        taken = self.queue.take()
        if taken is None:
            return None
        lease, request = taken
        self.held[request] = lease
        return request

    def release_finished(self) -> int:
        """Release the leases of the requests the engine is done with; how many."""
        if not self.held:
            return 0
        in_progress = requests_in_progress(self.crawler)
        done = [request for request in self.held if request not in in_progress]
        if done:
            # Forgotten only once Redis released them: a lease whose HDEL failed is released at the next call.
            self.server.hdel(self.queue.leased_key, *(self.held[request] for request in done))
            for request in done:
                del self.held[request]
        return len(done)

    def give_back(self) -> int:
        """Put every request this worker still holds back into the queue (a worker that stops)."""
        self.held.clear()
        return int(self._give_back(keys=[self.queue.leased_key, self.queue.key]))

    def recover(self, workers_key: str, busy_key: str, leased_prefix: str, stale_after: float, worker: str) -> int:
        """Put the leased requests of every gone worker back into the queue; how many."""
        found = self._recover(keys=[workers_key, busy_key, self.queue.key], args=[leased_prefix, stale_after, worker])
        recovered = 0
        for gone, n in zip(found[::2], found[1::2], strict=True):
            logger.warning(
                "Worker %s is gone (no heartbeat): %d leased request(s) back in the shared queue",
                gone.decode() if isinstance(gone, bytes) else gone,
                n,
            )
            recovered += int(n)
        if recovered:
            self.crawler.stats.inc_value(stat.DISTRIBUTED_LEASES_RECOVERED, recovered)
        return recovered
