"""Ask the state store before fetching an article: what an earlier run emitted is not downloaded again.

Nor is a syndicated copy an earlier run dropped: the store knows it as a duplicate of the emitted article.
Only requests the spider marks ``meta["tribun_page_type"] == "article"`` are checked; listings are always
fetched, since they are where new articles appear. A known article is ignored (``IgnoreRequest``, counted
``tribun/skipped/known``) unless it was published within ``TRIBUN_RECHECK_HOURS``: then it is fetched again
(``tribun/recheck/fetched``, ``meta["tribun_recheck"] = True``) and the dedupe pipeline emits it only if it
changed. An article recorded during this run is never fetched twice in the run, recent or not.
"""

from __future__ import annotations

import time
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from tribun_crawler.state import StateStore, open_store
from tribun_crawler.state.records import ArticleRecord, key_fingerprint, now_ms

ARTICLE_PAGE_TYPE = "article"
RECHECK_META = "tribun_recheck"


class StateMiddleware:
    """Downloader middleware: skips articles the state store knows, except recent ones (recheck window)."""

    def __init__(self, crawler: Crawler, *, recheck_hours: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.recheck_seconds = recheck_hours * 3600
        self.store: StateStore | None = None
        self.opened_ms = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler, recheck_hours=crawler.settings.getfloat("TRIBUN_RECHECK_HOURS", 48))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self) -> None:
        # Item pipelines open before spider_opened is sent, so a requested reset_state has already happened.
        self.store = open_store(self.crawler.settings)
        self.opened_ms = now_ms()

    def spider_closed(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_request(self, request: Request) -> None:
        # A retry or redirect of a recheck carries the flag: it was already let through once.
        if request.meta.get("tribun_page_type") != ARTICLE_PAGE_TYPE or request.meta.get(RECHECK_META):
            return
        if self.store is None:
            raise RuntimeError("StateMiddleware got a request before spider_opened")
        record = self.store.get(key_fingerprint(request.url))
        if record is None:
            return
        if record.recorded < self.opened_ms and self._is_recent(record):
            request.meta[RECHECK_META] = True
            self.stats.inc_value("tribun/recheck/fetched")
            return
        self.stats.inc_value("tribun/skipped/known")
        known = "a known copy of an emitted article" if record.is_duplicate else "already emitted"
        raise IgnoreRequest(f"{known}: {request.url}")

    def _is_recent(self, record: ArticleRecord) -> bool:
        return record.published is not None and time.time() - record.published < self.recheck_seconds
