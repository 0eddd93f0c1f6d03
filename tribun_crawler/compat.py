"""The one place where this project relies on how Scrapy works inside, not on its public API.

Scrapy offers no public way to hold back a host's queue, to see or fail the requests waiting in it, to cancel a
download, to list a run's feed files, or to name the errors of its brotli and zstd decoders. Each access of that
kind is a function here, so the rest of the package calls functions with a contract, and an upgrade has one file
to check:

- download slots (``scrapy/core/downloader/__init__.py``): ``Downloader.slots``, ``Downloader.per_slot_settings``,
  ``Slot.queue``, ``Slot.transferring``, ``Slot.lastseen``, ``Slot.delay``, ``Slot.jitter``;
- the HTTP/1.1 download handler's timeout call (:func:`cancel_http11_downloads`);
- the engine's requests in progress, ``ExecutionEngine._slot.inprogress`` (:func:`requests_in_progress`);
- ``FeedExporter.slots[].uri`` (``scrapy/extensions/feedexport.py``);
- ``scrapy.utils._compression``'s ``brotli`` and ``zstd`` modules.

Checked against Scrapy 2.19.0 with Twisted 26.10.0 (the versions ``requirements.txt`` pins).
``tests/test_compat.py`` fails, naming what changed, when a Scrapy upgrade breaks any of them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, cast

from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils import _compression
from scrapy.utils.reactor import is_reactor_installed
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.core.downloader import Slot
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.interfaces import IReactorTime

#: What Scrapy's brotli and zstd decoders raise on a corrupt body (the modules it decodes with, whichever is
#: installed: brotli or brotlicffi, compression.zstd or backports.zstd).
DECOMPRESSION_ERRORS: tuple[type[BaseException], ...] = (_compression.brotli.error, _compression.zstd.ZstdError)


# --- Download slots ---------------------------------------------------------------------------------------------


def download_slot(crawler: Crawler, key: str) -> Slot | None:
    """The download slot ``key`` (a host name) while it exists: Scrapy creates slots on demand and drops idle ones."""
    return crawler.engine.downloader.slots.get(key)


def requests_in_flight(crawler: Crawler) -> list[Request]:
    """Requests being downloaded now (sent, their answer not complete)."""
    return [request for slot in crawler.engine.downloader.slots.values() for request in slot.transferring]


def take_waiting_requests(
    crawler: Crawler, wanted: Callable[[Request], bool]
) -> list[tuple[Request, Deferred[Response]]]:
    """Remove from the download slots the waiting requests ``wanted`` picks (past every downloader middleware,
    waiting for their slot's delay), with the Deferred the downloader would fire; the others keep their place.
    The caller must fire each Deferred (``errback``), or the engine waits for them forever."""
    taken: list[tuple[Request, Deferred[Response]]] = []
    for slot in crawler.engine.downloader.slots.values():
        waiting = list(slot.queue)
        slot.queue.clear()
        for request, deferred in waiting:
            if wanted(request):
                taken.append((request, deferred))
            else:
                slot.queue.append((request, deferred))
    return taken


def slot_busy(crawler: Crawler, key: str) -> bool:
    """True while this worker's slot ``key`` has a request downloading or waiting to be sent."""
    slot = download_slot(crawler, key)
    return slot is not None and bool(slot.transferring or slot.queue)


def hold_slot(slot: Slot, seconds: float, now: float) -> None:
    """Send nothing from ``slot`` for ``seconds`` from ``now`` (``time.monotonic``): the downloader spaces a slot's
    requests from ``Slot.lastseen``, so a later value holds them back. A longer hold already set stays."""
    slot.lastseen = max(slot.lastseen, now + seconds)


def space_slot(slot: Slot, delay: float) -> None:
    """Space ``slot``'s requests at least ``delay`` seconds apart, without jitter (as AutoThrottle sets ``delay``)."""
    slot.delay = max(slot.delay, delay)
    slot.jitter = 0.0


def space_new_slots(crawler: Crawler, key: str, delay: float) -> None:
    """Slots created for ``key`` from now on start spaced ``delay`` apart, without jitter (``DOWNLOAD_SLOTS``, as
    the downloader keeps it per key)."""
    slot_settings = crawler.engine.downloader.per_slot_settings.setdefault(key, {})
    slot_settings["delay"] = max(float(slot_settings.get("delay", crawler.settings.getfloat("DOWNLOAD_DELAY"))), delay)
    slot_settings["jitter"] = 0.0


# --- The engine -------------------------------------------------------------------------------------------------


def requests_in_progress(crawler: Crawler) -> Collection[Request]:
    """The requests the engine took from the scheduler and is not done with: being downloaded, or their answer (or
    failure) still on its way through the callback or errback, the item pipelines and the feed, until the requests
    it yielded are queued. Scrapy's engine holds each in its slot's ``inprogress`` set for exactly that time (and
    its close waits for the set to empty); no public signal marks the end (a redirect or an ignored request sends
    none), so the shared queue's leases (distributed/leases.py) read the set."""
    slot = getattr(crawler.engine, "_slot", None) if crawler.engine is not None else None
    return slot.inprogress if slot is not None else ()


# --- Feeds ------------------------------------------------------------------------------------------------------


def feed_uris(crawler: Crawler) -> list[str]:
    """The URIs the run's feeds are written to (after ``%(name)s``/``%(time)s`` are filled in)."""
    exporter = crawler.get_extension(FeedExporter)
    return [] if exporter is None else [str(slot.uri) for slot in exporter.slots]


# --- Downloads in flight ----------------------------------------------------------------------------------------

#: The callback Scrapy's HTTP/1.1 handler adds to every download's Deferred, with the request as first argument.
TIMEOUT_CALLBACK = "_cb_timeout"


def cancel_http11_downloads(requests: Collection[Request]) -> int:
    """Cancel the downloads of ``requests`` that Scrapy's HTTP/1.1 handler has in flight; returns how many.

    Scrapy offers no way to cancel a download in flight: the download handler's Deferred is held by the
    downloader, out of reach. Its ``HTTP11DownloadHandler`` (``_ScrapyAgent.download_request`` in
    ``scrapy/core/downloader/handlers/http11.py``) arms each download's timeout as
    ``reactor.callLater(timeout, d.cancel)`` on the download's Deferred ``d``, after
    ``d.addBoth(self._cb_timeout, request, url, timeout)``. The reactor lists its delayed calls
    (``IReactorTime.getDelayedCalls``, public), so the Deferred of each download is found from its timeout, and
    cancelled now instead of at ``DOWNLOAD_TIMEOUT``: the connection (or the connection attempt, the DNS lookup,
    the proxy tunnel) is dropped and the download fails at once, as a timeout would fail it: with
    ``DownloadFailedError`` (response never received) once the request was sent, ``DownloadCancelledError``
    before. Downloads of other handlers are left alone.
    """
    if not requests or not is_reactor_installed():
        return 0
    from twisted.internet import reactor  # noqa: PLC0415 - would install the default reactor at import

    wanted = set(requests)
    found: list[Deferred[object]] = []
    for call in cast("IReactorTime", reactor).getDelayedCalls():  # type: ignore[misc]
        deferred = getattr(getattr(call, "func", None), "__self__", None)
        if not isinstance(deferred, Deferred) or getattr(call, "func", None) != deferred.cancel:
            continue
        chain: list[Any] = getattr(deferred, "callbacks", [])  # a property; typed as a method by Twisted
        for (callback, args, _), _ in chain:
            if getattr(callback, "__name__", "") == TIMEOUT_CALLBACK and args and args[0] in wanted:
                found.append(deferred)
                break
    for deferred in found:
        deferred.cancel()
    return len(found)
