"""The replica Tribun network as an HTTP proxy on 127.0.0.1, for end-to-end runs of ``scrapy crawl tribun``.

Point a crawler at it with ``http_proxy``/``https_proxy=http://127.0.0.1:PORT``:

- absolute-form plain-http requests (``GET http://host/path HTTP/1.1``) are answered directly;
- ``CONNECT host:443`` is answered ``200 Connection established``, the socket is then wrapped in TLS with the
  self-signed ``*.tribunnews.com`` certificate next to this file, and the HTTP/1.1 requests on it (keep-alive)
  are answered for that host;
- a host outside :data:`tribun_crawler.sites.SITES` gets 502 and is logged as an off-network attempt;
- every request is appended to the JSONL request log (``--log``), with the body bytes sent for each answer of a
  site (``bytes``: after gzip when the client accepts it; CONNECT, the proxy's 502/405 and the hostile hosts'
  pages have none).

The site behaves like the real one behind CloudFront: 403 to non-browser user agents and to every request on a
``--block``-ed host, robots.txt per host (``--crawl-delay`` adds ``Crawl-delay``), gzip when asked.
``--redesign-since DATE`` plays a template change: articles published on or after DATE come in a new article
template whose body div has other classes (older articles keep their era's template, as on the real site).
``--redesign HOST=N`` plays the same change deployed on one host while a crawl runs: after HOST has served N
article pages, every article page it serves comes in the new template.
``--hostile`` adds the hostile hosts of ``hostile.py`` (broken servers and pages, traps; its 403 host blocked).
``--sitemap-index`` adds the articles of the host that publishes its sitemaps only at /sitemap.xml
(``sitemap_index.py``). ``--validators`` sends an ``ETag`` (and, on sitemaps, a ``Last-Modified``) with robots.txt,
homepages, section hubs, daily indexes and sitemaps, and answers a conditional request for an unchanged one with
304 Not Modified, as CloudFront does for an object whose origin sent validators (whether Tribun's origin sends them
is not established: docs/site.md#robots-and-blocking); without it, no page carries a validator.

    python -m tests.replica.server --port 0 --log FILE [--generation N] [--today YYYY-MM-DD]
        [--block HOST ...] [--crawl-delay HOST=SECONDS ...] [--redesign-since YYYY-MM-DD]
        [--redesign HOST=N ...] [--hostile] [--sitemap-index] [--validators]

prints ``READY <port>`` once listening and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import signal
import socketserver
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import Message
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from tests.replica import pages
from tests.replica.network import ARTICLE_SITES, SECTIONS, Network, build_network, request_variant
from tribun_crawler.sites import SITES, WIB, site_key

if TYPE_CHECKING:
    from tests.replica.hostile import HostileReplica

HERE = Path(__file__).resolve().parent
#: Test-only certificate and key for ``*.tribunnews.com`` (self-signed, 20 years); how to regenerate them is in
#: the package docstring (``tests/replica/__init__.py``).
CERT_FILE = HERE / "cert.pem"
KEY_FILE = HERE / "key.pem"

#: User agents CloudFront turns away: HTTP libraries, command-line tools, anything calling itself a bot.
_NON_BROWSER = re.compile(
    r"bot|crawl|spider|scrapy|python|urllib|requests|httpx|aiohttp|curl|wget|go-http|java/|okhttp|libwww|"
    r"httpclient|postman",
    re.I,
)
_BROWSER = re.compile(r"^Mozilla/5\.0 \([^)]+\).*\b(?:Chrome|Firefox|Safari|Edg)/\d", re.I)


def is_browser(user_agent: str) -> bool:
    """True for a browser user agent, the only kind CloudFront lets through."""
    return bool(_BROWSER.search(user_agent)) and not _NON_BROWSER.search(user_agent)


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Config:
    network: Network
    log_path: Path
    blocked: frozenset[str] = frozenset()
    crawl_delays: dict[str, float] = field(default_factory=dict)
    redesign_since: date | None = None
    """Articles published on or after this (local) date are served in the redesigned template."""
    redesign_after: dict[str, int] = field(default_factory=dict)
    """Per host, the article pages it serves before it switches to the redesigned template (``--redesign``)."""
    articles_served: dict[str, int] = field(default_factory=dict)
    hostile: HostileReplica | None = None
    """Serves the hostile hosts (``--hostile``)."""
    extra_sites: frozenset[str] = frozenset()
    """Sites beyond ``ARTICLE_SITES`` whose articles the network holds (``--sitemap-index``)."""
    latency: float = 0.0
    """Seconds each on-network answer waits before it is sent (``--latency``): overlapping workers, as on the site."""
    validators: bool = False
    """Discovery pages carry validators and conditional requests are answered 304 (``--validators``)."""
    log_lock: threading.Lock = field(default_factory=threading.Lock)

    def redesigned_now(self, host: str) -> bool:
        """Whether this article page of ``host`` comes in the new template (counting it as served)."""
        if host not in self.redesign_after:
            return False
        with self.log_lock:
            served = self.articles_served.get(host, 0)
            self.articles_served[host] = served + 1
        return served >= self.redesign_after[host]

    def respond(self, host: str, path: str, query: str, user_agent: str) -> Response:
        """The answer to one on-network request; a clocked network (``benchmarks/schedule_network.py``) overrides
        it to serve what is published at its clock."""
        return respond(self, host, path, query, user_agent)

    def log(self, entry: dict[str, object]) -> None:
        """Append one JSON line; one ``write`` per line so a reader never sees half an entry."""
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
        with self.log_lock:
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)


def _host_name(value: str) -> str:
    """A ``--block``/``--crawl-delay`` host: a full host name, or a site key such as ``banyumas``."""
    value = value.strip().lower()
    return SITES[value].host if value in SITES else value


def _html(status: int, text: str) -> Response:
    return Response(status, text.encode())


def _parse_day(value: str | None, default: date) -> date | None:
    if not value:
        return default
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value.strip())
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _page_number(query: dict[str, str]) -> int:
    value = query.get("page", "1")
    return int(value) if value.isdigit() else 1


def respond(config: Config, host: str, path: str, query: str, user_agent: str) -> Response:
    """The response of the network to one request, before transport concerns (gzip, headers)."""
    request_id = uuid.uuid4().hex[:20].upper()
    if host in config.blocked or not is_browser(user_agent):
        return Response(
            403,
            pages.cloudfront_403(request_id).encode("latin-1"),
            "text/html; charset=iso-8859-1",
            {"X-Cache": "Error from cloudfront"},
        )
    site = site_key(host)
    assert site is not None
    if path == "/robots.txt":
        delay = config.crawl_delays.get(host)
        response = Response(200, pages.robots_txt(site, delay).encode(), "text/plain; charset=UTF-8")
    else:
        found = _route(config, site, path, dict(parse_qsl(query, keep_blank_values=True)), query)
        response = found or _html(404, pages.render_not_found(site))
    if config.validators and response.status == 200 and is_discovery_page(site, path):
        _add_validators(config.network, site, path, response)
    return response


def is_discovery_page(site: str, path: str) -> bool:
    """robots.txt, the homepage, a section hub, a daily index or a sitemap: what ``--validators`` validates."""
    return (
        path in ("/robots.txt", "/", "/index-news", "/indeks")
        or path.startswith("/index-news/")
        or path in pages.sitemap_files(site)
        or path.strip("/") in dict(SECTIONS.get(site, ()))
    )


def _add_validators(net: Network, site: str, path: str, response: Response) -> None:
    """A strong ETag of the body, and the sitemap's own ``lastmod`` as its Last-Modified."""
    response.headers["ETag"] = f'"{hashlib.sha256(response.body).hexdigest()[:24]}"'
    if path in pages.sitemap_files(site):
        changed = pages.sitemap_lastmod(net, f"{SITES[site].home}{path.lstrip('/')}")
        if changed is not None:
            response.headers["Last-Modified"] = formatdate(changed.timestamp(), usegmt=True)


