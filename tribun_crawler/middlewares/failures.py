"""Failed pages: every page the run asked for and got no article (or listing) from, by URL and reason.

A failure is reported once, where it is decided, with :func:`report_failed_request` (or
:func:`report_failed_page` when there is no request at hand): it counts
``tribun/failed/<reason>``, logs one line with the URL, and sends the :data:`page_failed` signal, from which the
run report (``extensions.report.RunReport``) keeps a bounded list. Reasons are ``<family>/<detail>``:

``http/<status>``
    The final answer was not 2xx (after RetryMiddleware gave up on 5xx/429): :class:`FailedDownloadMiddleware`.
``download/<exception>``
    The download itself failed (``DownloadTimeoutError``, ``DownloadFailedError`` for a reset connection,
    ``ResponseDataLossError`` for a short body, ``DownloadCancelledError`` over ``DOWNLOAD_MAXSIZE``), after any
    retries: :class:`FailedDownloadMiddleware`.
``block/dropped``
    Dropped unrequested because its host blocks the crawler (``middlewares.blocks``): :class:`FailedDownloadMiddleware`.
``unreadable/<reason>``
    The page came but the spider could read nothing from it (``not-html``, ``no-headline``, ``no-body``): the
    spider (``TribunSpider.report_unreadable``), which is where that is decided.
``spider/<exception>``
    The spider raised on the page: :class:`SpiderExceptionMiddleware`.
``scope/…``, ``redirect/…``, ``document/…``
    Refused by ``middlewares.scope`` (off the network, redirect loops) and ``middlewares.documents`` (corrupt
    encoding, empty or truncated document), which report their own.
``invalid/<reason>``
    The article was read but ValidatePipeline dropped its item (``short_body``, ``missing_date``, …): reported by
    the run report from Scrapy's ``item_dropped`` signal.

The URL reported is the one the crawler asked for: the first of a redirect chain, not where it ended.
Decisions that are not failures are not reported: robots.txt, the state store's skips, the date window.

A page the spider can still get another way (an article's ``?page=all``, which it then reads as its plain URL and
``?page=N``) carries a list in :data:`HELD_FAILURES_META`: its failure is appended there instead of being
reported, and the spider reports the article once, when every way to it failed (``TribunSpider.article_failed``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.httpobj import urlparse_cached

from tribun_crawler import meta
from tribun_crawler.middlewares.blocks import BlockDetectionMiddleware

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Signal sent for every failed page: ``url``, ``reason``, ``detail``, ``page_type`` (keyword arguments).
page_failed = object()
STATS_PREFIX = "tribun/failed/"
#: Request meta the spider sets on every page it asks for (article, article_page, home, section, index, …).
PAGE_TYPE_META = meta.PAGE_KIND
ARTICLE_PAGE_TYPE = meta.PageKind.ARTICLE.value
#: Page types that are HTML pages (``urls.PageType`` values, and ``listing`` for a listing of no known shape):
#: one of them answered with anything but HTML is unreadable. Sitemaps may come gzip-compressed as binary.
HTML_PAGE_TYPES = frozenset({"article", "home", "section", "index", "archive", "listing"})
#: Request meta: a list that, when present, collects the request's failures as ``(reason, detail)`` instead of their
#: being reported (module docstring). Retries and redirects copy the meta shallowly: every request of a chain
#: appends to the one list the spider gave the first.
HELD_FAILURES_META = meta.HELD_FAILURES
#: Reasons logged at INFO rather than WARNING: consequences of something already warned about once.
QUIET_REASONS = frozenset({"block/dropped"})


def requested_url(request: Request) -> str:
    """The URL the crawler asked for: the start of the redirect chain that led to ``request``."""
    chain = request.meta.get("redirect_urls") or [request.url]
    return str(chain[0])


def is_page_request(request: Request) -> bool:
    """A page the spider asked for, as opposed to robots.txt and other requests of the framework."""
    return PAGE_TYPE_META in request.meta and urlparse_cached(request).path != "/robots.txt"


def report_failed_page(crawler: Crawler, url: str, reason: str, detail: str = "", page_type: str | None = None) -> None:
    """Count, log and announce one failed page (see the module docstring)."""
    crawler.stats.inc_value(f"{STATS_PREFIX}{reason}")
    level = logging.INFO if reason in QUIET_REASONS else logging.WARNING
    logger.log(level, "Failed page %s: %s%s", url, reason, f" ({detail})" if detail else "")
    crawler.signals.send_catch_log(page_failed, url=url, reason=reason, detail=detail, page_type=page_type)


def report_failed_request(crawler: Crawler, request: Request, reason: str, detail: str = "") -> None:
    """:func:`report_failed_page` for the page ``request`` (or the redirect chain it ends) asked for, unless the
    spider holds its failures (:data:`HELD_FAILURES_META`)."""
    held = request.meta.get(HELD_FAILURES_META)
    if held is not None:
        held.append((reason, detail))
        logger.info("Page %s failed: %s; the spider tries the page another way", requested_url(request), reason)
        return
    report_failed_page(crawler, requested_url(request), reason, detail, request.meta.get(PAGE_TYPE_META))


def exception_detail(exception: BaseException) -> str:
    """The exception's message (or its cause's, or its name), on one line and short enough for a report."""
    for candidate in (exception, exception.__cause__):
        text = " ".join(str(candidate or "").split())
        if text:
            return text[:300]
    return type(exception).__name__


class FailedDownloadMiddleware:
    """Reports pages whose download failed for good: a non-2xx final answer, an exception, a block drop.

    Enabled just below RetryMiddleware (550): what it sees is what RetryMiddleware gave up on, never an answer
    or exception it turns into a retry.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if 200 <= response.status < 300 or not is_page_request(request) or self.handled(request, response):
            return response
        self.report(request, f"http/{response.status}", f"HTTP {response.status} for {response.url}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not is_page_request(request):
            return
        if isinstance(exception, IgnoreRequest):
            # A decision (robots.txt, the state store, …) unless its host is blocked; the refusing middlewares
            # of this project report their own refusals.
            if self.host_blocked(request):
                self.report(request, "block/dropped", exception_detail(exception))
            return
        self.report(request, f"download/{type(exception).__name__}", exception_detail(exception))

    @staticmethod
    def handled(request: Request, response: Response) -> bool:
        """Statuses the spider asked to receive (HttpErrorMiddleware's meta keys) are not failures."""
        return bool(request.meta.get("handle_httpstatus_all")) or response.status in request.meta.get(
            "handle_httpstatus_list", ()
        )

    def host_blocked(self, request: Request) -> bool:
        blocks = self.crawler.get_downloader_middleware(BlockDetectionMiddleware)
        return blocks is not None and blocks.is_blocked(urlparse_cached(request).hostname or "")

    def report(self, request: Request, reason: str, detail: str) -> None:
        report_failed_request(self.crawler, request, reason, detail)


class SpiderExceptionMiddleware:
    """Reports pages the spider raised on (``spider/<exception>``): the crawl goes on, the page is not lost silently.

    HTTP errors are not reported here: they were reported where they were downloaded.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        if isinstance(exception, HttpError) or not is_page_request(response.request):  # type: ignore[arg-type]
            return
        report_failed_request(
            self.crawler,
            response.request,  # type: ignore[arg-type]
            f"spider/{type(exception).__name__}",
            exception_detail(exception),
        )
