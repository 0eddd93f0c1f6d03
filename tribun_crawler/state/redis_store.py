"""The shared state backend: Redis, so several workers (scrapy-redis, scrapyd) remember articles together.

Keys, all under one prefix (``TRIBUN_REDIS_PREFIX``):

- ``{prefix}:a:{bucket}``: hash, 8-byte article key -> packed record (``_RECORD``) + compact URL;
- ``{prefix}:x:{bucket}``: hash, one-byte kind + 8-byte fingerprint -> 8-byte article key, for the lookups by
  content (``b``), syndication group (``g``) and alias (``i``: ``site:id``, or an old URL that redirected to the
  article);
- ``{prefix}:count``: number of articles;
- ``{prefix}:runs``: hash, run id -> start in Unix milliseconds, for each crawl open and not finished
  (``state.runs``);
- ``{prefix}:feeds:{run id}``: hash, path of a local JSON lines feed the open run writes -> byte offset of its
  first line (``state.recovery``);
- ``{prefix}:p:{site}``: sorted set, 8-byte article key scored by its ``datePublished`` (Unix seconds), the recent
  publications of a site for adaptive polling;
- ``{prefix}:polled``: hash, site key -> when its discovery last ran, Unix seconds.

Prefixes are namespaces like folders: one must not start with another plus ``:`` (``reset`` of ``tribun``
would empty ``tribun:test`` too).

Records are spread over 65,536 buckets by the top bits of their fingerprint, so each index hash stays
small enough for Redis's compact listpack encoding (``hash-max-listpack-entries``, 128 by default) up to a
few million articles. A write is one Lua script: a record and its index entries are stored together or not
at all.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import redis

from tribun_crawler.state.base import PUBLICATIONS_KEPT, StateStore
from tribun_crawler.state.records import ArticleRecord, compact_url, expand_url

BUCKET_BITS = 16

# body, published, modified, recorded (ms), article_id, group, original; 0 stands for "none".
_RECORD = struct.Struct("<qIIQIqq")
_KEY = struct.Struct(">q")
_BODY, _GROUP, _ALIAS = b"b", b"g", b"i"

# KEYS: article bucket, counter, the site's publications, index buckets...; ARGV: field, value, publication time
# ("" for none), then field and value per index bucket. A site keeps the publications of PUBLICATIONS_KEPT before
# its newest one: bounded whatever the runs (a backfill records years), with no clock (TRIBUN_NOW may simulate any
# day).
_PUT_SCRIPT = f"""
local added = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if added == 1 then redis.call('INCR', KEYS[2]) end
if ARGV[3] ~= '' then
    redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
    local newest = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (tonumber(newest[2]) - {PUBLICATIONS_KEPT}))
end
for i = 4, #KEYS do
    redis.call('HSET', KEYS[i], ARGV[2 * i - 4], ARGV[2 * i - 3])
end
return added
"""


def _bucket(fingerprint: int) -> str:
    return format((fingerprint >> (64 - BUCKET_BITS)) & ((1 << BUCKET_BITS) - 1), "04x")


def _field(fingerprint: int) -> bytes:
    return _KEY.pack(fingerprint)


def _encode(record: ArticleRecord) -> bytes:
    packed = _RECORD.pack(
        record.body,
        record.published or 0,
        record.modified or 0,
        record.recorded,
        record.article_id or 0,
        record.group or 0,
        record.original or 0,
    )
    return packed + compact_url(record.url).encode("utf-8")


def _decode(key: int, value: bytes) -> ArticleRecord:
    body, published, modified, recorded, article_id, group, original = _RECORD.unpack_from(value)
    return ArticleRecord(
        key=key,
        url=expand_url(value[_RECORD.size :].decode("utf-8")),
        body=body,
        published=published or None,
        modified=modified or None,
        recorded=recorded,
        article_id=article_id or None,
        group=group or None,
        original=original or None,
    )


def redacted(url: str) -> str:
    """A Redis URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


#: How long a worker's claim on a story in flight lasts (``claim_story``).
CLAIM_SECONDS = 600
_RELEASE_SCRIPT = """
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
"""