def not_modified(request_headers: Message, response: Response) -> bool:
    """RFC 9110 §13.1: If-None-Match decides when it is sent (weak comparison, as for GET), else If-Modified-Since."""
    etag = response.headers.get("ETag")
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag is not None and ("*" in tags or etag.removeprefix("W/") in tags)
    modified, since = response.headers.get("Last-Modified"), request_headers.get("If-Modified-Since")
    if modified is None or since is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _route(config: Config, site: str, path: str, params: dict[str, str], query: str) -> Response | None:
    net = config.network
    now = datetime.now(WIB)
    if path == "/":
        return _html(200, pages.render_home(net, site, now))
    if path in ("/index-news", "/indeks") or path.startswith("/index-news/"):
        return _index(net, site, path, params)
    sitemap = _sitemap(net, site, path)
    if sitemap is not None:
        return sitemap
    if site not in ARTICLE_SITES and site not in config.extra_sites:
        return None
    article = net.resolve(SITES[site].host, path)
    if article is not None:
        redesigned = config.redesign_since is not None and article.published.date() >= config.redesign_since
        redesigned = config.redesigned_now(SITES[site].host) or redesigned
        text = pages.render_article(
            net, article, request_variant(query), amp=path.startswith("/amp/"), redesigned=redesigned
        )
        return _html(200, text) if text is not None else None
    archive = re.fullmatch(r"/(\d{4})/(\d{1,2})", path)
    if archive and site == "www" and 1 <= int(archive.group(2)) <= 12:
        year, month = int(archive.group(1)), int(archive.group(2))
        return _html(200, pages.render_archive(net, site, year, month, _page_number(params)))
    section = path.strip("/")
    if section in dict(SECTIONS.get(site, ())):
        return _html(200, pages.render_hub(net, site, section, now))
    return None


