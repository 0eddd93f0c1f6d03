"""Listing pages, where articles are discovered: homepage, section hub, daily index, monthly archive.

Listing pages carry no structured data about their items (no JSON-LD list, no meta tags), so everything
here is read from the DOM. A listing is every article link of the page's main column: the "latest" list, the
headline slider, index and archive cards, and the boxes homepages group the day's articles in (topic panels,
tabbed boxes, sliders), whose markup changes with every template. An article link is known by its URL shape
(``classify_url``), not by its box (docs/site.md#listing-pages). Only page chrome (header, menus, footer) and
the site-wide sidebars ("Berita Terkini"/"Berita Populer", the left column) are never part of the listing, nor
are topic kickers.
"""

from __future__ import annotations

from collections.abc import Iterator
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

# Sidebars are site-wide recirculation; their markup is undocumented and may reuse listing classes, so nothing
# inside one belongs to the listing whatever it looks like. #boxleft holds the left column (ads, "Indeks Berita").
_OUTSIDE_SIDEBARS = '[not(ancestor::*[starts-with(@id, "boxright") or @id = "boxleft"])]'

_LINKS = "//a[@href]"
# Links that are never entries, whatever their URL: besides the sidebars, the header and menus repeat on every
# page and the footer carries only menu links; an h4 is a topic kicker (/topic/…), never the article, wherever it
# sits. One union of plain paths: an ancestor test on every link costs several times the whole rest of the page.
_UNLISTED_LINKS = (
    "(//h4 | //header | //nav | //footer | //*[@id]["
    'starts-with(@id, "boxright") or @id = "boxleft" or @id = "header" or @id = "main-menu" or @id = "footer"'
    "])//a"
)
# The cards that print a date, one node per card; every link of a card shares the card's date. Links outside
# them (topic panels, tabbed boxes, mobile cards with only "3 menit lalu") have none. Cards in a sidebar match
# too, harmlessly: their links are unlisted. Class lists grow over the years, so classes are matched one by one
# (has_class), never as the whole attribute.
_DATED_CARDS = (
    # homepage headline slider: the title heading of each slide
    f'//h2[{dom.has_class("hlover_title")}][ancestor::*[@id="headline"]]'
    # homepage / section hub "latest" list; native-ad slots share the list but hold no article
    f' | //ul[@id="latestul"]/li[not({dom.has_class("nativeads")} or {dom.has_class("reserved_box_ads")})]'
    # daily index (ul.lsi > li.ptb15) and monthly archive (ul li.ptb15)
    f" | //li[{dom.has_class('ptb15')}][ancestor::ul]"
)
_HEADINGS = ("h1", "h2", "h3")

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
        for link in self._article_links():
            links_by_key.setdefault(link.key, []).append(link)
        return [self._merged_entry(links) for links in links_by_key.values()]

    def _article_links(self) -> Iterator[_Link]:
        """Article links of the listing in page order, each with its card's date (None outside dated cards)."""
        # lxml hands out one proxy per element while a reference to it lives, so the elements kept in this set
        # and these dicts are the very objects the link query returns.
        unlisted = set(dom.xpath(_UNLISTED_LINKS)(self._root))
        card_of = {anchor: card for card in dom.xpath(_DATED_CARDS)(self._root) for anchor in card.iter("a")}
        card_dates: dict[Any, datetime | None] = {}
        for anchor in dom.xpath(_LINKS)(self._root):
            if anchor in unlisted:
                continue
            url = self.url(anchor)
            if url is None or classify_url(url) is not PageType.ARTICLE:
                continue
            card = card_of.get(anchor)
            if card is not None and card not in card_dates:
                card_dates[card] = self.published(card)
            in_heading = next(anchor.iterancestors(*_HEADINGS), None) is not None
            yield _Link(article_key(url), url, self.title(anchor, in_heading), card_dates.get(card), in_heading)

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