class RedisStateStore(StateStore):
    backend = "redis"

    def __init__(self, url: str, *, prefix: str, params: dict[str, Any] | None = None) -> None:
        """Connect to Redis at ``url`` (``params``: more redis-py arguments, the retry policy and TLS certificates
        among them); fails now, not at the first lookup, when the server is unreachable."""
        self.url = url
        self.prefix = prefix
        self._redis: redis.Redis = redis.Redis.from_url(url, **(params or {}))
        try:
            self._redis.ping()
        except BaseException:
            self._redis.close()
            raise
        self._put = self._redis.register_script(_PUT_SCRIPT)
        self._release = self._redis.register_script(_RELEASE_SCRIPT)

    def _articles(self, key: int) -> str:
        return f"{self.prefix}:a:{_bucket(key)}"

    def _index(self, fingerprint: int) -> str:
        return f"{self.prefix}:x:{_bucket(fingerprint)}"

    def _load(self, key: int) -> ArticleRecord | None:
        value = self._redis.hget(self._articles(key), _field(key))
        return _decode(key, cast("bytes", value)) if value is not None else None

    def _lookup(self, fingerprint: int, kind: bytes) -> tuple[ArticleRecord | None, int | None]:
        """In one round trip: the record keyed ``fingerprint``, and the key the index maps it to."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.hget(self._articles(fingerprint), _field(fingerprint))
        pipe.hget(self._index(fingerprint), kind + _field(fingerprint))
        value, indexed = pipe.execute()
        record = _decode(fingerprint, value) if value is not None else None
        return record, (_KEY.unpack(indexed)[0] if indexed is not None else None)

    def get(self, key: int) -> ArticleRecord | None:
        record, aliased = self._lookup(key, _ALIAS)
        if record is None and aliased is not None:
            record = self._load(aliased)
        return record

    def find_group(self, group: int) -> ArticleRecord | None:
        record, copy_key = self._lookup(group, _GROUP)
        if record is not None and not record.is_duplicate:
            return record
        if copy_key is None:
            return None
        copy = self._load(copy_key)
        # The index is not rewritten when a record changes: trust it only while the record still agrees.
        return copy if copy is not None and copy.group == group and not copy.is_duplicate else None

    def find_body(self, body: int) -> ArticleRecord | None:
        indexed = self._redis.hget(self._index(body), _BODY + _field(body))
        if indexed is None:
            return None
        record = self._load(_KEY.unpack(cast("bytes", indexed))[0])
        return record if record is not None and record.body == body and not record.is_duplicate else None

    def _script_args(self, record: ArticleRecord, aliases: Iterable[int]) -> tuple[list[str], list[bytes]]:
        site = record.site
        published = record.published if site and record.published is not None else None
        keys = [self._articles(record.key), f"{self.prefix}:count", self._publications(site or "-")]
        args = [_field(record.key), _encode(record), str(published).encode() if published is not None else b""]
        entries: list[tuple[int, bytes]] = [(alias, _ALIAS) for alias in aliases]
        if not record.is_duplicate:
            entries.append((record.body, _BODY))
            if record.group is not None:
                entries.append((record.group, _GROUP))
        for fingerprint, kind in entries:
            keys.append(self._index(fingerprint))
            args += [kind + _field(fingerprint), _field(record.key)]
        return keys, args

    def put(self, record: ArticleRecord, aliases: Iterable[int] = ()) -> None:
        keys, args = self._script_args(record, aliases)
        self._put(keys=keys, args=args)

    def claim_story(self, url: str, fingerprints: Iterable[tuple[str, int]]) -> tuple[str, str] | None:
        # SET NX GET (Redis 7): one round trip, atomic per fingerprint; the claim only has to outlive the item's
        # way from this check to its record (milliseconds), the TTL bounds what a crashed worker leaves.
        claims = list(fingerprints)
        pipe = self._redis.pipeline(transaction=False)
        for kind, fingerprint in claims:
            pipe.set(f"{self.prefix}:claim:{kind}:{fingerprint}", url, nx=True, ex=CLAIM_SECONDS, get=True)
        for (kind, _), holder in zip(claims, pipe.execute(), strict=True):
            if holder is not None and holder.decode() != url:
                return kind, holder.decode()
        return None

    def release_story(self, url: str, fingerprints: Iterable[tuple[str, int]]) -> None:
        keys = [f"{self.prefix}:claim:{kind}:{fingerprint}" for kind, fingerprint in fingerprints]
        if keys:
            # Only the claims still this item's: another item may have claimed a fingerprint after it expired.
            self._release(keys=keys, args=[url])

    def add_aliases(self, key: int, aliases: Iterable[int]) -> None:
        pipe = self._redis.pipeline(transaction=True)
        for alias in aliases:
            pipe.hset(self._index(alias), _ALIAS + _field(alias), _field(key))
        pipe.execute()

    def put_many(self, records: Iterable[tuple[ArticleRecord, Iterable[int]]], batch: int = 2_000) -> int:
        done = 0
        iterator = iter(records)
        while chunk := list(islice(iterator, batch)):
            pipe = self._redis.pipeline(transaction=False)
            for record, aliases in chunk:
                keys, args = self._script_args(record, aliases)
                self._put(keys=keys, args=args, client=pipe)
            pipe.execute()
            done += len(chunk)
        return done

    def records(self) -> Iterator[ArticleRecord]:
        for bucket in self._keys("a:" + "?" * (BUCKET_BITS // 4)):
            for field, value in cast("dict[bytes, bytes]", self._redis.hgetall(bucket)).items():
                yield _decode(_KEY.unpack(field)[0], value)

    def count(self) -> int:
        value = self._redis.get(f"{self.prefix}:count")
        return int(cast("bytes", value)) if value is not None else 0

    def _keys(self, pattern: str = "*") -> Iterator[Any]:
        """The store's keys matching ``{prefix}:{pattern}``; the prefix is literal, glob characters escaped."""
        prefix = re.sub(r"([*?\[\]\\])", r"\\\1", self.prefix)
        return self._redis.scan_iter(match=f"{prefix}:{pattern}", count=1_000)

    def size_bytes(self) -> int:
        """Memory Redis reports for the store's keys (``MEMORY USAGE``, nested values counted in full)."""
        total = 0
        keys = self._keys()
        while chunk := list(islice(keys, 1_000)):
            pipe = self._redis.pipeline(transaction=False)
            for key in chunk:
                pipe.memory_usage(key, samples=0)
            total += sum(int(n or 0) for n in pipe.execute())
        return total

    def reset(self) -> None:
        keys = self._keys()
        while chunk := list(islice(keys, 1_000)):
            self._redis.unlink(*chunk)

    def close(self) -> None:
        self._redis.close()

    def describe(self) -> str:
        return f"redis:{redacted(self.url)} prefix {self.prefix}"

    def _publications(self, site: str) -> str:
        return f"{self.prefix}:p:{site}"

    def _polled(self) -> str:
        return f"{self.prefix}:polled"

    def publish_times(self, site: str, since: int) -> list[int]:
        scores = self._redis.zrangebyscore(self._publications(site), since, "+inf", withscores=True)
        return [int(score) for _, score in cast("list[tuple[bytes, float]]", scores)]

    def discovered(self, site: str, when: int) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(self._polled(), site, when)
        pipe.zremrangebyscore(self._publications(site), "-inf", f"({when - PUBLICATIONS_KEPT}")
        pipe.execute()

    def last_discoveries(self) -> dict[str, int]:
        polled = cast("dict[bytes, bytes]", self._redis.hgetall(self._polled()))
        return {site.decode("utf-8"): int(when) for site, when in polled.items()}

    def _runs(self) -> str:
        return f"{self.prefix}:runs"

    def open_run(self, run_id: str, started: int) -> None:
        self._redis.hset(self._runs(), run_id, started)

    def finish_run(self, run_id: str, started: int) -> None:
        # Not atomic, and need not be: a run adds only its own marker, and a marker found older stays older.
        older = [other for other, since in self.open_runs().items() if since < started]
        self._redis.hdel(self._runs(), run_id, *older)
        self._redis.delete(*(self._run_feeds(run) for run in (run_id, *older)))

    def open_runs(self) -> dict[str, int]:
        markers = cast("dict[bytes, bytes]", self._redis.hgetall(self._runs()))
        return {run_id.decode("utf-8"): int(started) for run_id, started in markers.items()}

    def _run_feeds(self, run_id: str) -> str:
        return f"{self.prefix}:feeds:{run_id}"

    def add_run_feed(self, run_id: str, path: str, start: int) -> None:
        self._redis.hset(self._run_feeds(run_id), path, start)

    def run_feeds(self) -> dict[str, dict[str, int]]:
        feeds: dict[str, dict[str, int]] = {}
        for run_id in self.open_runs():
            noted = cast("dict[bytes, bytes]", self._redis.hgetall(self._run_feeds(run_id)))
            if noted:
                feeds[run_id] = {path.decode("utf-8"): int(start) for path, start in noted.items()}
        return feeds
