"""Pacing per host: robots.txt Crawl-delay held against AutoThrottle, backoff and Retry-After after errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from time import monotonic
from typing import Any

import pytest
from aiohttp import web
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response

from tests.local_crawl import LocalSite, PagesSpider, html, make_crawler
from tribun_crawler import settings as project_settings
from tribun_crawler.middlewares.politeness import HostPacingMiddleware, backoff_seconds, retry_after_seconds

PACING = "tribun_crawler.middlewares.politeness.HostPacingMiddleware"

ROBOTS_WITH_DELAY = "User-agent: *\nCrawl-delay: 0.3\nDisallow: /api/\nDisallow: /tag/\n"
ROBOTS_WITHOUT_DELAY = "User-agent: *\nDisallow: /api/\nDisallow: /tag/\n"


def robots_site(robots: str) -> LocalSite:
    def answer(request: web.Request) -> web.Response:
        if request.path == "/robots.txt":
            return web.Response(text=robots, content_type="text/plain")
        return html()

    return LocalSite(answer)


class SlotLog:
    """Delay and jitter of each request's download slot, when it reaches the downloader and when answered."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.sent: list[tuple[float, float]] = []
        self.answered: list[tuple[float, float]] = []
        crawler.signals.connect(self.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    def slot_of(self, request: Request) -> tuple[float, float]:
        slot = self.crawler.engine.downloader.slots[request.meta["download_slot"]]
        return slot.delay, slot.jitter

    def request_reached(self, request: Request, spider: Any) -> None:
        if not request.url.endswith("/robots.txt"):
            self.sent.append(self.slot_of(request))

    def response_received(self, response: Response, request: Request, spider: Any) -> None:
        if not request.url.endswith("/robots.txt"):
            self.answered.append(self.slot_of(request))


def throttled_settings(**extra: Any) -> dict[str, Any]:
    """AutoThrottle on with a short delay, so it would lower a slot's delay below a 0.3 s Crawl-delay."""
    return {
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 0.05,
        "DOWNLOAD_DELAY": 0.05,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        **extra,
    }


def crawl_pages(robots: str, settings: dict[str, Any]) -> tuple[Crawler, SlotLog, LocalSite]:
    async def run() -> tuple[Crawler, SlotLog, LocalSite]:
        async with robots_site(robots) as site:
            crawler = make_crawler(PagesSpider, settings)
            log = SlotLog(crawler)
            await crawler.crawl_async(urls=[site.url(f"/berita/{n}") for n in range(1, 5)])
            return crawler, log, site

    return asyncio.run(run())


def test_crawl_delay_holds_every_request_of_the_host_apart() -> None:
    crawler, log, site = crawl_pages(ROBOTS_WITH_DELAY, throttled_settings(DOWNLOADER_MIDDLEWARES={PACING: 560}))

    assert site.hits[0] == "/robots.txt"
    assert sorted(site.hits[1:]) == ["/berita/1", "/berita/2", "/berita/3", "/berita/4"]
    assert len(log.sent) == 4
    assert len(log.answered) == 4
    # AutoThrottle lowers the delay after every response; the floor is back before the next request leaves.
    assert all(delay >= 0.3 for delay, _ in log.sent + log.answered)
    # No jitter: Scrapy's ±50 % would space some requests closer than the host asked.
    assert all(jitter == 0 for _, jitter in log.sent + log.answered)
    assert crawler.stats.get_value("tribun/crawl_delay/127.0.0.1") == 0.3


def test_without_the_middleware_autothrottle_goes_below_the_crawl_delay() -> None:
    # The situation the middleware exists for: Scrapy reads Crawl-delay but never applies it.
    _, log, _ = crawl_pages(ROBOTS_WITH_DELAY, throttled_settings())

    assert log.sent
    assert all(delay < 0.3 for delay, _ in log.sent)


def test_a_host_without_crawl_delay_keeps_the_configured_pace() -> None:
    crawler, log, _ = crawl_pages(ROBOTS_WITHOUT_DELAY, throttled_settings(DOWNLOADER_MIDDLEWARES={PACING: 560}))

    assert log.sent
    assert all(delay < 0.3 for delay, _ in log.sent)
    assert all(jitter == 0.5 for _, jitter in log.sent)
    assert crawler.stats.get_value("tribun/crawl_delay/127.0.0.1") is None


# --- Backoff ------------------------------------------------------------------------------------------------


class PauseLog:
    """For each retried request: how far in the future its host's slot was held when it reached the downloader."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pause_left: list[float] = []
        crawler.signals.connect(self.request_reached, signal=signals.request_reached_downloader)

    def request_reached(self, request: Request, spider: Any) -> None:
        if request.meta.get("retry_times"):
            slot = self.crawler.engine.downloader.slots[request.meta["download_slot"]]
            self.pause_left.append(slot.lastseen - monotonic())


def backoff_settings(**extra: Any) -> dict[str, Any]:
    return {
        "DOWNLOADER_MIDDLEWARES": {PACING: 560},
        "RETRY_TIMES": 2,
        "TRIBUN_RETRY_BACKOFF_BASE": 1.0,
        "TRIBUN_RETRY_BACKOFF_MAX": 5.0,
        **extra,
    }


def crawl_flaky(first_answer: Any, settings: dict[str, Any]) -> tuple[Crawler, PauseLog, LocalSite, list[Any]]:
    """Crawl one page whose first request gets ``first_answer`` (a response, or a coroutine) and later ones 200."""

    async def run() -> tuple[Crawler, PauseLog, LocalSite, list[Any]]:
        answered = []

        def answer(request: web.Request) -> Any:
            answered.append(request.path)
            return first_answer() if len(answered) == 1 else html()

        async with LocalSite(answer) as site:
            crawler = make_crawler(PagesSpider, settings)
            log = PauseLog(crawler)
            items: list[Any] = []
            crawler.signals.connect(lambda item, **_: items.append(item), signal=signals.item_scraped, weak=False)
            await crawler.crawl_async(urls=[site.url("/nasional/7731367/sidang-kabinet")])
            return crawler, log, site, items

    return asyncio.run(run())


def test_retry_after_of_a_429_pauses_the_host_before_the_retry() -> None:
    crawler, log, site, items = crawl_flaky(
        lambda: html("<html><body>Too Many Requests</body></html>", status=429, **{"Retry-After": "2"}),
        backoff_settings(),
    )

    assert site.hits == ["/nasional/7731367/sidang-kabinet"] * 2
    assert [item["status"] for item in items] == [200]
    assert crawler.stats.get_value("tribun/backoff/count") == 1
    assert crawler.stats.get_value("tribun/backoff/retry_after") == 1
    # The retry reached the downloader while its host was still held (Retry-After 2 s, longer than the backoff).
    assert len(log.pause_left) == 1
    assert log.pause_left[0] > 1.0


def test_a_5xx_without_retry_after_pauses_the_host_by_the_backoff() -> None:
    crawler, log, _, items = crawl_flaky(lambda: html("<html>Bad Gateway</html>", status=502), backoff_settings())

    assert [item["status"] for item in items] == [200]
    assert crawler.stats.get_value("tribun/backoff/count") == 1
    assert crawler.stats.get_value("tribun/backoff/retry_after") is None
    assert len(log.pause_left) == 1
    assert log.pause_left[0] > 0


def test_a_timeout_pauses_the_host_by_the_backoff() -> None:
    async def too_slow() -> web.Response:
        await asyncio.sleep(2)
        return html()

    crawler, log, _, items = crawl_flaky(too_slow, backoff_settings(DOWNLOAD_TIMEOUT=0.5))

    assert [item["status"] for item in items] == [200]
    assert crawler.stats.get_value("tribun/backoff/count") == 1
    assert crawler.stats.get_value("retry/reason_count/scrapy.exceptions.DownloadTimeoutError") == 1
    assert len(log.pause_left) == 1
    assert log.pause_left[0] > 0


def test_answers_that_are_not_retried_do_not_pause() -> None:
    crawler, log, site, items = crawl_flaky(lambda: html("<html>Not Found</html>", status=404), backoff_settings())

    assert site.hits == ["/nasional/7731367/sidang-kabinet"]
    assert items == []
    assert crawler.stats.get_value("tribun/backoff/count") is None
    assert log.pause_left == []


# --- Helpers ------------------------------------------------------------------------------------------------


def response_with(headers: dict[str, str], status: int = 429) -> HtmlResponse:
    return HtmlResponse(
        "https://www.tribunnews.com/nasional/7731367/sidang-kabinet",
        status=status,
        headers=headers,
        body=b"<html>Too Many Requests</html>",
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Thu, 20 Jun 2024 12:01:30 GMT", 90.0),
        ("Thu, 20 Jun 2024 11:59:00 GMT", 0.0),  # already past
        ("soon", None),
    ],
)
def test_retry_after_seconds(header: str, expected: float | None) -> None:
    now = datetime(2024, 6, 20, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(response_with({"Retry-After": header}), now=now) == expected


def test_retry_after_absent() -> None:
    assert retry_after_seconds(response_with({})) is None


def test_backoff_doubles_per_retry_up_to_the_cap() -> None:
    assert [backoff_seconds(n, 2.0, 10.0) for n in range(5)] == [2.0, 4.0, 8.0, 10.0, 10.0]


def test_project_settings_put_pacing_before_retries_on_the_way_out() -> None:
    # process_response runs from the highest number down: pacing must see a 429 before RetryMiddleware (550)
    # turns it into a retry request.
    assert project_settings.DOWNLOADER_MIDDLEWARES[PACING] > 550
    assert project_settings.ROBOTSTXT_OBEY is True
    assert project_settings.AUTOTHROTTLE_ENABLED is True
    assert project_settings.CONCURRENT_REQUESTS_PER_DOMAIN == 1
    assert "bot" not in project_settings.USER_AGENT.lower()
    assert HostPacingMiddleware.__name__ in PACING
