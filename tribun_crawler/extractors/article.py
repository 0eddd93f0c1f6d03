"""Article pages of every era (2018 to 2026), www and regional, date and id URL shapes. No I/O.

Each field is read JSON-LD first, then meta tags, then the DOM (docs/site.md#how-the-crawler-reads-it): older pages
have no JSON-LD at all, and each later template moved the date, the credits and the paging to new markup, so
every method lists its sources in the order it trusts them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from functools import cached_property, wraps
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from scrapy.http import TextResponse

from tribun_crawler.dates import isoformat, parse_date
from tribun_crawler.extractors import dom, jsonld
from tribun_crawler.extractors.safe import absolute_url, base_url, usable_date
from tribun_crawler.items import ArticleItem, Image, Link, Person
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
    classify_url,
    date_from_url,
    unwrapped_url,
    with_page,
)

# Every div#article of the page (pages may repeat an id): found in the walk of ArticlePage._by_tag and handed to
# each query as a node-set, so no query walks the whole page to find them.
_ARTICLE = "$article"
# The lead image block. id() looks it up in the parser's id table instead of walking the page and, as
# getElementById does, takes the first element carrying the id.
_IMAGE = 'id("artimg")'
# Tags of the elements read wherever they are on the page (meta tags, canonical link, title, JSON-LD, the body
# div, the paging "Halaman 1/2", paging and tag links): collected in one walk, see ArticlePage._by_tag.
_TAGS_READ_ANYWHERE = ("meta", "link", "title", "script", "div", "span", "a")

# Every name a site has carried (today's brand, its spoken form, former brands: docs/site.md, "Older eras"), and
# the generic " - <Name>.com" shape for a brand the list does not know yet.
_BRANDS = sorted({name for site in SITES.values() for name in site.brand_names}, key=len, reverse=True)
_BRAND_NAMES = frozenset(brand.lower() for brand in _BRANDS)
_TITLE_SUFFIX = re.compile(
    r"(?:\s*[-\u2013\u2014|]\s*(?:" + "|".join(map(re.escape, _BRANDS)) + r"|[\w-]+\.(?:com|co\.id|co|id))"
    r"|(?:\s*[-\u2013\u2014|]\s*|\s+)Halaman\s+(?:all|\d+))\s*$",
    re.I,
)
_DESCRIPTION_SUFFIX = re.compile(r"\s*[-\u2013\u2014|]\s*Halaman\s+(?:all|\d+)\s*$", re.I)
_ALL_PAGES_TITLE = re.compile(r"\bHalaman\s+all\b", re.I)
# "Berita Terkait" may carry the topic's name after it ("Berita Terkait: Gempa Aceh"), older pages head the block
# "Baca Juga" when the article has no topic (docs/site.md, "Older eras").
_RELATED_HEADING = re.compile(
    r"^(?:(?:berita|artikel)\s+(?:terkait|rekomendasi)(?:\W.*)?|baca\s+juga\W*|terkait\W*)$", re.I
)
_NAME_SEPARATOR = re.compile(r"[|,]")
_WORD_CHARACTER = re.compile(r"\w")
_TAYANG = re.compile(r"^Tayang\s*:\s*", re.I)
_CREDIT_LABEL = re.compile(r"\b(penulis|reporter|editor|penyunting|sumber)\s*:", re.I)
_EDITOR_LABELS = frozenset({"editor", "penyunting"})
_DOMAIN_LIKE = re.compile(r"\.(?:com|co|id|net)\b", re.I)

# Inside the body, none of these hold article text: links to other stories, the bullet summary, embeds, ads.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "ins", "iframe", "figure", "figcaption", "template"})
_SKIPPED_CLASSES = frozenset({"baca", "summary-article", "ads-placeholder"})
# Google Publisher Tag slots are divs with ids like div-Inside-MediumRectangle; ad wrappers: "ads" classes.
_AD_ID = re.compile(r"^(?:div-|div_|gpt-|ads?[-_]|google_ads)", re.I)
_AD_CLASS = re.compile(r"^(?:ads?|adsbygoogle)$|^ads?[-_]|[-_]ads?$|[-_]ads?[-_]", re.I)
#: Articles span 2 to 5 pages. Paging that names more is broken or hostile, and the spider would queue a request
#: for every page it names ("Halaman 1/99999999999").
_MAX_PAGES = 50


@dataclass
class _Body:
    """What the body div of one response holds, split into text and the lines that are not body text."""

    paragraphs: list[str] = field(default_factory=list)
    related_hrefs: list[str] = field(default_factory=list)
    footers: list[tuple[str, list[str]]] = field(default_factory=list)
    """Syndication footer lines with the hrefs of their links."""
    reporter: str | None = None
    """Name from a "Laporan Wartawan …, Name" line before the dateline."""
    credit_lines: list[str] = field(default_factory=list)
    """"Penulis: …", "Editor: …", "Sumber: …" lines of the body (before any syndication footer)."""


@dataclass
class _Credits:
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    source: str | None = None

    def add(self, people: dict[str, list[Person]], fill_only: bool = False) -> None:
        """Add the people of one credit element; with ``fill_only``, only to roles still empty (a generic find
        never adds to what the era's credit block gave)."""
        for role, known in (("author", self.authors), ("editor", self.editors)):
            if fill_only and known and people[role]:
                continue
            known.extend(p for p in people[role] if p not in known)
        sources = people["source"]
        if sources and self.source is None:
            self.source = sources[0]["name"]


_T = TypeVar("_T")


def _kept(method: Callable[[ArticlePage], _T]) -> Callable[[ArticlePage], _T]:
    """An ArticlePage method whose value is kept on the page (which never changes): the spider asks for some
    (problem, date window, paging) before to_item() asks again, and some fields are read from others."""
    key = method.__name__

    @wraps(method)
    def read(page: ArticlePage) -> _T:
        if key not in page._kept:
            page._kept[key] = method(page)
        return page._kept[key]

    return read


class ArticlePage:
    """Reads one article response of any era (2018-2026, www and regional, date and id URL shapes). No I/O."""

    def __init__(self, response: TextResponse, downloaded_at: datetime | None = None):
        self.response = response
        self._root = dom.document(response)
        self._base_url = base_url(response)
        self._absolute_urls: dict[str, str | None] = {}
        self._kept: dict[str, Any] = {}
        self.downloaded_at = downloaded_at
        key = site_key(urlsplit(response.url).hostname)
        self._response_site = key
        self._tz: tzinfo = SITES[key].tz if key else WIB

    # --- ArticleItem fields -----------------------------------------------------------------------------

    def url(self) -> str:
        return self._url

    @cached_property
    def _url(self) -> str:
        # A syndicated copy may name its original (another site) as canonical; the item describes this copy,
        # and isBasedOn names the original.
        for candidate in (
            self._canonical_link(),
            self._meta("og:url"),
        ):
            if candidate:
                absolute = self._absolute_url(candidate)
                if (
                    absolute is not None
                    and classify_url(absolute) is PageType.ARTICLE
                    and site_key(urlsplit(absolute).hostname) == self._response_site
                ):
                    return canonical_article_url(absolute)
        return canonical_article_url(self.response.url)

    def articleId(self) -> str | None:
        return (
            article_id_from_url(self.url())
            or article_id_from_url(self.response.url)
            or _digits(self._meta("android:app_id"))
            or _digits(self._attr("//*[@data-content-id]/@data-content-id"))
        )

    def site(self) -> str | None:
        return site_key(urlsplit(self.url()).hostname)

    @_kept
    def headline(self) -> str | None:
        # The h1 is what readers see; og:title and <title> carry the brand of the page's year (docs/site.md,
        # "Older eras"), JSON-LD the same as og:title where it exists.
        return (
            _without_title_suffixes(self._text('//h1[@id="arttitle"]'))
            or _without_title_suffixes(jsonld.text(self._ld.get("headline")))
            or _without_title_suffixes(self._meta("og:title"))
            or _without_title_suffixes(self._text(f"{_ARTICLE}//h1"))
            or _without_title_suffixes(self._title)
            or None
        )

    def description(self) -> str | None:
        return (
            _without_paging_suffix(jsonld.text(self._ld.get("description")))
            or _without_paging_suffix(self._meta("og:description"))
            or _without_paging_suffix(self._meta("description"))
            or _without_paging_suffix(self._text(f"{_ARTICLE}/*[(self::h2 or self::h4) and {dom.has_class('hide')}]"))
            or None
        )

    def articleBody(self) -> str | None:
        return "\n\n".join(self.bodyParagraphs()) or None

    @_kept
    def datePublished(self) -> str | None:
        return (
            self._date(jsonld.text(self._ld.get("datePublished")))
            or self._date(self._meta("article:published_time"))
            or self._date(self._attr(f"{_ARTICLE}//time/@datetime"))
            or self._date(self.datePublishedRaw())
        )

    def datePublishedDay(self) -> str | None:
        """The day alone, only when no time of publication is known: a time is never invented."""
        if self.datePublished():
            return None
        raw = self.datePublishedRaw()
        day = parse_date(raw, self._tz) if raw and not _HAS_TIME.search(raw) else None
        return day.date().isoformat() if day else date_from_url(self.url()) or date_from_url(self.response.url)

    def dateModified(self) -> str | None:
        return self._date(jsonld.text(self._ld.get("dateModified"))) or self._date(self._meta("article:modified_time"))

    @_kept
    def datePublishedRaw(self) -> str | None:
        for xpath in (
            f"{_ARTICLE}//time[{dom.has_class('grey')}]",  # 2017-2023
            f'{_ARTICLE}//strong[starts-with(normalize-space(), "Tayang")]/following::time[1]',  # 2026 www
            f"{_ARTICLE}//time/span",  # 2025 regional
            f"{_ARTICLE}//time",
            f"//div[{dom.has_class('grey', 'bdr3')}]/*[self::h3 or self::time]",  # 2015-2016 h3, regional 2017-2020
        ):
            text = _TAYANG.sub("", self._text(xpath) or "")
            if text and _HAS_DAY.search(text):
                return text
        return self._date_text_in_header()

    def _date_text_in_header(self) -> str | None:
        """The first text between the title and the body shaped like a date ("Senin, 8 Februari 2016 12:43",
        day name and zone optional): found by what it says when the era's selectors find nothing."""
        title = next(iter(self._xpath('//h1[@id="arttitle"] | //h1')), None)
        body = self._body_element
        texts = _TEXT_AFTER(title) if title is not None else _TEXT_ANYWHERE(self._root)
        day_only = None
        for text in texts:
            if body is not None and (text.getparent() is body or _is_inside(text.getparent(), body)):
                break  # the header ends where the body starts
            if not _HAS_DAY.search(text):
                continue
            element = text.getparent()
            if element is None or element.tag in ("script", "style", "title") or _in_sidebar(element):
                continue
            line = clean_text(_STRING(element))
            if len(line) > 80:
                line = clean_text(text)
            match = _HAS_DAY.search(line)
            if match is None or len(line) > 80:
                continue
            if _HAS_TIME.search(line):
                return line
            day_only = day_only or line
        return day_only

    def authors(self) -> list[Person]:
        credits = self._credits
        for found in (
            self._ld_people("author"),
            self._people_named(self._meta("author")),
            credits.authors,
        ):
            # A page that credits someone only as editor may still name them as author in its metadata (the
            # user who published it): an editor is never an author unless a credit says so.
            writers = [p for p in found if not _named_in(p, credits.editors) or _named_in(p, credits.authors)]
            if writers:
                return _with_urls(writers, credits.authors)
        reporter = self._body.reporter
        if reporter and not _named_in({"name": reporter, "url": None}, credits.editors):
            return [{"name": reporter, "url": None}]
        return []

    def editors(self) -> list[Person]:
        credits = self._credits
        found = self._ld_people("editor") or credits.editors
        return _with_urls(found, credits.editors)

    def sourceOrganization(self) -> str | None:
        return self._credits.source

    def articleSection(self) -> str | None:
        section = jsonld.text(self._ld.get("articleSection")) or clean_text(self._meta("article:section"))
        if section:
            return section
        hubs = [crumb for crumb in self.breadcrumbs() if crumb["url"] and _is_section(crumb["url"])]
        if hubs:
            return hubs[-1]["name"]
        return self._section_from_url()

    def breadcrumbs(self) -> list[Link]:
        trail = jsonld.first_of_type(self._ld_nodes, frozenset({"BreadcrumbList"}))
        elements = trail.get("itemListElement")
        if not isinstance(elements, list):
            return []
        entries = [e for e in elements if isinstance(e, dict)]
        entries.sort(key=_position)
        crumbs: list[Link] = []
        for entry in entries:
            item = entry.get("item")
            name = jsonld.text(entry.get("name")) or (jsonld.text(item) if isinstance(item, dict) else None)
            url = jsonld.url(item) or jsonld.url(entry.get("url"))
            if name:
                crumbs.append({"name": name, "url": self._absolute_url(url) if url else None})
        return crumbs

    def keywords(self) -> list[str]:
        return (
            _unique(jsonld.strings(self._ld.get("keywords")))
            or _unique(jsonld.strings(self._meta("keywords")))
            or _unique(jsonld.strings(self._meta("news_keywords")))
            or _unique(dom.text(a) for a in self._tagged("a") if _in_tag_cloud(a))
        )

    def mainImage(self) -> Image | None:
        ld_image = self._ld.get("image")
        url = (
            jsonld.url(ld_image)
            or self._meta("og:image")
            or self._attr(f"{_IMAGE}//a[{dom.has_class('glightbox')}]/@href")
            or self._attr(f"{_IMAGE}//img[{dom.has_class('imgfull')}]/@src")
        )
        absolute = self._absolute_url(url) if url else None
        if not absolute:
            return None
        first = ld_image[0] if isinstance(ld_image, list) and ld_image else ld_image
        caption = (jsonld.text(first.get("caption")) if isinstance(first, dict) else None) or self._text(
            f"{_IMAGE}//div[{dom.has_class('f12', 'grey2')}]"
        )
        return {"url": absolute, "caption": caption}

    def inLanguage(self) -> str:
        language = jsonld.text(self._ld.get("inLanguage")) or self._attr("/html/@lang") or "id"
        return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0] or "id"

    @_kept
    def pageCount(self) -> int:
        """The pages the article spans, as this response's paging shows them (1 when it shows none)."""
        counts = [1]
        total = next((dom.text(s) for s in self._tagged("span") if dom.has_classes(s, "total-page")), None)  # "1/2"
        match = re.search(r"(\d+)\s*/\s*(\d+)", total or "")
        if match:
            counts.append(_small_number(match.group(2)) or 1)
        own = article_key(self.url())
        rel_links = [a for a in self._tagged("a") if a.get("rel", "").startswith("page-")]
        for anchor in [*rel_links, *self._xpath(f"{_ARTICLE}//div[{dom.has_class('paging')}]//a[@href]")]:
            url = self._absolute_url(anchor.get("href", ""))
            if url is None or article_key(url) != own:
                continue
            rel = anchor.get("rel", "")
            number = _small_number(rel.removeprefix("page-")) if rel.startswith("page-") else None
            number = number or _small_number(dict(parse_qsl(urlsplit(url).query)).get("page", ""))
            if number:
                counts.append(number)
        return min(max(counts), _MAX_PAGES)

    def relatedUrls(self) -> list[str]:
        return list(self._related_urls)

    @cached_property
    def _related_urls(self) -> list[str]:
        # Read once per page: to_item() and the spider's related requests both ask for them.
        hrefs = [*self._body.related_hrefs, *self._related_block_hrefs()]
        return _related_articles(hrefs, self._absolute_url, exclude=self.url())

    def isAccessibleForFree(self) -> bool:
        free = jsonld.boolean(self._ld.get("isAccessibleForFree"))
        return True if free is None else free

    def dateDownloaded(self) -> str | None:
        if self.downloaded_at is None:
            return None
        moment = self.downloaded_at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return isoformat(moment.astimezone(UTC))

    def isBasedOn(self) -> str | None:
        own = article_key(self.url())
        for line, hrefs in self._body.footers:
            # The brand in the footer may link to a homepage; the original's URL is an article link or text.
            for candidate in [*hrefs, *urls_in_text(line)]:
                url = self._absolute_url(candidate.rstrip(".,;)"))
                if url is not None and classify_url(url) is PageType.ARTICLE and article_key(url) != own:
                    return canonical_article_url(url)
        return None

    # --- Paging support for the spider ------------------------------------------------------------------

    def bodyParagraphs(self) -> list[str]:
        return list(self._body.paragraphs)

    @_kept
    def isAllPages(self) -> bool:
        titles = (self._title, self._meta("og:title"), jsonld.text(self._ld.get("headline")))
        if any(title and _ALL_PAGES_TITLE.search(title) for title in titles):
            return True
        return self.pageCount() <= 1

    def pageUrls(self) -> list[str]:
        if self.isAllPages():
            return []
        return [with_page(self.url(), number) for number in range(2, self.pageCount() + 1)]

    @_kept
    def problem(self) -> str | None:
        if not self.headline():
            return "no-headline"
        if not self.bodyParagraphs():
            return "no-body"
        return None

    def to_item(self, other_pages: Sequence[ArticlePage] = ()) -> ArticleItem:
        paragraphs = self.bodyParagraphs()
        related = self.relatedUrls()
        for page in other_pages:
            paragraphs.extend(page.bodyParagraphs())
            related.extend(page.relatedUrls())
        return ArticleItem(
            url=self.url(),
            articleId=self.articleId(),
            site=self.site(),
            headline=self.headline(),
            description=self.description(),
            articleBody="\n\n".join(paragraphs) or None,
            datePublished=self.datePublished(),
            dateModified=self.dateModified(),
            datePublishedRaw=self.datePublishedRaw(),
            datePublishedDay=self.datePublishedDay(),
            authors=self.authors(),
            editors=self.editors(),
            articleSection=self.articleSection(),
            breadcrumbs=self.breadcrumbs(),
            keywords=self.keywords(),
            mainImage=self.mainImage(),
            inLanguage=self.inLanguage(),
            pageCount=self.pageCount(),
            relatedUrls=_related_articles(related, self._absolute_url, exclude=self.url()),
            isAccessibleForFree=self.isAccessibleForFree(),
            dateDownloaded=self.dateDownloaded(),
            isBasedOn=self.isBasedOn(),
            sourceOrganization=self.sourceOrganization(),
        )

    # --- Sources ----------------------------------------------------------------------------------------

    @cached_property
    def _ld_nodes(self) -> list[dict[str, Any]]:
        # A script's content is one text node: the HTML parser reads no markup inside it.
        scripts = [s for s in self._tagged("script") if s.get("type") == "application/ld+json"]
        return jsonld.nodes(script.text for script in scripts if script.text)

    @cached_property
    def _ld(self) -> dict[str, Any]:
        """The NewsArticle node, or an empty dict on pages without one (2019 and earlier)."""
        return jsonld.first_of_type(self._ld_nodes, jsonld.ARTICLE_TYPES)

    def _canonical_link(self) -> str | None:
        hrefs = (link.get("href") for link in self._tagged("link") if link.get("rel") == "canonical")
        return _stripped(next((href for href in hrefs if href is not None), None))

    def _meta(self, name: str) -> str | None:
        value = self._metas.get(name, "").strip()
        return value or None

    @cached_property
    def _metas(self) -> dict[str, str]:
        """Each meta tag's content by its property and by its name, the first in page order winning."""
        metas: dict[str, str] = {}
        for meta in self._tagged("meta"):
            content = meta.get("content")
            if content is None:
                continue
            for key in (meta.get("property"), meta.get("name")):
                if key is not None:
                    metas.setdefault(key, content)
        return metas

    def _tagged(self, tag: str) -> list[Any]:
        return self._by_tag.get(tag, [])

    @cached_property
    def _by_tag(self) -> dict[str, list[Any]]:
        """The page's elements read wherever they are (meta tags, links, scripts, the body div, paging and tag
        links), by tag name, in page order. One walk of the page: every XPath query from the root walks all
        of it again, and a dozen of them cost more than the rest of the extraction."""
        by_tag: dict[str, list[Any]] = {}
        for element in self._root.iter(*_TAGS_READ_ANYWHERE):
            by_tag.setdefault(element.tag, []).append(element)
        return by_tag

    @cached_property
    def _title(self) -> str | None:
        titles = self._tagged("title")
        return dom.text(titles[0]) or None if titles else None

    def _xpath(self, xpath: str, **variables: Any) -> list[Any]:
        if _ARTICLE in xpath:
            variables["article"] = self._articles
        return dom.xpath(xpath)(self._root, **variables)

    @cached_property
    def _articles(self) -> list[Any]:
        return [div for div in self._tagged("div") if div.get("id") == "article"]

    def _attr(self, xpath: str) -> str | None:
        values = self._xpath(xpath)
        value = values[0].strip() if values else None
        return value or None

    def _text(self, xpath: str) -> str | None:
        nodes = self._xpath(xpath)
        return dom.text(nodes[0]) or None if nodes else None

    def _texts(self, xpath: str, **variables: str) -> list[str]:
        return [dom.text(node) for node in self._xpath(xpath, **variables)]

    def _date(self, text: str | None) -> str | None:
        if not text or not _HAS_TIME.search(text):
            return None  # a day without a time: datePublishedDay, never an invented midnight
        value = usable_date(parse_date(text, self._tz))
        # One zone per site: JSON-LD, meta tags and the visible date may print different offsets.
        return isoformat(value.astimezone(self._tz)) if value is not None else None

    def _ld_people(self, prop: str) -> list[Person]:
        people: list[Person] = []
        for name, url, types in jsonld.people(self._ld.get(prop)):
            cleaned = clean_person_name(name)
            if not any(t.endswith("Organization") for t in types) and _is_person_name(cleaned):
                people.append({"name": cleaned, "url": self._absolute_url(url) if url else None})
        return people

    def _people_named(self, names: str | None) -> list[Person]:
        return [
            {"name": name, "url": None}
            for name in (clean_person_name(n) for n in (names or "").split(","))
            if _is_person_name(name)
        ]

    @cached_property
    def _credits(self) -> _Credits:
        """Writers, editors and the source, from the era's credit block (div#penulis/div#editor ≤2024, h5#penulis
        2025), else from labelled lines wherever the article column prints them (bottom credits before 2021)."""
        credits = _Credits()
        for element_id, label in (("penulis", "author"), ("editor", "editor")):
            found = self._xpath("id($id)", id=element_id)  # the first element with the id, from the id table
            if found:
                credits.add(_labelled_people(found[0], label, self._absolute_url))
        if not (credits.authors and credits.editors and credits.source):
            for element in self._credit_elements():
                credits.add(_labelled_people(element, "author", self._absolute_url), fill_only=True)
            for line in self._body.credit_lines:
                credits.add(_people_in_line(line, self._absolute_url), fill_only=True)
        return credits

    def _credit_elements(self) -> list[Any]:
        """Short elements outside the body and the sidebars whose text starts with a credit label ("Penulis:",
        "Editor:", "Reporter:", "Penyunting:", "Sumber:"), outermost first, whatever their markup."""
        body = self._body_element
        found: list[Any] = []
        for text in _TEXT_ANYWHERE(self._root):
            if ":" not in text or not _CREDIT_START.match(text):
                continue
            element = text.getparent()
            if text.is_tail or element is None or element.tag in ("script", "style", "title", "option"):
                element = element.getparent() if element is not None else None
            if element is None or (body is not None and _is_inside(element, body)) or _in_sidebar(element):
                continue
            # The label and its names may be split over several elements ("Penulis: <a>X</a> | Editor: <a>Y</a>"):
            # read the largest short element holding the label.
            while (parent := element.getparent()) is not None and parent is not body:
                if _NORMALIZED_LENGTH(parent) > _MAX_CREDIT_LENGTH:
                    break
                element = parent
            if element.tag in ("body", "html") or any(_is_inside(element, seen) or element is seen for seen in found):
                continue
            found.append(element)
        return found

    @property
    def _body(self) -> _Body:
        return self._body_read[1]

    @property
    def _body_element(self) -> Any:
        """The element the body was read from, or None; the header (date) ends and the related blocks start there."""
        return self._body_read[0]

    def usedBodyFallback(self) -> bool:
        """True when the body was read from the page's densest text block, not from the era's body container
        (a template the extractor does not know): the spider counts it (``tribun/extract/fallback``)."""
        return self._body_read[2]

    @cached_property
    def _body_read(self) -> tuple[Any, _Body, bool]:
        """The body container and what it holds; the densest text block of the page instead when the container
        is missing or holds far less text than that block (a template change costs precision, not the article)."""
        # The body div gains classes over the years (multi-fontsize, editcontent): match the two stable ones.
        container = next(
            (div for div in self._tagged("div") if dom.has_classes(div, "side-article", "txt-article")), None
        )
        body = _Body()
        if container is not None:
            _read_body(container, body)
        length = sum(map(len, body.paragraphs))
        if length >= _FALLBACK_BELOW_CHARS:
            return container, body, False
        dense, dense_length = _densest_block(self._root)
        # Without any container the page is a template the extractor does not know (a redesign): a short article
        # is taken from its densest block rather than lost; beside a container, only a block far richer wins.
        least = _FALLBACK_NO_CONTAINER_MIN_CHARS if container is None else max(_FALLBACK_MIN_CHARS, 2 * length)
        if dense is None or dense is container or dense_length < least:
            return container, body, False
        fallback = _Body()
        _read_body(dense, fallback)
        if sum(map(len, fallback.paragraphs)) <= length:
            return container, body, False
        return dense, fallback, True

    def _related_block_hrefs(self) -> list[str]:
        """Links of blocks after the body headed "Berita Terkait", "Berita Rekomendasi" or "Artikel Terkait".

        Their class names differ by era and are undocumented, so a block is found by its heading text and is
        the nearest ancestor of the heading that holds article links.
        """
        body = self._body_element
        stops: set[Any] = set(body.iterancestors()) if body is not None else set()
        hrefs: list[str] = []
        for heading in _related_headings(self._root if body is None else body, after=body is not None, stops=stops):
            hrefs.extend(self._links_under_heading(heading, stops))
        return hrefs

    def _links_under_heading(self, heading: Any, stops: set[Any]) -> list[str]:
        node = heading
        for _ in range(3):
            parent = node.getparent()
            if parent is None or parent in stops or parent.tag in ("body", "html"):
                return []
            hrefs = [h for h in _hrefs_after(parent, heading) if self._is_article_href(h)]
            if hrefs:
                return hrefs
            node = parent
        return []

    def _is_article_href(self, href: str) -> bool:
        url = self._absolute_url(href)
        return url is not None and classify_url(unwrapped_url(url)) is PageType.ARTICLE

    def _absolute_url(self, href: str) -> str | None:
        # The same hrefs come back (credits, related links, paging): each is resolved once per page.
        if href not in self._absolute_urls:
            self._absolute_urls[href] = absolute_url(self._base_url, href)
        return self._absolute_urls[href]

    def _section_from_url(self) -> str | None:
        """The hub an id URL or www date URL lives under (/nasional/…), named as the page's menu names it."""
        segments = [s for s in urlsplit(self.url()).path.split("/") if s]
        if len(segments) < 2 or segments[0].isdigit():
            return None  # regional date URLs carry no section
        hub = f"https://{urlsplit(self.url()).hostname}/{segments[0]}"
        names = self._texts(
            "//a[@href=$hub or @href=concat($hub, '/') or @href=$path]", hub=hub, path=f"/{segments[0]}"
        )
        return next((name for name in names if name), segments[0].replace("-", " ").title())


