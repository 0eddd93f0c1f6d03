"""A prompt, honest stop: on SIGTERM, the first Ctrl-C (SIGINT), or when the run cannot go on (network down).

Scrapy's own graceful shutdown stops taking requests from the scheduler but waits for every request already
handed to the downloader: those waiting in a host's download slot for its delay (``DOWNLOAD_DELAY``,
AutoThrottle up to ``AUTOTHROTTLE_MAX_DELAY``) or for the backoff of ``middlewares.politeness`` (up to
``TRIBUN_RETRY_BACKOFF_MAX``), and every download in flight (up to ``DOWNLOAD_TIMEOUT``). With
``CONCURRENT_REQUESTS`` of them that took about a minute, and systemd, scrapyd and container runtimes kill
sooner. :class:`PromptStop` makes the stop prompt:

* the engine is paused: no request leaves the scheduler any more;
* the requests waiting in a download slot are taken out at once, and a request that reaches this middleware
  from then on is not downloaded. Either is handed back to the engine as a copy (``dont_filter``, the
  dupefilter has seen it), which puts it back in the scheduler: a ``JOBDIR`` or the shared Redis queue keeps it
  for the next run; otherwise the next run finds it again (the state store only knows emitted articles);
* robots.txt and other framework downloads (``NO_CALLBACK``) are ignored instead; a page downloaded outside the
  scheduler (``engine.download_async``) fails with :class:`RunStopping`. The further pages of an article are
  ordinary requests carrying the pages read (``spiders/multipage.py``): handed back like any other, so the
  article is never emitted half-read; a ``JOBDIR`` resumes it, else the next run reads it whole;
* downloads in flight may end for ``TRIBUN_STOP_GRACE`` seconds; then they are cancelled
  (``tribun_crawler.compat``; the connections of other download handlers are aborted) and handed back like
  the waiting ones.

Scrapy then closes the spider as usual: the callbacks of the responses received run, their items go through
the pipelines into the feed and the state store, the run report is written, and ``scrapy crawl`` exits with
the status of the finish reason (``shutdown``: 7, ``network_down``: 6; ``extensions.report``). A second
signal is Scrapy's: an immediate, unclean stop.

The signals are caught by wrapping the handlers Scrapy installed (``scrapy.crawler.CrawlerProcess`` installs
them when the reactor starts, before the engine does), so Scrapy's log line, graceful shutdown and forced
second stop stay as they are. A run started without Scrapy's handlers (``install_signal_handlers=False``)
keeps the default ones.

It is a downloader middleware, last on the way in (after ``middlewares.blocks`` at 950), so that nothing it
lets pass waits anywhere before its slot, and first on the way back, so that no other middleware counts a
request it stopped as failed or retries it.

Stats: ``tribun/stop/requeued`` (requests put back in the scheduler), ``tribun/stop/cancelled`` (downloads
aborted after the grace), ``tribun/stop/abandoned`` (page downloads of spider callbacks failed with
RunStopping).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import uuid
from collections.abc import Callable
from time import monotonic
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.reactor import is_reactor_installed
from twisted.internet import tcp

from tribun_crawler import meta
from tribun_crawler import stats as stat
from tribun_crawler.compat import cancel_http11_downloads, requests_in_flight, take_waiting_requests

if TYPE_CHECKING:
    from types import FrameType
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.internet.interfaces import IReactorFDSet
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

#: Signals that stop a run: a service manager's SIGTERM, and Ctrl-C.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
#: Request meta of a copy this run handed back: the run's token, so a copy downloaded again in this run (an
#: ``engine.download_async`` loop) is told apart, and one resumed from a JOBDIR by a later run is not.
HANDED_BACK = meta.STOP_HANDED_BACK


class RunStopping(Exception):
    """The run is stopping: this download was not made. Deliberately not an IgnoreRequest, which spiders read as
    "robots.txt or a block said no" and go on without the page."""


def _call_soon_threadsafe() -> Callable[..., object]:
    """Something that runs a function in the event loop thread, and may be called from a signal handler."""
    if is_reactor_installed():
        # Imported here: importing the reactor at module level would install Twisted's default one.
        from twisted.internet import reactor  # noqa: PLC0415

        return reactor.callFromThread
    return asyncio.get_event_loop().call_soon_threadsafe


class PromptStop:
    """Stop promptly on SIGTERM/SIGINT or on :meth:`stop` (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.grace = max(0.0, crawler.settings.getfloat("TRIBUN_STOP_GRACE"))
        self.token = uuid.uuid4().hex
        self.stopping = False
        self.signal_name: str | None = None
        """The signal that stopped the run (SIGTERM, SIGINT); None when none did."""
        self.stopped_at: float | None = None
        self.previous_handlers: dict[int, Callable[[int, FrameType | None], Any]] = {}
        self.cancelled: set[Request] = set()
        """Downloads in flight when the grace ran out, cancelled: handed back on their way out."""
        self.grace_call: CallLaterResult | None = None
        self.closing: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.engine_started, signal=signals.engine_started)
        crawler.signals.connect(middleware.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # --- Signals ---------------------------------------------------------------------------------------------

    def engine_started(self) -> None:
        # A signal that came before this already started Scrapy's shutdown (and made its next handler the
        # forced stop): wrapping that one would make the second signal a first one.
        if self.crawler.crawling:
            self.install_signal_handlers()

    def install_signal_handlers(self) -> None:
        call_soon = _call_soon_threadsafe()
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)
            if not callable(previous) or previous is signal.default_int_handler:
                continue  # not Scrapy's: the run was started without its handlers, leave them be
            self.previous_handlers[signum] = previous

            def handler(signum: int, frame: FrameType | None) -> None:
                # No logging here: the interrupted code may be writing the same stream (Scrapy's note).
                self.previous_handlers[signum](signum, frame)
                call_soon(self.signalled, signum)

            signal.signal(signum, handler)

    def signalled(self, signum: int) -> None:
        if self.stopping:
            return
        self.signal_name = signal.Signals(signum).name
        self.stop()

    # --- Stopping --------------------------------------------------------------------------------------------

    def stop(self, reason: str | None = None) -> None:
        """Stop the run now. With a ``reason`` the spider is closed with it; without, whoever asked for the stop
        (Scrapy's shutdown on a signal) closes it. Does nothing once the run is stopping."""
        engine = self.crawler.engine
        if self.stopping or engine is None or engine.spider is None:
            return
        self.stopping = True
        self.stopped_at = monotonic()
        engine.pause()
        waiting = self.abandon_waits()
        in_flight = self.in_flight()
        logger.info(
            "Stopping the run (%s): no new requests, %d waiting requests taken back; %d downloads in flight "
            "may end within %s s (TRIBUN_STOP_GRACE)",
            self.signal_name or reason or "shutdown",
            waiting,
            len(in_flight),
            self.grace,
        )
        self.grace_call = call_later(self.grace, self.cancel_downloads)
        if reason is not None:
            self.closing = deferred_from_coro(engine.close_spider_async(reason=reason))
            self.closing.addErrback(self.log_close_failure)

    def in_flight(self) -> list[Request]:
        return requests_in_flight(self.crawler)

    def abandon_waits(self) -> int:
        """Fail every request waiting in a download slot (for its delay or a backoff); they are handed back on
        their way out (:meth:`process_exception`). Returns how many."""
        waiting = take_waiting_requests(self.crawler, lambda request: True)
        for request, deferred in waiting:
            if request.callback is NO_CALLBACK:
                deferred.errback(IgnoreRequest("the run is stopping"))
            else:
                deferred.errback(RunStopping("the run stopped before this request was downloaded"))
        return len(waiting)

    def cancel_downloads(self) -> None:
        """The grace is over: cancel the downloads still in flight (handed back on their way out)."""
        self.grace_call = None
        in_flight = self.in_flight()
        if not in_flight:
            return
        self.cancelled.update(in_flight)
        logger.warning(
            "%d downloads still in flight %s s after the stop began: cancelling them (%s)",
            len(in_flight),
            self.grace,
            ", ".join(request.url for request in in_flight[:5]) + (", …" if len(in_flight) > 5 else ""),
        )
        if cancel_http11_downloads(in_flight) < len(in_flight):
            # Another download handler's: its connections are all the reactor can end.
            abort_client_connections()

    # --- Downloader middleware -------------------------------------------------------------------------------

    def process_request(self, request: Request) -> Request | None:
        if not self.stopping:
            return None
        if request.callback is NO_CALLBACK:
            raise IgnoreRequest("the run is stopping")
        return self.hand_back(request)

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if not self.stopping:
            return None
        if request in self.cancelled:
            self.cancelled.discard(request)
            self.crawler.stats.inc_value(stat.STOP("cancelled"))
            if request.callback is NO_CALLBACK:
                raise IgnoreRequest("the run is stopping") from exception  # robots.txt: not an error to log
            return self.hand_back(request)
        if request.callback is NO_CALLBACK:
            return None
        if isinstance(exception, RunStopping) and request.meta.get(HANDED_BACK) != self.token:
            return self.hand_back(request)
        return None

    def hand_back(self, request: Request) -> Request:
        """A copy for the engine to schedule instead of ``request`` (raises RunStopping for one handed back
        already: it came back from a spider callback's own download, which must fail)."""
        if request.meta.get(HANDED_BACK) == self.token:
            self.crawler.stats.inc_value(stat.STOP("abandoned"))
            raise RunStopping("the run stopped before this request was downloaded")
        return request.replace(dont_filter=True, meta={**request.meta, HANDED_BACK: self.token})

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        if request.meta.get(HANDED_BACK) == self.token:
            self.crawler.stats.inc_value(stat.STOP("requeued"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.grace_call is not None:
            self.grace_call.cancel()
            self.grace_call = None
        if self.stopped_at is not None:
            logger.info("Stopped %.1f s after the stop began (%s)", monotonic() - self.stopped_at, reason)

    @staticmethod
    def log_close_failure(failure: Failure) -> None:
        logger.error("Closing the spider failed: %s", failure.getErrorMessage())


def abort_client_connections() -> int:
    """Abort every outgoing TCP connection of the reactor (connected or still connecting); returns how many.

    In a crawl these are the downloads (and idle keep-alive connections of the pool): the feed storages and
    the state stores do their I/O outside the reactor. Without a reactor (``TWISTED_REACTOR_ENABLED = False``)
    nothing is aborted: the downloads end by ``DOWNLOAD_TIMEOUT``.
    """
    if not is_reactor_installed():
        return 0
    from twisted.internet import reactor  # noqa: PLC0415 - would install the default reactor at import

    descriptors = cast("IReactorFDSet", reactor)
    # mypy reads the zope Interface's methods as taking no self.
    selectables = {*descriptors.getReaders(), *descriptors.getWriters()}  # type: ignore[misc]
    aborted = 0
    for selectable in selectables:
        if not isinstance(selectable, tcp.Client):
            continue
        if selectable.connected:
            selectable.abortConnection()
        else:
            selectable.stopConnecting()
        aborted += 1
    return aborted
