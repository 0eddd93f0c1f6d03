"""The crawler's defences against a hostile network, one middleware at a time (the whole crawl:
tests/test_hostile_e2e.py): the network scope, the redirect policy, decoding, charsets, truncated documents,
failed downloads and unreadable pages, and the failed-page list of the run report."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadTimeoutError, DropItem, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.signals import item_dropped
from scrapy.utils.test import get_crawler

from tests.conftest import make_article, with_tribun_defaults
from tests.local_crawl import CDN_SETTINGS
from tribun_crawler.extensions.report import FailedPages, RunReport
from tribun_crawler.failures import page_failed, report_failed_page
from tribun_crawler.middlewares.blocks import BlockDetectionMiddleware
from tribun_crawler.middlewares.documents import (
    DecompressionMiddleware,
    LegacyCharsetMiddleware,
    WholeDocumentMiddleware,
)
from tribun_crawler.middlewares.failures import FailedDownloadMiddleware
from tribun_crawler.middlewares.scope import NetworkScopeMiddleware, RedirectPolicyMiddleware
from tribun_crawler.pipelines.validate import InvalidArticle

ARTICLE = "https://jogja.tribunnews.com/jogja/913001/kawasan-malioboro-diuji-coba-bebas-kendaraan-bermotor"
OTHER_ARTICLE = "https://jogja.tribunnews.com/jogja/913002/harga-cabai-rawit-turun-setelah-panen-raya"
HOME = "https://jogja.tribunnews.com/"
PAGE = (
    "<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>Malioboro</title></head><body>"
    "<div id='article'><h1 id='arttitle'>Kawasan Malioboro Diuji Coba Bebas Kendaraan</h1>"
    "<div class='side-article txt-article'><p>TRIBUNJOGJA.COM, YOGYAKARTA - Uji coba dimulai hari ini.</p>"
    "</div></div></body></html>"
)


class Failures:
    """The page_failed signals a crawler sent: (url, reason) pairs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.seen: list[tuple[str, str]] = []
        crawler.signals.connect(self.record, signal=page_failed)

    def record(self, url: str, reason: str, detail: str = "", page_type: str | None = None) -> None:
        self.seen.append((url, reason))


def crawler_for(settings: dict[str, Any] | None = None) -> Crawler:
    crawler = get_crawler(Spider, with_tribun_defaults({"RETRY_TIMES": 2, **(settings or {})}))
    crawler.spider = Spider.from_crawler(crawler, name="tribun")
    return crawler


@pytest.fixture
def crawler() -> Crawler:
    return crawler_for()


@pytest.fixture
def failures(crawler: Crawler) -> Failures:
    return Failures(crawler)


def page_request(url: str = ARTICLE, page_type: str = "article", **meta: Any) -> Request:
    return Request(url, meta={"tribun_page_type": page_type, **meta})


def html(request: Request, body: bytes | str = PAGE, status: int = 200, **headers: str) -> HtmlResponse:
    data = body.encode() if isinstance(body, str) else body
    return HtmlResponse(request.url, status=status, body=data, headers=headers, request=request)


def failed_stat(crawler: Crawler, reason: str) -> Any:
    return crawler.stats.get_value(f"tribun/failed/{reason}")


# --- Network scope --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [ARTICLE, "http://m.tribunnews.com/amp/nasional/2020/07/22/psbb", "https://www.tribunnews.com/robots.txt"],
)
def test_requests_on_the_network_pass(crawler: Crawler, url: str) -> None:
    assert NetworkScopeMiddleware(crawler).process_request(Request(url)) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.kompas.com/read/2026/01/15/10300061/x",
        "https://tribunnews.com.evil.example/2024/06/20/slug",
        "https://video.tribunnews.com/view/123456/x",
        "http://127.0.0.1:6379/",
        "file:///etc/passwd",
        "ftp://jogja.tribunnews.com/arsip.zip",
    ],
)
def test_requests_off_the_network_are_refused_and_reported(crawler: Crawler, failures: Failures, url: str) -> None:
    with pytest.raises(IgnoreRequest, match="scope/off-network"):
        NetworkScopeMiddleware(crawler).process_request(page_request(url))
    assert failures.seen == [(url, "scope/off-network")]
    assert failed_stat(crawler, "scope/off-network") == 1


