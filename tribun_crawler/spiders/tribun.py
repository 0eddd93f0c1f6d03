"""The ``tribun`` spider: the crawl strategy for the Tribun network, and nothing else.

What to request (section hubs, daily indexes, articles and their related articles), in what order (articles
before more listing pages), and when to stop (date window, related depth, listing page limit). Reading pages
is the extractors' job; cleaning, validating and deduplicating items is the pipelines'.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from tribun_crawler.extractors.article import ArticlePage
from tribun_crawler.extractors.listing import ListingPage
from tribun_crawler.items import ArticleItem
from tribun_crawler.sites import DEFAULT_SECTIONS, SITES, parse_site_keys
from tribun_crawler.urls import PageType, canonical_article_url, canonical_listing_url, classify_url, with_page

logger = logging.getLogger(__name__)

# Articles first, so a crawl holds few open listing chains; nearer related links before farther ones.
PRIORITY_ARTICLE = 100
PRIORITY_RELATED = 90
PRIORITY_LISTING = 0
PRIORITY_LISTING_NEXT = -10


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from exc


def _is_true(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def index_url(host: str, day: date) -> str:
    """The daily index of ``host`` for ``day``; the site writes the date without zero padding."""
    return f"https://{host}/index-news?date={day.year}-{day.month}-{day.day}"


class TribunSpider(scrapy.Spider):
    """Crawl the Tribun network into complete articles.

    Arguments (``-a name=value``), all optional:

    ``sites``
        Comma-separated site keys (``www,banyumas``) or ``all``; default ``www``.
    ``sections``
        Comma-separated section hubs to crawl on each site (``internasional,nasional``); default: the flagship's
        main hubs on ``www``, the homepage on regional sites.
    ``start_urls``
        Comma-separated URLs to start from instead: homepages, section hubs, daily index pages or articles.
    ``since``, ``until``
        Date window (``YYYY-MM-DD``, inclusive): only articles published in it are emitted or followed, and the
        daily index pages of those dates are crawled (backfill). ``until`` defaults to today.
    ``reset_state``
        ``1`` empties the state store first (see the README, "State").
    """

    name = "tribun"

    def __init__(
        self,
        *,
        sites: str | None = None,
        sections: str | None = None,
        start_urls: str | None = None,
        since: str | None = None,
        until: str | None = None,
        reset_state: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site_keys = parse_site_keys(sites)
        self.sections = _split(sections)
        self.start_urls = _split(start_urls)
        self.since = _parse_day(since, "since")
        self.until = _parse_day(until, "until")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        self.reset_state = _is_true(reset_state)

    # --- What to request first -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.initial_requests():
            yield request

    def initial_requests(self) -> Iterator[scrapy.Request]:
        if self.start_urls:
            for url in self.start_urls:
                request = self.request_for_url(url)
                if request is None:
                    logger.warning("Start URL %s is not a Tribun page the crawler reads; skipped", url)
                    self.crawler.stats.inc_value("tribun/start_urls/rejected")
                    continue
                yield request
            return
        for key in self.site_keys:
            site = SITES[key]
            for url in self.listing_start_urls(key):
                yield self.listing_request(url, priority=PRIORITY_LISTING)
            for day in self.index_days():
                yield self.listing_request(index_url(site.host, day), priority=PRIORITY_LISTING)

    def listing_start_urls(self, key: str) -> list[str]:
        """Section hubs (or the homepage) of a site; none for a backfill that ends before today."""
        if self.until and self.until < self.today():
            return []
        site = SITES[key]
        if self.sections:
            return [f"{site.home}{section.strip('/')}" for section in self.sections]
        if key == "www":
            return [f"{site.home}{section}" for section in DEFAULT_SECTIONS]
        return [site.home]

    def index_days(self) -> list[date]:
        """Days whose daily index is crawled: the window, newest first; today without a window."""
        today = self.today()
        first = self.since or today
        last = min(self.until or today, today)
        days = []
        day = last
        while day >= first:
            days.append(day)
            day -= timedelta(days=1)
        return days

    def today(self) -> date:
        return datetime.now(SITES["www"].tz).date()

    def request_for_url(self, url: str) -> scrapy.Request | None:
        page_type = classify_url(url)
        if page_type is None:
            return None
        if page_type is PageType.ARTICLE:
            return self.article_request(url, depth=0, priority=PRIORITY_ARTICLE)
        return self.listing_request(url, priority=PRIORITY_LISTING)

    def listing_request(self, url: str, *, priority: int, pages_seen: int = 1) -> scrapy.Request:
        page_type = classify_url(url)
        return scrapy.Request(
            canonical_listing_url(url),
            callback=self.parse_listing,
            priority=priority,
            meta={"tribun_page_type": page_type.value if page_type else "listing", "listing_pages": pages_seen},
        )

    def article_request(self, url: str, *, depth: int, priority: int) -> scrapy.Request:
        return scrapy.Request(
            canonical_article_url(url),
            callback=self.parse_article,
            errback=self.article_failed,
            priority=priority,
            meta={"tribun_page_type": "article", "related_depth": depth},
        )

    # --- Listings ---------------------------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            logger.warning("Listing %s is not HTML; skipped", response.url)
            self.crawler.stats.inc_value("tribun/errors/listing/not-html")
            return
        listing = ListingPage(response)
        entries = listing.articleEntries()
        self.crawler.stats.inc_value(f"tribun/pages/{response.meta.get('tribun_page_type', 'listing')}")
        if not entries:
            logger.info("Listing %s holds no article links", response.url)
            self.crawler.stats.inc_value("tribun/listing/empty")
        for entry in entries:
            if entry.published and not self.in_window(entry.published):
                self.crawler.stats.inc_value("tribun/skipped/out_of_window")
                continue
            yield self.article_request(entry.url, depth=0, priority=PRIORITY_ARTICLE)
        yield from self.next_listing_requests(response, listing)

    def next_listing_requests(self, response: Response, listing: ListingPage) -> Iterable[scrapy.Request]:
        pages_seen = int(response.meta.get("listing_pages", 1))
        if pages_seen >= self.settings.getint("TRIBUN_MAX_LISTING_PAGES"):
            return []
        oldest = listing.oldestPublished()
        if self.since and oldest and self.local_day(oldest) < self.since:
            return []  # everything further down the listing is older than the window
        # One page at a time: each page decides, by its dates, whether the next one is still worth reading.
        return [
            self.listing_request(url, priority=PRIORITY_LISTING_NEXT, pages_seen=pages_seen + 1)
            for url in listing.nextPageUrls()[:1]
        ]

    # --- Articles ---------------------------------------------------------------------------------------------

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        if not isinstance(response, TextResponse):
            self.count_unreadable(response.url, "not-html")
            return
        self.crawler.stats.inc_value("tribun/pages/article")
        page = ArticlePage(response, downloaded_at=datetime.now(UTC))
        problem = page.problem()
        if problem:
            self.count_unreadable(response.url, problem)
            return
        published = page.datePublished()
        if published and not self.in_window(datetime.fromisoformat(published)):
            self.crawler.stats.inc_value("tribun/skipped/out_of_window")
            return
        item = page.to_item() if page.isAllPages() else await self.complete_item(page)
        yield item
        for request in self.related_requests(page, response):
            yield request

    async def complete_item(self, first: ArticlePage) -> ArticleItem:
        """The whole article from its first page: ``?page=all`` in one response, else pages 2..N stitched.

        The extra pages are fetched inside this callback (through the downloader and all its middlewares, so
        robots.txt, delays and the cache apply) because the item needs every page before it can be emitted.
        """
        all_pages = await self.fetch_page(with_page(first.url(), "all"))
        if all_pages is not None and all_pages.problem() is None and all_pages.isAllPages():
            item = all_pages.to_item()
            item.pageCount = max(first.pageCount(), item.pageCount)
            item.relatedUrls = _unique([*first.relatedUrls(), *item.relatedUrls])
            return item
        self.crawler.stats.inc_value("tribun/articles/page_all_failed")
        other_pages = []
        for url in first.pageUrls():
            page = await self.fetch_page(url)
            if page is None or page.problem():
                self.crawler.stats.inc_value("tribun/articles/incomplete")
                logger.warning("Article %s emitted without page %s, which could not be read", first.url(), url)
                break
            other_pages.append(page)
        else:
            self.crawler.stats.inc_value("tribun/articles/stitched")
        return first.to_item(other_pages)

    async def fetch_page(self, url: str) -> ArticlePage | None:
        """One more page of an article being read, or None when it cannot be fetched."""
        request = scrapy.Request(url, meta={"tribun_page_type": "article_page"})
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest:
            return None  # robots.txt or a block said no; the middleware that did it counted it
        if response.status != 200 or not isinstance(response, TextResponse):
            logger.info("Page %s answered %s", url, response.status)
            self.crawler.stats.inc_value(f"tribun/errors/article_page/http_{response.status}")
            return None
        self.crawler.stats.inc_value("tribun/pages/article_page")
        return ArticlePage(response, downloaded_at=datetime.now(UTC))

    def related_requests(self, page: ArticlePage, response: Response) -> Iterator[scrapy.Request]:
        depth = int(response.meta.get("related_depth", 0)) + 1
        if depth > self.settings.getint("TRIBUN_RELATED_DEPTH"):
            return
        for url in page.relatedUrls():
            yield self.article_request(url, depth=depth, priority=PRIORITY_RELATED - depth)

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return  # robots.txt, the state store or a block decided; the middleware that did it counted it
        reason = failure.type.__name__ if failure.type else "error"
        logger.warning("Article %s could not be fetched: %s", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(f"tribun/errors/article/{reason}")

    # --- Helpers ----------------------------------------------------------------------------------------------

    def in_window(self, moment: datetime) -> bool:
        day = self.local_day(moment)
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    @staticmethod
    def local_day(moment: datetime) -> date:
        """The calendar day as the site printed it (the moment's own offset), not the UTC day."""
        return moment.date()

    def count_unreadable(self, url: str, reason: str) -> None:
        """An article page that yields no article (the run report counts it as an article read, fields empty)."""
        logger.warning("Unreadable page %s: %s", url, reason)
        self.crawler.stats.inc_value(f"tribun/unreadable/{reason}")