def _index(net: Network, site: str, path: str, params: dict[str, str]) -> Response | None:
    """``/index-news[/{section}]?date=…&page=…``; the regional menu's ``/indeks`` shows the same list."""
    section = path.removeprefix("/index-news/") if path.startswith("/index-news/") else None
    if path == "/indeks" and site == "www":
        return None
    if section is not None and section not in dict(SECTIONS.get(site, ())):
        return None
    day = _parse_day(params.get("date"), net.today)
    if day is None:
        return None
    return _html(200, pages.render_index(net, site, day, _page_number(params), section))


def _sitemap(net: Network, site: str, path: str) -> Response | None:
    """A sitemap file of the site (``pages.sitemap_files``: every site has them, populated or not)."""
    file = pages.sitemap_files(site).get(path)
    if file is None:
        return None
    content_type = "application/x-gzip" if file.gzip else "application/xml; charset=UTF-8"
    return Response(200, pages.render_sitemap(net, site, file), content_type)


class ReplicaServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a crawler opens many tunnels at once
    block_on_close = False

    def __init__(self, address: tuple[str, int], config: Config, tls: ssl.SSLContext) -> None:
        self.config = config
        self.tls = tls
        super().__init__(address, ProxyHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-request is normal for a crawler (timeouts, shutdown): not an error.
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    server: ReplicaServer
    tunnel_host: str | None = None

    def version_string(self) -> str:
        return "CloudFront"

    def log_message(self, format: str, *args: object) -> None:
        """The JSONL log records every request; the default access log on stderr would only be noise."""

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, ssl.SSLError, TimeoutError):
            self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.close()

    # --- proxy ---------------------------------------------------------------------------------------------

    def do_CONNECT(self) -> None:
        host = self.path.rsplit(":", 1)[0].strip("[]").lower()
        if site_key(host) is None:
            self._log("CONNECT", scheme="https", host=host, path="", query="", status=502, off_network=True)
            self._send(Response(502, b"502 Bad Gateway: host outside the Tribun network\n", "text/plain"))
            self.close_connection = True
            return
        self._log("CONNECT", scheme="https", host=host, path="", query="", status=200)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        # The client sends its TLS hello only after the 200, so nothing is left in the plain read buffer.
        self.rfile.close()
        try:
            tls_socket = self.server.tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.connection = self.request = tls_socket
        self.rfile = tls_socket.makefile("rb")
        self.wfile = tls_socket.makefile("wb")
        self.tunnel_host = host
        self.close_connection = False

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        scheme, host, path, query = self._target()
        self._log(
            "POST",
            scheme=scheme,
            host=host,
            path=path,
            query=query,
            status=405,
            off_network=site_key(host) is None,
        )
        self._send(Response(405, b"Method Not Allowed\n", "text/plain"))

    def _target(self) -> tuple[str, str, str, str]:
        """(scheme, host, path, query) of the request: tunnel host, absolute-form URL or Host header."""
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            return parts.scheme, (parts.hostname or "").lower(), parts.path or "/", parts.query
        parts = urlsplit(self.path)
        if self.tunnel_host:
            return "https", self.tunnel_host, parts.path or "/", parts.query
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        return "http", host, parts.path or "/", parts.query

    def _serve(self, *, send_body: bool) -> None:
        scheme, host, path, query = self._target()
        user_agent = self.headers.get("User-Agent") or ""
        if site_key(host) is None:
            self._log(
                self.command,
                scheme=scheme,
                host=host,
                path=path,
                query=query,
                status=502,
                off_network=True,
                user_agent=user_agent,
            )
            self._send(Response(502, b"502 Bad Gateway: host outside the Tribun network\n", "text/plain"))
            return
        hostile = self.server.config.hostile
        if hostile is not None and hostile.serves(host) and is_browser(user_agent):
            hostile.serve(self, scheme, host, path, query)
            return
        response = self.server.config.respond(host, path, query, user_agent)
        if response.status == 200 and not_modified(self.headers, response):
            kept = ("ETag", "Last-Modified")
            response = Response(304, b"", headers={k: v for k, v in response.headers.items() if k in kept})
        if self.server.config.latency:
            time.sleep(self.server.config.latency)
        body = self._encoded(response)
        self._log(
            self.command,
            scheme=scheme,
            host=host,
            path=path,
            query=query,
            status=response.status,
            user_agent=user_agent,
            size=len(body) if send_body else 0,
        )
        self._send(response, send_body=send_body, body=body)

    def _encoded(self, response: Response) -> bytes:
        """The body as sent: gzip when the client accepts it (``Content-Encoding`` set on ``response``)."""
        if "gzip" in (self.headers.get("Accept-Encoding") or "") and len(response.body) > 512:
            response.headers["Content-Encoding"] = "gzip"
            return gzip.compress(response.body)
        return response.body

    def _send(self, response: Response, *, send_body: bool = True, body: bytes | None = None) -> None:
        body = self._encoded(response) if body is None else body
        self.send_response(response.status)
        if response.status != 304:  # a 304 has no body, and describes none (RFC 9110 §15.4.5)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(body)))
        headers = {
            "Vary": "Accept-Encoding",
            "X-Cache": "Miss from cloudfront",
            "Via": "1.1 7f3a2c.cloudfront.net (CloudFront)",
            **response.headers,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _log(
        self,
        method: str,
        *,
        scheme: str,
        host: str,
        path: str,
        query: str,
        status: int,
        off_network: bool = False,
        user_agent: str | None = None,
        size: int | None = None,
    ) -> None:
        """One line of the request log; ``size`` is the body bytes sent (``bytes``; absent for answers the
        handler does not build itself: CONNECT, the hostile hosts' pages)."""
        ua = user_agent if user_agent is not None else self.headers.get("User-Agent") or ""
        if off_network:
            print(f"replica: off-network attempt {method} {scheme}://{host}{path}", file=sys.stderr, flush=True)
        self.server.config.log(
            {
                "t": time.time(),
                "method": method,
                "scheme": scheme,
                "host": host,
                "path": path,
                "query": query,
                "user_agent": ua,
                "status": status,
                "off_network": off_network,
                **({"bytes": size} if size is not None else {}),
            }
        )


def tls_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT_FILE, KEY_FILE)
    context.set_alpn_protocols(["http/1.1"])
    return context


