"""Article pages of every era (2018 to 2026), www and regional, date and id URL shapes. No I/O.

Each field is read JSON-LD first, then meta tags, then the DOM (TRIBUN_SITE.md, "Article page"): older pages
have no JSON-LD at all, and each later template moved the date, the credits and the paging to new markup, so
every method lists its sources in the order it trusts them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import TextResponse

from tribun_crawler.dates import isoformat, parse_date
from tribun_crawler.extractors import jsonld
from tribun_crawler.extractors.safe import absolute_url, base_url, selector, usable_date
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
    with_page,
)

# The body div gains classes over the years (multi-fontsize, editcontent): match the two stable ones.
_BODY = '//div[has-class("side-article", "txt-article")]'
_ARTICLE = '//div[@id="article"]'
# Sidebars ("Berita Terkini", "Berita Populer") are site-wide recirculation, never related stories.
_NOT_IN_SIDEBAR = '[not(ancestor-or-self::*[starts-with(@id, "boxright")])]'

_BRANDS = sorted({site.brand for site in SITES.values()}, key=len, reverse=True)
_TITLE_SUFFIX = re.compile(
    r"(?:\s*[-\u2013\u2014|]\s*(?:" + "|".join(map(re.escape, _BRANDS)) + r")"
    r"|(?:\s*[-\u2013\u2014|]\s*|\s+)Halaman\s+(?:all|\d+))\s*$",
    re.I,
)
_DESCRIPTION_SUFFIX = re.compile(r"\s*[-\u2013\u2014|]\s*Halaman\s+(?:all|\d+)\s*$", re.I)
_ALL_PAGES_TITLE = re.compile(r"\bHalaman\s+all\b", re.I)
_RELATED_HEADING = re.compile(r"^(?:berita|artikel)\s+(?:terkait|rekomendasi)\W*$", re.I)
_CREDIT_LABEL = re.compile(r"\b(penulis|reporter|editor)\s*:", re.I)
_DOMAIN_LIKE = re.compile(r"\.(?:com|co|id|net)\b", re.I)

# Inside the body, none of these hold article text: links to other stories, the bullet summary, embeds, ads.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "ins", "iframe", "figure", "figcaption", "template"})
_SKIPPED_CLASSES = frozenset({"baca", "summary-article", "ads-placeholder"})
# Google Publisher Tag slots are divs with ids like div-Inside-MediumRectangle; ad wrappers: "ads" classes.
_AD_ID = re.compile(r"^(?:div-|div_|gpt-|ads?[-_]|google_ads)", re.I)
_AD_CLASS = re.compile(r"^(?:ads?|adsbygoogle)$|^ads?[-_]|[-_]ads?$|[-_]ads?[-_]", re.I)
_PARAGRAPH_TAGS = frozenset({"p", "h2", "h3"})
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


@dataclass
class _Credits:
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)


class ArticlePage:
    """Reads one article response of any era (2018-2026, www and regional, date and id URL shapes). No I/O."""

    def __init__(self, response: TextResponse, downloaded_at: datetime | None = None):
        self.response = response
        self.selector = selector(response)
        self._base_url = base_url(response)
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
            self._attr('//link[@rel="canonical"]/@href'),
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
        from_url = article_id_from_url(self.url()) or article_id_from_url(self.response.url)
        if from_url:
            return from_url
        for candidate in (
            self._meta("android:app_id"),
            self._attr("//*[@data-content-id]/@data-content-id"),
        ):
            if candidate and candidate.strip().isdigit():
                return candidate.strip()
        return None

    def site(self) -> str | None:
        return site_key(urlsplit(self.url()).hostname)

    def headline(self) -> str | None:
        for candidate in (
            jsonld.text(self._ld.get("headline")),
            self._meta("og:title"),
            self._text('//h1[@id="arttitle"]'),
            self._text("//title"),
        ):
            cleaned = _without_title_suffixes(candidate)
            if cleaned:
                return cleaned
        return None

    def description(self) -> str | None:
        for candidate in (
            jsonld.text(self._ld.get("description")),
            self._meta("og:description"),
            self._meta("description"),
            self._text(f'{_ARTICLE}/*[(self::h2 or self::h4) and has-class("hide")]'),
        ):
            cleaned = _DESCRIPTION_SUFFIX.sub("", clean_text(candidate))
            if cleaned:
                return cleaned
        return None

    def articleBody(self) -> str | None:
        return "\n\n".join(self.bodyParagraphs()) or None

    def datePublished(self) -> str | None:
        return self._date(
            jsonld.text(self._ld.get("datePublished")),
            self._meta("article:published_time"),
            self._attr(f"{_ARTICLE}//time/@datetime"),
            self.datePublishedRaw(),
        )

    def dateModified(self) -> str | None:
        return self._date(
            jsonld.text(self._ld.get("dateModified")),
            self._meta("article:modified_time"),
        )

    def datePublishedRaw(self) -> str | None:
        for xpath in (
            f'{_ARTICLE}//time[has-class("grey")]',  # 2018-2023
            f'{_ARTICLE}//strong[starts-with(normalize-space(), "Tayang")]/following::time[1]',  # 2026 www
            f"{_ARTICLE}//time/span",  # 2025 regional
            f"{_ARTICLE}//time",
        ):
            text = re.sub(r"^Tayang\s*:\s*", "", self._text(xpath) or "", flags=re.I)
            if text:
                return text
        return None

    def authors(self) -> list[Person]:
        credits = self._credits
        for found in (
            self._ld_people("author"),
            self._people_named(self._meta("author")),
            credits.authors,
        ):
            if found:
                return _with_urls(found, credits.authors)
        reporter = self._body.reporter
        return [{"name": reporter, "url": None}] if reporter else []

    def editors(self) -> list[Person]:
        credits = self._credits
        found = self._ld_people("editor") or credits.editors
        return _with_urls(found, credits.editors)

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
        for found in (
            jsonld.strings(self._ld.get("keywords")),
            jsonld.strings(self._meta("keywords")),
            jsonld.strings(self._meta("news_keywords")),
            [clean_text(t) for t in self._texts('//h5[has-class("tagcloud3")]/a[has-class("rd2")]')],
        ):
            unique = _unique(k for k in found if k)
            if unique:
                return unique
        return []

    def mainImage(self) -> Image | None:
        ld_image = self._ld.get("image")
        url = (
            jsonld.url(ld_image)
            or self._meta("og:image")
            or self._attr('//*[@id="artimg"]//a[has-class("glightbox")]/@href')
            or self._attr('//*[@id="artimg"]//img[has-class("imgfull")]/@src')
        )
        absolute = self._absolute_url(url) if url else None
        if not absolute:
            return None
        first = ld_image[0] if isinstance(ld_image, list) and ld_image else ld_image
        caption = (jsonld.text(first.get("caption")) if isinstance(first, dict) else None) or self._text(
            '//*[@id="artimg"]//div[has-class("f12", "grey2")]'
        )
        return {"url": absolute, "caption": caption}

    def inLanguage(self) -> str:
        language = jsonld.text(self._ld.get("inLanguage")) or self._attr("/html/@lang") or "id"
        return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0] or "id"

    def pageCount(self) -> int:
        """The pages the article spans, as this response's paging shows them (1 when it shows none)."""
        counts = [1]
        total = self._text('//span[has-class("total-page")]')  # "Halaman 1/2"
        match = re.search(r"(\d+)\s*/\s*(\d+)", total or "")
        if match:
            counts.append(_small_number(match.group(2)) or 1)
        own = article_key(self.url())
        for anchor in self.selector.xpath(
            f'//a[starts-with(@rel, "page-")] | {_ARTICLE}//div[has-class("paging")]//a[@href]'
        ):
            url = self._absolute_url(anchor.attrib.get("href", ""))
            if url is None or article_key(url) != own:
                continue
            rel = anchor.attrib.get("rel", "")
            number = _small_number(rel.removeprefix("page-")) if rel.startswith("page-") else None
            number = number or _small_number(dict(parse_qsl(urlsplit(url).query)).get("page", ""))
            if number:
                counts.append(number)
        return min(max(counts), _MAX_PAGES)

    def relatedUrls(self) -> list[str]:
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

    def isAllPages(self) -> bool:
        titles = (self._text("//title"), self._meta("og:title"), jsonld.text(self._ld.get("headline")))
        if any(title and _ALL_PAGES_TITLE.search(title) for title in titles):
            return True
        return self.pageCount() <= 1

    def pageUrls(self) -> list[str]:
        if self.isAllPages():
            return []
        return [with_page(self.url(), number) for number in range(2, self.pageCount() + 1)]

    def problem(self) -> str | None:
        if not self.headline():
            return "no-headline"
        if not self.bodyParagraphs():
            return "no-body"
        return None

    def to_item(self, other_pages: Sequence[ArticlePage] = ()) -> ArticleItem:
        paragraphs = [*self.bodyParagraphs()]
        related_hrefs = self.relatedUrls()
        for page in other_pages:
            paragraphs.extend(page.bodyParagraphs())
            related_hrefs.extend(page.relatedUrls())
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
            authors=self.authors(),
            editors=self.editors(),
            articleSection=self.articleSection(),
            breadcrumbs=self.breadcrumbs(),
            keywords=self.keywords(),
            mainImage=self.mainImage(),
            inLanguage=self.inLanguage(),
            pageCount=self.pageCount(),
            relatedUrls=_related_articles(related_hrefs, self._absolute_url, exclude=self.url()),
            isAccessibleForFree=self.isAccessibleForFree(),
            dateDownloaded=self.dateDownloaded(),
            isBasedOn=self.isBasedOn(),
        )

    # --- Sources ----------------------------------------------------------------------------------------

    @cached_property
    def _ld_nodes(self) -> list[dict[str, Any]]:
        return jsonld.nodes(self.selector.xpath('//script[@type="application/ld+json"]'))

    @cached_property
    def _ld(self) -> dict[str, Any]:
        """The NewsArticle node, or an empty dict on pages without one (2019 and earlier)."""
        return jsonld.first_of_type(self._ld_nodes, jsonld.ARTICLE_TYPES)

    def _meta(self, name: str) -> str | None:
        return self._attr(f'//meta[@property="{name}" or @name="{name}"]/@content')

    def _attr(self, xpath: str) -> str | None:
        value = self.selector.xpath(xpath).get()
        return value.strip() if value and value.strip() else None

    def _text(self, xpath: str) -> str | None:
        nodes = self.selector.xpath(xpath)
        if not nodes:
            return None
        return clean_text(" ".join(nodes[0].xpath(".//text()").getall())) or None

    def _texts(self, xpath: str) -> list[str]:
        return [clean_text(" ".join(node.xpath(".//text()").getall())) for node in self.selector.xpath(xpath)]

    def _date(self, *candidates: str | None) -> str | None:
        for candidate in candidates:
            value = usable_date(parse_date(candidate, self._tz))
            if value is not None:
                # One zone per site: JSON-LD, meta tags and the visible date may print different offsets.
                return isoformat(value.astimezone(self._tz))
        return None

    def _ld_people(self, prop: str) -> list[Person]:
        return [
            {"name": clean_person_name(name), "url": self._absolute_url(url) if url else None}
            for name, url, types in jsonld.people(self._ld.get(prop))
            if not any(t.endswith("Organization") for t in types) and _is_person_name(clean_person_name(name))
        ]

    def _people_named(self, names: str | None) -> list[Person]:
        return [
            {"name": name, "url": None}
            for name in (clean_person_name(n) for n in (names or "").split(","))
            if _is_person_name(name)
        ]

    @cached_property
    def _credits(self) -> _Credits:
        """Writers and editors from the credit block: div#penulis/div#editor (≤2024), h5#penulis (2025)."""
        credits = _Credits()
        for element_id, label in (("penulis", "author"), ("editor", "editor")):
            found = self.selector.xpath(f'//*[@id="{element_id}"]')
            if found:
                people = _labelled_people(found[0].root, label, self._absolute_url)
                credits.authors.extend(p for p in people["author"] if p not in credits.authors)
                credits.editors.extend(p for p in people["editor"] if p not in credits.editors)
        return credits

    @cached_property
    def _body(self) -> _Body:
        found = self.selector.xpath(_BODY)
        body = _Body()
        if found:
            _read_body(found[0].root, body)
        return body

    def _related_block_hrefs(self) -> list[str]:
        """Links of blocks after the body headed "Berita Terkait", "Berita Rekomendasi" or "Artikel Terkait".

        Their class names differ by era and are undocumented, so a block is found by its heading text and is
        the nearest ancestor of the heading that holds article links.
        """
        bodies = self.selector.xpath(_BODY)
        scope = "following::*" if bodies else "//*"
        origin = bodies[0] if bodies else self.selector
        stops: set[Any] = set(bodies[0].root.iterancestors()) if bodies else set()
        hrefs: list[str] = []
        for heading in origin.xpath(
            f"{scope}[not(self::script or self::style)][string-length(normalize-space(.)) <= 40]" + _NOT_IN_SIDEBAR
        ):
            if _RELATED_HEADING.match(clean_text(heading.xpath("string(.)").get())):
                hrefs.extend(self._links_under_heading(heading.root, stops))
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
        return url is not None and classify_url(url) is PageType.ARTICLE

    def _absolute_url(self, href: str) -> str | None:
        return absolute_url(self._base_url, href)

    def _section_from_url(self) -> str | None:
        """The hub an id URL or www date URL lives under (/nasional/…), named as the page's menu names it."""
        segments = [s for s in urlsplit(self.url()).path.split("/") if s]
        if len(segments) < 2 or segments[0].isdigit():
            return None  # regional date URLs carry no section
        hub = f"https://{urlsplit(self.url()).hostname}/{segments[0]}"
        names = self._texts(f'//a[@href="{hub}" or @href="{hub}/" or @href="/{segments[0]}"]')
        return next((name for name in names if name), segments[0].replace("-", " ").title())


