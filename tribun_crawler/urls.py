"""URL shapes of the Tribun network: what a URL is, and the one canonical form of an article URL.

Every decision about a link (follow it, route it, deduplicate it) goes through :func:`classify_url` and
:func:`canonical_article_url`, so the rules of docs/site.md#article-urls live here and nowhere else.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from tribun_crawler.sites import SITES, site_key


class PageType(StrEnum):
    HOME = "home"
    SECTION = "section"
    INDEX = "index"
    ARCHIVE = "archive"
    ARTICLE = "article"


#: First path segments that are never articles nor listings we read (docs/site.md#article-urls).
NON_ARTICLE_SEGMENTS = frozenset(
    [
        "index-news",
        "indeks",
        "tag",
        "topic",
        "topics",
        "search",
        "komentar",
        "member",
        "auth",
        "api",
        "ajax",
        "json",
        "posts",
        "penulis",
        "editor",
        "epaper",
        "images",
        "webstories",
        "video",
        "foto",
        "galeri",
        "rss",
        "sitemap",
    ]
)
#: Of those, the ones that are listing pages the crawler does read.
INDEX_SEGMENTS = frozenset({"index-news", "indeks"})

_SEGMENT = r"[a-z0-9][a-z0-9-]*"
_DATE_ARTICLE = re.compile(rf"^/(?:{_SEGMENT}/)*(?P<date>\d{{4}}/\d{{2}}/\d{{2}})/(?P<slug>[^/]+)$")
_ID_ARTICLE = re.compile(rf"^/(?:{_SEGMENT}/)+(?P<id>\d{{6,8}})(?:/(?P<slug>[^/]+))?$")
_ARCHIVE = re.compile(r"^/\d{4}/\d{1,2}$")
_SECTION = re.compile(rf"^/{_SEGMENT}(?:/{_SEGMENT})?$")
_AMP_PREFIX = re.compile(r"^/amp(?=/)")
_FILE_SUFFIX = re.compile(r"\.(?:xml|json|php|js|css|jpe?g|png|gif|webp|svg|pdf|mp4|ico|txt)$", re.I)

_SLASHES = re.compile(r"/{2,}")
# A path of unreserved characters only: w3lib's canonicalize_url would return it unchanged (no escapes to
# normalise), so canonicalising it is skipped.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/._~-]*")
#: URLs remembered by the memoised functions below. Every link of a page is classified, keyed and canonicalised
#: by the extractor, the spider, the fingerprinter and the pipelines within moments, so a small bounded cache
#: answers most calls (benchmarks/crawl.py) while memory stays flat however long the crawl.
URL_CACHE_SIZE = 4096

#: Query parameters that only track the visitor: they never change which page a URL points to.
TRACKING_PARAM = re.compile(r"^(?:utm_.*|_ga|_gl|fbclid|gclid)$", re.I)


def _path(url: str) -> str:
    path = urlsplit(url).path or "/"
    if path.startswith("/amp/"):
        path = _AMP_PREFIX.sub("", path)
    if "//" in path:
        path = _SLASHES.sub("/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    return path


def host_of(url: str | None) -> str:
    """The URL's host, lower case (empty for no URL)."""
    return (urlsplit(url or "").hostname or "").lower()


def on_network(url: str) -> bool:
    """True for an http(s) URL on a host of the network: the one test of what the crawler may request."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and site_key(parts.hostname) is not None


@lru_cache(maxsize=URL_CACHE_SIZE)
def classify_url(url: str) -> PageType | None:
    """The page type a URL leads to, or None when the crawler must never request it.

    None covers hosts outside the network, non-http(s) schemes, and non-article paths (tag, topic, video, …).
    """
    if not on_network(url):
        return None
    path = _path(url)
    if path == "/":
        return PageType.HOME
    if _FILE_SUFFIX.search(path):
        return None
    first = path.split("/", 2)[1].lower()
    if first in INDEX_SEGMENTS:
        return PageType.INDEX
    if first in NON_ARTICLE_SEGMENTS:
        return None
    if _DATE_ARTICLE.match(path) or _ID_ARTICLE.match(path):
        return PageType.ARTICLE
    if _ARCHIVE.match(path):
        return PageType.ARCHIVE
    if _SECTION.match(path.lower()):
        return PageType.SECTION
    return None


def is_article_url(url: str) -> bool:
    return classify_url(url) is PageType.ARTICLE


def canonical_site_url(url: str) -> str:
    """``url`` on its site's canonical host: https, ``www.`` for the flagship, no ``/amp/``, no trailing slash."""
    parts = urlsplit(url)
    key = site_key(parts.hostname)
    host = SITES[key].host if key else (parts.hostname or "")
    return urlunsplit(("https", host, _path(url), parts.query, ""))