def _delay(value: str) -> tuple[str, float]:
    host, sep, seconds = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected HOST=SECONDS, got {value!r}")
    try:
        return _host_name(host), float(seconds)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {seconds!r}") from exc


def _redesign(value: str) -> tuple[str, int]:
    host, sep, count = value.partition("=")
    if not sep or not count.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST=ARTICLE_PAGES, got {value!r}")
    return _host_name(host), int(count)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.replica.server", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--log", type=Path, required=True, help="JSONL request log to append to")
    parser.add_argument("--generation", type=int, default=1, help="network generation (2: updates)")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="network date, YYYY-MM-DD")
    parser.add_argument("--block", nargs="+", action="extend", default=[], metavar="HOST", type=_host_name)
    parser.add_argument("--crawl-delay", nargs="+", action="extend", default=[], metavar="HOST=SECONDS", type=_delay)
    parser.add_argument(
        "--redesign-since",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="serve articles published on or after this date in a new template (another body div class)",
    )
    parser.add_argument(
        "--redesign",
        nargs="+",
        action="extend",
        default=[],
        metavar="HOST=N",
        type=_redesign,
        help="HOST switches to the new template after serving N article pages (a change deployed mid-crawl)",
    )
    parser.add_argument("--hostile", action="store_true", help="also serve the hostile hosts of hostile.py")
    parser.add_argument(
        "--sitemap-index", action="store_true", help="also serve the articles of the host of sitemap_index.py"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each answer waits (server think time)")
    parser.add_argument(
        "--validators", action="store_true", help="ETag/Last-Modified on discovery pages, 304 when unchanged"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    network = build_network(args.generation, args.today)
    extra_sites: frozenset[str] = frozenset()
    if args.sitemap_index:
        from tests.replica.sitemap_index import SITE, sitemap_index_articles

        articles = (*network.articles, *sitemap_index_articles(network.today))
        network = Network(network.generation, network.today, articles)
        extra_sites = frozenset({SITE})
    hostile = None
    if args.hostile:
        from tests.replica.hostile import HostileReplica

        hostile = HostileReplica(network.today)
    config = Config(
        network=network,
        log_path=args.log,
        blocked=frozenset(args.block) | (hostile.blocked_hosts if hostile else frozenset()),
        crawl_delays=dict(args.crawl_delay),
        redesign_since=args.redesign_since,
        redesign_after=dict(args.redesign),
        hostile=hostile,
        extra_sites=extra_sites,
        latency=args.latency,
        validators=args.validators,
    )
    return serve(config, args.port)


def serve(config: Config, port: int) -> int:
    """Serve ``config`` on 127.0.0.1:``port`` (0: any free port), print ``READY <port>``, stop on SIGTERM/SIGINT."""
    server = ReplicaServer(("127.0.0.1", port), config, tls_context())
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    print(f"READY {server.server_address[1]}", flush=True)
    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
