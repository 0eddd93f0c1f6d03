"""Request kinds and request meta: every key the project sets in ``Request.meta``, spelled here and nowhere else.

Components talk about a request through its meta (the spider marks what a request is for; the middlewares hold
its failures, mark a recheck, hand it back on a stop). Each key is a constant of this module, read and written
through the small accessors below, so a reader finds every use of a key by the accessor's name, and a key renamed
here is renamed for every component. Keys of Scrapy's own (``redirect_urls``, ``download_slot``, ``dont_retry``…)
are Scrapy's public API and stay as Scrapy spells them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from tribun_crawler.urls import PageType


class PageKind(StrEnum):
    """What a request is for: decides its callback, whether the state store is asked, how a failure is named.

    The listing kinds are :class:`tribun_crawler.urls.PageType`'s (a URL's shape says which listing it is).
    """

    HOME = PageType.HOME.value
    SECTION = PageType.SECTION.value
    INDEX = PageType.INDEX.value
    ARCHIVE = PageType.ARCHIVE.value
    #: An article asked for as itself (``?page=all`` or its plain URL): the state store is asked first.
    ARTICLE = PageType.ARTICLE.value
    #: Page 2…N of an article whose ``?page=all`` the site ignored: part of an article already being read.
    ARTICLE_PAGE = "article_page"
    #: A listing of no known URL shape (a start URL the crawler reads as a listing).
    LISTING = "listing"
    #: A sitemap or sitemap index.
    SITEMAP = "sitemap"

    @property
    def is_article(self) -> bool:
        return self in (PageKind.ARTICLE, PageKind.ARTICLE_PAGE)

    @property
    def is_html(self) -> bool:
        """An HTML page: answered with anything else it is unreadable (sitemaps may come gzip-compressed)."""
        return self is not PageKind.SITEMAP

    @classmethod
    def of_page_type(cls, page_type: PageType | None) -> PageKind:
        return cls(page_type.value) if page_type is not None else cls.LISTING


#: The request's :class:`PageKind` value.
PAGE_KIND = "tribun_page_type"
#: Hops of related links from a listing, sitemap or start URL to this article (0: found there).
RELATED_DEPTH = "related_depth"
#: Listing pages read in this listing chain, this one included.
LISTING_PAGES = "listing_pages"
#: Levels of sitemap indexes above this sitemap (0: a start sitemap).
SITEMAP_DEPTH = "sitemap_depth"
#: An article found in a sitemap: the sitemap's hints (``datePublished``, ``keywords``) for the fields the page
#: lacks.
SITEMAP_HINTS = "tribun_sitemap"
#: A sitemap looked for at a usual name: the names still to look for on its host once it is answered.
SITEMAP_GUESSES = "tribun_sitemap_guesses"
#: A sitemap an index listed with a ``lastmod``: that ``lastmod`` (ISO 8601), kept with the file in the discovery
#: cache, so a later run that sees the same ``lastmod`` does not ask for the file again.
SITEMAP_LISTED_LASTMOD = "tribun_sitemap_listed_lastmod"
#: A sitemap asked for only for the changes it shows (``-a discover=changes`` without ``sitemaps``): the run's
#: listings find new articles, so the discovery cache holds its kept copy for ``TRIBUN_CHANGE_SITEMAP_INTERVAL``.
#: The files an index of it lists carry it too.
CHANGES_ONLY = "tribun_changes_only"
#: True on a discovery page the site answered 304 Not Modified, whose cached copy a run that finished has read:
#: the discovery cache (middlewares/discovery.py) sets it, the spider reads nothing new from it.
NOT_MODIFIED = "tribun_not_modified"
#: A list that, when present, collects the request's failures as ``(reason, detail)`` instead of their being
#: reported: the spider has another way to the page. Retries and redirects copy meta shallowly, so every request
#: of a chain appends to the one list the spider gave the first.
HELD_FAILURES = "tribun_held_failures"
#: The article's earlier ways that failed for good, as ``(URL, reason, detail)``.
EARLIER_FAILURES = "tribun_earlier_failures"
#: True on an article the state store knows and let through once (recheck window, unfinished run).
RECHECK = "tribun_recheck"
#: The URLs an article's first answer was redirected from, carried by the requests for its further pages: the
#: state records them as the article's old URLs, from whichever answer the article is emitted on.
REDIRECTED_FROM = "tribun_redirected_from"
#: The stop token of a request a stopping run handed back to the scheduler unsent.
STOP_HANDED_BACK = "tribun_stop_handed_back"
#: A daily index read only for what was published since an earlier run's discovery (Unix seconds): not paged past
#: it (the index of the day before, read by the first run of a day whose site was last discovered the day before).
LISTING_SINCE = "tribun_listing_since"
#: The site key of a discovery request of this run's own (hub, homepage, daily index, sitemap of a site it polls):
#: its answer read, the site counts as polled (adaptive polling).
DISCOVERY_SITE = "tribun_discovery_site"


def page_kind(meta: Mapping[str, Any]) -> PageKind | None:
    """The request's kind, or None for a request the spider did not build (robots.txt, a media file)."""
    value = meta.get(PAGE_KIND)
    try:
        return PageKind(value) if value is not None else None
    except ValueError:
        return None