@lru_cache(maxsize=URL_CACHE_SIZE)
def canonical_article_url(url: str) -> str:
    """The canonical form of an article URL: https, ``www.`` flagship, no ``/amp/``, no query, no fragment.

    w3lib's ``canonicalize_url`` normalises percent-encoding and case of the escape sequences, so two spellings
    of one slug collapse into one.
    """
    site_url = canonical_site_url(url)
    parts = urlsplit(site_url)
    if not (parts.netloc.isascii() and _PLAIN_PATH.fullmatch(parts.path)):
        parts = urlsplit(canonicalize_url(site_url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


@lru_cache(maxsize=URL_CACHE_SIZE)
def canonical_listing_url(url: str) -> str:
    """A listing URL with tracking parameters removed and parameters sorted (``date`` and ``page`` kept)."""
    return without_tracking(canonical_site_url(url), keep_blank_values=False)


def without_tracking(url: str, *, keep_blank_values: bool = True) -> str:
    """``url`` canonicalised by w3lib, without tracking parameters (``utm_*``, ``_ga``, …) and fragment."""
    parts = urlsplit(canonicalize_url(url))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values) if not TRACKING_PARAM.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def date_from_url(url: str) -> str | None:
    """The day a date-shaped article URL carries (``/2016/02/08/slug`` -> ``2016-02-08``), else None."""
    match = _DATE_ARTICLE.match(_path(url))
    return match.group("date").replace("/", "-") if match else None


def article_id_from_url(url: str) -> str | None:
    """Tribun's numeric article id when the URL carries one (2025+ shape), else None."""
    match = _ID_ARTICLE.match(_path(url))
    return match.group("id") if match else None


@lru_cache(maxsize=URL_CACHE_SIZE)
def article_key(url: str) -> str:
    """One key per article whatever variant links to it: ``site:id`` for id URLs, else the canonical URL.

    ``/nasional/7844542`` and ``/nasional/7844542/slug`` are one article: the id decides, not the slug.
    """
    site = site_key(urlsplit(url).hostname) or ""
    article_id = article_id_from_url(url)
    return f"{site}:{article_id}" if article_id else canonical_article_url(url)


#: Path segments of the wrappers older pages put around related links (docs/site.md, "Older eras"):
#: ``/topic/<slug>/?url=<path>`` (2017), ``/topics/<slug>/?url=<path>`` (regional 2016), ``/tag/<slug>/?url=…`` (2015).
WRAPPER_SEGMENTS = frozenset({"topic", "topics", "tag"})


def unwrapped_url(url: str) -> str:
    """The article a wrapped related link leads to (its ``url`` parameter, relative to the wrapper's host), else
    ``url`` itself. robots.txt disallows the wrappers, so they must be decoded, never requested."""
    if "url=" not in url:
        return url
    parts = urlsplit(url)
    first = parts.path.split("/", 2)[1].lower() if parts.path.startswith("/") else ""
    if first not in WRAPPER_SEGMENTS or site_key(parts.hostname) is None:
        return url
    target = dict(parse_qsl(parts.query)).get("url", "").strip()
    if not target:
        return url
    target_parts = urlsplit(target)
    if target_parts.scheme or target_parts.netloc:
        return target  # an absolute target is judged like any other link (off the network it is dropped)
    return urlunsplit((parts.scheme, parts.netloc, "/" + target.lstrip("/"), "", ""))


def with_page(url: str, page: int | str) -> str:
    """The canonical article URL asking for one page (``2``) or all pages (``all``)."""
    return f"{canonical_article_url(url)}?page={page}"