# --- Helpers ------------------------------------------------------------------------------------------------


def _without_title_suffixes(title: str | None) -> str:
    title = clean_text(title)
    while True:
        shorter = _TITLE_SUFFIX.sub("", title, count=1)
        if shorter == title:
            return title
        title = shorter


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


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            result.append(value)
    return result


def _is_person_name(name: str) -> bool:
    """False for the site names pages put where a writer belongs ("Tribunnews.com", "TribunAmbon.com")."""
    return bool(name) and not _DOMAIN_LIKE.search(name) and name.lower() not in {b.lower() for b in _BRANDS}


def _is_section(url: str) -> bool:
    return classify_url(url) is PageType.SECTION


def _with_urls(people: list[Person], known: list[Person]) -> list[Person]:
    """``people`` with profile URLs filled in from the credit block where the same name carries one."""
    urls = {p["name"].lower(): p["url"] for p in known if p["url"]}
    return [{"name": p["name"], "url": p["url"] or urls.get(p["name"].lower())} for p in people]


def _related_articles(hrefs: Iterable[str], urljoin: Callable[[str], str | None], exclude: str) -> list[str]:
    """Canonical article URLs of ``hrefs``, one per article, in order, without the article itself."""
    seen = {article_key(exclude)}
    result = []
    for href in hrefs:
        url = urljoin(href)
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
    classes = _classes(element)
    if classes & _SKIPPED_CLASSES or any(_AD_CLASS.search(c) for c in classes):
        return True
    return bool(_AD_ID.match(element.get("id") or ""))


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


