"""Listing pages, where articles are discovered: homepage, section hub, daily index, monthly archive.

Listing pages carry no structured data about their items (no JSON-LD list, no meta tags), so everything
here is read from the DOM, in the containers docs/site.md#listing-pages names. Links anywhere else on
the page (menus, sidebars "Berita Terkini"/"Berita Populer", topic kickers, share buttons) are never articles
of the listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import TextResponse

from tribun_crawler.dates import parse_date
from tribun_crawler.extractors import dom
from tribun_crawler.extractors.safe import absolute_url, base_url, usable_date
from tribun_crawler.sites import SITES, WIB, site_key
from tribun_crawler.text import clean_text
from tribun_crawler.urls import PageType, article_key, canonical_listing_url, classify_url

# Sidebars are site-wide recirculation; their markup is undocumented and may reuse listing classes, so a card
# inside one is dropped whatever it looks like. #boxleft holds the left column (ads, "Indeks Berita" links).
_OUTSIDE_SIDEBARS = '[not(ancestor::*[starts-with(@id, "boxright") or @id = "boxleft"])]'

# One node per card; every link of a card shares the card's date. Class lists grow over the years, so classes
# are matched one by one (has_class), never as the whole attribute.
_CARDS = (
    # homepage headline slider: the title heading of each slide
    f'(//*[@id="headline"]//h2[{dom.has_class("hlover_title")}]'
    # homepage / section hub "latest" list; native-ad slots share the list but hold no article
    f' | //ul[@id="latestul"]/li[not({dom.has_class("nativeads")} or {dom.has_class("reserved_box_ads")})]'
    # daily index (ul.lsi > li.ptb15) and monthly archive (ul li.ptb15)
    f" | //ul//li[{dom.has_class('ptb15')}])" + _OUTSIDE_SIDEBARS
)
# h4 in a card is the topic kicker (/topic/…), never the article.
_CARD_LINKS = ".//a[@href][not(ancestor::h4)]"

# Daily index: div#paginga div.paging; monthly archive: div.paging; either may also show a "Next" link.
_PAGING_LINKS = (
    f"(//div[{dom.has_class('paging')}]//a[@href]"
    ' | //a[@href][@rel = "next" or starts-with(translate(normalize-space(.), "NEXT", "next"), "next")])'
    + _OUTSIDE_SIDEBARS
)
#: Page types whose pagination is followed. Hubs page only through /ajax/latest (disallowed by robots.txt) and
#: their ``?page=N`` returns the first page again on 2026 www.
_PAGED_TYPES = frozenset({PageType.INDEX, PageType.ARCHIVE})
#: The daily index serves page 10 again for page 11 onward; following those would loop over one page.
_INDEX_LAST_PAGE = 10


@dataclass(frozen=True)
class ListingEntry:
    url: str
    """Absolute article URL as linked (not canonicalised); ``classify_url(url)`` is ``PageType.ARTICLE``."""
    title: str | None
    published: datetime | None
    """Offset-aware; zone-less listing times are the site's local time."""


@dataclass(frozen=True)
class _Link:
    """One article link of a card, before links to the same article are merged."""

    key: str
    url: str
    title: str | None
    published: datetime | None
    in_heading: bool


