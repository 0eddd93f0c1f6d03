"""Where the crawler may go: only hosts of the network, and only through redirects that lead somewhere.

``NetworkScopeMiddleware``
    Every request, whoever made it (the spider, a redirect, a meta refresh, robots.txt, a sitemap), must be
    ``http(s)`` on a host of ``tribun_crawler.sites`` (``sites.site_key``); any other is dropped before
    anything is sent, and reported as a failed page (``scope/off-network``, or ``scope/off-network-redirect``
    when a redirect led there): other hosts, ``file:`` (the crawler's own disk), ``ftp:``, ``s3:`` and the
    rest. It does what Scrapy's ``allowed_domains`` would, without trusting the spider to set it, and first of
    all the downloader middlewares, so not even a robots.txt is fetched off the network. ``data:`` URIs pass:
    they carry their content in the URL, nothing is fetched from anywhere (the spider never asks for one; test
    spiders do).
``RedirectPolicyMiddleware``
    Judges a 3xx before RedirectMiddleware follows it, and refuses (IgnoreRequest, reported as a failed page):
    a redirect back to a URL of its own chain (``redirect/loop``: a → b → a, a → a?x=1 → a?x=1; the fingerprints
    of redirected requests differ from the original's, so the dupefilter would not stop them, and URLs, not
    articles, are compared: ``/7844542`` → ``/7844542/slug`` is the site completing a URL, not a loop), one hop past
    ``REDIRECT_MAX_TIMES`` (``redirect/too-many``), and a redirect from an article to a page of the network that
    is not an article (``redirect/not-an-article``: a removed story sent to the homepage is not the story, and
    read as one it would be an unreadable page or, worse, a listing parsed as an article). An article that
    moved to another article URL is followed. Redirects off the network are left to
    ``NetworkScopeMiddleware``, which refuses the redirected request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached
from w3lib.url import canonicalize_url, safe_url_string

from tribun_crawler import meta
from tribun_crawler.failures import report_failed_request, requested_url
from tribun_crawler.sites import site_key
from tribun_crawler.urls import PageType, classify_url, on_network

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

#: The statuses RedirectMiddleware follows.
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Page types of article requests: the article itself and the extra pages the spider fetches for it.
ARTICLE_PAGE_KINDS = frozenset({meta.PageKind.ARTICLE, meta.PageKind.ARTICLE_PAGE})


#: Schemes whose URLs hold their content and are fetched from nowhere.
SELF_CONTAINED_SCHEMES = frozenset({"data"})


class NetworkScopeMiddleware:
    """Drops every request that is not http(s) on a host of the network (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme in SELF_CONTAINED_SCHEMES or (
            parts.scheme in ("http", "https") and site_key(parts.hostname) is not None
        ):
            return
        redirected = bool(request.meta.get("redirect_urls"))
        reason = "scope/off-network-redirect" if redirected else "scope/off-network"
        detail = f"redirected to {request.url}" if redirected else f"{request.url} is outside the network"
        report_failed_request(self.crawler, request, reason, detail)
        raise IgnoreRequest(f"{reason}: {request.url} (asked for {requested_url(request)})")


class RedirectPolicyMiddleware:
    """Refuses redirect loops, over-long chains and article → non-article redirects (module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_redirect_times = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location or request.meta.get("dont_redirect"):
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        problem = self.problem(request, target)
        if problem is None:
            return response
        reason, why = problem
        report_failed_request(self.crawler, request, reason, f"{why}: {request.url} -> {target}")
        raise IgnoreRequest(f"{reason}: {request.url} -> {target}")

    def problem(self, request: Request, target: str) -> tuple[str, str] | None:
        """(reason, explanation) when the redirect from ``request`` to ``target`` must not be followed."""
        if not on_network(target):
            return None  # NetworkScopeMiddleware refuses the redirected request
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
            return "redirect/loop", f"back to a URL of its own chain of {len(chain)}"
        if request.meta.get("redirect_times", 0) + 1 > self.max_redirect_times:
            return "redirect/too-many", f"more than {self.max_redirect_times} redirects"
        if meta.page_kind(request.meta) in ARTICLE_PAGE_KINDS and classify_url(target) is not PageType.ARTICLE:
            return "redirect/not-an-article", "an article redirected to a page that is not one"
        return None