def test_an_off_network_redirect_is_reported_under_the_url_asked_for(crawler: Crawler, failures: Failures) -> None:
    redirected = page_request("https://bit.ly/x", redirect_urls=[ARTICLE], redirect_times=1)

    with pytest.raises(IgnoreRequest):
        NetworkScopeMiddleware(crawler).process_request(redirected)
    assert failures.seen == [(ARTICLE, "scope/off-network-redirect")]


def test_data_uris_fetch_nothing_and_pass(crawler: Crawler) -> None:
    assert NetworkScopeMiddleware(crawler).process_request(Request("data:,ok")) is None


# --- Redirect policy ------------------------------------------------------------------------------------------


def redirect(request: Request, location: str, status: int = 301) -> Response:
    return Response(request.url, status=status, headers={"Location": location}, request=request)


def hop(chain: list[str], url: str, page_type: str = "article") -> Request:
    """A request RedirectMiddleware built after following ``chain``."""
    return (
        page_request(url, page_type, redirect_urls=chain, redirect_times=len(chain))
        if chain
        else page_request(url, page_type)
    )


@pytest.mark.parametrize(
    ("chain", "url", "location", "page_type"),
    [
        ([], ARTICLE, OTHER_ARTICLE, "article"),  # a renamed story
        ([], "https://www.tribunnews.com/nasional/7844542", "/nasional/7844542/dpr-setujui-ruu", "article"),
        ([], ARTICLE, f"{ARTICLE}?from=amp", "article"),  # another URL of the same story: one hop is fine
        ([], "http://jogja.tribunnews.com/", HOME, "home"),
        ([], ARTICLE, "https://www.kompas.com/read/x", "article"),  # off the network: NetworkScopeMiddleware's
    ],
)
def test_redirects_that_lead_somewhere_are_followed(
    crawler: Crawler, chain: list[str], url: str, location: str, page_type: str
) -> None:
    request = hop(chain, url, page_type)
    response = redirect(request, location)
    assert RedirectPolicyMiddleware(crawler).process_response(request, response) is response


@pytest.mark.parametrize(
    ("chain", "url", "location", "reason"),
    [
        ([ARTICLE], OTHER_ARTICLE, ARTICLE, "redirect/loop"),
        ([ARTICLE], f"{ARTICLE}?from=amp", f"{ARTICLE}?from=amp", "redirect/loop"),
        ([], ARTICLE, HOME, "redirect/not-an-article"),
        ([], ARTICLE, "/index-news?date=2026-11-26", "redirect/not-an-article"),
        ([f"{ARTICLE}-{n}" for n in range(20)], f"{ARTICLE}-20", f"{ARTICLE}-21", "redirect/too-many"),
    ],
)
def test_loops_chains_and_article_to_listing_redirects_are_refused(
    failures: Failures, chain: list[str], url: str, location: str, reason: str
) -> None:
    request = hop(chain, url)

    with pytest.raises(IgnoreRequest, match=reason):
        RedirectPolicyMiddleware(failures.crawler).process_response(request, redirect(request, location, 302))
    assert failures.seen == [((chain or [url])[0], reason)]


# --- Documents --------------------------------------------------------------------------------------------------


