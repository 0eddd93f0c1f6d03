"""The discovery cache: robots.txt kept between runs, discovery pages asked for again only if they changed.

A scheduled run (cron, every 15 minutes) begins every host with the same requests: robots.txt, then its section hubs
or homepage, daily index and sitemaps, most of them unchanged since the run before. This downloader middleware is
Scrapy's ``HttpCacheMiddleware`` with a policy of its own (:class:`DiscoveryCachePolicy`, an ``RFC2616Policy``) and a
folder of its own (``TRIBUN_DISCOVERY_CACHE_DIR``; by default beside the SQLite state file), and it keeps nothing
but these requests:

- **robots.txt** is answered from the cache while fresh: as long as its ``Cache-Control``/``Expires`` allow and
  24 hours at most (RFC 9309 §2.4), measured on the crawl's clock (``TRIBUN_NOW``, ``clock.py``). Stale, it is
  asked for again (conditionally when it came with a validator). A 200 is kept, and a 404 or 410 (no robots.txt:
  everything is allowed, RFC 9309 §2.3.1.3); other 4xx (the CDN's 403, a 429) refuse the crawler rather than tell
  about the file, and are not kept. When the host answers 5xx or cannot be reached and a copy is kept, the copy is
  used, whatever its age (RFC 9309 §2.3.1.4 and §2.4): ``tribun/discovery/robots_txt_fallback``, one warning.
- **A sitemap name looked for** (``/sitemap.xml`` on a regional host) that answered 404 or 410 is kept and not
  asked for again for 24 hours (:data:`ABSENT_SITEMAP_MAX_AGE`): the spider reads the kept answer as absent and
  goes on to the host's next name.
- **Discovery pages** (homepages, section hubs, daily indexes, sitemaps) that came with a validator (``ETag`` or
  ``Last-Modified``) are kept and asked for again on every run with ``If-None-Match``/``If-Modified-Since``; a page
  kind the site serves without validators is not kept and is fetched as before. A 304 becomes the kept page
  (Scrapy's revalidation), so no middleware below this one ever sees a 304. The page is marked not modified
  (``meta.NOT_MODIFIED``), and the spider reads nothing from it, only when reading it could bring nothing new: the
  copy was stored, or last confirmed, by a run that finished (its id is in the folder's ``finished-runs``), no run
  that opened before this one is unfinished in the state store, and the state store is neither empty nor reset by
  this run. Then a finished run followed every link of the page into this state store. Otherwise the copy is read
  as if it had just been downloaded. A discovery page that cannot be fetched fails as it would without the cache.
- **A sitemap that lists changes only** (a web sitemap: entries with a ``lastmod`` and no publication date, as
  :func:`~tribun_crawler.extractors.sitemap.sitemap_role` reads it when it arrives, noted on the kept copy as
  ``X-Tribun-Sitemap-Role``), and every sitemap of a run that
  reads sitemaps for changes only (``-a discover=changes``, the default: ``meta.CHANGES_ONLY``), is not asked for
  at all while its kept copy, read by a finished run, is younger than ``TRIBUN_CHANGE_SITEMAP_INTERVAL`` (4 h) and
  its host answered with a list of its new articles within that interval (a news sitemap, a homepage, section hub
  or daily index): that list brings the new articles, so the sitemap brings only updates, and an update waits that
  long at most (``tribun/discovery/change_sitemap_not_due``; the kept copy is marked not modified). A host whose
  lists stop answering has its sitemaps asked for on every discovery once the interval has passed. When each host
  last answered with a list of new articles, and with a sitemap of changes, is kept in the folder
  (:data:`HOST_ANSWERS_FILE`); the second tells the spider which sites' changes the sitemaps show
  (:meth:`DiscoveryCacheMiddleware.changes_shown_by`).

Each kept answer carries three headers of the project's: ``X-Tribun-Cached-At`` (when, on the crawl's clock),
``X-Tribun-Cached-By`` (the run's id) and, for a sitemap an index listed with a ``lastmod``,
``X-Tribun-Listed-Lastmod``. The spider asks :meth:`DiscoveryCacheMiddleware.sitemap_unchanged` whether a sitemap
an index lists at a ``lastmod`` was read at that same ``lastmod`` by a finished run, and then does not request it.

Without a copy, a robots.txt still answering 5xx after Scrapy's retries is complete disallow for the run
(:class:`UnreachableRobotsTxtMiddleware`, RFC 9309 §2.3.1.4).

RobotsTxtMiddleware downloads robots.txt through ``engine.download_async``, that is through every downloader
middleware, this one included: a fresh copy answers it without a request, and ``response_received`` still fires
for the copy, so the spider reads the ``Sitemap:`` lines of a kept robots.txt as of a downloaded one.

The offline replay's cache (``HTTPCACHE_ENABLED``, docs/operations.md) keeps every answer; this one steps aside
then, so that a recording holds what the site answered and a replay depends on nothing else.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.extensions.httpcache import RFC2616Policy, parse_cachecontrol, rfc1123_to_epoch
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.utils.httpobj import urlparse_cached
from w3lib.http import headers_dict_to_raw, headers_raw_to_dict

from tribun_crawler import meta
from tribun_crawler import stats as stat
from tribun_crawler.clock import crawl_now
from tribun_crawler.extractors.sitemap import SitemapRole, sitemap_role
from tribun_crawler.feeds import path_component
from tribun_crawler.meta import PageKind
from tribun_crawler.state import backend_name, reset_requested
from tribun_crawler.state.crawl import CrawlState
from tribun_crawler.state.runs import FINISHED

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

#: RFC 9309 §2.4: "Crawlers SHOULD NOT use the cached version for more than 24 hours, unless the robots.txt file
#: is unreachable."
ROBOTS_TXT_MAX_AGE = 24 * 3600
#: robots.txt answers kept: the file, or its absence (RFC 9309 §2.3.1.3, "unavailable": everything is allowed).
ROBOTS_TXT_KEPT = frozenset({200, 404, 410})
#: A sitemap name looked for on a host that answered 404 or 410 is not asked for again for this long: a regional
#: host without ``/sitemap.xml`` answered 404 on each of a scheduled day's runs (327 of a simulated day's requests,
#: docs/performance.md). A site that adds the file is read from it within a day.
ABSENT_SITEMAP_MAX_AGE = 24 * 3600
ABSENT_STATUSES = frozenset({404, 410})
#: The page kinds a run starts discovery from, asked for again on every run.
DISCOVERY_KINDS = frozenset({PageKind.HOME, PageKind.SECTION, PageKind.INDEX, PageKind.SITEMAP})
#: The project's headers on a kept answer: when it was stored (crawl clock, Unix seconds), by which run, and the
#: lastmod the index that led to a sitemap gave it.
CACHED_AT = "X-Tribun-Cached-At"
CACHED_BY = "X-Tribun-Cached-By"
LISTED_LASTMOD = "X-Tribun-Listed-Lastmod"
#: A sitemap's role (``extractors.sitemap.SitemapRole``, or ``none``), read once when it arrives and kept with it:
#: the copy stands for the answer on later runs without being parsed again.
SITEMAP_ROLE = "X-Tribun-Sitemap-Role"
NO_ROLE = "none"
#: When each host last answered with a list of its new articles, and with a sitemap of changes (crawl clock, Unix
#: seconds): a JSON object ``{"new_articles": {host: time}, "changes": {host: time}}`` in the cache folder.
HOST_ANSWERS_FILE = "host-answers.json"
#: The answers it keeps: a list of new articles (news sitemap, homepage, hub, daily index), a sitemap of changes.
NEW_ARTICLES = "new_articles"
CHANGES = "changes"
#: The page kinds that list a host's new articles besides a news sitemap.
LISTING_KINDS = frozenset({PageKind.HOME, PageKind.SECTION, PageKind.INDEX})
#: The ids of the runs that finished, one a line, in the cache folder; the newest are kept.
FINISHED_RUNS_FILE = "finished-runs"
FINISHED_RUNS_KEPT = 200
#: Kept answers no run used (stored or confirmed) for this long are removed when a run finishes: the daily indexes
#: of past days, hubs of sections no longer crawled. RFC 9309 §2.3.1.4 names 30 days as a reasonably long time for
#: a robots.txt to stay unreachable before its copy need no longer be used.
PRUNE_AFTER_DAYS = 30
#: What reading a damaged cache entry may raise: it is then as if nothing were kept.
_UNREADABLE = (OSError, ValueError, KeyError, TypeError)


def is_robots_txt(request: Request) -> bool:
    """A host's robots.txt, as RobotsTxtMiddleware asks for it (the spider never does)."""
    return meta.PAGE_KIND not in request.meta and urlparse_cached(request).path == "/robots.txt"