def is_article(meta: Mapping[str, Any]) -> bool:
    """An article asked for as itself: the state store decides whether it is fetched."""
    return meta.get(PAGE_KIND) == PageKind.ARTICLE


def related_depth(meta: Mapping[str, Any]) -> int:
    return int(meta.get(RELATED_DEPTH, 0))


def listing_pages(meta: Mapping[str, Any]) -> int:
    return int(meta.get(LISTING_PAGES, 1))


def sitemap_depth(meta: Mapping[str, Any]) -> int:
    return int(meta.get(SITEMAP_DEPTH, 0))


def sitemap_hints(meta: Mapping[str, Any]) -> dict[str, Any] | None:
    hints = meta.get(SITEMAP_HINTS)
    return dict(hints) if hints else None


def listing_since(meta: Mapping[str, Any]) -> int | None:
    since = meta.get(LISTING_SINCE)
    return int(since) if since is not None else None


def discovery_site(meta: Mapping[str, Any]) -> str | None:
    site = meta.get(DISCOVERY_SITE)
    return str(site) if site else None


def sitemap_guesses(meta: Mapping[str, Any]) -> list[str]:
    return list(meta.get(SITEMAP_GUESSES) or ())


def is_sitemap_guess(meta: Mapping[str, Any]) -> bool:
    """A request for a sitemap name looked for on a host (the last one too), not one a page named."""
    return SITEMAP_GUESSES in meta


def sitemap_listed_lastmod(meta: Mapping[str, Any]) -> str | None:
    value = meta.get(SITEMAP_LISTED_LASTMOD)
    return str(value) if value else None


def is_changes_only(meta: Mapping[str, Any]) -> bool:
    return bool(meta.get(CHANGES_ONLY))


def carry_changes_only(source: Mapping[str, Any], target: dict[str, Any]) -> None:
    """A sitemap read for changes only passes that on to the sitemaps it leads to (its files, the next name)."""
    if is_changes_only(source):
        target[CHANGES_ONLY] = True


def not_modified(meta: Mapping[str, Any]) -> bool:
    return bool(meta.get(NOT_MODIFIED))


def held_failures(meta: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    """The failures held for the spider, or None when the request's failures are reported where they happen."""
    held = meta.get(HELD_FAILURES)
    return held if isinstance(held, list) else None


def earlier_failures(meta: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    return list(meta.get(EARLIER_FAILURES) or ())


def is_recheck(meta: Mapping[str, Any]) -> bool:
    return bool(meta.get(RECHECK))


def redirected_from(meta: Mapping[str, Any]) -> list[str]:
    """The URLs that redirected to the article being read: Scrapy's ``redirect_urls`` of its first answer."""
    if REDIRECTED_FROM in meta:
        return list(meta[REDIRECTED_FROM])
    return list(meta.get("redirect_urls") or ())
