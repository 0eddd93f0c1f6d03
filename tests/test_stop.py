"""Stopping a run: which download errors are of the connection kind, when the network counts as down, and what a
prompt stop does with the requests waiting in the downloader (real crawls on the test's event loop).

The signals, the cancelled downloads and the exit statuses are tested on the real ``scrapy crawl``
(tests/test_stop_e2e.py).
"""

from __future__ import annotations

import asyncio
import errno
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from OpenSSL import SSL
from scrapy import Request, Spider, signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectError, ConnectionLost, DNSLookupError, NoRouteError
from twisted.python.failure import Failure
from twisted.web.client import ResponseNeverReceived

from tests.conftest import with_tribun_defaults
from tests.local_crawl import LocalSite, html, make_crawler
from tribun_crawler import settings as project_settings
from tribun_crawler.extensions import network
from tribun_crawler.extensions.network import NetworkDownMiddleware, connection_error_kind
from tribun_crawler.extensions.stop import PromptStop, RunStopping

STOP = "tribun_crawler.extensions.stop.PromptStop"


def caused(exception: Exception, cause: BaseException) -> Exception:
    """``exception`` raised ``from cause``, as Scrapy's handlers wrap Twisted's errors."""
    exception.__cause__ = cause
    return exception


def never_received(error: BaseException) -> ResponseNeverReceived:
    try:
        raise error
    except BaseException:  # noqa: BLE001 - a Failure needs the exception raised
        return ResponseNeverReceived([Failure()])