# --- Helpers ------------------------------------------------------------------------------------------------


def _without_title_suffixes(title: str | None) -> str:
    title = clean_text(title)
    while True:
        shorter = _TITLE_SUFFIX.sub("", title, count=1)
        if shorter == title:
            return title
        title = shorter


def _without_paging_suffix(description: str | None) -> str:
    return _DESCRIPTION_SUFFIX.sub("", clean_text(description))


def _in_tag_cloud(anchor: Any) -> bool:
    """A topic link of the tag list under the article: ``h5.tagcloud3 > a.rd2`` (2017 on),
    ``div.tagcload3.tagcloud3 > a`` (2016; docs/site.md, "Older eras")."""
    parent = anchor.getparent()
    if parent is None or not dom.has_classes(parent, "tagcloud3"):
        return False
    return dom.has_classes(anchor, "rd2") if parent.tag == "h5" else parent.tag == "div"


def _stripped(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _digits(value: str | None) -> str | None:
    return value.strip() if value and value.strip().isdigit() else None


def _position(entry: dict[str, Any]) -> int:
    """A breadcrumb entry's ``position``, 0 when it is not a number."""
    return _small_number(str(entry.get("position", ""))) or 0


def _small_number(text: str) -> int | None:
    """A page number or position as pages print it, else None.

    Only ASCII digits, at most 9 of them: ``isdigit()`` alone takes "²", which ``int()`` refuses, and ``int()``
    refuses more than 4,300 digits.
    """
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _unique(values: Iterable[str | None]) -> list[str]:
    """The non-empty ``values``, each once whatever its case, in order."""
    seen: set[str] = set()
    result = []
    for value in values:
        if value and value.lower() not in seen:
            seen.add(value.lower())
            result.append(value)
    return result


def _is_person_name(name: str) -> bool:
    """False for the site names pages put where a writer belongs ("Tribunnews.com", "TribunAmbon.com"), and for
    dates beside a credit ("Selasa", "14 Mei 2024 10:20 WITA")."""
    return (
        bool(name)
        and not _DOMAIN_LIKE.search(name)
        and name.lower() not in _BRAND_NAMES
        and name.lower() not in _WEEKDAY_NAMES
        and not any(c.isdigit() for c in name)
    )


def _is_section(url: str) -> bool:
    return classify_url(url) is PageType.SECTION


def _with_urls(people: list[Person], known: list[Person]) -> list[Person]:
    """``people`` with profile URLs filled in from the credit block where the same name carries one."""
    urls = {p["name"].lower(): p["url"] for p in known if p["url"]}
    return [{"name": p["name"], "url": p["url"] or urls.get(p["name"].lower())} for p in people]


def with_next_page(item: ArticleItem, page: ArticlePage) -> ArticleItem:
    """The article read so far, with one more of its pages: its body paragraphs and related links appended.

    Page by page, what :meth:`ArticlePage.to_item` gives for the first page with ``other_pages``: the spider reads
    an article's pages 2..N one request at a time, carrying the item between them.
    """
    body = "\n\n".join(part for part in (item.articleBody, "\n\n".join(page.bodyParagraphs())) if part)
    related = _related_articles([*item.relatedUrls, *page.relatedUrls()], _as_is, exclude=item.url or page.url())
    return replace(item, articleBody=body or None, relatedUrls=related)


def _as_is(url: str) -> str:
    return url


def _related_articles(hrefs: Iterable[str], urljoin: Callable[[str], str | None], exclude: str) -> list[str]:
    """Canonical article URLs of ``hrefs``, one per article, in order, without the article itself."""
    seen = {article_key(exclude)}
    result = []
    for href in hrefs:
        url = urljoin(href)
        if url is not None:
            url = unwrapped_url(url)  # /topic/…?url=<path> of pages before 2018: the article is the parameter
        if url is None or classify_url(url) is not PageType.ARTICLE:
            continue
        key = article_key(url)
        if key not in seen:
            seen.add(key)
            result.append(canonical_article_url(url))
    return result


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _is_skipped(element: Any) -> bool:
    if not isinstance(element.tag, str) or element.tag in _SKIPPED_TAGS:
        return True
    classes = element.get("class")
    if classes:  # most paragraphs have neither class nor id
        names = classes.split()
        if not _SKIPPED_CLASSES.isdisjoint(names) or any(_AD_CLASS.search(name) for name in names):
            return True
    element_id = element.get("id")
    return bool(element_id and _AD_ID.match(element_id))


def _element_text(element: Any) -> str:
    """Text of an element without its skipped descendants; ``<br>`` becomes a line break."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            if child.tag == "br":
                parts.append("\n")
            elif not _is_skipped(child):
                parts.append(_element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# A heading is at most _MAX_HEADING_LENGTH characters, so the elements that may hold one are found from the text
# nodes holding its second word (with _RELATED_HEADING's case rules), not by measuring the text of every
# element of the page.
# The word is looked for in Python: XPath's translate() (to ignore case) costs more than the whole search.
_HEADING_WORD = re.compile(r"terkait|rekomendasi|baca\s+juga", re.I)
# A heading with a topic's name after "Berita Terkait" is longer than the bare heading.
_MAX_HEADING_LENGTH = 80
_TEXT_AFTER = etree.XPath("following::text()")
_TEXT_ANYWHERE = etree.XPath("//text()")
_STRING = etree.XPath("string(.)", smart_strings=False)
_NORMALIZED_LENGTH = etree.XPath("string-length(normalize-space(.))")


def _related_headings(origin: Any, after: bool, stops: set[Any]) -> Iterator[Any]:
    """Elements, in page order, whose whole text (≤ _MAX_HEADING_LENGTH characters) is a related-block heading,
    outside sidebars: after ``origin`` (the body) when ``after``, else anywhere in the page ``origin`` is the root
    of."""
    seen: set[Any] = set()
    for text in (_TEXT_AFTER if after else _TEXT_ANYWHERE)(origin):
        if text.isascii():  # the common case, where lowering the case is all re.I does, and faster
            words = text.lower()
            if "terkait" not in words and "rekomendasi" not in words and "baca juga" not in words:
                continue
        elif not _HEADING_WORD.search(text.replace("\u200b", "")):  # clean_text() drops zero-width spaces
            continue
        short = []
        node = text.getparent().getparent() if text.is_tail else text.getparent()
        # An ancestor's text holds its descendants' text, so it is never shorter.
        while node is not None and node not in stops and _NORMALIZED_LENGTH(node) <= _MAX_HEADING_LENGTH:
            short.append(node)
            node = node.getparent()
        in_sidebar = bool(short) and _in_sidebar(short[-1])
        for element in reversed(short):  # outermost first: page order
            in_sidebar = in_sidebar or _is_sidebar(element)
            if element in seen or element.tag in ("script", "style") or in_sidebar:
                continue
            seen.add(element)
            if _RELATED_HEADING.match(clean_text(_STRING(element))):
                yield element


def _hrefs(element: Any) -> list[str]:
    return [a.get("href") for a in element.iter("a") if a.get("href")]


def _hrefs_after(container: Any, heading: Any) -> list[str]:
    """Hrefs of the links that follow ``heading`` inside ``container``, sidebars left out.

    ``container`` holds the heading, which is in no sidebar, so only the ancestors a link has inside the
    container can make it a sidebar link.
    """
    hrefs = []
    seen_heading = False
    for element in container.iter():
        seen_heading = seen_heading or element is heading
        if seen_heading and element.tag == "a" and element.get("href") and not _in_sidebar(element, within=container):
            hrefs.append(element.get("href"))
    return hrefs


def _in_sidebar(element: Any, within: Any = None) -> bool:
    """Inside a sidebar ("Berita Terkini", "Berita Populer"): site-wide recirculation, never related stories.
    With ``within``, only the ancestors below that one are looked at."""
    for ancestor in element.iterancestors():
        if ancestor is within:
            return False
        if _is_sidebar(ancestor):
            return True
    return False


def _is_sidebar(element: Any) -> bool:
    return (element.get("id") or "").startswith("boxright")


# How the body container's children are read (docs/site.md, "Article page"): paragraphs and sub-headings are
# blocks, lists and tables are one block each with a line per item or row, and everything else is a container
# whose loose text (text outside any paragraph, split at <br>) makes blocks of its own.
_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})
_LIST_TAGS = frozenset({"ul", "ol"})
_INLINE_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "span",
        "small",
        "big",
        "sup",
        "sub",
        "mark",
        "font",
        "abbr",
        "cite",
        "q",
        "code",
        "time",
        "s",
        "strike",
        "del",
        "label",
        "tt",
        "var",
        "kbd",
        "dfn",
        "bdi",
        "bdo",
        "wbr",
    }
)


@dataclass
class _Line:
    """A line of body text with the links in it: a paragraph, a loose line, or a list or table as one block."""

    text: str
    hrefs: list[str]
    first_line: bool = False
    """The line is the first of its paragraph (a "Laporan Wartawan" credit heads the first one)."""
    block: bool = False
    """A list or a table: several lines, never a credit or promo line."""


def _read_body(root: Any, body: _Body) -> None:
    after_footer = False
    for line in _body_lines(root):
        if line.block:
            body.paragraphs.append(line.text)
            continue
        if not body.paragraphs and line.first_line and is_reporter_line(line.text):
            body.reporter = clean_person_name(line.text) or None
            continue
        text = line.text
        if is_related_line(text):
            body.related_hrefs.extend(line.hrefs)
        elif is_syndication_line(text):
            body.footers.append((text, line.hrefs))
            after_footer = True
        elif is_credit_line(text) and len(text) <= _MAX_CREDIT_LENGTH:
            if not after_footer:  # after the footer they credit the original, not this copy
                body.credit_lines.append(text)
        elif is_boilerplate_line(text):
            continue
        else:
            body.paragraphs.append(text)


def _body_lines(container: Any) -> Iterator[_Line]:
    """The body's text in reading order, as lines (see _Line); "Baca juga" boxes give their links only."""
    parts: list[str] = []
    hrefs: list[str] = []

    def flush() -> Iterator[_Line]:
        yield from _lines_of("".join(parts), hrefs)
        parts.clear()
        hrefs.clear()

    parts.append(container.text or "")
    for child in container:
        tag = child.tag
        if not isinstance(tag, str):
            pass  # a comment or processing instruction: only its tail is text
        elif _is_skipped(child):
            if "baca" in _classes(child):
                yield from flush()
                yield _Line("Baca juga", _hrefs(child))
        elif tag == "br":
            yield from flush()
        elif tag in _INLINE_TAGS:
            parts.append(_element_text(child))
            hrefs.extend(_hrefs(child))
        elif tag in _PARAGRAPH_TAGS:
            yield from flush()
            yield from _lines_of(_element_text(child), _hrefs(child))
        elif tag in _LIST_TAGS:
            yield from flush()
            yield from _list_block(child)
        elif tag == "table":
            yield from flush()
            yield from _table_block(child)
        else:  # div, blockquote, section, center, …: a container of its own
            yield from flush()
            yield from _body_lines(child)
        parts.append(child.tail or "")
    yield from flush()


def _lines_of(text: str, hrefs: list[str]) -> Iterator[_Line]:
    """Each non-empty line of ``text`` (lines end at <br>), the first one marked."""
    first = True
    for raw in text.split("\n"):
        line = clean_text(raw)
        if line:
            yield _Line(line, list(hrefs), first_line=first)
            first = False


def _list_block(element: Any) -> Iterator[_Line]:
    """A list as one block, ``- item`` or ``1. item`` per line; a list of "Baca juga" or bare related links gives
    its links only."""
    items = list(_list_items(element, 0))
    if not items:
        return
    if all(is_related_line(text) or _is_link_only(li) for li, text, _ in items):
        yield _Line("Baca juga", [href for li, _, _ in items for href in _hrefs(li)])
        return
    yield _Line("\n".join(f"{marker}{text}" for _, text, marker in items), [], block=True)


def _list_items(element: Any, level: int) -> Iterator[tuple[Any, str, str]]:
    ordered = element.tag == "ol"
    number = _small_number(element.get("start") or "") or 1 if ordered else 0
    indent = "  " * level
    for li in element:
        if not isinstance(li.tag, str) or li.tag != "li" or _is_skipped(li):
            continue
        text = clean_text(_text_without(li, _LIST_TAGS))
        if text:
            yield li, text, f"{indent}{number}. " if ordered else f"{indent}- "
            number += 1 if ordered else 0
        for nested in li:
            if isinstance(nested.tag, str) and nested.tag in _LIST_TAGS:
                yield from _list_items(nested, level + 1)


def _table_block(table: Any) -> Iterator[_Line]:
    """A table as one block, a line per row with its cells joined by " | "; a table of related links (the 2019-2020
    "Baca Juga" block) gives its links only."""
    rows = []
    for row in table.iter("tr"):
        cells = [
            clean_text(_element_text(cell)) for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")
        ]
        cells = [cell for cell in cells if cell]
        if cells:
            rows.append(" | ".join(cells))
    if not rows:
        return
    if _is_link_only(table):
        yield _Line("Baca juga", _hrefs(table))
        return
    yield _Line("\n".join(rows), [], block=True)


def _is_link_only(element: Any) -> bool:
    """All the element's text is the text of its links, and they lead somewhere: a list of other stories."""
    links = [a for a in element.iter("a") if a.get("href")]
    if not links:
        return False
    linked = sum(len(clean_text(" ".join(a.itertext()))) for a in links)
    return linked >= len(clean_text(_element_text(element))) * 0.9


def _text_without(element: Any, tags: frozenset[str]) -> str:
    """Text of an element without its descendants of ``tags`` (a list item without its nested lists)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in tags and not _is_skipped(child):
            parts.append(" " if child.tag == "br" else _element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


#: A body container holding less text than this is compared with the page's densest text block.
_FALLBACK_BELOW_CHARS = 400
#: The densest block replaces the container only when it holds at least this much paragraph text (and twice the
#: container's): a video page's short caption stays what it is.
_FALLBACK_MIN_CHARS = 500
#: With no body container on the page, the densest block is the body when it holds at least this much paragraph
#: text: a short article in an unknown template is saved (the feed's minimum body length still applies).
_FALLBACK_NO_CONTAINER_MIN_CHARS = 120
#: Never article text, whatever they hold.
_NOT_CONTENT_TAGS = frozenset({"header", "footer", "nav", "aside", "form", "script", "style", "noscript"})


def _densest_block(root: Any) -> tuple[Any, int]:
    """The element whose paragraphs hold the most text (outside sidebars, menus, headers and footers), with that
    many characters; (None, 0) on a page without paragraphs."""
    totals: dict[Any, int] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is None:
            continue
        totals[parent] = totals.get(parent, 0) + len(clean_text(_element_text(paragraph)))
    for parent, _ in sorted(totals.items(), key=lambda entry: -entry[1]):
        if not any(a.tag in _NOT_CONTENT_TAGS or _is_sidebar(a) for a in (parent, *parent.iterancestors())):
            return parent, totals[parent]
    return None, 0


def _labelled_people(element: Any, label: str, urljoin: Callable[[str], str | None]) -> dict[str, list[Person]]:
    """People of a credit block by the label written in front of them: "Penulis:"/"Reporter:" authors,
    "Editor:"/"Penyunting:" editors, "Sumber:" the source (a site, kept as named). ``label`` is the role of names
    before any label."""
    people: dict[str, list[Person]] = {"author": [], "editor": [], "source": []}

    def add(name: str, url: str | None) -> None:
        if label == "source":
            name = clean_text(name).strip(" :|-\u2013")
            if name and not people["source"]:
                people["source"].append({"name": name, "url": urljoin(url) if url else None})
            return
        name = clean_person_name(name)
        if _is_person_name(name) and _WORD_CHARACTER.search(name):
            people[label].append({"name": name, "url": urljoin(url) if url else None})

    def add_text(text: str) -> None:
        if label == "source":
            add(text.split("|", maxsplit=1)[0], None)
            return
        for name in _NAME_SEPARATOR.split(text):
            add(name.strip(" :-\u2013"), None)

    def walk(node: Any) -> None:
        if node.tag in _NEVER_NAMES:
            return  # a date printed beside the credits (the element read may hold both)
        if node.tag == "a":
            add(clean_text(" ".join(node.itertext())), node.get("href"))
        else:
            read(node.text)
            for child in node:
                if isinstance(child.tag, str):
                    walk(child)
                read(child.tail)

    def read(text: str | None) -> None:
        nonlocal label
        if not text:
            return  # most tails are empty
        pieces = _CREDIT_LABEL.split(text)
        add_text(pieces[0])
        for name, after in zip(pieces[1::2], pieces[2::2], strict=True):
            label = _ROLE_OF_LABEL[name.lower()]
            add_text(after)

    walk(element)
    return people


def _people_in_line(line: str, urljoin: Callable[[str], str | None]) -> dict[str, list[Person]]:
    """People of a credit line of the body ("Penulis: X | Editor: Y", "Sumber: Tribunnews.com")."""
    return _labelled_people(_text_element(line), "author", urljoin)


def _text_element(text: str) -> Any:
    element = etree.Element("p")
    element.text = text
    return element


#: A credit block ("Penulis: X | Editor: Y") is short; a longer element is a paragraph that mentions a label.
_MAX_CREDIT_LENGTH = 160
_NEVER_NAMES = frozenset({"time", "script", "style", "img"})
_WEEKDAY_NAMES = frozenset({"senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu"})
_ROLE_OF_LABEL = {
    "penulis": "author",
    "reporter": "author",
    "editor": "editor",
    "penyunting": "editor",
    "sumber": "source",
}
#: A text node that begins with a credit label (after spaces, bullets or a pipe).
_CREDIT_START = re.compile(r"^[\s|•·\-\u2013]*(?:penulis|reporter|editor|penyunting|sumber)\s*:", re.I)
#: A date as pages print it: a day, an Indonesian or English month name and a four-digit year.
_HAS_DAY = re.compile(
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|mei|may|jun|jul|agu|agt|ags|aug|sep|okt|oct|nov|nop|des|dec)[a-z]*\.?,?\s+(?:19|20)\d{2}\b",
    re.I,
)
#: A time of day ("12:43", "12.43") or an ISO time ("T12:43").
_HAS_TIME = re.compile(r"(?:\b|T)\d{1,2}[:.]\d{2}\b")


def _named_in(person: Person, people: list[Person]) -> bool:
    name = person["name"].lower()
    return any(p["name"].lower() == name for p in people)


def _is_inside(element: Any, ancestor: Any) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())