def is_discovery_page(request: Request) -> bool:
    return meta.page_kind(request.meta) in DISCOVERY_KINDS


def is_sitemap(request: Request) -> bool:
    return meta.page_kind(request.meta) is PageKind.SITEMAP


def is_sitemap_guess(request: Request) -> bool:
    return is_sitemap(request) and meta.is_sitemap_guess(request.meta)


def why_off(settings: BaseSettings) -> str | None:
    """Why the discovery cache is off for a crawl of ``settings`` (``""``: turned off), or None when it is on."""
    if not settings.getbool("TRIBUN_DISCOVERY_CACHE"):
        return ""
    if settings.getbool("HTTPCACHE_ENABLED"):
        return "HTTPCACHE_ENABLED's cache answers every request (offline replay)"
    if cache_folder(settings) is None:
        return "the state is in Redis and TRIBUN_DISCOVERY_CACHE_DIR is empty"
    return None


def cache_folder(settings: BaseSettings) -> Path | None:
    """``TRIBUN_DISCOVERY_CACHE_DIR``, or beside the SQLite state file (``.state/tribun-discovery`` for
    ``.state/tribun.sqlite3``): what is kept belongs with the state that knows which links were followed. None with
    the Redis state and no folder named: each worker would need its own, which only its operator can name."""
    named = str(settings.get("TRIBUN_DISCOVERY_CACHE_DIR") or "").strip()
    if named:
        return Path(named).resolve()
    if backend_name(settings) != "sqlite":
        return None
    state = Path(settings.get("TRIBUN_STATE_PATH"))
    return state.with_name(f"{state.stem}-discovery").resolve()


