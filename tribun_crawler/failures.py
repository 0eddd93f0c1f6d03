"""Failed pages: every page the run asked for and got no article (or listing) from, by URL and reason.

A failure is reported once, where it is decided, with :func:`report_failed_request` (or
:func:`report_failed_page` when there is no request at hand): it counts
``tribun/failed/<reason>``, logs one line with the URL, and sends the :data:`page_failed` signal, from which the
run report (``extensions.report.RunReport``) keeps a bounded list. Reasons are ``<family>/<detail>``:

``http/<status>``
    The final answer was not 2xx (after RetryMiddleware gave up on 5xx/429): ``FailedDownloadMiddleware``.
``download/<exception>``
    The download itself failed (``DownloadTimeoutError``, ``DownloadFailedError`` for a reset connection,
    ``ResponseDataLossError`` for a short body, ``DownloadCancelledError`` over ``DOWNLOAD_MAXSIZE``), after any
    retries: ``FailedDownloadMiddleware``.
``block/dropped``
    Dropped unrequested because its host blocks the crawler (``middlewares.blocks``): ``FailedDownloadMiddleware``.
``unreadable/<reason>``
    The page came but the spider could read nothing from it (``not-html``, ``no-headline``, ``no-body``): the
    spider (``TribunSpider.report_unreadable``), which is where that is decided.
``spider/<exception>``
    The spider raised on the page: ``SpiderExceptionMiddleware``.
``scope/…``, ``redirect/…``, ``document/…``
    Refused by ``middlewares.scope`` (off the network, redirect loops) and ``middlewares.documents`` (corrupt
    encoding, empty or truncated document), which report their own.
``invalid/<reason>``
    The article was read but ValidatePipeline dropped its item (``short_body``, ``missing_date``, …): reported by
    the run report from Scrapy's ``item_dropped`` signal.

``FailedDownloadMiddleware`` and ``SpiderExceptionMiddleware`` live in ``middlewares/failures.py``.

The URL reported is the one the crawler asked for: the first of a redirect chain, not where it ended.
Decisions that are not failures are not reported: robots.txt, the state store's skips, the date window.

A page the spider can still get another way (an article's ``?page=all``, which it then reads as its plain URL and
``?page=N``) carries a list in ``meta.HELD_FAILURES``: its failure is appended there instead of being
reported, and the spider reports the article once, when every way to it failed (``TribunSpider.article_failed``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.utils.httpobj import urlparse_cached

from tribun_crawler import meta
from tribun_crawler import stats as stat

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Signal sent for every failed page: ``url``, ``reason``, ``detail``, ``page_type`` (keyword arguments).
page_failed = object()
#: Reasons logged at INFO rather than WARNING: consequences of something already warned about once.
QUIET_REASONS = frozenset({"block/dropped"})


def requested_url(request: Request) -> str:
    """The URL the crawler asked for: the start of the redirect chain that led to ``request``."""
    chain = request.meta.get("redirect_urls") or [request.url]
    return str(chain[0])


def is_page_request(request: Request) -> bool:
    """A page the spider asked for, as opposed to robots.txt and other requests of the framework."""
    return meta.PAGE_KIND in request.meta and urlparse_cached(request).path != "/robots.txt"


def report_failed_page(crawler: Crawler, url: str, reason: str, detail: str = "", page_type: str | None = None) -> None:
    """Count, log and announce one failed page (see the module docstring)."""
    crawler.stats.inc_value(stat.FAILED(reason))
    level = logging.INFO if reason in QUIET_REASONS else logging.WARNING
    logger.log(level, "Failed page %s: %s%s", url, reason, f" ({detail})" if detail else "")
    crawler.signals.send_catch_log(page_failed, url=url, reason=reason, detail=detail, page_type=page_type)


def report_failed_request(crawler: Crawler, request: Request, reason: str, detail: str = "") -> None:
    """:func:`report_failed_page` for the page ``request`` (or the redirect chain it ends) asked for, unless the
    spider holds its failures (``meta.HELD_FAILURES``)."""
    held = meta.held_failures(request.meta)
    if held is not None:
        held.append((reason, detail))
        logger.info("Page %s failed: %s; the spider tries the page another way", requested_url(request), reason)
        return
    report_failed_page(crawler, requested_url(request), reason, detail, meta.page_kind(request.meta))


def exception_detail(exception: BaseException) -> str:
    """The exception's message (or its cause's, or its name), on one line and short enough for a report."""
    for candidate in (exception, exception.__cause__):
        text = " ".join(str(candidate or "").split())
        if text:
            return text[:300]
    return type(exception).__name__