# --- Connection errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        (caused(CannotResolveHostError("DNS lookup failed"), DNSLookupError("www.tribunnews.com")), "dns"),
        (DNSLookupError("no results for hostname lookup: www.tribunnews.com"), "dns"),
        (DownloadConnectionRefusedError("Connection was refused by other side: 111"), "refused"),
        (NoRouteError(errno.ENETUNREACH, "Network is unreachable"), "unreachable"),
        (ConnectError(errno.EHOSTUNREACH, "No route to host"), "unreachable"),
        (
            caused(
                DownloadFailedError("[<twisted.python.failure.Failure OpenSSL.SSL.Error: ...>]"),
                never_received(SSL.Error([("SSL routines", "", "sslv3 alert handshake failure")])),
            ),
            "tls",
        ),
        (TunnelError("Could not open CONNECT tunnel with proxy 127.0.0.1:3128 [{'status': 502}]"), "proxy"),
        # Not the connection kind: the host was reached.
        (DownloadTimeoutError("Getting https://www.tribunnews.com/ took longer than 30 seconds."), None),
        (caused(DownloadFailedError("Connection lost"), never_received(ConnectionLost())), None),
        (ConnectError(errno.ECONNRESET, "Connection reset by peer"), None),
        (IgnoreRequest("Forbidden by robots.txt"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_connection_error_kind(exception: Exception, kind: str | None) -> None:
    found = connection_error_kind(exception)
    assert (found.slug if found else None) == kind


# --- Network down: the decision ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Watch:
    """A NetworkDownMiddleware on a crawler with the project's settings, its clock and timer in the test's hand;
    records the verdict instead of stopping a crawl."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> None:
        self.timers: list[tuple[float, Any]] = []
        monkeypatch.setattr(network, "call_later", lambda delay, func: self.timers.append((delay, func)))
        crawler = get_crawler(Spider, with_tribun_defaults(settings))
        self.clock = Clock()
        self.middleware = NetworkDownMiddleware(crawler, clock=self.clock)
        self.stops: list[str] = []
        self.middleware.network_down = lambda: self.stops.append(self.middleware.summary())  # type: ignore[method-assign]

    def tried(self, host: str) -> Request:
        request = Request(f"https://{host}/")
        self.middleware.request_reached_downloader(request, None)  # type: ignore[arg-type]
        return request

    def fails(self, host: str, exception: Exception | None = None, seconds: float = 0.1) -> None:
        self.clock.now += seconds
        request = self.tried(host)
        self.middleware.process_exception(request, exception or DownloadConnectionRefusedError("refused"))

    def answers(self, host: str) -> None:
        request = self.tried(host)
        self.middleware.response_received(Response(request.url, request=request), request, None)  # type: ignore[arg-type]


def test_every_host_failing_to_connect_with_no_answer_is_the_network_down(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = Watch(monkeypatch, TRIBUN_NETWORK_DOWN_ERRORS=5)
    for host in ["www.tribunnews.com", "banyumas.tribunnews.com"]:
        watch.fails(host, caused(CannotResolveHostError("DNS lookup failed"), DNSLookupError(host)))
    watch.fails("jateng.tribunnews.com")
    watch.fails("www.tribunnews.com")
    assert watch.stops == []  # 4 errors

    watch.fails("makassar.tribunnews.com")

    assert watch.stops == [
        "network unreachable: DNS lookup failed for www.tribunnews.com, banyumas.tribunnews.com; "
        "connection refused for jateng.tribunnews.com, makassar.tribunnews.com "
        "(5 connection errors, no response in 0.5 s): stopping the run"
    ]


def test_a_host_tried_that_has_not_failed_may_still_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = Watch(monkeypatch, TRIBUN_NETWORK_DOWN_ERRORS=3)
    watch.tried("jateng.tribunnews.com")  # in flight
    for _ in range(5):
        watch.fails("banyumas.tribunnews.com")
    assert watch.stops == []

    watch.fails("jateng.tribunnews.com")

    assert len(watch.stops) == 1


def test_one_answer_shows_the_network_up_for_the_rest_of_the_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    watch = Watch(monkeypatch, TRIBUN_NETWORK_DOWN_ERRORS=2)
    watch.fails("banyumas.tribunnews.com")
    watch.answers("www.tribunnews.com")
    for _ in range(10):
        watch.fails("banyumas.tribunnews.com")
        watch.fails("jateng.tribunnews.com")

    assert watch.stops == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "tribun_crawler.extensions.network"]
    # One line per host down, the first when the network showed itself up.
    assert warnings == [
        "Cannot connect to banyumas.tribunnews.com: connection refused (refused); its pages fail",
        "Cannot connect to jateng.tribunnews.com: connection refused (refused); its pages fail",
    ]


def test_few_errors_for_long_enough_are_the_network_down_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # One host, its errors paced by backoff: the time rule decides.
    watch = Watch(monkeypatch, TRIBUN_NETWORK_DOWN_ERRORS=5, TRIBUN_NETWORK_DOWN_AFTER=20)
    watch.fails("www.tribunnews.com")
    watch.fails("www.tribunnews.com", seconds=2)
    watch.fails("www.tribunnews.com", seconds=4)
    assert watch.stops == []

    # The timer armed at the first error goes off.
    [(delay, check)] = watch.timers
    assert delay == 20
    watch.clock.now += 14.5
    check()

    assert len(watch.stops) == 1
    assert "(3 connection errors" in watch.stops[0]


def test_other_errors_do_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    watch = Watch(monkeypatch, TRIBUN_NETWORK_DOWN_ERRORS=1)
    watch.fails("www.tribunnews.com", DownloadTimeoutError("took longer than 30 seconds"))
    watch.fails("www.tribunnews.com", IgnoreRequest("Forbidden by robots.txt"))
    assert watch.stops == []
    assert watch.middleware.errors == 0


# --- A prompt stop, in a real crawl --------------------------------------------------------------------------


class StoppingSpider(Spider):
    """Fetches ``urls``; on the first page it stops the run (as network down would), then, like the tribun
    spider reading an article's other pages, downloads one more page itself."""

    name = "stopping"

    def __init__(self, urls: list[str], extra: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.extra = extra
        self.extra_error: BaseException | None = None
        self.stopped_at: float | None = None
        self.closing: asyncio.Future[None] | None = None

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, callback=self.parse)

    async def parse(self, response: Response) -> AsyncIterator[dict[str, Any]]:
        yield {"url": response.url}
        if self.stopped_at is None:
            self.stopped_at = time.monotonic()
            stop = self.crawler.get_downloader_middleware(PromptStop)
            if stop is None:  # Scrapy's own close, for comparison
                self.closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="stopped_by_test"))
                return
            stop.stop(reason="stopped_by_test")
            try:
                await self.crawler.engine.download_async(Request(self.extra))
            except Exception as exc:  # noqa: BLE001 - what the spider gets is the point
                self.extra_error = exc


