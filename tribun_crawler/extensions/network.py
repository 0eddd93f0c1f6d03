"""Network down: stop at once when nothing can be reached, instead of retrying into the void.

On a machine whose DNS or network is down, every request fails to connect; RetryMiddleware retries each one
(``RETRY_TIMES``) and ``middlewares.politeness`` pauses each host longer after every failure, so such a run
used to go on for many minutes and end as ``finished`` with nothing crawled. :class:`NetworkDownMiddleware`
watches the download errors of the **connection kind**:

==========================  ===================================================================================
DNS lookup failed           ``CannotResolveHostError`` (Twisted's ``DNSLookupError``)
connection refused          ``DownloadConnectionRefusedError``: the host, or the HTTP(S) proxy, refused
network/host unreachable    Twisted's ``NoRouteError`` (ENETUNREACH) and ``ConnectError`` with EHOSTUNREACH
TLS handshake failed        no response because the TLS handshake failed (``ResponseNeverReceived`` from an
                            OpenSSL error)
proxy could not connect     the proxy refused the ``CONNECT`` tunnel (``TunnelError``): what a proxy answers
                            when it cannot reach the host
==========================  ===================================================================================

The network is **down** when no response at all has arrived in the run, every host the run tried (a request of
it reached the downloader) has failed so, and either ``TRIBUN_NETWORK_DOWN_ERRORS`` such errors came or
``TRIBUN_NETWORK_DOWN_AFTER`` seconds passed since the first. Then one line is logged at ERROR, e.g.
``network unreachable: DNS lookup failed for www.tribunnews.com, banyumas.tribunnews.com and 2 more hosts
(14 connection errors, no response in 1.2 s): stopping the run``, and the run stops promptly
(``extensions.stop.PromptStop``) with finish reason ``network_down``: ``scrapy crawl`` exits 6.

A host that is down while others answer is not this: the run goes on, one WARNING names the host and what went
wrong the first time, and its pages are failed pages with their reason (``download/<exception>``, from
``tribun_crawler.failures``). Any response, whatever its status, shows the network up for the rest of the run.

Stats: ``tribun/connection_errors/<kind>`` (``dns``, ``refused``, ``unreachable``, ``tls``, ``proxy``), every
error of the connection kind, retried or not.

A downloader middleware (in this package with the stop it triggers) above RetryMiddleware (550) and
HostPacingMiddleware (560): on the way back it sees every error before they are retried or paced.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import ConnectError, ConnectionRefusedError, DNSLookupError, NoRouteError, SSLError
from twisted.web.client import ResponseNeverReceived

from tribun_crawler import stats as stat
from tribun_crawler.extensions.stop import PromptStop

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

CLOSE_REASON = "network_down"
#: Hosts named per kind in the log line; the rest are counted.
NAMED_HOSTS = 3


@dataclass(frozen=True)
class Kind:
    slug: str
    """Stats key."""
    text: str
    """How the log line says it: "<text> for <host>"."""


DNS = Kind("dns", "DNS lookup failed")
REFUSED = Kind("refused", "connection refused")
UNREACHABLE = Kind("unreachable", "network unreachable")
HOST_UNREACHABLE = Kind("unreachable", "host unreachable")
TLS = Kind("tls", "TLS handshake failed")
PROXY = Kind("proxy", "proxy could not connect")


def connection_error_kind(exception: BaseException) -> Kind | None:
    """The connection kind of a download error, or None for any other error (timeouts, resets, HTTP …)."""
    for candidate in (exception, exception.__cause__):
        if isinstance(candidate, CannotResolveHostError | DNSLookupError):
            return DNS
        if isinstance(candidate, DownloadConnectionRefusedError | ConnectionRefusedError):
            return REFUSED
        if isinstance(candidate, NoRouteError):
            return UNREACHABLE
        if isinstance(candidate, ConnectError) and candidate.osError == errno.ENETUNREACH:
            return UNREACHABLE
        if isinstance(candidate, ConnectError) and candidate.osError == errno.EHOSTUNREACH:
            return HOST_UNREACHABLE
        if isinstance(candidate, SSLError) or (
            isinstance(candidate, ResponseNeverReceived) and any(_is_tls_error(r.value) for r in candidate.reasons)
        ):
            return TLS
        if isinstance(candidate, TunnelError):
            return PROXY
    return None


def _is_tls_error(error: BaseException) -> bool:
    return isinstance(error, SSLError) or type(error).__module__.startswith("OpenSSL")


@dataclass
class HostFailure:
    kind: Kind
    detail: str
    errors: int = 0


class NetworkDownMiddleware:
    """Stop the run as ``network_down`` when no host can be reached (module docstring)."""

    def __init__(self, crawler: Crawler, clock: Callable[[], float] = monotonic) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.clock = clock
        self.errors_needed = max(1, settings.getint("TRIBUN_NETWORK_DOWN_ERRORS"))
        self.after = max(0.0, settings.getfloat("TRIBUN_NETWORK_DOWN_AFTER"))
        self.answered = False
        """A response came: the network works, whatever happens next."""
        self.tried: set[str] = set()
        self.failed: dict[str, HostFailure] = {}
        """Hosts that failed to connect, in the order they first did."""
        self.proxies: set[str] = set()
        self.errors = 0
        self.started = clock()
        self.first_error: float | None = None
        self.timer: CallLaterResult | None = None
        self.verdict: str | None = None
        """The log line, once the network was found down."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.request_reached_downloader, signal=signals.request_reached_downloader)
        crawler.signals.connect(middleware.response_received, signal=signals.response_downloaded)
        crawler.signals.connect(middleware.response_received, signal=signals.response_received)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        self.started = self.clock()

    def request_reached_downloader(self, request: Request, spider: Spider) -> None:
        self.tried.add(urlparse_cached(request).hostname or "")

    def response_received(self, response: object, request: Request, spider: Spider) -> None:
        if self.answered:
            return
        self.answered = True
        self.cancel_timer()
        # The network works: the hosts that failed so far are down on their own.
        for host, failure in self.failed.items():
            self.warn(host, failure)

    def process_exception(self, request: Request, exception: Exception) -> None:
        kind = connection_error_kind(exception)
        if kind is None:
            return
        host = urlparse_cached(request).hostname or ""
        self.crawler.stats.inc_value(stat.CONNECTION_ERRORS(kind.slug))
        self.errors += 1
        proxy = request.meta.get("proxy")
        if proxy:
            self.proxies.add(str(proxy))
        failure = self.failed.get(host)
        if failure is None:
            failure = self.failed[host] = HostFailure(kind, " ".join(str(exception).split())[:300])
            if self.answered:
                self.warn(host, failure)
        failure.errors += 1
        if self.first_error is None:
            self.first_error = self.clock()
            if not self.answered and self.after:
                self.timer = call_later(self.after, self.check)
        self.check()

    @staticmethod
    def warn(host: str, failure: HostFailure) -> None:
        logger.warning("Cannot connect to %s: %s (%s); its pages fail", host, failure.kind.text, failure.detail)

    def check(self) -> None:
        """Decide, with what is known now, whether the network is down (module docstring)."""
        if self.verdict is not None or self.answered or self.first_error is None:
            return
        if not self.tried <= self.failed.keys():
            return  # a host tried has not failed yet: it may still answer
        waited_long_enough = bool(self.after) and self.clock() - self.first_error >= self.after
        if self.errors < self.errors_needed and not waited_long_enough:
            return
        self.network_down()

    def network_down(self) -> None:
        self.cancel_timer()
        self.verdict = self.summary()
        logger.error(self.verdict)
        stop = self.crawler.get_downloader_middleware(PromptStop)
        if stop is not None:
            stop.stop(reason=CLOSE_REASON)
        else:
            closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON))
            closing.addErrback(self.log_close_failure)

    def summary(self) -> str:
        """``network unreachable: DNS lookup failed for a, b; connection refused for c (…)``."""
        by_kind: dict[str, list[str]] = {}
        for host, failure in self.failed.items():
            by_kind.setdefault(failure.kind.text, []).append(host)
        parts = []
        for text, hosts in by_kind.items():
            named = ", ".join(hosts[:NAMED_HOSTS])
            more = len(hosts) - NAMED_HOSTS
            parts.append(f"{text} for {named}" + (f" and {more} more hosts" if more > 0 else ""))
        through = f" through proxy {', '.join(sorted(self.proxies))}" if self.proxies else ""
        return (
            f"network unreachable: {'; '.join(parts)}{through} "
            f"({self.errors} connection errors, no response in {self.clock() - self.started:.1f} s): "
            "stopping the run"
        )

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def spider_closed(self, spider: Spider) -> None:
        self.cancel_timer()

    @staticmethod
    def log_close_failure(failure: Failure) -> None:
        logger.error("Closing the spider failed: %s", failure.getErrorMessage())