def test_a_page_without_charset_that_is_not_utf8_is_read_as_windows_1252(crawler: Crawler) -> None:
    body = PAGE.replace("<meta charset='utf-8'>", "").replace("hari ini", "“Hélène” \u2013 17°C").encode("cp1252")
    request = page_request()

    read = LegacyCharsetMiddleware(crawler).process_response(
        request, html(request, body, **{"Content-Type": "text/html"})
    )

    assert isinstance(read, TextResponse)
    assert read.encoding == "cp1252"
    assert "“Hélène” \u2013 17°C" in read.text
    assert crawler.stats.get_value("tribun/encoding/assumed_cp1252") == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (PAGE.replace("hari ini", "“Hélène”").encode(), "text/html"),  # UTF-8 without a declaration
        (PAGE.replace("hari ini", "Hélène").encode("latin-1"), "text/html; charset=iso-8859-1"),
        (PAGE.replace("utf-8", "iso-8859-2").replace("hari ini", "Łódź").encode("iso-8859-2"), "text/html"),
    ],
)
def test_a_page_in_utf8_or_declaring_its_charset_is_left_alone(
    crawler: Crawler, body: bytes, content_type: str
) -> None:
    request = page_request()
    response = html(request, body, **{"Content-Type": content_type})

    assert LegacyCharsetMiddleware(crawler).process_response(request, response) is response


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "document/empty"),
        (b"  \n", "document/empty"),
        (
            PAGE[: PAGE.index("Uji coba") + 4].encode() + b"<br />\n<b>Fatal error</b>: Allowed memory size",
            "document/truncated",
        ),
    ],
)
def test_an_empty_or_truncated_page_is_retried_then_reported(
    crawler: Crawler, failures: Failures, body: bytes, reason: str
) -> None:
    middleware = WholeDocumentMiddleware(crawler)
    request = page_request()

    retry = middleware.process_response(request, html(request, body))
    assert isinstance(retry, Request)
    assert retry.meta["retry_times"] == 1
    last = page_request(retry_times=2)
    with pytest.raises(IgnoreRequest, match=reason):
        middleware.process_response(last, html(last, body))
    assert failures.seen == [(ARTICLE, reason)]


def test_a_whole_page_and_requests_that_are_not_pages_pass(crawler: Crawler) -> None:
    middleware = WholeDocumentMiddleware(crawler)
    request = page_request()
    whole = html(request, PAGE + "\n<script>window.dataLayer = [];</script>\n")
    robots = Request("https://jogja.tribunnews.com/robots.txt")
    not_found = html(request, b"", status=404)

    assert middleware.process_response(request, whole) is whole
    assert middleware.process_response(robots, html(robots, b"User-agent: *")).status == 200
    assert middleware.process_response(request, not_found) is not_found


def decompression(crawler: Crawler) -> DecompressionMiddleware:
    return DecompressionMiddleware.from_crawler(crawler)


def test_gzip_is_still_decoded(crawler: Crawler) -> None:
    request = page_request()
    packed = html(request, gzip.compress(PAGE.encode()), **{"Content-Encoding": "gzip", "Content-Type": "text/html"})

    decoded = decompression(crawler).process_response(request, packed)

    assert isinstance(decoded, HtmlResponse)
    assert "Malioboro" in decoded.text


def test_corrupt_gzip_is_retried_then_reported(crawler: Crawler, failures: Failures) -> None:
    corrupt = gzip.compress(PAGE.encode())[:10] + bytes(range(200))
    headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
    request = page_request()

    retry = decompression(crawler).process_response(request, html(request, corrupt, **headers))
    assert isinstance(retry, Request)
    last = page_request(retry_times=2)
    with pytest.raises(IgnoreRequest, match="document/corrupt-encoding"):
        decompression(crawler).process_response(last, html(last, corrupt, **headers))
    assert failures.seen == [(ARTICLE, "document/corrupt-encoding")]


def test_a_body_over_the_size_limit_once_decompressed_is_reported(failures: Failures) -> None:
    crawler = crawler_for({"DOWNLOAD_MAXSIZE": 10_000})
    seen = Failures(crawler)
    request = page_request()
    bomb = html(request, gzip.compress(b" " * 50_000), **{"Content-Encoding": "gzip", "Content-Type": "text/html"})

    with pytest.raises(IgnoreRequest):
        decompression(crawler).process_response(request, bomb)
    assert seen.seen == [(ARTICLE, "document/too-large")]


# --- Failed downloads -------------------------------------------------------------------------------------------


def test_final_http_errors_and_download_errors_of_pages_are_reported(crawler: Crawler, failures: Failures) -> None:
    middleware = FailedDownloadMiddleware(crawler)
    gone = page_request()
    listing = page_request(HOME, "home")
    redirected = page_request(OTHER_ARTICLE, redirect_urls=[ARTICLE])

    middleware.process_response(gone, html(gone, b"", status=404))
    middleware.process_exception(listing, DownloadTimeoutError("took longer than 2.0 seconds"))
    middleware.process_response(redirected, html(redirected, b"", status=503))

    assert failures.seen == [
        (ARTICLE, "http/404"),
        (HOME, "download/DownloadTimeoutError"),
        (ARTICLE, "http/503"),
    ]


