"""Normalise: one spelling of every field, whichever extractor path or page era produced it.

Text is NFC with single spaces; the body keeps one paragraph per block, without the lines docs/site.md says
are not body text ("Baca juga", the syndication footer and the credits after it, "Simak berita lainnya",
"Ikuti kami"); names lose "Laporan Wartawan …," and "Penulis:" prefixes; URLs are canonical (w3lib plus the
Tribun rules of ``tribun_crawler.urls``); dates are offset-aware ISO 8601, a zone-less date taking its site's
zone. A date that cannot be read is left as it is for the validate pipeline to reject with its reason.
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo
from typing import Any, Self
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from tribun_crawler import stats as stat
from tribun_crawler.dates import isoformat, parse_date
from tribun_crawler.sites import SITES, WIB, site_key
from tribun_crawler.text import (
    clean_person_name,
    clean_text,
    is_boilerplate_line,
    is_credit_line,
    is_related_line,
    is_reporter_line,
    is_syndication_line,
    urls_in_text,
)
from tribun_crawler.urls import (
    PageType,
    article_id_from_url,
    article_key,
    canonical_article_url,
    canonical_listing_url,
    classify_url,
    without_tracking,
)

_TEXT_FIELDS = ("headline", "description", "articleSection", "datePublishedRaw")
_DIGITS = re.compile(r"^\d+$")
_BLANK_LINES = re.compile(r"\n\s*\n")
# Lines of a list ("- item", "  - nested", "3. item") or of a table ("cell | cell"), as the article extractor
# writes them (README, "Output"): such a block keeps its lines and their indentation.
_LIST_OR_ROW = re.compile(r"^(?: *(?:- |\d+\. )|.* \| )")


def _clean_line(raw: str) -> str:
    """A body line as clean text, keeping the indentation of a nested list item."""
    line = clean_text(raw)
    indent = len(raw) - len(raw.lstrip(" "))
    return " " * (indent - indent % 2) + line if line and _LIST_OR_ROW.match(raw.lstrip(" ")) else line


def canonical_url(url: str) -> str:
    """Any URL an item holds in its canonical form.

    Tribun article URLs get the article rules (``www.`` for ``m.``, no ``/amp/``, no query, no fragment),
    other Tribun pages keep their meaningful query; every other URL (image CDNs, other publishers) is
    canonicalised by w3lib without tracking parameters and fragment.
    """
    url = clean_text(url)
    page_type = classify_url(url)
    if page_type is PageType.ARTICLE:
        return canonical_article_url(url)
    if page_type is not None or site_key(urlsplit(url).hostname):
        return canonical_listing_url(url)
    return without_tracking(url)


def _unique_casefold(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


class NormalizePipeline:
    """Unicode NFC, whitespace, boilerplate lines, names, canonical URLs, offset-aware ISO 8601 dates."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if adapter.get("url"):
            adapter["url"] = canonical_url(adapter["url"])
            adapter["site"] = site_key(urlsplit(adapter["url"]).hostname) or adapter.get("site")
        tz = self._site_zone(adapter.get("site"))
        for name in _TEXT_FIELDS:
            if adapter.get(name) is not None:
                adapter[name] = clean_text(adapter[name]) or None
        if adapter.get("articleBody") is not None:
            adapter["articleBody"] = self._body(adapter)
        adapter["datePublished"] = self._date(adapter.get("datePublished"), tz, keep_unreadable=True)
        adapter["dateModified"] = self._date(adapter.get("dateModified"), tz)
        adapter["dateDownloaded"] = self._date(adapter.get("dateDownloaded"), UTC, to_utc=True)
        adapter["articleId"] = self._article_id(adapter)
        adapter["authors"] = self._people(adapter.get("authors"))
        adapter["editors"] = self._people(adapter.get("editors"))
        adapter["keywords"] = self._keywords(adapter.get("keywords"))
        adapter["breadcrumbs"] = self._breadcrumbs(adapter.get("breadcrumbs"))
        adapter["mainImage"] = self._image(adapter.get("mainImage"))
        adapter["relatedUrls"] = self._related(adapter)
        adapter["isBasedOn"] = self._based_on(adapter)
        if adapter.get("duplicateOf"):
            adapter["duplicateOf"] = canonical_url(adapter["duplicateOf"])
        return item

    @staticmethod
    def _site_zone(site: str | None) -> tzinfo:
        return SITES[site].tz if site in SITES else WIB

    def _body(self, adapter: ItemAdapter) -> str:
        blocks: list[str] = []
        after_footer = False
        removed = 0
        for raw_block in _BLANK_LINES.split(adapter["articleBody"]):
            lines = [line for line in (_clean_line(raw) for raw in raw_block.splitlines()) if line.strip()]
            if len(lines) > 1 and all(_LIST_OR_ROW.match(line) for line in lines):
                blocks.append("\n".join(lines))  # a list or a table: one block, a line per item or row
                continue
            for line in (line.strip() for line in lines):
                if is_syndication_line(line):
                    # The footer names the original; it is not body text, so keep what it says before dropping it.
                    after_footer = True
                    if not adapter.get("isBasedOn"):
                        adapter["isBasedOn"] = self._footer_original(line, adapter.get("url"))
                if (
                    is_syndication_line(line)
                    or is_related_line(line)
                    or is_boilerplate_line(line)
                    or (after_footer and is_credit_line(line))
                    or (not blocks and is_reporter_line(line))
                ):
                    removed += 1
                    continue
                blocks.append(line)
        if removed:
            # Lines the extractor should have left out: a rising count means a template changed.
            self.crawler.stats.inc_value(stat.NORMALIZE_LINES_REMOVED, removed)
        return "\n\n".join(blocks)

    @staticmethod
    def _footer_original(line: str, own_url: str | None) -> str | None:
        for candidate in urls_in_text(line):
            url = candidate.rstrip(".,;)")
            if classify_url(url) is PageType.ARTICLE and (not own_url or article_key(url) != article_key(own_url)):
                return canonical_article_url(url)
        return None

    @staticmethod
    def _date(value: Any, tz: tzinfo, *, keep_unreadable: bool = False, to_utc: bool = False) -> str | None:
        if value is None or value == "":
            return None
        parsed = parse_date(str(value), tz)
        if parsed is None:
            return clean_text(str(value)) if keep_unreadable else None
        return isoformat(parsed.astimezone(UTC) if to_utc else parsed)

    @staticmethod
    def _article_id(adapter: ItemAdapter) -> str | None:
        article_id = clean_text(str(adapter.get("articleId") or ""))
        if _DIGITS.match(article_id):
            return str(int(article_id))
        return article_id_from_url(adapter["url"]) if adapter.get("url") else None

    @staticmethod
    def _people(people: Any) -> list[Any]:
        kept: list[Any] = []
        seen: set[str] = set()
        for person in people or []:
            name = clean_person_name(person.get("name"))
            if not name or name.casefold() in seen:
                continue
            seen.add(name.casefold())
            url = person.get("url")
            kept.append({"name": name, "url": canonical_url(url) if url else None})
        return kept

    @staticmethod
    def _keywords(keywords: Any) -> list[str]:
        if isinstance(keywords, str):
            keywords = keywords.split(",")
        return _unique_casefold([clean_text(k) for k in keywords or []])

    @staticmethod
    def _breadcrumbs(crumbs: Any) -> list[Any]:
        kept: list[Any] = []
        for crumb in crumbs or []:
            name = clean_text(crumb.get("name"))
            if name:
                url = crumb.get("url")
                kept.append({"name": name, "url": canonical_url(url) if url else None})
        return kept

    @staticmethod
    def _image(image: Any) -> Any:
        if not image or not image.get("url"):
            return None
        return {"url": canonical_url(image["url"]), "caption": clean_text(image.get("caption")) or None}

    @staticmethod
    def _related(adapter: ItemAdapter) -> list[str]:
        own = article_key(adapter["url"]) if adapter.get("url") else None
        kept: list[str] = []
        seen: set[str] = set()
        for url in adapter.get("relatedUrls") or []:
            if classify_url(clean_text(url)) is not PageType.ARTICLE:
                continue
            key = article_key(clean_text(url))
            if key != own and key not in seen:
                seen.add(key)
                kept.append(canonical_article_url(clean_text(url)))
        return kept

    @staticmethod
    def _based_on(adapter: ItemAdapter) -> str | None:
        based_on = adapter.get("isBasedOn")
        if not based_on:
            return None
        url = canonical_url(based_on)
        # A page whose footer names itself is its own original, not a copy.
        if adapter.get("url") and article_key(url) == article_key(adapter["url"]):
            return None
        return url
