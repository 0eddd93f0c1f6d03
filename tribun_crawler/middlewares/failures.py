"""The downloader and spider middlewares that report failed pages: what RetryMiddleware gave up on, and pages the
spider raised on. What a failure is, its reasons and how it is reported: :mod:`tribun_crawler.failures`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.httpobj import urlparse_cached

from tribun_crawler.failures import exception_detail, is_page_request, report_failed_request
from tribun_crawler.middlewares.blocks import BlockDetectionMiddleware

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


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