def robots_txt_lifetime(headers: Headers) -> float:
    """Seconds a robots.txt answer stays fresh: what its caching headers allow (RFC 9111), 24 hours at most.

    RFC 9309 §2.4: crawlers MAY use standard HTTP cache control and SHOULD NOT use a cached robots.txt for more than
    24 hours. No caching header: the 24 hours.
    """
    control = parse_cachecontrol(headers.get(b"Cache-Control") or b"")
    if b"no-cache" in control:
        return 0
    if b"max-age" in control:
        try:
            return min(max(0, int(control[b"max-age"] or b"")), ROBOTS_TXT_MAX_AGE)
        except ValueError:
            return 0  # RFC 9111 §1.2.2: an invalid max-age is stale
    if b"Expires" in headers:
        expires, date = rfc1123_to_epoch(headers.get(b"Expires")), rfc1123_to_epoch(headers.get(b"Date"))
        if expires is None or date is None:
            return 0  # RFC 9111 §5.3: an invalid Expires is a time in the past
        return min(max(0, expires - date), ROBOTS_TXT_MAX_AGE)
    return ROBOTS_TXT_MAX_AGE


def _header(response: Response, name: str) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else ""


class DiscoveryCachePolicy(RFC2616Policy):
    """Which requests and answers are kept, when a kept robots.txt is fresh, when a kept page stands for the answer."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.now: Callable[[], float] = lambda: crawl_now(settings).timestamp()
        self.not_due: Callable[[Response, Request], bool] = lambda kept, request: False
        """Whether a kept sitemap stands for the answer without asking (set by the middleware)."""

    def should_cache_request(self, request: Request) -> bool:
        return (is_robots_txt(request) or is_discovery_page(request)) and super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if b"no-store" in parse_cachecontrol(response.headers.get(b"Cache-Control") or b""):
            return False
        if is_robots_txt(request):
            return response.status in ROBOTS_TXT_KEPT
        if is_sitemap_guess(request) and response.status in ABSENT_STATUSES:
            return True
        # Kept only to be asked for again conditionally: without a validator there is nothing to ask with.
        return response.status == 200 and (b"ETag" in response.headers or b"Last-Modified" in response.headers)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        if is_robots_txt(request) and self.age(cachedresponse) < robots_txt_lifetime(cachedresponse.headers):
            return True
        if cachedresponse.status in ABSENT_STATUSES:
            # A sitemap name the host does not publish: its absence stands for a day, then it is asked for again.
            return is_sitemap_guess(request) and self.age(cachedresponse) < ABSENT_SITEMAP_MAX_AGE
        if self.not_due(cachedresponse, request):
            return True
        # Stale robots.txt, or a discovery page (never fresh: asked for again on every run): asked for with the
        # validators it came with.
        if b"Last-Modified" in cachedresponse.headers:
            request.headers[b"If-Modified-Since"] = cachedresponse.headers[b"Last-Modified"]
        if b"ETag" in cachedresponse.headers:
            request.headers[b"If-None-Match"] = cachedresponse.headers[b"ETag"]
        return False

    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        if response.status == 304:
            return True
        # RFC 9309 §2.3.1.4 and §2.4: a robots.txt unreachable for a server error is not the "complete disallow" of
        # a host never seen when a copy is kept: the copy is used, whatever its age. A discovery page answered 5xx
        # fails as without the cache (retried, then reported).
        return is_robots_txt(request) and 500 <= response.status <= 599

    def age(self, cachedresponse: Response) -> float:
        """Seconds since the kept answer was stored (on the crawl's clock), plus the ``Age`` it came with."""
        try:
            stored = float(_header(cachedresponse, CACHED_AT))
        except ValueError:
            return math.inf
        try:
            came_aged = max(0, int(_header(cachedresponse, "Age") or 0))
        except ValueError:
            came_aged = 0
        return max(0.0, self.now() - stored) + came_aged


class DiscoveryCacheStorage:
    """A cache storage of Scrapy's interface (``HTTPCACHE_STORAGE``) on the filesystem, without pickle.

    Scrapy's ``FilesystemCacheStorage`` pickles each answer's metadata, so whoever can write to the cache folder
    could make the crawler run code; this one keeps the same layout, ``<folder>/<spider>/<xx>/<fingerprint>/``,
    with the metadata as JSON (``meta.json``), the headers raw and the body as it came. Each answer is stored with
    the project's headers (``stamp``), and read back as the response class its headers and URL call for.
    """

    META = "meta.json"

    def __init__(self, settings: BaseSettings) -> None:
        self.folder = Path(settings["HTTPCACHE_DIR"])
        self.stamp: Callable[[Request], dict[str, str]] = lambda request: {}
        """The project's headers for an answer to ``request`` (set by the middleware)."""

    def open_spider(self, spider: Spider) -> None:
        self._fingerprinter = spider.crawler.request_fingerprinter

    def close_spider(self, spider: Spider) -> None:
        pass

    def entry(self, spider: Spider, request: Request) -> Path:
        key = self._fingerprinter.fingerprint(request).hex()
        # The spider's name may be given on the command line (``-a name=``): made a safe folder name.
        return self.folder / path_component(spider.name) / key[:2] / key

    def retrieve_response(self, spider: Spider, request: Request) -> Response | None:
        """The kept answer to ``request``, or None: none kept, or a damaged entry (logged; asked for afresh)."""
        entry = self.entry(spider, request)
        try:
            return self.read_entry(entry, request)
        except FileNotFoundError:
            return None
        except _UNREADABLE as exc:
            logger.warning("Discovery cache entry %s unreadable, asked for afresh: %r", entry, exc)
            return None

    def read_entry(self, entry: Path, request: Request) -> Response:
        kept = json.loads((entry / self.META).read_text(encoding="utf-8"))
        if not isinstance(kept, dict):
            raise ValueError(f"not a kept answer: {entry / self.META}")
        headers = Headers(headers_raw_to_dict((entry / "response_headers").read_bytes()))
        body = (entry / "response_body").read_bytes()
        url = str(kept["response_url"])
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        request.meta["cache_timestamp"] = kept["timestamp"]
        return cls(url=url, status=int(kept["status"]), headers=headers, body=body)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        headers = Headers(response.headers)
        headers.pop(LISTED_LASTMOD, None)
        headers.update(self.stamp(request))
        entry = self.entry(spider, request)
        entry.mkdir(parents=True, exist_ok=True)
        (entry / "response_headers").write_bytes(headers_dict_to_raw(headers))
        (entry / "response_body").write_bytes(response.body)
        kept = {
            "url": request.url,
            "method": request.method,
            "status": response.status,
            "response_url": response.url,
            "timestamp": time.time(),
        }
        # Last, and whole: an entry is kept once its metadata is there (prune() reads its time).
        fd, temporary = tempfile.mkstemp(dir=entry, prefix=".meta.")
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(kept, file)
        os.replace(temporary, entry / self.META)


class DiscoveryCacheMiddleware(HttpCacheMiddleware):
    """robots.txt kept between runs, discovery pages revalidated, a 304 marked not modified (module docstring)."""

    def __init__(self, crawler: Crawler, folder: Path) -> None:
        # HttpCacheMiddleware configured by settings of its own, not the crawl's HTTPCACHE_* (the offline replay's):
        # Scrapy's defaults but for this policy and storage, the folder, and no expiry of the storage's (the policy
        # decides what is fresh), and the crawl's clock for the policy.
        own = Settings(
            {
                "HTTPCACHE_ENABLED": True,
                "HTTPCACHE_POLICY": f"{__name__}.{DiscoveryCachePolicy.__name__}",
                "HTTPCACHE_STORAGE": f"{__name__}.{DiscoveryCacheStorage.__name__}",
                "HTTPCACHE_DIR": str(folder),
                "HTTPCACHE_EXPIRATION_SECS": 0,
                "TRIBUN_NOW": crawler.settings.get("TRIBUN_NOW"),
            }
        )
        super().__init__(own, crawler.stats)
        self.crawler = crawler
        self.folder = folder
        assert isinstance(self.storage, DiscoveryCacheStorage)
        self.storage.stamp = self.stamp
        self.finished_runs = read_finished_runs(folder)
        self.change_sitemap_interval = crawler.settings.getfloat("TRIBUN_CHANGE_SITEMAP_INTERVAL")
        self._host_answers: dict[str, dict[str, float]] | None = None
        self.policy.not_due = self.change_sitemap_not_due
        self.reuse = False
        """Whether a kept page read by a finished run may stand for nothing new (module docstring); set at open."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        off = why_off(settings)
        if off is not None:
            if off:
                logger.info("Discovery cache off: %s", off)
            raise NotConfigured
        folder = cache_folder(settings)
        assert folder is not None
        middleware = cls(crawler, folder)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    # --- Opening and closing ---------------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        super().spider_opened(spider)
        state = CrawlState.of(self.crawler)
        store = state.store  # opened (and reset, when asked) before anything else reads it
        self.reuse = (
            bool(self.finished_runs)
            and not reset_requested(spider)
            and state.rule.unfinished_since is None
            and store.count() > 0
        )
        logger.info(
            "Discovery cache in %s: robots.txt kept up to 24 h, discovery pages asked for again if changed%s",
            self.folder,
            "" if self.reuse else " (and read again: no finished run vouches for what it read)",
        )

    @property
    def host_answers(self) -> dict[str, dict[str, float]]:
        """When each host last answered with a list of new articles and with a sitemap of changes (crawl clock):
        read from :data:`HOST_ANSWERS_FILE` when first asked (the spider may ask before this middleware's
        ``spider_opened``), written at close."""
        if self._host_answers is None:
            self._host_answers = read_host_answers(self.folder)
        return self._host_answers

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        super().spider_closed(spider)
        if self._host_answers and any(self._host_answers.values()):
            forget_before = crawl_now(self.crawler.settings).timestamp() - PRUNE_AFTER_DAYS * 86400
            record_host_answers(self.folder, self._host_answers, forget_before)
        if reason == FINISHED:
            record_finished_run(self.folder, self.run_id)
            removed = prune(self.folder, time.time() - PRUNE_AFTER_DAYS * 86400)
            if removed:
                logger.info("Discovery cache: %d answer(s) not used for %d days removed", removed, PRUNE_AFTER_DAYS)

    @property
    def run_id(self) -> str:
        return CrawlState.of(self.crawler).run_id

    def stamp(self, request: Request) -> dict[str, str]:
        stamps = {CACHED_AT: f"{crawl_now(self.crawler.settings).timestamp():.3f}", CACHED_BY: self.run_id}
        listed = meta.sitemap_listed_lastmod(request.meta)
        if listed:
            stamps[LISTED_LASTMOD] = listed
        return stamps

    # --- Answers -----------------------------------------------------------------------------------------------

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if is_sitemap(request) and response.status == 200 and "cached" not in response.flags:
            role = sitemap_role(response.body, max_size=self.max_size(request))
            response.headers[SITEMAP_ROLE] = role or NO_ROLE
        result = super().process_response(request, response)
        if result is response and "cached" in response.flags and is_sitemap(request) and response.status == 200:
            # Answered from the cache without asking: the only sitemap that is, is a change sitemap not due.
            request.meta[meta.NOT_MODIFIED] = True
            self.stats.inc_value(stat.DISCOVERY_CHANGE_SITEMAP_NOT_DUE)
            return result
        if isinstance(result, Response) and result.status == 200:
            self.note_host_answer(request, result)
        if result is response or not isinstance(result, Response):
            return result
        # The kept copy stands for the answer: the site said 304, or robots.txt's host answered 5xx.
        if response.status == 304:
            if is_discovery_page(request) and self.read_by_finished_run(result):
                request.meta[meta.NOT_MODIFIED] = True
        elif is_robots_txt(request):
            self.robots_txt_fallback(request, result, f"HTTP {response.status}")
        return result

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not is_robots_txt(request):
            # A discovery page that cannot be fetched fails as without the cache: retried, reported, and counted
            # towards network_down.
            return None
        result = super().process_exception(request, exception)
        if isinstance(result, Response):
            self.robots_txt_fallback(request, result, type(exception).__name__)
        return result

    def robots_txt_fallback(self, request: Request, kept: Response, why: str) -> None:
        stored = _header(kept, CACHED_AT)
        try:
            when = datetime.fromtimestamp(float(stored), UTC).isoformat(timespec="seconds")
        except ValueError:
            when = "an earlier run"
        logger.warning(
            "%s could not be fetched (%s): the copy kept since %s is used (RFC 9309 2.4)", request.url, why, when
        )
        self.stats.inc_value(stat.DISCOVERY_ROBOTS_TXT_FALLBACK)

    def note_host_answer(self, request: Request, answer: Response) -> None:
        """Remember that the host answered now with a list of its new articles (its sitemaps of changes may wait)
        or with a sitemap of changes (its changes are shown): module docstring."""
        kind = meta.page_kind(request.meta)
        role = self.sitemap_role_of(request, answer) if kind is PageKind.SITEMAP else None
        if kind in LISTING_KINDS or role is SitemapRole.NEWS:
            answered = NEW_ARTICLES
        elif role is SitemapRole.CHANGES:
            answered = CHANGES
        else:
            return
        host = urlparse_cached(request).hostname or ""
        self.host_answers.setdefault(answered, {})[host] = crawl_now(self.crawler.settings).timestamp()

    def max_size(self, request: Request) -> int:
        return int(request.meta.get("download_maxsize") or self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    # --- Questions ---------------------------------------------------------------------------------------------

    def change_sitemap_not_due(self, kept: Response, request: Request) -> bool:
        """True when the kept copy of a sitemap stands for the answer without asking: it lists changes only, or the
        run reads it for changes only; a finished run read it less than ``TRIBUN_CHANGE_SITEMAP_INTERVAL`` ago; and
        the host answered with a list of its new articles within that interval (module docstring)."""
        interval = self.change_sitemap_interval
        if interval <= 0 or not is_sitemap(request) or kept.status != 200 or not self.read_by_finished_run(kept):
            return False
        if self.policy.age(kept) >= interval:
            return False
        listed = self.host_answers.get(NEW_ARTICLES, {}).get(urlparse_cached(request).hostname or "")
        now = crawl_now(self.crawler.settings).timestamp()
        if listed is None or now - listed >= interval:
            return False
        if meta.is_changes_only(request.meta):
            return True
        return self.sitemap_role_of(request, kept) is SitemapRole.CHANGES

    def sitemap_role_of(self, request: Request, answer: Response) -> SitemapRole | None:
        """The role noted on the sitemap when it arrived; read from the body of a copy kept before roles were."""
        noted = _header(answer, SITEMAP_ROLE)
        if noted:
            return None if noted == NO_ROLE else SitemapRole(noted)
        return sitemap_role(answer.body, max_size=self.max_size(request))

    def changes_shown_by(self) -> frozenset[str]:
        """The hosts that answered with a sitemap of changes lately: within twice the longer of
        ``TRIBUN_CHANGE_SITEMAP_INTERVAL`` and ``TRIBUN_MAX_POLL_INTERVAL``, so that one look that could not read
        it is forgiven and a sitemap refused for good stops vouching for the host's changes."""
        settings = self.crawler.settings
        within = 2 * max(self.change_sitemap_interval, settings.getfloat("TRIBUN_MAX_POLL_INTERVAL"))
        now = crawl_now(settings).timestamp()
        return frozenset(host for host, when in self.host_answers.get(CHANGES, {}).items() if now - when < within)

    def read_by_finished_run(self, kept: Response) -> bool:
        """The kept page was stored, or last confirmed, by a run that finished, and nothing since undid its work."""
        return self.reuse and _header(kept, CACHED_BY) in self.finished_runs

    def sitemap_unchanged(self, request: Request, lastmod: str) -> bool:
        """True when the sitemap ``request`` asks for, listed by an index at ``lastmod``, was read by a run that
        finished when the index listed it at that same ``lastmod``: it need not be asked for."""
        if not self.reuse:
            return False
        try:
            # A copy: reading the cache marks the request it reads for.
            kept = self.storage.retrieve_response(self.crawler.spider, request.copy())
        except _UNREADABLE:
            return False
        return kept is not None and _header(kept, LISTED_LASTMOD) == lastmod and self.read_by_finished_run(kept)


class UnreachableRobotsTxtMiddleware:
    """RFC 9309 §2.3.1.4: a robots.txt unreachable for a server error (5xx) means complete disallow.

    Below RetryMiddleware, so it sees the 5xx Scrapy's retries gave up on, and below the discovery cache, which
    answers with the copy it keeps instead when it has one (RFC 9309 §2.4). Scrapy itself would read the error
    page as robots.txt, allowing everything; here the body becomes ``Disallow: /`` for every agent, so the host's
    pages are refused by RobotsTxtMiddleware for this run (``tribun/discovery/robots_txt_unreachable/<host>``, one
    warning). A host that cannot be reached at all is left to Scrapy (its robots.txt allows everything): its pages
    then fail to connect too, and a network that is down stops the run as ``network_down`` (extensions/network.py).
    """

    COMPLETE_DISALLOW = b"User-agent: *\nDisallow: /\n"

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not (is_robots_txt(request) and 500 <= response.status <= 599):
            return response
        host = urlparse_cached(request).hostname or ""
        logger.warning(
            "%s answered %s and no copy is kept: every page of %s is disallowed for this run (RFC 9309 2.3.1.4)",
            request.url,
            response.status,
            host,
        )
        self.crawler.stats.inc_value(stat.DISCOVERY_ROBOTS_TXT_UNREACHABLE(host))
        return response.replace(body=self.COMPLETE_DISALLOW)


def prune(folder: Path, older_than: float) -> int:
    """Remove the kept answers last written before ``older_than`` (Unix time, the files' own clock); how many.

    The storage keeps each answer in a folder of its own, ``<folder>/<spider>/<xx>/<fingerprint>``,
    with a ``meta.json`` file rewritten whenever the answer is stored again (a 304 included).
    """
    removed = 0
    for written in folder.glob(f"*/*/*/{DiscoveryCacheStorage.META}"):
        try:
            if written.stat().st_mtime >= older_than:
                continue
        except FileNotFoundError:
            continue
        shutil.rmtree(written.parent, ignore_errors=True)
        removed += 1
    return removed


def read_host_answers(folder: Path) -> dict[str, dict[str, float]]:
    """When each host last answered with a list of new articles and with a sitemap of changes
    (:data:`HOST_ANSWERS_FILE`); empty when unreadable: every sitemap is then asked for, and no site's changes are
    taken from its sitemaps until they are read again."""
    try:
        kept = json.loads((folder / HOST_ANSWERS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("%s unreadable, every sitemap is asked for: %r", folder / HOST_ANSWERS_FILE, exc)
        return {}
    if not isinstance(kept, dict):
        return {}
    answers: dict[str, dict[str, float]] = {}
    for answered in (NEW_ARTICLES, CHANGES):
        hosts = kept.get(answered)
        if isinstance(hosts, dict):
            answers[answered] = {
                str(host): float(when) for host, when in hosts.items() if isinstance(when, int | float)
            }
    return answers


def record_host_answers(folder: Path, answers: dict[str, dict[str, float]], forget_before: float) -> None:
    """Merge ``answers`` into :data:`HOST_ANSWERS_FILE` (the later time of each host; hosts not heard from since
    ``forget_before`` dropped), replacing the file whole: workers sharing the folder keep each other's hosts."""
    merged = read_host_answers(folder)
    for answered, hosts in answers.items():
        kept = merged.setdefault(answered, {})
        for host, when in hosts.items():
            kept[host] = max(when, kept.get(host, when))
        merged[answered] = {host: when for host, when in sorted(kept.items()) if when >= forget_before}
    replace_whole(folder / HOST_ANSWERS_FILE, json.dumps(merged, indent=0))


def read_finished_runs(folder: Path) -> frozenset[str]:
    try:
        text = (folder / FINISHED_RUNS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def record_finished_run(folder: Path, run_id: str) -> None:
    """Add ``run_id`` to the runs that finished (the newest ``FINISHED_RUNS_KEPT``), replacing the file whole."""
    path = folder / FINISHED_RUNS_FILE
    try:
        lines = path.read_text(encoding="utf-8").split()
    except FileNotFoundError:
        lines = []
    lines = [*lines, run_id][-FINISHED_RUNS_KEPT:]
    replace_whole(path, "\n".join(lines) + "\n")


def replace_whole(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file beside it: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)