def _hrefs(element: Any) -> list[str]:
    return [a.get("href") for a in element.iter("a") if a.get("href")]


def _hrefs_after(container: Any, heading: Any) -> list[str]:
    """Hrefs of the links that follow ``heading`` inside ``container``, sidebars left out."""
    hrefs = []
    seen_heading = False
    for element in container.iter():
        seen_heading = seen_heading or element is heading
        if seen_heading and element.tag == "a" and element.get("href") and not _in_sidebar(element):
            hrefs.append(element.get("href"))
    return hrefs


def _in_sidebar(element: Any) -> bool:
    return any((ancestor.get("id") or "").startswith("boxright") for ancestor in element.iterancestors())


def _read_body(root: Any, body: _Body) -> None:
    after_footer = False
    for element, is_baca in _paragraph_elements(root):
        if is_baca:
            body.related_hrefs.extend(_hrefs(element))
            continue
        lines = _element_text(element).split("\n")
        if not body.paragraphs and is_reporter_line(clean_text(lines[0])):
            body.reporter = clean_person_name(lines[0]) or None
            lines = lines[1:]
        line = clean_text(" ".join(lines))
        if not line:
            continue
        if is_related_line(line):
            body.related_hrefs.extend(_hrefs(element))
        elif is_syndication_line(line):
            body.footers.append((line, _hrefs(element)))
            after_footer = True
        elif is_boilerplate_line(line) or (after_footer and is_credit_line(line)):
            continue
        else:
            body.paragraphs.append(line)