def test_successes_robots_txt_and_decisions_are_not_failures(crawler: Crawler, failures: Failures) -> None:
    crawler.engine = ExecutionEngine(crawler, lambda spider: None)
    middleware = FailedDownloadMiddleware(crawler)
    ok = page_request()
    robots = Request("https://jogja.tribunnews.com/robots.txt", meta={"tribun_page_type": "article"})
    wanted = page_request(handle_httpstatus_list=[404])

    middleware.process_response(ok, html(ok))
    middleware.process_response(robots, html(robots, b"", status=403))
    middleware.process_response(wanted, html(wanted, b"", status=404))
    middleware.process_exception(ok, IgnoreRequest("Forbidden by robots.txt"))

    assert failures.seen == []


def test_requests_dropped_for_a_blocked_host_are_reported() -> None:
    crawler = crawler_for(
        {**CDN_SETTINGS, "DOWNLOADER_MIDDLEWARES": {"tribun_crawler.middlewares.blocks.BlockDetectionMiddleware": 950}}
    )
    seen = Failures(crawler)
    crawler.engine = ExecutionEngine(crawler, lambda spider: None)
    blocks = crawler.get_downloader_middleware(BlockDetectionMiddleware)
    assert blocks is not None
    blocks.process_request(Request("https://solo.tribunnews.com/robots.txt"))  # another host of the run still answers
    refused = page_request(HOME, "home")
    for _ in range(blocks.threshold):
        blocks.response_downloaded(html(refused, b"", status=403), refused, crawler.spider)
    dropped = page_request()

    with pytest.raises(IgnoreRequest) as drop:
        blocks.process_request(dropped)
    FailedDownloadMiddleware(crawler).process_exception(dropped, drop.value)

    assert seen.seen == [(ARTICLE, "block/dropped")]


# --- The run report's list ------------------------------------------------------------------------------------


def test_failed_pages_are_listed_up_to_a_cap_per_reason_and_all_counted() -> None:
    failed = FailedPages(per_reason=2)
    for n in range(5):
        failed.add(f"{ARTICLE}-{n}", "http/503", "HTTP 503")
    failed.add(HOME, "http/403", "HTTP 403", "home")

    summary = failed.summary()

    assert summary["total"] == 6
    assert summary["reasons"] == {"http/403": 1, "http/503": 5}
    assert [(p["url"], p["reason"]) for p in summary["pages"]] == [
        (f"{ARTICLE}-0", "http/503"),
        (f"{ARTICLE}-1", "http/503"),
        (HOME, "http/403"),
    ]
    assert summary["omitted"] == {"http/503": 3}


def test_the_run_report_lists_failed_pages_and_articles_dropped_as_invalid() -> None:
    crawler = get_crawler(Spider, with_tribun_defaults({"TRIBUN_REPORT_FAILED_PAGES": 10}))
    spider = Spider.from_crawler(crawler, name="tribun")
    crawler.spider = spider
    report = RunReport.from_crawler(crawler)
    short = make_article(url=OTHER_ARTICLE)

    report_failed_page(crawler, ARTICLE, "http/404", "HTTP 404 for the page", "article")
    crawler.signals.send_catch_log(
        item_dropped,
        item=short,
        response=None,
        spider=spider,
        exception=InvalidArticle("short_body", OTHER_ARTICLE, "x"),
    )
    crawler.signals.send_catch_log(
        item_dropped, item=short, response=None, spider=spider, exception=DropItem(f"duplicate: {OTHER_ARTICLE}")
    )
    built = report.build(spider, "finished")

    assert built["failed"]["reasons"] == {"http/404": 1, "invalid/short_body": 1}
    assert [(p["url"], p["reason"], p["page_type"]) for p in built["failed"]["pages"]] == [
        (ARTICLE, "http/404", "article"),
        (OTHER_ARTICLE, "invalid/short_body", "article"),
    ]
    assert crawler.stats.get_value("tribun/failed/invalid/short_body") == 1
