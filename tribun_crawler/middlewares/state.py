"""Ask the crawl's state before fetching an article: what an earlier run emitted is not downloaded again.

Nor is a syndicated copy an earlier run dropped: the store knows it as a duplicate of the emitted article.
Only requests the spider marks as articles (:func:`tribun_crawler.meta.is_article`) are checked; listings are
always fetched, since they are where new articles appear. The rule is :class:`~tribun_crawler.state.crawl.CrawlState`'s
(:meth:`~tribun_crawler.state.crawl.CrawlState.decide`): a known article is ignored (``IgnoreRequest``, counted
``tribun/skipped/known``) unless it was published within ``TRIBUN_RECHECK_HOURS``: then it is fetched again
(``tribun/recheck/fetched``, marked a recheck in its meta) and the dedupe pipeline emits it only if it changed,
provided a change may be expected (``TRIBUN_RECHECK_AGES``, ``TRIBUN_RECHECK_BY_SITEMAP``:
:meth:`~tribun_crawler.state.crawl.CrawlState.recheck_due`); if not, it is skipped
(``tribun/skipped/recheck_not_due``).
An article recorded during this run is never fetched twice in the run, recent or not. An article an earlier run
recorded is fetched again whatever its age when that run did not finish (``tribun/recheck/unfinished_run``,
``state.runs``), so that the links it leads to are followed even when the run that emitted it died first.

The store finds an article under its old URLs too: those that redirected to it when it was recorded (the dedupe
pipeline records them), and those of a redirect this middleware sees end at an article the store knows (recorded
here, before the skip or the recheck). A request for an old URL is skipped or fetched again by the same rule as
the article; skipped, it counts as ``tribun/skipped/known_alias``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from tribun_crawler import meta
from tribun_crawler import stats as stat
from tribun_crawler.state.crawl import CrawlState, Decision, Verdict
from tribun_crawler.state.records import key_fingerprint, redirect_aliases
from tribun_crawler.state.runs import Refetch

REFETCH_STATS = {Refetch.RECENT: stat.RECHECK_FETCHED, Refetch.UNFINISHED_RUN: stat.RECHECK_UNFINISHED_RUN}


class StateMiddleware:
    """Downloader middleware: skips articles the state store knows, except recent ones (recheck window) and those
    of runs that did not finish."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        # A retry or redirect of a recheck carries the flag: it was already let through once.
        if not meta.is_article(request.meta) or meta.is_recheck(request.meta):
            return
        decision = CrawlState.of(self.crawler).decide(request.url, **sitemap_evidence(request.meta))
        if decision.verdict is Verdict.NEW:
            return
        self.remember_redirect(request, decision)
        refetch = decision.recheck
        if refetch is not None:
            # The dedupe pipeline treats it as any recheck: emitted again only if it changed.
            request.meta[meta.RECHECK] = True
            self.stats.inc_value(REFETCH_STATS[refetch])
            return
        record = decision.record
        assert record is not None
        if decision.verdict is Verdict.RECHECK_NOT_DUE:
            self.stats.inc_value(stat.SKIPPED("recheck_not_due"))
            raise IgnoreRequest(f"recent, no sign of a change since it was read (recheck not due): {request.url}")
        known = "a known copy of an emitted article" if record.is_duplicate else "already emitted"
        if record.key == key_fingerprint(request.url):
            self.stats.inc_value(stat.SKIPPED("known"))
            raise IgnoreRequest(f"{known}: {request.url}")
        self.stats.inc_value(stat.SKIPPED("known_alias"))
        raise IgnoreRequest(f"{known} as {record.url}: {request.url}")

    def remember_redirect(self, request: Request, decision: Decision) -> None:
        """A redirect that ended at a stored article: its old URLs become aliases of it.

        Without this, an old URL whose new one was recorded first (through a listing) would be requested again by
        every run, to be redirected to an article that is then skipped or dropped as unchanged.
        """
        assert decision.record is not None
        aliases = redirect_aliases(request.meta.get("redirect_urls", ()), decision.record.key)
        if aliases:
            CrawlState.of(self.crawler).add_aliases(decision.record.key, aliases)
            self.stats.inc_value(stat.STATE_RECORDED_ALIASES, len(aliases))


def sitemap_evidence(request_meta: dict[str, Any]) -> dict[str, Any]:
    """What the sitemap entry that led to a request says (``CrawlState.decide``'s ``listed`` and ``lastmod``):
    the spider asked for a stored article because its entry showed a change, which the middleware must not take
    for a mere mention (``TRIBUN_RECHECK_BY_SITEMAP``). Nothing for a request no sitemap led to."""
    hints = meta.sitemap_hints(request_meta)
    if hints is None:
        return {}
    lastmod = hints.get("lastmod")
    try:
        return {"listed": True, "lastmod": datetime.fromisoformat(lastmod) if lastmod else None}
    except (TypeError, ValueError):
        return {"listed": True, "lastmod": None}
