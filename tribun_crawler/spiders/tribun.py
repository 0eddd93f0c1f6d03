"""The ``tribun`` spider: the crawl strategy for the Tribun network, and nothing else.

What to request (section hubs, daily indexes and sitemaps of the sites due for discovery, articles and their
related articles), in what order (articles before more listing pages), and when to stop (date window, related
depth, listing page limit, sitemap nesting, what the state store already has). Reading pages is the extractors'
job; cleaning, validating and deduplicating items is the pipelines'.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from tribun_crawler import meta, polling
from tribun_crawler import stats as stat
from tribun_crawler.clock import crawl_now
from tribun_crawler.dates import isoformat
from tribun_crawler.distributed import shared_run_of
from tribun_crawler.distributed.depths import SharedDepths
from tribun_crawler.extractors.article import ArticlePage, with_next_page
from tribun_crawler.extractors.listing import ListingPage
from tribun_crawler.extractors.sitemap import SitemapFile, SitemapKind, SitemapLink, UrlEntry, sitemaps_in_robots_txt
from tribun_crawler.failures import report_failed_page, requested_url
from tribun_crawler.items import ArticleItem
from tribun_crawler.meta import PageKind
from tribun_crawler.middlewares.discovery import DiscoveryCacheMiddleware
from tribun_crawler.middlewares.discovery import why_off as discovery_cache_off
from tribun_crawler.polling import PollPolicy
from tribun_crawler.sites import DEFAULT_SECTIONS, SITES, WIB, site_key
from tribun_crawler.spiders.arguments import CrawlArguments
from tribun_crawler.spiders.multipage import ArticleParts
from tribun_crawler.spiders.related import DepthStore, LocalDepths, RelatedLinks
from tribun_crawler.state.crawl import CrawlState, Verdict
from tribun_crawler.urls import (
    PageType,
    canonical_article_url,
    canonical_listing_url,
    classify_url,
    host_of,
    on_network,
    with_page,
)

logger = logging.getLogger(__name__)

# Articles first, so a crawl holds few open listing chains; nearer related links before farther ones.
PRIORITY_ARTICLE = 100
# The rest of an article being read, before any other article: it is emitted once its last page is read.
PRIORITY_ARTICLE_PAGE = 110
PRIORITY_RELATED = 90
PRIORITY_LISTING = 0
PRIORITY_LISTING_NEXT = -10
PRIORITY_SITEMAP = 0

#: Sitemap indexes are followed this many levels below a start sitemap (Tribun nests at most two), so a chain
#: of indexes, however it is built, ends.
MAX_SITEMAP_DEPTH = 3
#: Verdicts of a sitemap entry that request the article (``sitemap_entry_verdict``): new, changed, or one of a run
#: that did not finish; one this run recorded is requested too and left to the dupefilter, like any repeated link.
SITEMAP_FETCHED = frozenset({Verdict.NEW, Verdict.RECENT, Verdict.UNFINISHED_RUN, Verdict.THIS_RUN})
#: The key of the related-link depths in ``spider.state``, which Scrapy's SpiderState keeps in a ``JOBDIR``.
JOB_DEPTHS = "tribun_related_depths"
#: Answers that say a guessed sitemap is not published there: counted (``tribun/sitemap/absent``), not failures.
SITEMAP_ABSENT_STATUSES = (404, 410)


def _asks_for_all_pages(url: str) -> bool:
    """True for a ``?page=all`` URL: when its answer still shows paging, the site ignored it (some pages do)."""
    return any(key == "page" and value.lower() == "all" for key, value in parse_qsl(urlsplit(url).query))


def _variant(url: str) -> str:
    """How a failed-page report names the way an article was asked for."""
    return "page=all" if _asks_for_all_pages(url) else "plain"


def _is_article_page(page: ArticlePage) -> bool:
    """A page of an article, even one with nothing to read (a video, a template the extractors do not know): every
    era shows a title and a publication date. The homepage, a listing or an error page served in its place shows
    no publication date."""
    return page.headline() is not None and page.datePublished() is not None


def _failure_reason(failure: Failure) -> str:
    """A failure's reason in the failed-page families, for one no middleware reported."""
    if isinstance(failure.value, HttpError):
        return f"http/{failure.value.response.status}"
    return f"download/{failure.type.__name__ if failure.type else 'error'}"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def index_url(host: str, day: date) -> str:
    """The daily index of ``host`` for ``day``; the site writes the date without zero padding."""
    return f"https://{host}/index-news?date={day.year}-{day.month}-{day.day}"


def sitemap_start_urls(key: str) -> list[str]:
    """Where a site's sitemaps are looked for, in order, besides its robots.txt ``Sitemap:`` lines.

    First the standard ``/sitemap.xml``: the flagship's index, and on some regional hosts the only file, an index
    of per-section news sitemaps. Then, on regional hosts, the names Tribun gives their news and web sitemaps (or
    indexes of them). A file an earlier one already named is requested once: the dupefilter drops the repeat.
    """
    home = SITES[key].home
    if key == "www":
        return [f"{home}sitemap.xml"]
    return [f"{home}sitemap.xml", f"{home}sitemap_news.xml", f"{home}sitemap_web.xml"]


def change_sitemap_start_urls(key: str) -> list[str]:
    """Where a site's changes are looked for (``-a discover=changes``): :func:`sitemap_start_urls` but the regional
    news sitemap's name, whose entries carry no ``lastmod``. The flagship's index lists both kinds by section: they
    are told apart by what their entries say, not by name, so all of them are read (held alike between reads)."""
    return [url for url in sitemap_start_urls(key) if not url.endswith("/sitemap_news.xml")]


