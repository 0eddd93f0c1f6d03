"""Related-link depths shared by the workers of a run (``spiders/related.py``'s store, in Redis).

Each worker asks for an article at the smallest depth it knows and holds back, at ``TRIBUN_RELATED_DEPTH``, the
links of an article read too far away, to request them should the article be reached nearer. With several workers
the nearer request is often another worker's, and the shared dupefilter drops it (the article was queued already):
in memory, the links held back would stay with the worker that read the article, and the articles they name would
be missed (4 of 31 in four-worker runs of the replica). So a distributed worker keeps both in the run's Redis:

* ``<spider>:run:<id>:related:depth``: a hash, article key (8 bytes) -> smallest depth, lowered atomically (Lua);
* ``<spider>:run:<id>:related:links``: a hash, article key -> ``K`` and the 8-byte keys of the links it followed,
  or ``U`` and the JSON list of the URLs it held back.

The last worker to leave deletes them with the run's other keys. A Redis call that fails falls back to the worker's
own memory for that article (logged once): the crawl goes on with per-worker depths, as a single worker has, and
what the worker wrote meanwhile is written to Redis once it answers (logged), so the links it held back reach the
worker that finds the article nearer; a depth it lowered meanwhile and lowers in Redis only then is handed to
``RelatedLinks.reached`` (``lowered_late``), which releases the links other workers held back at it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from redis.exceptions import RedisError

from tribun_crawler.spiders.related import Links, LocalDepths

logger = logging.getLogger(__name__)

# KEYS: depth hash. ARGV: article key, depth. 1 when the depth was recorded (none known, or a larger one).
_LOWER = """
local known = redis.call('HGET', KEYS[1], ARGV[1])
if known and tonumber(known) <= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


class SharedDepths:
    """The run's related-link depths and links in Redis (module docstring); this worker's memory when Redis fails."""

    def __init__(self, server: Any, prefix: str) -> None:
        """``prefix``: the run's ``related`` key (``SharedRun.key("related")``)."""
        self.server = server
        self.depth_key = f"{prefix}:depth"
        self.links_key = f"{prefix}:links"
        self._lower = server.register_script(_LOWER)
        self.local = LocalDepths()
        # What this worker wrote while Redis failed, written there once it answers: held back in memory alone, the
        # links of an article read during an outage would be lost to the worker that reaches it nearer.
        self.unsent_depths: dict[bytes, int] = {}
        self.unsent_links: dict[bytes, bytes] = {}
        self.late: list[tuple[bytes, int]] = []
        self._failing = False

    def get(self, key: bytes) -> int | None:
        try:
            self._send_unsent()
            value = self.server.hget(self.depth_key, key)
        except RedisError as exc:
            self._failed(exc)
            return self.local.get(key)
        return int(value) if value is not None else None

    def asked_here(self, key: bytes) -> bool:
        return self.local.get(key) is not None

    def lower(self, key: bytes, depth: int) -> bool:
        lowered_here = self.local.lower(key, depth)
        try:
            self._send_unsent()
            return bool(self._lower(keys=[self.depth_key], args=[key, depth]))
        except RedisError as exc:
            self._failed(exc)
            self.unsent_depths[key] = min(depth, self.unsent_depths.get(key, depth))
            return lowered_here

    def links(self, key: bytes) -> Links | None:
        try:
            self._send_unsent()
            value = self.server.hget(self.links_key, key)
        except RedisError as exc:
            self._failed(exc)
            return self.local.links(key)
        if value is None:
            return None
        if value[:1] == b"U":
            return tuple(str(url) for url in json.loads(value[1:]))
        return bytes(value[1:])

    def set_links(self, key: bytes, links: Links) -> None:
        self.local.set_links(key, links)
        value = b"U" + json.dumps(list(links)).encode() if isinstance(links, tuple) else b"K" + links
        try:
            self._send_unsent()
            self.server.hset(self.links_key, key, value)
        except RedisError as exc:
            self._failed(exc)
            self.unsent_links[key] = value

    def lowered_late(self) -> list[tuple[bytes, int]]:
        """The depths lowered in Redis only when it came back: another worker may have held links back there."""
        late, self.late = self.late, []
        return late

    def _send_unsent(self) -> None:
        """Write what was noted while Redis failed; raises RedisError while it still does (the rest stay)."""
        if not self._failing:
            return
        for key, depth in list(self.unsent_depths.items()):
            if self._lower(keys=[self.depth_key], args=[key, depth]):
                self.late.append((key, depth))
            del self.unsent_depths[key]
        for key, value in list(self.unsent_links.items()):
            # Not over what another worker wrote meanwhile: it read the article later, or released its links.
            self.server.hsetnx(self.links_key, key, value)
            del self.unsent_links[key]
        self._failing = False
        logger.warning("Related-link depths: Redis answers again; what this worker noted meanwhile is shared")

    def _failed(self, exc: RedisError) -> None:
        if not self._failing:
            logger.warning("Related-link depths: Redis failed (%s); this worker goes on with its own", exc)
            self._failing = True
