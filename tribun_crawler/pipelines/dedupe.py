"""Deduplicate: one item per article and per syndicated story, within a run and across runs.

In the order checked, an item is:

1. the same article as one already emitted in this run (same canonical URL: ``tribun/duplicates/url``; same
   ``articleId`` on the same site: ``tribun/duplicates/id``): dropped;
2. an article the state store remembers from an earlier run (or another worker): a *recheck*. It is emitted
   again, same ``url`` so consumers can upsert, only when its body or ``dateModified`` changed
   (``tribun/recheck/updated``); otherwise dropped as ``tribun/dropped/unchanged``;
3. a syndicated copy of a story already emitted, this run or earlier: the item's ``isBasedOn`` names an
   emitted article, or an emitted article's ``isBasedOn`` names this item's URL or the same original, also when
   this item is itself a copy (a copy of a copy: ``tribun/duplicates/syndicated``);
4. the same normalised body as an emitted article (``tribun/duplicates/same_body``).

The first copy seen is the one emitted. Later copies (3, 4) are dropped, or with ``TRIBUN_EMIT_DUPLICATES``
emitted with ``duplicateOf`` set to the URL of the emitted one; they are counted either way.

Memory of what was emitted: the state store, and the pipeline for the items in flight. An item counts from the
moment it passes, so two copies in flight together are caught; the store records an article on the
``item_scraped`` signal, after the feed exporter (connected before any pipeline exists) has written its line, so
the store never claims an article the feed does not have; a kill between the two is repaired by the next run,
which records the line from the feed (``state/recovery.py``). From then on the store answers for it and the pipeline
forgets it: its memory stays as small in a crawl of a million articles as in one of ten. An article recorded since
the pipeline opened the store (``recorded``) was emitted by this run (or by another worker of it), so a repeat is
a duplicate (1), not a recheck (2). The store is the crawl state's (``state/crawl.py``), which opens it,
empties it first when the spider has ``reset_state`` set, and closes it.

An article reached through redirects (a renamed story's old URL answering 301 with the new one) is recorded with
the article URLs that redirected to it (Scrapy's ``redirect_urls``, a few at most) as aliases
(``tribun/state/recorded_aliases``): a later run finds the article under its old URL and requests it no more.

A dropped copy is recorded too, as a duplicate of the emitted article (``original`` set, like a copy emitted
with ``duplicateOf``), so that later runs do not fetch it again (``tribun/state/recorded_duplicates``). It is
recorded only once its original is in the store: at once when the original is there already, else when the
original's own ``item_scraped`` comes; a copy whose original never reaches the feed is never recorded. When a
known copy is fetched again (recheck window) without ``TRIBUN_EMIT_DUPLICATES``, it is dropped as a
duplicate again, changed or not: a copy never becomes an update of the feed.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, NoReturn, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response

from tribun_crawler import meta
from tribun_crawler import stats as stat
from tribun_crawler.state import StateStore
from tribun_crawler.state.crawl import CrawlState
from tribun_crawler.state.records import (
    ArticleRecord,
    ItemFingerprints,
    key_fingerprint,
    redirect_aliases,
    unix_time,
)

logger = logging.getLogger(__name__)


class DeduplicatePipeline:
    """One item per article and per syndicated story; remembers every emitted article across runs."""

    def __init__(self, crawler: Crawler, *, emit_duplicates: bool) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.emit_duplicates = emit_duplicates
        self.state: CrawlState | None = None
        # Items emitted whose item_scraped has not come yet (not stored yet): fingerprint -> canonical URL.
        self._keys: dict[int, str] = {}
        self._ids: dict[int, str] = {}
        self._groups: dict[int, str] = {}
        self._bodies: dict[int, str] = {}
        # Dropped copies waiting for their original to be recorded: original's key -> (record, aliases).
        self._pending: dict[int, list[tuple[ArticleRecord, tuple[int, ...]]]] = {}
        # Claims on the shared store of items in flight, released once recorded (or when the spider closes).
        self._claims: dict[str, tuple[tuple[str, int], ...]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler, emit_duplicates=crawler.settings.getbool("TRIBUN_EMIT_DUPLICATES"))
        # Connected now, after the extensions (FeedExporter among them) connected theirs: receivers run in
        # connection order, so the feed line is written before the store records the article.
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        return pipeline

    def open_spider(self) -> None:
        self.state = CrawlState.of(self.crawler)
        self.state.open()

    def close_spider(self) -> None:
        if self.state is not None:
            for url, claims in self._claims.items():
                self.state.store.release_story(url, claims)
        self._claims.clear()
        if self._pending:
            waiting = sum(len(copies) for copies in self._pending.values())
            logger.debug("%d dropped copy(ies) not recorded: their original never reached the feed", waiting)
            self._pending.clear()
        self.state = None

    def _state(self) -> CrawlState:
        if self.state is None:
            raise RuntimeError("DeduplicatePipeline used before open_spider()")
        return self.state

    def _store(self) -> StateStore:
        return self._state().store

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url: str = adapter["url"]
        fp = ItemFingerprints.of(item)
        if fp.key in self._keys:
            self._drop_duplicate("url", url, self._keys[fp.key])
        if fp.id_key is not None and fp.id_key in self._ids:
            self._drop_duplicate("id", url, self._ids[fp.id_key])
        store = self._store()
        stored = store.get(fp.key) or (store.get(fp.id_key) if fp.id_key is not None else None)
        if stored is not None and self._emitted_this_run(stored):
            self._drop_duplicate("url" if stored.key == fp.key else "id", url, stored.url)
        # Without TRIBUN_EMIT_DUPLICATES a known copy stays a duplicate: it is judged as a copy, not rechecked.
        if stored is not None and not (stored.is_duplicate and not self.emit_duplicates):
            return self._recheck(item, fp, stored)
        copy_of = (
            self._copy_of(fp) or self._recorded_copy_of(stored) or self._claimed_by_another_worker(fp, url, stored)
        )
        if copy_of is not None:
            kind, original = copy_of
            return self._duplicate(item, fp, kind, original, known=stored)
        self._remember(fp, url, original=True)
        return item

    def _emitted_this_run(self, record: ArticleRecord) -> bool:
        """A record this run wrote for an item it emitted (a dropped copy is recorded as a duplicate)."""
        return self._state().recorded_by_this_run(record) and (self.emit_duplicates or not record.is_duplicate)

    def _copy_of(self, fp: ItemFingerprints) -> tuple[str, str] | None:
        """(kind, URL of the emitted original) when the item is a copy of an emitted story, else None."""
        original = self._original_story(fp)
        if original is not None:
            return "syndicated", original
        original = self._same_body(fp)
        if original is not None:
            return "same_body", original
        return None

    def _claimed_by_another_worker(
        self, fp: ItemFingerprints, url: str, stored: ArticleRecord | None
    ) -> tuple[str, str] | None:
        """(kind, URL) when another worker on the shared store has the same story on its way to the feed.

        Its record is written only once its feed line is: until then neither the store nor this pipeline knows it,
        and two workers reading a story and its syndicated copy together would emit both.
        """
        if stored is not None:
            return None
        claims = (("group", fp.group), ("group", fp.key), ("body", fp.body))
        claimed = self._store().claim_story(url, claims)
        if claimed is None:
            self._claims[url] = claims
            return None
        kind, original = claimed
        return ("syndicated" if kind == "group" else "same_body"), original

    def _recorded_copy_of(self, stored: ArticleRecord | None) -> tuple[str, str] | None:
        """The original a known copy was recorded as a duplicate of, while that original is still known.

        Only a copy matched by its body can stop matching (its original was updated since), so the kind is
        ``same_body``; a copy found by its story keeps being found by it.
        """
        if stored is None or stored.original is None:
            return None
        original = self._emitted_url(stored.original)
        return ("same_body", original) if original is not None else None

    def _emitted_url(self, key: int) -> str | None:
        if key in self._keys:
            return self._keys[key]
        record = self._store().get(key)
        return record.url if record is not None and not record.is_duplicate else None

    def _original_story(self, fp: ItemFingerprints) -> str | None:
        # A copy of a copy names the copy in between, not the first original: an emitted copy of this item
        # (its group is this item's key) makes this item a duplicate as well as an emitted copy of its original.
        for group in (fp.group, fp.key) if fp.group != fp.key else (fp.key,):
            if group in self._groups:
                return self._groups[group]
            record = self._store().find_group(group)
            if record is not None:
                return record.url
        return None

    def _same_body(self, fp: ItemFingerprints) -> str | None:
        if fp.body in self._bodies:
            return self._bodies[fp.body]
        record = self._store().find_body(fp.body)
        return record.url if record else None

    def _remember(self, fp: ItemFingerprints, url: str, *, original: bool) -> None:
        """Note an item this pipeline emits, until its record is stored on its ``item_scraped``."""
        self._keys[fp.key] = url
        if fp.id_key is not None:
            self._ids[fp.id_key] = url
        if original:
            # An original answers for its story (its own key, and its original's when it is a copy).
            self._groups.setdefault(fp.key, url)
            self._groups.setdefault(fp.group, url)
            self._bodies.setdefault(fp.body, url)

    def _drop_duplicate(self, kind: str, url: str, original: str) -> NoReturn:
        self.stats.inc_value(stat.DUPLICATES(kind))
        raise DropItem(f"duplicate ({kind}) of {original}: {url}", log_level="DEBUG")

    def _duplicate(
        self, item: Any, fp: ItemFingerprints, kind: str, original: str, *, known: ArticleRecord | None = None
    ) -> Any:
        url = ItemAdapter(item)["url"]
        if not self.emit_duplicates:
            self._record_dropped_copy(item, fp, original, known)
            self._drop_duplicate(kind, url, original)
        self.stats.inc_value(stat.DUPLICATES(kind))
        ItemAdapter(item)["duplicateOf"] = original
        self._remember(fp, url, original=False)
        return item

    def _record_dropped_copy(self, item: Any, fp: ItemFingerprints, original: str, known: ArticleRecord | None) -> None:
        """Remember a dropped copy as a duplicate of ``original``, as soon as ``original`` is in the store."""
        original_key = key_fingerprint(original)
        record = fp.record(item, original=original_key)
        if known is not None and replace(known, recorded=0) == replace(record, recorded=0):
            return
        if original_key in self._keys:
            self._pending.setdefault(original_key, []).append((record, fp.aliases()))
        elif self._store().get(original_key) is not None:
            self._put_dropped_copy(record, fp.aliases())

    def _put_dropped_copy(self, record: ArticleRecord, aliases: tuple[int, ...]) -> None:
        self._state().record(record, aliases)
        self.stats.inc_value(stat.STATE_RECORDED_DUPLICATES)

    def _recheck(self, item: Any, fp: ItemFingerprints, stored: ArticleRecord) -> Any:
        adapter = ItemAdapter(item)
        modified = unix_time(adapter.get("dateModified"))
        changed = fp.body != stored.body or (modified is not None and modified != stored.modified)
        if not changed:
            self.stats.inc_value(stat.DROPPED_UNCHANGED)
            raise DropItem(f"unchanged since it was emitted: {adapter['url']}", log_level="DEBUG")
        self.stats.inc_value(stat.RECHECK_UPDATED)
        if stored.original is not None:
            original = self._store().get(stored.original)
            adapter["duplicateOf"] = original.url if original else adapter.get("duplicateOf")
        self._remember(fp, adapter["url"], original=stored.original is None)
        return item

    def item_scraped(self, item: Any, response: Response | None = None) -> None:
        """Record an article the feed exporter has just written (from ``response``, the page it was read from)."""
        adapter = ItemAdapter(item)
        if self.state is None or not adapter.get("url"):
            return
        fp = ItemFingerprints.of(item)
        duplicate_of = adapter.get("duplicateOf")
        record = fp.record(item, original=key_fingerprint(duplicate_of) if duplicate_of else None)
        request = response.request if response is not None else None
        redirected = redirect_aliases(meta.redirected_from(request.meta) if request else (), fp.key)
        self.state.record(record, (*fp.aliases(), *redirected))
        self.stats.inc_value(stat.STATE_RECORDED)
        if redirected:
            self.stats.inc_value(stat.STATE_RECORDED_ALIASES, len(redirected))
        self._forget(fp, adapter["url"])
        claims = self._claims.pop(adapter["url"], None)
        if claims:
            self.state.store.release_story(adapter["url"], claims)
        for copy, aliases in self._pending.pop(fp.key, ()):
            self._put_dropped_copy(copy, aliases)

    def _forget(self, fp: ItemFingerprints, url: str) -> None:
        """Drop a recorded item from the in-flight tables: the store answers for it now."""
        for table, key in (
            (self._keys, fp.key),
            (self._ids, fp.id_key),
            (self._groups, fp.key),
            (self._groups, fp.group),
            (self._bodies, fp.body),
        ):
            if key is not None and table.get(key) == url:
                del table[key]
