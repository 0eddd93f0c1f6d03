"""Pages as documents: decoded, in the right character set, and whole, before the spider reads them.

``DecompressionMiddleware``
    Scrapy's HttpCompressionMiddleware, except that a body its ``Content-Encoding`` cannot decode (corrupt gzip,
    deflate, brotli, zstd) is not an exception escaping to the spider's errback: the page is retried like a
    failed download, and after ``RETRY_TIMES`` dropped and reported as a failed page
    (``document/corrupt-encoding``). A body that exceeds ``DOWNLOAD_MAXSIZE`` once decompressed is dropped as
    Scrapy drops it, and reported (``document/too-large``). It replaces HttpCompressionMiddleware (590).
``LegacyCharsetMiddleware``
    An HTML page that declares no character set anywhere (no ``charset`` in Content-Type, no ``<meta>``, no BOM)
    and is not UTF-8 is read as windows-1252: the encoding browsers assume for such pages in an Indonesian
    locale (WHATWG Encoding, locale defaults). Scrapy would guess from the bytes instead, and on a page that is
    almost all ASCII the guess goes wrong: "Hélène" came out "Hélčne" (cp1250). Counted in
    ``tribun/encoding/assumed_cp1252``.
``WholeDocumentMiddleware``
    An HTML page the spider asked for that is empty, or that stops before its closing ``</html>`` (an origin
    that died mid-page: a PHP fatal error, a proxy that cut the body yet set a matching length), is not
    read: the part that came would be emitted as a whole article, and never fetched again. It is retried like a
    failed download, then dropped and reported (``document/empty``, ``document/truncated``). Every template of
    the site, 2018 to 2026, ends with ``</html>``; should a new one leave it out (HTML allows that), every page
    of it would be reported truncated and the run would exit 4 (no articles): loud, not silent.

In ``DOWNLOADER_MIDDLEWARES``, responses pass them in this order: decompression (590), charset (585), then,
after RetryMiddleware (550), the whole-document check (545), so the check sees decoded text and its retries
do not count twice.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from tribun_crawler import stats as stat
from tribun_crawler.compat import DECOMPRESSION_ERRORS
from tribun_crawler.failures import exception_detail, is_page_request, report_failed_request

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

#: The closing tag that ends every complete page; searched in the last bytes only (scripts may follow it).
_END_OF_DOCUMENT = re.compile(rb"</html\s*>", re.I)
_TAIL_BYTES = 64 * 1024
LEGACY_ENCODING = "cp1252"
#: What decoding a corrupt body raises, codec by codec, with the brotli and zstd modules Scrapy decodes with.
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # gzip.BadGzipFile
    EOFError,
    ValueError,
    struct.error,
    zlib.error,
    *DECOMPRESSION_ERRORS,
)


def retry_or_fail(crawler: Crawler, request: Request, reason: str, detail: str) -> Request:
    """A retry of ``request`` while RETRY_TIMES allows; then the page is reported failed and dropped."""
    spider = crawler.spider
    retry = get_retry_request(request, spider=spider, reason=reason) if spider is not None else None
    if retry is not None:
        return retry
    report_failed_request(crawler, request, reason, detail)
    raise IgnoreRequest(f"{reason}: {request.url} ({detail})")


class DecompressionMiddleware(HttpCompressionMiddleware):
    """HttpCompressionMiddleware that retries, then reports, a body it cannot decode (module docstring)."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            # Over DOWNLOAD_MAXSIZE while decompressing: Scrapy logged and dropped it; it is still a failed page.
            if is_page_request(request):
                report_failed_request(self.crawler, request, "document/too-large", exception_detail(exc))
            raise
        except DECODE_ERRORS as exc:
            return retry_or_fail(self.crawler, request, "document/corrupt-encoding", exception_detail(exc))


class LegacyCharsetMiddleware:
    """Reads an HTML page that declares no charset and is not UTF-8 as windows-1252 (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or not response.body or self.declares_charset(response):
            return response
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            self.crawler.stats.inc_value(stat.ENCODING_ASSUMED_CP1252)
            return response.replace(encoding=LEGACY_ENCODING)
        return response

    @staticmethod
    def declares_charset(response: Response) -> bool:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        body = response.body
        return bool(http_content_type_encoding(content_type) or read_bom(body)[0] or html_body_declared_encoding(body))


class WholeDocumentMiddleware:
    """Retries, then reports and drops, an empty or truncated HTML page (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status != 200 or not is_page_request(request) or not isinstance(response, HtmlResponse):
            return response
        if not response.body.strip():
            return retry_or_fail(self.crawler, request, "document/empty", f"empty 200 for {response.url}")
        if not _END_OF_DOCUMENT.search(response.body[-_TAIL_BYTES:]):
            detail = f"{len(response.body)} bytes without </html> from {response.url}"
            return retry_or_fail(self.crawler, request, "document/truncated", detail)
        return response
