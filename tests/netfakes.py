"""Broken networks for end-to-end crawls, all on 127.0.0.1: a port nothing listens on, a resolver that knows no
name, and a proxy in front of the replica that refuses some hosts and slows others down.

Nothing here sends a byte anywhere but 127.0.0.1: the resolver answers every name with no address without asking
anyone, and the proxy only ever connects to the upstream port on 127.0.0.1 it was given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from zope.interface import implementer

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: What the resolver logs for every name it was asked, so a test can tell it was the one used.
RESOLVER_LOG = "NoDnsResolver: no address for %s"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass


@implementer(IHostnameResolver)
class NoDnsResolver:
    """``TWISTED_DNS_RESOLVER``: DNS down. Every name resolves to no address, as when no DNS server answers;
    the download then fails with Twisted's DNSLookupError (Scrapy's CannotResolveHostError)."""

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> IResolutionReceiver:
        logger.info(RESOLVER_LOG, hostName)
        resolutionReceiver.resolutionBegan(_Resolution(hostName))
        resolutionReceiver.resolutionComplete()
        return resolutionReceiver


class FrontProxy:
    """An HTTP(S) proxy on 127.0.0.1 in front of another one (the replica), in a thread of the test process.

    ``refuse``: hosts whose ``CONNECT`` (or plain request) is answered ``502 Bad Gateway``, as a proxy answers
    when the host refuses it: the crawler sees a host that is down. ``slow``: host -> seconds every chunk from
    upstream is held back before it is passed on: the crawler sees a host that answers very slowly. Everything
    else is passed on as is. ``hosts`` lists the host of every connection, in order.
    """

    def __init__(self, upstream_port: int, refuse: Iterable[str] = (), slow: Mapping[str, float] | None = None):
        self.upstream_port = upstream_port
        self.refuse = set(refuse)
        self.slow = dict(slow or {})
        self.hosts: list[str] = []
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {"http_proxy": self.url, "https_proxy": self.url, "HTTP_PROXY": self.url, "HTTPS_PROXY": self.url}

    def __enter__(self) -> FrontProxy:
        self.thread.start()
        started: Future[int] = asyncio.run_coroutine_threadsafe(self._start(), self.loop)
        self.port = started.result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _start(self) -> int:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _stop(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass  # the client went away, or the proxy is stopping
        finally:
            self.tasks.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        host = _request_host(head)
        self.hosts.append(host)
        if host in self.refuse:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        try:
            up_writer.write(head)
            delay = self.slow.get(host, 0.0)
            await asyncio.gather(_pipe(reader, up_writer, 0.0), _pipe(up_reader, writer, delay))
        finally:
            up_writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter, delay: float) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65536):
            if delay:
                await asyncio.sleep(delay)
            sink.write(data)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()


def _request_host(head: bytes) -> str:
    """The host a proxy request is for: ``CONNECT host:443`` or ``GET http://host/path``."""
    target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")
    if "://" in target:
        target = target.split("://", 1)[1].split("/", 1)[0]
    return target.rsplit(":", 1)[0] if ":" in target else target
