"""Ask the state store before fetching an article: what an earlier run emitted is not downloaded again.

Nor is a syndicated copy an earlier run dropped: the store knows it as a duplicate of the emitted article.
Only requests the spider marks ``meta["tribun_page_type"] == "article"`` are checked; listings are always
fetched, since they are where new articles appear. A known article is ignored (``IgnoreRequest``, counted
``tribun/skipped/known``) unless it was published within ``TRIBUN_RECHECK_HOURS``: then it is fetched again
(``tribun/recheck/fetched``, ``meta["tribun_recheck"] = True``) and the dedupe pipeline emits it only if it
changed. An article recorded during this run is never fetched twice in the run, recent or not.

The store finds an article under its old URLs too: those that redirected to it when it was recorded (the dedupe
pipeline records them), and those of a redirect this middleware sees end at an article the store knows (recorded
here, before the skip or the recheck). A request for an old URL is skipped or fetched again by the same rule as
the article; skipped, it counts as ``tribun/skipped/known_alias``.

An article an earlier run recorded is fetched again whatever its age when that run did not finish
(``state.runs``): this middleware marks the run open in the store when the spider opens, and removes the marker
(with those of runs started before) when the spider closes as ``finished``. While markers of other runs are
left, an article recorded since the earliest of them started is fetched again like a recheck
(``tribun/recheck/unfinished_run``), so that the links it leads to are followed even when the run that emitted it
died before fetching them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from tribun_crawler.state import StateStore, open_store
from tribun_crawler.state.records import ArticleRecord, key_fingerprint, now_ms, redirect_aliases
from tribun_crawler.state.runs import FINISHED, Refetch, RefetchRule, new_run_id

logger = logging.getLogger(__name__)

ARTICLE_PAGE_TYPE = "article"
RECHECK_META = "tribun_recheck"
REFETCH_STATS = {Refetch.RECENT: "tribun/recheck/fetched", Refetch.UNFINISHED_RUN: "tribun/recheck/unfinished_run"}


class StateMiddleware:
    """Downloader middleware: skips articles the state store knows, except recent ones (recheck window) and those
    of runs that did not finish."""

    def __init__(self, crawler: Crawler, *, recheck_hours: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.recheck_hours = recheck_hours
        self.store: StateStore | None = None
        self.rule: RefetchRule | None = None
        self.run_id = new_run_id()
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
        self.rule = RefetchRule.at_open(self.store, opened_ms=self.opened_ms, recheck_hours=self.recheck_hours)
        self.store.open_run(self.run_id, self.opened_ms)
        if self.rule.unfinished_since is not None:
            since = datetime.fromtimestamp(self.rule.unfinished_since / 1000, UTC).isoformat(timespec="seconds")
            logger.info("Runs opened since %s did not finish: the articles they recorded are read again", since)

    def spider_closed(self, reason: str) -> None:
        if self.store is None:
            return
        try:
            # Any other reason leaves the marker: the next run reads again what this one recorded.
            if reason == FINISHED:
                self.store.finish_run(self.run_id, self.opened_ms)
        finally:
            self.store.close()
            self.store = None

    def process_request(self, request: Request) -> None:
        # A retry or redirect of a recheck carries the flag: it was already let through once.
        if request.meta.get("tribun_page_type") != ARTICLE_PAGE_TYPE or request.meta.get(RECHECK_META):
            return
        if self.store is None or self.rule is None:
            raise RuntimeError("StateMiddleware got a request before spider_opened")
        key = key_fingerprint(request.url)
        record = self.store.get(key)
        if record is None:
            return
        self.remember_redirect(request, record)
        reason = self.rule.refetch_reason(record)
        if reason is not None:
            # The dedupe pipeline treats it as any recheck: emitted again only if it changed.
            request.meta[RECHECK_META] = True
            self.stats.inc_value(REFETCH_STATS[reason])
            return
        known = "a known copy of an emitted article" if record.is_duplicate else "already emitted"
        if record.key == key:
            self.stats.inc_value("tribun/skipped/known")
            raise IgnoreRequest(f"{known}: {request.url}")
        self.stats.inc_value("tribun/skipped/known_alias")
        raise IgnoreRequest(f"{known} as {record.url}: {request.url}")

    def remember_redirect(self, request: Request, record: ArticleRecord) -> None:
        """A redirect that ended at a stored article: its old URLs become aliases of it.

        Without this, an old URL whose new one was recorded first (through a listing) would be requested again by
        every run, to be redirected to an article that is then skipped or dropped as unchanged.
        """
        assert self.store is not None
        aliases = redirect_aliases(request.meta.get("redirect_urls", ()), record.key)
        if aliases:
            self.store.add_aliases(record.key, aliases)
            self.stats.inc_value("tribun/state/recorded_aliases", len(aliases))
