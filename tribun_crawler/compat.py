"""The one place where this project relies on how Scrapy works inside, not on its public API.

Checked against Scrapy 2.19.0 with Twisted 26.10.0. ``tests/test_compat.py`` fails, naming what changed, when a
Scrapy upgrade breaks what :func:`cancel_http11_downloads` relies on.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, cast

from scrapy.utils.reactor import is_reactor_installed
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy import Request
    from twisted.internet.interfaces import IReactorTime

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