def crawl_until_stopped(settings: dict[str, Any]) -> tuple[Crawler, StoppingSpider, LocalSite, list[Any], float]:
    items: list[Any] = []

    def scraped(item: Any) -> None:
        items.append(item)

    async def run() -> tuple[Crawler, StoppingSpider, LocalSite, float]:
        async with LocalSite(lambda request: html()) as site:
            crawler = make_crawler(StoppingSpider, settings)
            crawler.signals.connect(scraped, signal=signals.item_scraped)
            urls = [site.url(f"/berita/{n}") for n in range(1, 6)]
            await crawler.crawl_async(urls=urls, extra=site.url("/berita/halaman-2"))
            closed = time.monotonic()
            spider = crawler.spider
            assert isinstance(spider, StoppingSpider)
            assert spider.stopped_at is not None
            return crawler, spider, site, closed - spider.stopped_at

    crawler, spider, site, after_stop = asyncio.run(run())
    return crawler, spider, site, items, after_stop


def test_a_stop_takes_back_the_requests_waiting_for_their_delay_at_once() -> None:
    # Five pages of one host 30 s apart: without the stop, closing would wait two minutes for the four others.
    crawler, spider, site, items, after_stop = crawl_until_stopped(
        {"DOWNLOADER_MIDDLEWARES": {STOP: 960}, "DOWNLOAD_DELAY": 30, "DOWNLOAD_DELAY_JITTER": 0}
    )

    assert after_stop < 3
    assert crawler.stats.get_value("finish_reason") == "stopped_by_test"
    assert site.hits == ["/berita/1"]
    assert [item["url"] for item in items] == [site.url("/berita/1")]
    # Those that were waiting in the download slot went back to the scheduler; none was downloaded.
    assert crawler.stats.get_value("tribun/stop/requeued") >= 1
    assert crawler.stats.get_value("scheduler/enqueued") == 5 + crawler.stats.get_value("tribun/stop/requeued")
    # The page the callback fetched itself fails with RunStopping, never an IgnoreRequest ("robots.txt said no"),
    # so the spider does not emit its article without that page.
    assert type(spider.extra_error) is RunStopping
    assert crawler.stats.get_value("tribun/stop/abandoned") == 1


def test_without_the_stop_closing_waits_for_every_delay() -> None:
    # What the stop is for, on a shorter delay: Scrapy's close downloads all the requests it has handed out.
    _, _, site, _, after_stop = crawl_until_stopped(
        {"DOWNLOADER_MIDDLEWARES": {STOP: None}, "DOWNLOAD_DELAY": 0.5, "DOWNLOAD_DELAY_JITTER": 0}
    )
    assert len(site.hits) > 2
    assert after_stop >= 1.0


def test_the_project_enables_the_stop_and_the_network_watch_where_they_must_be() -> None:
    middlewares = project_settings.DOWNLOADER_MIDDLEWARES
    stop = middlewares[STOP]
    watch = middlewares["tribun_crawler.extensions.network.NetworkDownMiddleware"]
    blocks = middlewares["tribun_crawler.middlewares.blocks.BlockDetectionMiddleware"]
    pacing = middlewares["tribun_crawler.middlewares.politeness.HostPacingMiddleware"]
    assert None not in (stop, blocks, watch, pacing)
    # Last on the way in; first on the way back.
    assert stop > max(value for name, value in middlewares.items() if value is not None and name != STOP)
    # Sees errors before RetryMiddleware (550) and the host pacing retry them or pause their host.
    assert watch > pacing > 550
    assert project_settings.TRIBUN_STOP_GRACE == 10