class ListingPage:
    """Reads a homepage, section hub, daily index (/index-news?date=…, /indeks) or monthly archive page.

    No I/O: everything comes from the response it is given.
    """

    def __init__(self, response: TextResponse):
        self.response = response
        self._root = dom.document(response)
        self._base_url = base_url(response)
        parts = urlsplit(response.url)
        # Thumbnail hrefs are relative without a leading slash ("2024/01/23/slug") yet mean the site root,
        # whatever the listing's own path is.
        self.site_root = f"{parts.scheme}://{parts.netloc}/"
        key = site_key(parts.hostname)
        self.tz: tzinfo = SITES[key].tz if key else WIB

    def articleEntries(self) -> list[ListingEntry]:
        """Article links of the listing in page order, one entry per article (by ``urls.article_key``)."""
        return list(self._entries)

    @cached_property
    def _entries(self) -> list[ListingEntry]:
        # Read once per page: the spider asks for the entries, then for the oldest of their dates.
        links_by_key: dict[str, list[_Link]] = {}
        for card in dom.xpath(_CARDS)(self._root):
            for link in self._card_article_links(card):
                links_by_key.setdefault(link.key, []).append(link)
        return [self._merged_entry(links) for links in links_by_key.values()]

    def nextPageUrls(self) -> list[str]:
        """Absolute URLs of the following pages of this listing, nearest first (daily index and monthly archive)."""
        page_type = classify_url(self.response.url)
        if page_type not in _PAGED_TYPES:
            return []
        current = _page_number(self.response.url) or 1
        last = _INDEX_LAST_PAGE if page_type is PageType.INDEX else None
        site = site_key(urlsplit(self.response.url).hostname)
        urls: dict[str, tuple[int, str]] = {}
        for href in (anchor.get("href") for anchor in dom.xpath(_PAGING_LINKS)(self._root)):
            url = absolute_url(self._base_url, href)
            if url is None:
                continue
            page = _page_number(url)
            if (
                classify_url(url) is page_type
                and site_key(urlsplit(url).hostname) == site
                and page is not None
                and page > current
                and (last is None or page <= last)
            ):
                urls.setdefault(canonical_listing_url(url), (page, url))
        return [url for _, url in sorted(urls.values())]

    def oldestPublished(self) -> datetime | None:
        """The oldest entry date on the page, the spider's signal to stop paging past ``since``."""
        dates = [entry.published for entry in self._entries if entry.published is not None]
        return min(dates, default=None)

    def _card_article_links(self, card: Any) -> list[_Link]:
        published = self.published(card)
        links = []
        for anchor in dom.xpath(_CARD_LINKS)(card):
            url = self.url(anchor)
            if url is None or classify_url(url) is not PageType.ARTICLE:
                continue
            in_heading = any(ancestor.tag in ("h1", "h2", "h3") for ancestor in anchor.iterancestors())
            links.append(_Link(article_key(url), url, self.title(anchor, in_heading), published, in_heading))
        return links

    def url(self, anchor: Any) -> str | None:
        return absolute_url(self.site_root, anchor.get("href") or "")

    def title(self, anchor: Any, in_heading: bool) -> str | None:
        # A heading link's text is the title shown to readers; a thumbnail link only has its title attribute.
        text = dom.text(anchor) if in_heading else ""
        return text or clean_text(anchor.get("title")) or None

    def published(self, card: Any) -> datetime | None:
        # time.timeago keeps the absolute local time in @title (its text is "32 menit lalu"); time.grey prints
        # "Senin, 4 Mei 2020 04:25 WIB"; a datetime attribute, where present, carries its own offset.
        for time in card.iter("time"):
            text = dom.text(time)
            for candidate in (time.get("title"), time.get("datetime"), text):
                value = usable_date(parse_date(candidate, self.tz))
                if value is not None:
                    return value
        return None

    @staticmethod
    def _merged_entry(links: list[_Link]) -> ListingEntry:
        # The heading link is richest (absolute href, visible title); thumbnails and slide images fill gaps.
        ranked = sorted(links, key=lambda link: not link.in_heading)
        return ListingEntry(
            url=ranked[0].url,
            title=next((link.title for link in ranked if link.title), None),
            published=next((link.published for link in ranked if link.published), None),
        )


def _page_number(url: str) -> int | None:
    """The ``page`` parameter of a listing URL, 1 when absent, None when it is not a number."""
    value = dict(parse_qsl(urlsplit(url).query)).get("page")
    if value is None:
        return 1
    value = value.strip()
    # isdigit() alone also takes "²", which int() refuses, and int() refuses more than 4,300 digits.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None