def _paragraph_elements(element: Any) -> Iterator[tuple[Any, bool]]:
    """Paragraph-level elements of the body in order, each with whether it is a p.baca "Baca juga" box."""
    for child in element:
        if _is_skipped(child):
            if isinstance(child.tag, str) and "baca" in _classes(child):
                yield child, True
        elif child.tag in _PARAGRAPH_TAGS:
            yield child, False
        else:
            yield from _paragraph_elements(child)


def _labelled_people(element: Any, label: str, urljoin: Callable[[str], str | None]) -> dict[str, list[Person]]:
    """People of a credit block, by the label ("Penulis:", "Editor:") written in front of them."""
    people: dict[str, list[Person]] = {"author": [], "editor": []}

    def add(name: str, url: str | None) -> None:
        name = clean_person_name(name)
        if _is_person_name(name) and re.search(r"\w", name):
            people[label].append({"name": name, "url": urljoin(url) if url else None})

    def add_text(text: str) -> None:
        for name in re.split(r"[|,]", text):
            add(name.strip(" :-\u2013"), None)

    def walk(node: Any) -> None:
        nonlocal label
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
        pieces = _CREDIT_LABEL.split(text or "")
        add_text(pieces[0])
        for name, after in zip(pieces[1::2], pieces[2::2], strict=True):
            label = "editor" if name.lower() == "editor" else "author"
            add_text(after)

    walk(element)
    return people