class TribunSpider(scrapy.Spider):
    """Crawl the Tribun network into complete articles: what to request, in what order, with what priority, and
    when to stop. Its arguments (``-a name=value``) are :class:`CrawlArguments` (``spiders/arguments.py``; the
    README's "Spider arguments" table).
    """

    name = "tribun"

    def __init__(
        self,
        *,
        sites: str | None = None,
        sections: str | None = None,
        discover: str | None = None,
        start_urls: str | None = None,
        since: str | None = None,
        until: str | None = None,
        reset_state: str | None = None,
        force: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.arguments = CrawlArguments.parse(
            sites=sites,
            sections=sections,
            discover=discover,
            start_urls=start_urls,
            since=since,
            until=until,
            reset_state=reset_state,
            force=force,
        )
        self.window = self.arguments.window
        # Scrapy's name for them; read by tools that list a spider's start URLs.
        self.start_urls = self.arguments.start_urls
        # Read by the crawl state (state/crawl.py) when it opens the store.
        self.reset_state = self.arguments.reset_state
        self._related: RelatedLinks | None = None
        # Sitemap URLs robots.txt named: never taken for a guess the host does not publish.
        self._named_sitemaps: set[str] = set()
        # Sites whose discovery this run makes (adaptive polling chose them, once), and the run's moment that chose
        # them.
        self._discovering: list[str] | None = None
        self._poll_now: datetime | None = None
        self._last_discoveries: dict[str, datetime] = {}
        #: The thresholds of adaptive polling (TRIBUN_*_POLL_* settings), checked when the crawler builds the spider.
        self.poll_policy: PollPolicy | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Settings that cannot work stop the crawl before it starts, as a bad argument does.
        spider.poll_policy = PollPolicy.from_settings(crawler.settings)
        # robots.txt is fetched once per host by Scrapy's RobotsTxtMiddleware; its Sitemap: lines are read from
        # that same response rather than from a second request.
        crawler.signals.connect(spider.robots_txt_received, signal=signals.response_received)
        crawler.signals.connect(spider.tell_state_of_sitemaps, signal=signals.spider_opened)
        return spider

    def tell_state_of_sitemaps(self) -> None:
        """A run that discovers by sitemaps: they show every change of the chosen sites' recent articles, due this
        run or not, so those are read again on their evidence alone (``CrawlState.recheck_due``). On every worker
        of a distributed crawl, not only the one that seeds its start requests.

        A run that reads them for changes only (``-a discover=changes``) does so for the sites whose sitemaps have
        shown their changes lately (:meth:`DiscoveryCacheMiddleware.changes_shown_by`): a site whose sitemaps are
        refused (some cloud addresses get 403 on them, docs/site.md) or absent keeps being read again by the ages
        of ``TRIBUN_RECHECK_AGES``."""
        if self.start_urls:
            return
        sites = self.arguments.site_keys
        if "sitemaps" not in self.arguments.discover:
            if not self.reads_changes_only():
                return
            cache = self.discovery_cache
            if cache is not None:
                shown = cache.changes_shown_by()
                sites = [key for key in sites if SITES[key].host in shown]
        CrawlState.of(self.crawler).changes_from_sitemaps(sites)

    def related_links(self) -> RelatedLinks:
        """Related-link depths of the articles asked for (built on first use: the settings are the crawler's), in
        the run's Redis when workers share the crawl (distributed/depths.py), else in this worker's memory; with
        ``JOBDIR``, in ``spider.state``, which Scrapy keeps between the runs of a job.

        A resumed job's queue holds requests with the depth they were made at, and its dupefilter drops the nearer
        request a re-read article makes again: without the depths the job learned, an article queued far and
        named nearer before the stop would be read far, and the links it holds back never followed.

        A method, not a property: Scrapy's FeedExporter reads every attribute of the spider when it opens a feed,
        before SpiderState gives the spider its ``state``; a property built there kept the depths out of the job."""
        if self._related is None:
            shared = shared_run_of(self.crawler)
            store: DepthStore | None = None
            if shared is not None:
                store = SharedDepths(shared[0], shared[1].key("related"))
            elif isinstance(job := getattr(self, "state", None), dict):
                store = job.setdefault(JOB_DEPTHS, LocalDepths())
            self._related = RelatedLinks(self.settings.getint("TRIBUN_RELATED_DEPTH"), store)
        return self._related

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
                    self.crawler.stats.inc_value(stat.START_URLS_REJECTED)
                    continue
                yield request
            return
        changes_only = self.reads_changes_only()
        for key in self.sites_to_discover():
            site = SITES[key]
            if "sections" in self.arguments.discover:
                for url in self.listing_start_urls(key):
                    yield self.discovery(self.listing_request(url, priority=PRIORITY_LISTING), key)
            if "index" in self.arguments.discover:
                for day in self.index_days():
                    yield self.discovery(
                        self.listing_request(index_url(site.host, day), priority=PRIORITY_LISTING), key
                    )
                yield from self.day_before_request(key)
            if "sitemaps" in self.arguments.discover:
                yield self.discovery(self.guessed_sitemap_request(sitemap_start_urls(key)), key)
            elif changes_only:
                request = self.guessed_sitemap_request(change_sitemap_start_urls(key))
                request.meta[meta.CHANGES_ONLY] = True
                yield self.discovery(request, key)

    def reads_changes_only(self) -> bool:
        """Whether this run reads the chosen sites' sitemaps for their changes only (``-a discover=changes``
        without ``sitemaps``): listings find the new articles. Not in a backfill that ends before today (a sitemap
        lists the last two days), nor without the discovery cache, which holds them between reads: read on every
        look, the flagship's 25 files would cost more than the rechecks by age they spare."""
        discover = self.arguments.discover
        return (
            "changes" in discover
            and "sitemaps" not in discover
            and not self.window.ends_before(self.today())
            and discovery_cache_off(self.settings) is None
        )

    # --- Adaptive polling: which sites are discovered (tribun_crawler/polling.py) ------------------------------

    def polls_adaptively(self) -> bool:
        """Whether this run discovers only the sites due: ``TRIBUN_ADAPTIVE_POLLING`` on and no ``-a force=1``. A
        run with a date window (``since``/``until``: a backfill the user asked for) discovers every chosen site."""
        window = self.arguments.since is not None or self.arguments.until is not None
        return self.settings.getbool("TRIBUN_ADAPTIVE_POLLING") and not self.arguments.force and not window

    def sites_to_discover(self) -> list[str]:
        """The chosen sites whose discovery this run makes, in their order: those due, or all of them (decided on
        the first call)."""
        if self._discovering is None:
            self._poll_now = now = crawl_now(self.settings)
            keys = self.arguments.site_keys
            if self.polls_adaptively():
                self._last_discoveries = CrawlState.of(self.crawler).last_discoveries()
                self._discovering = self.due_sites(keys, now)
            else:
                self._discovering = list(keys)
                if self.arguments.force:
                    logger.info("-a force=1: every chosen site is discovered, due or not (%d)", len(keys))
            self.crawler.stats.set_value(stat.DISCOVERY_DUE, len(self._discovering))
        return self._discovering

    def due_sites(self, keys: Sequence[str], now: datetime) -> list[str]:
        """The sites of ``keys`` due at ``now``; each other one is counted (``tribun/discovery/not_due/<host>``)."""
        state = CrawlState.of(self.crawler)
        policy = self.poll_policy or PollPolicy.from_settings(self.settings)
        due: list[str] = []
        for key in keys:
            last = self._last_discoveries.get(key)
            decision = polling.by_interval(last, now, policy)
            if decision is None:
                assert last is not None
                published = state.publish_times(key, last - polling.HISTORY)
                decision = polling.decide(published, last, now, tz=SITES[key].tz, policy=policy)
            logger.debug(
                "Site %s: %s (%s, %.2f new article(s) expected since %s)",
                key,
                "due" if decision.due else "not due",
                decision.reason,
                decision.expected,
                last.isoformat(timespec="seconds") if last else "never",
            )
            if decision.due:
                due.append(key)
            else:
                self.crawler.stats.inc_value(stat.DISCOVERY_NOT_DUE(SITES[key].host))
        logger.info(
            "Adaptive polling: %d of %d site(s) due, %d not due yet (-a force=1 discovers every site)",
            len(due),
            len(keys),
            len(keys) - len(due),
        )
        return due

    def discovery(self, request: scrapy.Request, key: str) -> scrapy.Request:
        """A discovery request of site ``key``; its answer, read, makes the site polled in this run, when the run
        looks at the present (a backfill that ends before today reads no page of today)."""
        if not self.window.ends_before(self.today()):
            request.meta[meta.DISCOVERY_SITE] = key
        return request

    def discovery_read(self, response: Response) -> None:
        """A discovery page read: its site is polled in this run (recorded as discovered when the run finishes)."""
        site = meta.discovery_site(response.meta)
        if site is not None and self._poll_now is not None:
            CrawlState.of(self.crawler).polled(site, self._poll_now)

    def listing_start_urls(self, key: str) -> list[str]:
        """Section hubs (or the homepage) of a site; none for a backfill that ends before today."""
        if self.window.ends_before(self.today()):
            return []
        site = SITES[key]
        if self.arguments.sections:
            return [f"{site.home}{section.strip('/')}" for section in self.arguments.sections]
        if key == "www":
            return [f"{site.home}{section}" for section in DEFAULT_SECTIONS]
        return [site.home]

    def index_days(self) -> list[date]:
        """Days whose daily index is crawled: the window, newest first; today without a window."""
        return list(self.window.days(self.today()))

    def day_before_request(self, key: str) -> list[scrapy.Request]:
        """The daily index of yesterday, for what a site published between its last discovery, yesterday, and
        midnight: today's index does not list it, and adaptive polling may leave a site two hours undiscovered.
        Read only as far down as that discovery (``meta.LISTING_SINCE``); only by runs that poll adaptively (a
        run with a date window reads its own days), and not for a site last discovered today, or never."""
        last = self._last_discoveries.get(key)
        if last is None:
            return []
        yesterday = self.today() - timedelta(days=1)
        if last.astimezone(SITES["www"].tz).date() != yesterday:
            return []
        request = self.listing_request(index_url(SITES[key].host, yesterday), priority=PRIORITY_LISTING)
        request.meta[meta.LISTING_SINCE] = int(last.timestamp())
        return [self.discovery(request, key)]

    def today(self) -> date:
        return crawl_now(self.settings).astimezone(SITES["www"].tz).date()

    def request_for_url(self, url: str) -> scrapy.Request | None:
        page_type = classify_url(url)
        if page_type is None:
            return None
        if page_type is PageType.ARTICLE:
            self.related_links().reached(url, 0)
            return self.article_request(url, depth=0, priority=PRIORITY_ARTICLE)
        return self.listing_request(url, priority=PRIORITY_LISTING)

    def listing_request(self, url: str, *, priority: int, pages_seen: int = 1) -> scrapy.Request:
        page_type = classify_url(url)
        return scrapy.Request(
            canonical_listing_url(url),
            callback=self.parse_listing,
            priority=priority,
            meta={meta.PAGE_KIND: PageKind.of_page_type(page_type), meta.LISTING_PAGES: pages_seen},
        )

    def article_request(
        self, url: str, *, depth: int, priority: int, sitemap: dict[str, Any] | None = None
    ) -> scrapy.Request:
        # Its failures are held for the spider: when ?page=all fails for good, the plain URL may still answer.
        request_meta: dict[str, Any] = {
            meta.PAGE_KIND: PageKind.ARTICLE,
            meta.RELATED_DEPTH: depth,
            meta.HELD_FAILURES: [],
        }
        if sitemap:
            request_meta[meta.SITEMAP_HINTS] = sitemap
        # ?page=all: a whole multi-page article in one response (docs/site.md#multi-page-articles), and a single-page
        # article as it is; asking for it first saves the plain page's request on every multi-page article.
        return scrapy.Request(
            with_page(url, "all"),
            callback=self.parse_article,
            errback=self.article_failed,
            priority=priority,
            meta=request_meta,
        )

    def sitemap_request(self, url: str, *, depth: int) -> scrapy.Request:
        return scrapy.Request(
            canonical_listing_url(url),
            callback=self.parse_sitemap,
            errback=self.sitemap_failed,
            priority=PRIORITY_SITEMAP,
            meta={meta.PAGE_KIND: PageKind.SITEMAP, meta.SITEMAP_DEPTH: depth},
        )

    def guessed_sitemap_request(self, urls: Sequence[str]) -> scrapy.Request:
        """The first of ``urls`` (sitemap names to look for on one host, in order); the next is requested once it is
        answered, so that what robots.txt and the earlier files name is requested first, as named, not as a guess.
        """
        request = self.sitemap_request(urls[0], depth=0)
        request.meta[meta.SITEMAP_GUESSES] = list(urls[1:])
        # A guess may be absent: its 404 comes to parse_sitemap instead of being a failed page.
        request.meta["handle_httpstatus_list"] = list(SITEMAP_ABSENT_STATUSES)
        return request

    # --- Listings ---------------------------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if self.not_modified(response):
            return
        if not isinstance(response, TextResponse):
            self.report_unreadable(response, "not-html")
            return
        self.discovery_read(response)
        listing = ListingPage(response)
        entries = listing.articleEntries()
        self.crawler.stats.inc_value(stat.PAGES(meta.page_kind(response.meta) or PageKind.LISTING))
        if not entries:
            logger.info("Listing %s holds no article links", response.url)
            self.crawler.stats.inc_value(stat.LISTING_EMPTY)
        for entry in entries:
            if entry.published and not self.window.holds(entry.published):
                self.crawler.stats.inc_value(stat.SKIPPED("out_of_window"))
                continue
            yield from self.article_requests(entry.url, depth=0, priority=PRIORITY_ARTICLE)
        yield from self.next_listing_requests(response, listing)

    def next_listing_requests(self, response: Response, listing: ListingPage) -> Iterable[scrapy.Request]:
        pages_seen = meta.listing_pages(response.meta)
        if pages_seen >= self.settings.getint("TRIBUN_MAX_LISTING_PAGES"):
            return []
        oldest = listing.oldestPublished()
        if self.window.before_start(oldest):
            return []  # everything further down the listing is older than the window
        since = meta.listing_since(response.meta)
        if since is not None and oldest is not None and oldest.timestamp() < since:
            return []  # further down was listed when the site was last discovered
        # One page at a time: each page decides, by its dates, whether the next one is still worth reading.
        return [
            self.listing_request(url, priority=PRIORITY_LISTING_NEXT, pages_seen=pages_seen + 1)
            for url in listing.nextPageUrls()[:1]
        ]

    # --- Sitemaps ---------------------------------------------------------------------------------------------

    def robots_txt_received(self, response: Response, request: Request) -> None:
        """A chosen site's robots.txt: its ``Sitemap:`` lines are sitemaps to start from too.

        Connected to ``response_received``, which also fires for the robots.txt RobotsTxtMiddleware fetches
        (``ROBOTSTXT_OBEY``); requests it names twice are dropped by the dupefilter.
        """
        if "sitemaps" not in self.arguments.discover or self.start_urls or response.status != 200:
            return
        parts = urlsplit(response.url)
        key = site_key(parts.hostname)
        # A site not due this run (reached through a related link) is not discovered from its robots.txt either.
        if parts.path != "/robots.txt" or key is None or key not in self.sites_to_discover():
            return
        for url in sitemaps_in_robots_txt(response.body):
            sitemap = self.nested_sitemap_request(url, depth=0)
            if sitemap is not None:
                sitemap = self.discovery(sitemap, key)
                self.crawler.stats.inc_value(stat.SITEMAP_FROM_ROBOTS_TXT)
                # The guess of the same URL may be on its way already (it is what fetched robots.txt): then the
                # dupefilter drops this request, and the guess must not take the file for an unpublished one.
                self._named_sitemaps.add(sitemap.url)
                self.crawler.engine.crawl(sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index (its sitemaps are followed) or a news/web sitemap (its new articles are requested).

        The file is read as a stream and each request is yielded as soon as its entry is read. A file that is
        not a readable sitemap is logged and counted (``tribun/errors/sitemap/<problem>``); the entries read
        before its error are kept. A guessed name the host does not publish (404) is counted
        (``tribun/sitemap/absent``). After a guess, the next name of its host is requested.
        """
        if response.status in SITEMAP_ABSENT_STATUSES:
            self.sitemap_absent(response)
        else:
            self.discovery_read(response)
            yield from self.read_sitemap(response)
        yield from self.next_guessed_sitemap(response.meta)

    def sitemap_absent(self, response: Response) -> None:
        request = response.request
        url = requested_url(request) if request is not None else response.url
        if url in self._named_sitemaps:
            # robots.txt names it: a missing file is the site's fault, as when an index names one.
            logger.warning("Sitemap %s could not be fetched: HTTP %s", url, response.status)
            self.crawler.stats.inc_value(stat.ERRORS(f"sitemap/http_{response.status}"))
            report_failed_page(self.crawler, url, f"http/{response.status}", f"HTTP {response.status}", "sitemap")
            return
        logger.info("No sitemap at %s (HTTP %s): the host does not publish that name", url, response.status)
        self.crawler.stats.inc_value(stat.SITEMAP_ABSENT)
        if response.status >= 400:
            self.crawler.stats.inc_value(stat.SITEMAP_ABSENT_STATUS(response.status))

    def next_guessed_sitemap(self, request_meta: dict[str, Any]) -> list[scrapy.Request]:
        """The request for the next sitemap name to look for on the host of a guessed one, if any is left."""
        guesses = meta.sitemap_guesses(request_meta)
        if not guesses:
            return []
        request = self.guessed_sitemap_request(guesses)
        site = meta.discovery_site(request_meta)
        if site is not None:
            request.meta[meta.DISCOVERY_SITE] = site
        meta.carry_changes_only(request_meta, request.meta)
        return [request]

    def read_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        # Not modified since a finished run read it (middlewares/discovery.py): a url set holds nothing new, but an
        # index is read again, as its files are what change; those it lists at the lastmod a finished run saw are
        # not asked for, the others are asked for again conditionally.
        unchanged = meta.not_modified(response.meta)
        if not unchanged:
            self.crawler.stats.inc_value(stat.PAGES("sitemap"))
        depth = meta.sitemap_depth(response.meta)
        sitemap = SitemapFile(
            response.body, max_size=self.decompressed_size_limit(response), default_tz=self.tz_of(response.url)
        )
        for entry in sitemap.entries():
            if unchanged and isinstance(entry, UrlEntry):
                break
            request: scrapy.Request | None
            if isinstance(entry, SitemapLink):
                request = self.nested_sitemap_request(entry.loc, depth=depth + 1, lastmod=entry.lastmod)
                if request is not None:
                    meta.carry_changes_only(response.meta, request.meta)
            else:
                request = self.sitemap_article_request(entry)
            if request is not None:
                yield request
                if isinstance(entry, UrlEntry):
                    yield from self.requests_reached_at(entry.loc, 0)
        if unchanged and sitemap.kind is not SitemapKind.INDEX:
            self.not_modified(response)
            return
        if sitemap.problem:
            logger.warning(
                "Sitemap %s is not readable (%s: %s); entries read before that are kept",
                response.url,
                sitemap.problem,
                sitemap.detail,
            )
            self.crawler.stats.inc_value(stat.ERRORS(f"sitemap/{sitemap.problem}"))
            return
        self.crawler.stats.inc_value(stat.SITEMAP_READ(sitemap.kind))
        if sitemap.compressed:
            self.crawler.stats.inc_value(stat.SITEMAP_READ("gzip"))

    def nested_sitemap_request(self, url: str, *, depth: int, lastmod: datetime | None = None) -> scrapy.Request | None:
        """The request for a sitemap an index (at ``lastmod``) or a robots.txt names: on a chosen site, not nested too
        deep, and not listed at the ``lastmod`` a finished run read it at."""
        key = site_key(urlsplit(url).hostname)
        if not on_network(url) or key is None:
            reason = "off_network"
        elif key not in self.arguments.site_keys:
            reason = "other_site"
        elif depth > MAX_SITEMAP_DEPTH:
            reason = "too_deep"
        else:
            request = self.sitemap_request(url, depth=depth)
            if lastmod is None:
                return request
            request.meta[meta.SITEMAP_LISTED_LASTMOD] = lastmod.isoformat()
            cache = self.discovery_cache
            if cache is None or not cache.sitemap_unchanged(request, lastmod.isoformat()):
                return request
            logger.debug("Sitemap %s unchanged since a finished run read it (lastmod %s)", url, lastmod.isoformat())
            self.crawler.stats.inc_value(stat.DISCOVERY_SITEMAP_UNCHANGED)
            return None
        logger.info("Sitemap %s not followed: %s", url, reason)
        self.crawler.stats.inc_value(stat.SITEMAP_SKIPPED(reason))
        return None

    def sitemap_article_request(self, entry: UrlEntry) -> scrapy.Request | None:
        """The request for an article a sitemap lists, or None when it is skipped (and counted).

        A stored article the entry shows changed is asked for past the dupefilter when a listing or link named it
        earlier in this run and the state middleware ignored that request (no sign of a change then,
        :meth:`named_and_ignored`), which still took the URL's fingerprint: without this the change the sitemap
        shows would wait for the next run that reads the sitemap, hours later (the default
        ``discover=sections,index,changes`` reads both).
        """
        self.crawler.stats.inc_value(stat.SITEMAP_ENTRIES)
        verdict = self.sitemap_entry_verdict(entry)
        if verdict not in SITEMAP_FETCHED:
            logger.debug("Sitemap entry %s skipped: %s", entry.loc, verdict)
            self.crawler.stats.inc_value(stat.SITEMAP_SKIPPED(verdict))
            if verdict in ("out_of_window", "known", "known_alias", "unchanged"):
                # Run-wide skips: articles the run knows about and chose not to fetch (the run report's "skipped").
                self.crawler.stats.inc_value(stat.SKIPPED(verdict))
            return None
        self.crawler.stats.inc_value(stat.SITEMAP_REQUESTED)
        hints = {
            "datePublished": isoformat(entry.publication_date),
            "keywords": list(entry.keywords),
            # The evidence the state middleware decides by again (a changed lastmod is a recheck, not a skip).
            "lastmod": isoformat(entry.lastmod),
        }
        request = self.article_request(entry.loc, depth=0, priority=PRIORITY_ARTICLE, sitemap=hints)
        if verdict == Verdict.RECENT and self.named_and_ignored(entry.loc):
            request.dont_filter = True
        return request

    def named_and_ignored(self, url: str) -> bool:
        """Whether this run asked for the stored recent article at ``url`` before (a listing or link named it) and
        the state middleware ignores that request: nothing said it may have changed (``CrawlState.decide``,
        the middleware's decision for a request no sitemap led to). When it is read on that request, a second one
        would fetch it twice."""
        if not self.related_links().asked_before(url):
            return False
        decision = CrawlState.of(self.crawler).decide(canonical_article_url(url))
        return decision.verdict is Verdict.RECHECK_NOT_DUE

    def sitemap_entry_verdict(self, entry: UrlEntry) -> str:
        """What becomes of an entry: a verdict of :data:`SITEMAP_FETCHED` (requested), or why it is not.

        ``off_network`` and ``not_article`` (the URL), ``out_of_window`` (its dates), ``known`` (stored by an
        earlier run and published before the recheck window; ``known_alias`` when the entry is an old URL of a
        stored article, one that redirected to it) or ``unchanged`` (stored, published within the
        window, and the entry shows no later change). Within the window the sitemap's evidence decides rather
        than the article's age: only a ``lastmod`` later than the stored ``dateModified`` fetches it again
        (``recent``). A news entry has no ``lastmod``; the web sitemap's entry of the same article carries the
        change. An article this run already recorded is left to the request dupefilter, like any repeated link
        (``this_run``); one a run that did not finish recorded is requested, whatever its dates, as the state
        middleware does (``state.runs``).
        """
        if not on_network(entry.loc):
            return "off_network"
        if classify_url(entry.loc) is not PageType.ARTICLE:
            return "not_article"
        if self.window.excludes_entry(entry.publication_date, entry.lastmod):
            return "out_of_window"
        decision = CrawlState.of(self.crawler).decide(
            canonical_article_url(entry.loc), listed=True, lastmod=entry.lastmod
        )
        return str(decision.verdict)

    def sitemap_failed(self, failure: Failure) -> list[scrapy.Request]:
        """Count a sitemap that could not be fetched; after a guessed one, the next name of its host is requested."""
        request = failure.request  # type: ignore[attr-defined]
        following = self.next_guessed_sitemap(request.meta)
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return following  # robots.txt or a block decided; the middleware that did it counted it
        if isinstance(failure.value, HttpError):
            reason = f"http_{failure.value.response.status}"
        else:
            reason = failure.type.__name__ if failure.type else "error"
        logger.warning("Sitemap %s could not be fetched: %s", request.url, failure.getErrorMessage())
        self.crawler.stats.inc_value(stat.ERRORS(f"sitemap/{reason}"))
        return following

    def decompressed_size_limit(self, response: Response) -> int:
        return int(response.meta.get("download_maxsize") or self.settings.getint("DOWNLOAD_MAXSIZE"))

    @staticmethod
    def tz_of(url: str) -> tzinfo:
        key = site_key(urlsplit(url).hostname)
        return SITES[key].tz if key else WIB

    # --- Articles ---------------------------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            yield from self.article_unreadable(response, "not-html", served_instead=True)
            return
        self.crawler.stats.inc_value(stat.PAGES("article"))
        page = ArticlePage(response, downloaded_at=datetime.now(UTC))
        problem = page.problem()
        if problem:
            yield from self.article_unreadable(response, problem, served_instead=not _is_article_page(page))
            return
        if not self.window.holds_publication(page.datePublished(), page.datePublishedDay()):
            self.crawler.stats.inc_value(stat.SKIPPED("out_of_window"))
            return
        if page.usedBodyFallback():
            # A template the extractor does not know: the body came from the page's densest text block.
            self.crawler.stats.inc_value(stat.EXTRACT_FALLBACK)
            self.crawler.stats.inc_value(stat.HOST_FIELDS(host_of(response.url), "body_fallback"))
        if page.isAllPages():
            item = page.to_item()
            if _asks_for_all_pages(response.url):
                item.pageCount = None  # a ?page=all answer shows no paging: how many pages it had is unknown
            yield from self.article_read(item, page.url(), page.relatedUrls(), response.meta)
            return
        parts = ArticleParts(
            item=page.to_item(),
            first_url=page.url(),
            first_related=page.relatedUrls(),
            pages_left=page.pageUrls(),
            page_count=page.pageCount(),
            related_depth=meta.related_depth(response.meta),
            sitemap_hints=meta.sitemap_hints(response.meta),
            redirect_urls=meta.redirected_from(response.meta),
        )
        if self.page_all_tried(response):
            yield from self.read_numbered_pages(parts)
        else:
            # Held: should it fail, the pages stitched make the article, which is then no failed page.
            yield self.article_part_request(with_page(page.url(), "all"), parts, held=True)

    def article_read(
        self, item: ArticleItem, url: str, related: list[str], request_meta: dict[str, Any]
    ) -> Iterator[Any]:
        """The article, whole: the item, then the requests for its related links."""
        self.fill_from_sitemap(item, meta.sitemap_hints(request_meta))
        if item.datePublished is None and item.datePublishedDay:
            self.crawler.stats.inc_value(stat.ARTICLES_TIME_UNKNOWN)
        yield item
        yield from self.related_requests(url, meta.related_depth(request_meta), related)

    def article_part_request(self, url: str, parts: ArticleParts, *, held: bool = False) -> scrapy.Request:
        """One more page of an article being read (``?page=all`` again, or page N): an ordinary request.

        Its failure is reported as a failed page where it is decided, unless ``held``: then the numbered pages
        are another way to the article. dont_filter: like the article's own ?page=all, it is asked for once, from
        the one request that read the article's first page.
        """
        request_meta: dict[str, Any] = {
            meta.PAGE_KIND: PageKind.ARTICLE_PAGE,
            meta.RELATED_DEPTH: parts.related_depth,
            meta.REDIRECTED_FROM: parts.redirect_urls,
        }
        if parts.sitemap_hints:
            request_meta[meta.SITEMAP_HINTS] = parts.sitemap_hints
        if held:
            request_meta[meta.HELD_FAILURES] = []
        return scrapy.Request(
            url,
            callback=self.parse_article_page,
            errback=self.article_page_failed,
            priority=PRIORITY_ARTICLE_PAGE,
            meta=request_meta,
            cb_kwargs={"parts": parts},
            dont_filter=True,
        )

    def parse_article_page(self, response: Response, parts: ArticleParts) -> Iterator[Any]:
        """A page asked for to complete an article: its ``?page=all`` (the whole article, when the site gives it),
        else its next numbered page."""
        page = self.readable_page(response)
        if _asks_for_all_pages(response.url):
            if page is not None and page.problem() is None and page.isAllPages():
                item = page.to_item()
                item.pageCount = max(parts.page_count, page.pageCount())
                related = _unique([*parts.first_related, *item.relatedUrls])
                item.relatedUrls = related
                yield from self.article_read(item, parts.first_url, parts.first_related, response.meta)
                return
            yield from self.read_numbered_pages(parts)
            return
        problem = page.problem() if page is not None else None
        if problem and page is not None:
            self.report_unreadable(page.response, problem)
        if page is None or problem:
            yield from self.article_incomplete(parts, response.url)
            return
        yield from self.next_article_page(replace(parts, item=with_next_page(parts.item, page)))

    def read_numbered_pages(self, parts: ArticleParts) -> Iterator[Any]:
        """``?page=all`` did not give the whole article: its pages 2..N are read one by one."""
        self.crawler.stats.inc_value(stat.ARTICLES_PAGE_ALL_FAILED)
        yield from self.next_article_page(parts)

    def next_article_page(self, parts: ArticleParts) -> Iterator[Any]:
        if not parts.pages_left:
            self.crawler.stats.inc_value(stat.ARTICLES_STITCHED)
            yield from self.article_read(parts.item, parts.first_url, parts.first_related, self.parts_meta(parts))
            return
        url, rest = parts.next_page()
        yield self.article_part_request(url, rest)

    def article_incomplete(self, parts: ArticleParts, url: str) -> Iterator[Any]:
        """A page that could not be read: the article is emitted with the pages read, not lost."""
        self.crawler.stats.inc_value(stat.ARTICLES_INCOMPLETE)
        logger.warning("Article %s emitted without page %s, which could not be read", parts.first_url, url)
        yield from self.article_read(parts.item, parts.first_url, parts.first_related, self.parts_meta(parts))

    @staticmethod
    def parts_meta(parts: ArticleParts) -> dict[str, Any]:
        return {meta.RELATED_DEPTH: parts.related_depth, meta.SITEMAP_HINTS: parts.sitemap_hints}

    def readable_page(self, response: Response) -> ArticlePage | None:
        """An extra page of an article, or None when its answer is no page to read."""
        if response.status != 200 or not isinstance(response, TextResponse):
            logger.info("Page %s answered %s", response.url, response.status)
            self.crawler.stats.inc_value(stat.ERRORS(f"article_page/http_{response.status}"))
            return None
        self.crawler.stats.inc_value(stat.PAGES("article_page"))
        return ArticlePage(response, downloaded_at=datetime.now(UTC))

    def article_page_failed(self, failure: Failure) -> Iterator[Any]:
        """An extra page that could not be fetched: after ``?page=all``, the numbered pages; else the article is
        emitted with the pages read."""
        request = failure.request  # type: ignore[attr-defined]
        parts: ArticleParts = request.cb_kwargs["parts"]
        if isinstance(failure.value, HttpError):
            status = failure.value.response.status
            logger.info("Page %s answered %s", request.url, status)
            self.crawler.stats.inc_value(stat.ERRORS(f"article_page/http_{status}"))
        elif not failure.check(IgnoreRequest):
            # Whatever the download raised after its retries (a timeout, a reset, …), FailedDownloadMiddleware
            # reported it (or held it, for ?page=all).
            logger.info("Page %s could not be fetched: %s", request.url, failure.getErrorMessage())
        if _asks_for_all_pages(request.url):
            yield from self.read_numbered_pages(parts)
        else:
            yield from self.article_incomplete(parts, request.url)

    @staticmethod
    def page_all_tried(response: Response) -> bool:
        """True when this answer is ``?page=all``'s (ignored by the site), or the article's ``?page=all`` failed."""
        return _asks_for_all_pages(response.url) or meta.EARLIER_FAILURES in response.meta

    def fill_from_sitemap(self, item: ArticleItem, sitemap: dict[str, Any] | None) -> None:
        """The sitemap's publication date and keywords, only where the page gave none."""
        if not sitemap:
            return
        if not item.datePublished and sitemap.get("datePublished"):
            item.datePublished = sitemap["datePublished"]
            item.datePublishedDay = None
            self.crawler.stats.inc_value(stat.SITEMAP_FILLED("datePublished"))
        if not item.keywords and sitemap.get("keywords"):
            item.keywords = list(sitemap["keywords"])
            self.crawler.stats.inc_value(stat.SITEMAP_FILLED("keywords"))

    def related_requests(self, url: str, asked_depth: int, related: list[str]) -> Iterator[scrapy.Request]:
        """Requests for the related links of the article at ``url``, asked for at ``asked_depth``."""
        depth, urls = self.related_links().links_to_follow(url, asked_depth, related)
        for link in urls:
            yield from self.article_requests(link, depth=depth, priority=PRIORITY_RELATED - depth)

    def article_requests(self, url: str, *, depth: int, priority: int) -> Iterator[scrapy.Request]:
        """An article asked for at ``depth``: its request unless this spider asked for it before, then the
        requests its being asked for at ``depth`` makes due (spiders/related.py).

        Three of four links a crawl finds name an article already asked for (listings and related blocks
        overlap). The dupefilter would drop their requests; not building them at all saved a sixth of the CPU of
        a replayed crawl (benchmarks/crawl.py). A request dropped before the scheduler (off the network) is
        dropped again the same way, so the outcome is the dupefilter's. Only this worker's asking counts: in a
        shared crawl, a worker killed after noting an article's depth and before queueing its request leaves the
        shared dupefilter to decide (6 related articles were lost so, behind a recovered lease).
        """
        if self.related_links().asked_here(url):
            self.crawler.stats.inc_value(stat.REQUESTS_ASKED_BEFORE)
        else:
            yield self.article_request(url, depth=depth, priority=priority)
        yield from self.requests_reached_at(url, depth)

    def requests_reached_at(self, url: str, depth: int) -> Iterator[scrapy.Request]:
        """Requests an article's being asked for at ``depth`` makes due: links it, or the articles it leads to,
        held back at the depth limit when they were read farther away."""
        links = self.related_links()
        released = links.released
        due = links.reached(url, depth)
        if links.released > released:
            self.crawler.stats.inc_value(stat.RELATED_REACHED_NEARER, links.released - released)
        for related, at in due:
            yield self.article_request(related, depth=at, priority=PRIORITY_RELATED - at)

    # --- Every way to an article -------------------------------------------------------------------------------
    # An article is asked for as ?page=all first. When that fails for good (5xx after the retries, 404, timeouts,
    # the homepage served or redirected to), the plain URL is asked for, and its ?page=2…N when it shows paging.
    # Only when that fails too is the article a failed page, reported once with each way's reason: the
    # middlewares hold the failures of these requests for the spider (meta.HELD_FAILURES).

    def article_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        ignored = bool(failure.check(IgnoreRequest) and not failure.check(HttpError))
        if not ignored:
            name = failure.type.__name__ if failure.type else "error"
            logger.info("Article %s could not be fetched: %s", request.url, failure.getErrorMessage())
            self.crawler.stats.inc_value(stat.ERRORS(f"article/{name}"))
        held = meta.held_failures(request.meta)
        if held is None or (ignored and not held):
            # Not held: reported where it failed. Ignored with no failure held: robots.txt or the state store
            # decided, and the middleware that did it counted it.
            return
        # A middleware held every failure that gets here; should one not have, the failure still counts.
        reason, detail = held[-1] if held else (_failure_reason(failure), failure.getErrorMessage())
        yield from self.variant_failed(request, reason, detail)

    def article_unreadable(self, response: Response, problem: str, *, served_instead: bool) -> Iterator[scrapy.Request]:
        """An article answer with nothing to read in it.

        Something ``served_instead`` of the article (the homepage, a listing, an image) says nothing of its other
        ways. The article's own page that cannot be read (a video, a new template) reads the same however it is
        asked for: asking again would double the requests of every such article, and of a whole run after a
        redesign.
        """
        request = response.request
        if request is None or meta.held_failures(request.meta) is None:
            self.report_unreadable(response, problem)
            return
        reason, detail = f"unreadable/{problem}", f"{response.status} {response.url}"
        yield from self.variant_failed(request, reason, detail, last=not served_instead)

    def variant_failed(
        self, request: Request, reason: str, detail: str, *, last: bool = False
    ) -> Iterator[scrapy.Request]:
        """One way to an article failed for good: the next way, or after the ``last``, one failed page."""
        asked = requested_url(request)
        tried = [*meta.earlier_failures(request.meta), (asked, reason, detail)]
        if _asks_for_all_pages(asked) and not last and not self.refused(reason):
            logger.info("Article %s failed (%s): asking for its plain URL", asked, reason)
            self.crawler.stats.inc_value(stat.ARTICLES_PAGE_ALL_FALLBACK)
            yield self.plain_request(request, tried)
            return
        self.report_article_failed(tried)

    def refused(self, reason: str) -> bool:
        """A host refusing the crawler refuses every way to the article: asking again would only hammer it."""
        codes = self.settings.getlist("TRIBUN_BLOCK_HTTP_CODES")
        return reason == "block/dropped" or reason in {f"http/{int(code)}" for code in codes}

    def plain_request(self, failed: Request, tried: list[tuple[str, str, str]]) -> scrapy.Request:
        """The plain URL of an article whose ``?page=all`` failed, asked for as that request was."""
        request_meta: dict[str, Any] = {
            meta.PAGE_KIND: PageKind.ARTICLE,
            meta.RELATED_DEPTH: meta.related_depth(failed.meta),
            meta.HELD_FAILURES: [],
            meta.EARLIER_FAILURES: tried,
        }
        # The sitemap's hints still fill the item; a recheck the state middleware let through once stays one.
        request_meta.update({key: failed.meta[key] for key in (meta.SITEMAP_HINTS, meta.RECHECK) if key in failed.meta})
        # dont_filter: the plain URL's fingerprint is not ?page=all's (fingerprint.py keeps the page), but the
        # redirects it may go through are those ?page=all went through: the dupefilter would drop them unreported,
        # and the article would be neither read nor a failed page. It is asked for once, from the one ?page=all
        # request of the article that failed (and read nothing), so no article is read or emitted twice.
        return scrapy.Request(
            canonical_article_url(tried[0][0]),
            callback=self.parse_article,
            errback=self.article_failed,
            priority=failed.priority,
            meta=request_meta,
            dont_filter=True,
        )

    def report_article_failed(self, tried: list[tuple[str, str, str]]) -> None:
        """The article as one failed page: at the URL first asked for, for the last way's reason, naming each way."""
        url, reason = tried[0][0], tried[-1][1]
        if reason.startswith("unreadable/"):
            # An article read with every field empty, for the run report's coverage: once, however many ways.
            self.crawler.stats.inc_value(stat.UNREADABLE(reason.removeprefix("unreadable/")))
            self.crawler.stats.inc_value(stat.HOST_FIELDS(host_of(url), "items"))
        detail = "; ".join(
            f"{_variant(asked)}: {why} ({how})" if how else f"{_variant(asked)}: {why}" for asked, why, how in tried
        )
        report_failed_page(self.crawler, url, reason, detail, "article")

    # --- Helpers ----------------------------------------------------------------------------------------------

    @property
    def discovery_cache(self) -> DiscoveryCacheMiddleware | None:
        """The discovery cache (middlewares/discovery.py), None when it is off."""
        try:
            return self.crawler.get_downloader_middleware(DiscoveryCacheMiddleware)
        except RuntimeError:  # no engine: a spider driven without a crawl (tests)
            return None

    def not_modified(self, response: Response) -> bool:
        """True for a discovery page the site answered 304 whose copy a finished run read (middlewares/discovery.py):
        it links to nothing that run did not follow, and is not read again (``tribun/discovery/not_modified``)."""
        if not meta.not_modified(response.meta):
            return False
        logger.debug("%s not modified since a finished run read it: nothing new", response.url)
        self.crawler.stats.inc_value(stat.DISCOVERY_NOT_MODIFIED)
        return True

    def report_unreadable(self, response: Response, reason: str) -> None:
        """A page that came but yields nothing: a failed page of the run report (``unreadable/<reason>``).

        An article page counts in ``tribun/unreadable/<reason>`` too: the run report's coverage counts it as an
        article read with every field empty.
        """
        kind = meta.page_kind(response.meta)
        page_type = str(kind) if kind is not None else None
        url = requested_url(response.request) if response.request else response.url
        if kind is not None and kind.is_article:
            self.crawler.stats.inc_value(stat.UNREADABLE(reason))
            self.crawler.stats.inc_value(stat.HOST_FIELDS(host_of(url), "items"))
        report_failed_page(self.crawler, url, f"unreadable/{reason}", f"{response.status} {response.url}", page_type)
