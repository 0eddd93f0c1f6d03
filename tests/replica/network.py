"""The content of the replica Tribun network, as data the server renders and the end-to-end tests compare.

Four sites are populated: ``www`` (flagship), ``banyumas`` and ``jateng`` (WIB) and ``makassar`` (WITA). One more,
``suryamalang`` (WIB), is an archive site (:data:`ARCHIVE_SITES`): it serves only old articles, reached through
related links of newer ones and through the daily index of their date, and lists nothing on its homepage. Every
other key of :data:`tribun_crawler.sites.SITES` answers with a homepage without articles and a robots.txt.

Eras. Each article is served in the template of its year (:class:`Era`): the 2015 to 2020 templates follow
docs/site.md#older-eras (dates in ``div.grey.bdr3``, regional times printed without a zone, credits at the
bottom, related links wrapped in ``/tag/``, ``/topics/`` or ``/topic/`` URLs whose ``url`` parameter names the
article, "Baca Juga" tables of 2020), the 2018 to 2026 ones docs/site.md#article-page.

Times. Recent articles (the ones on homepages, hubs and sitemaps) are dated relative to the network's
*today* so the crawler's own "today"/recheck logic meets them as fresh news; old articles (the 2018 to 2024
templates) carry their fixed dates, which are also in their URLs. A run of the server has one ``today``
(``--today``); an incremental test must start both generations with the same ``today``. No URL depends on
``today``, so the URL lists below are constants.

Discovery. An article is reached from a listing (depth 0: homepage ``#latestul``, section hubs, sitemaps, the
daily index of its date), or only through related links of another article ("Berita Terkait" blocks and "Baca
juga" lines: depth 1, 2, 3), or only through the ``#boxright_fix`` sidebars, which a correct crawler never
follows. :meth:`Network.depths` computes this by breadth-first search, so tests never hard-code it. Old
articles are also on the daily index and the www monthly archive of their date: a crawl that reads those
dates reaches them at depth 0 (pass them as ``index_dates``). The link in a syndicated copy's "Artikel ini
telah tayang di …" footer names the original; it is not counted as a related link.

Body blocks. :meth:`Article.body_paragraphs` is the text a correct extractor keeps, one string per block of the
output conventions (the lead's issue 12): every ``p``/``h2``…``h6`` of the body (the dateline kept at the start
of the first paragraph), each ``br`` line or line of loose text, a list as one block ("- item", "1. item",
nested items indented), a table as one block (cells joined " | ", one row a line), a block quote's paragraphs;
without the "Laporan Wartawan …" credit, "Baca juga"/"Baca:"/"BACA JUGA" lines, the "Ringkasan Berita"
summary, ad slots, figures and the trailing boilerplate ("Artikel ini telah tayang di …", "Penulis: … | Editor:
…", "Simak berita lainnya di …", print-edition notes, end credits). :meth:`Network.expected_item` is the whole
item a correct crawl emits for an article.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tribun_crawler.sites import DEFAULT_SECTIONS, SITES, WIB, site_key

#: The sites that carry articles in the replica (homepages, hubs, sitemaps and sidebars with articles).
POPULATED_SITES = ("www", "banyumas", "jateng", "makassar")
#: Sites that serve only old articles: reached through related links and daily indexes, never listed.
ARCHIVE_SITES = ("suryamalang",)
#: Every site that serves article pages.
ARTICLE_SITES = (*POPULATED_SITES, *ARCHIVE_SITES)

#: The dateline separator some regional sites print instead of a hyphen ("SURYAMALANG.COM, MALANG \u2013").
EN_DASH = "\u2013"

#: Items per page of the daily index and the monthly archive (the real page size is larger; the replica keeps
#: it small so a handful of articles spans two pages).
INDEX_PAGE_SIZE = 5
#: Articles published on the previous day at or after this local time are listed on the next day's index too
#: ("adjacent days overlap").
INDEX_OVERLAP_FROM = time(20, 0)

#: Section hubs of each populated site, and of the host whose sitemaps are only at /sitemap.xml
#: (``sitemap_index.py``): (path segment, display name).
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "www": tuple((s, s.capitalize()) for s in DEFAULT_SECTIONS),
    "banyumas": (("banyumas", "Banyumas"), ("cilacap", "Cilacap"), ("jateng", "Jateng")),
    "jateng": (("semarang", "Semarang"), ("jateng", "Jateng")),
    "makassar": (("makassar", "Makassar"), ("sulsel", "Sulsel")),
    "bali": (("denpasar", "Denpasar"), ("badung", "Badung")),
    "suryamalang": (("malang-raya", "Malang Raya"), ("arema", "Arema")),
}

#: First path segments the crawler must never request (docs/site.md#article-urls, robots.txt).
FORBIDDEN_SEGMENTS = frozenset(
    (
        *("tag", "topic", "topics", "search", "komentar", "member", "auth", "api", "ajax", "json", "posts"),
        *("penulis", "editor", "epaper", "images", "webstories", "video", "foto", "galeri", "rss"),
    )
)

#: Hosts linked from the pages that are outside the network (never requested).
OFF_NETWORK_HOSTS = (
    "www.kompas.com",
    "video.tribunnews.com",
    "account.tribunnews.com",
    "cdn-2.tstatic.net",
    "asset-2.tstatic.net",
    "asset-2.tribunnews.com",
)


class Era(StrEnum):
    """The page template an article is served in (docs/site.md#article-page-by-era and #older-eras)."""

    WWW_2015 = "www-2015"
    """2015 www: date in ``div.grey.bdr3 > h3`` with WIB, body ``div.side-article.txt-article.mb20.helvetica``,
    "Berita Terkait <topic>" with ``/tag/<slug>/?url=<section>/yyyy/mm/dd/<slug>`` links, credits in
    ``div.f11.grey.pb10`` after the body, tags ``div.tagcload3.tagcloud3 > a``, no JSON-LD."""
    REGIONAL_2016 = "regional-2016"
    """2016 regional: date in ``div.grey.bdr3 > h3`` without a zone (local time of the host's province),
    ``/topics/<slug>/?url=yyyy/mm/dd/<slug>`` links, ``div.f11.grey.pb10`` credits, ``div.tagcload3.tagcloud3``
    tags, title suffix of the brand of that year, no JSON-LD."""
    WWW_2017 = "www-2017"
    """2017 www: ``div.mt10 > time.grey`` with WIB, ``/topic/<slug>/?url=<section>/2017/…`` links,
    ``div.f12.grey.mb15`` credits after the body (some pieces editor-only), ``h5.tagcloud3 > a.rd2``, no JSON-LD."""
    REGIONAL_2017 = "regional-2017"
    """2017 regional: ``div.grey.bdr3 > time`` without a zone, ``/topic/<slug>/?url=yyyy/mm/dd/<slug>`` links
    under "Berita Terkait <topic>", or "Baca Juga" when the article has no topic; ``div.f12.grey.mb15``."""
    REGIONAL_2020 = "regional-2020"
    """2020 regional: JSON-LD (second script, offset), ``div.grey.bdr3 > time`` without a zone, a "Baca Juga"
    ``span`` after the body with each related story as a small ``table``, ``div#editor`` "Editor:" and
    "Sumber:" at the bottom."""
    WWW_2018 = "www-2018"
    """2018 to 2023 www: date URL, ``time.grey``, ``div#penulis``/``div#editor``, JSON-LD second or absent."""
    REGIONAL_2024 = "regional-2024"
    """≤2024 regional: date URL without section, ``time.grey``, ``div#penulis``/``div#editor``."""
    REGIONAL_2025 = "regional-2025"
    """2025 regional: 6-digit id URL, ``h5#penulis`` with both names, ``time > span``, ``@graph``."""
    WWW_2026 = "www-2026"
    """2026 www: 7-digit id URL, "Tayang:" ``time[datetime]``, summary, ``span.total-page``, ``@graph``."""

    @property
    def id_url(self) -> bool:
        return self in (Era.REGIONAL_2025, Era.WWW_2026)

    @property
    def old(self) -> bool:
        """A template of 2015 to 2020 ("Older eras"): credits after the body, none under the date."""
        return self in _OLD_ERAS

    @property
    def zone_in_date(self) -> bool:
        """The visible date ends with WIB/WITA/WIT (regional pages of 2016 to 2020 print local time only)."""
        return self not in (Era.REGIONAL_2016, Era.REGIONAL_2017, Era.REGIONAL_2020)

    @property
    def credit_links(self) -> bool:
        """The Penulis/Editor names link to their ``/penulis/``, ``/editor/`` pages (plain text in 2015-2016)."""
        return self not in (Era.WWW_2015, Era.REGIONAL_2016)

    @property
    def wrapper(self) -> str | None:
        """First path segment of the wrapper URLs related links go through (``/topic/<slug>/?url=…``), if any."""
        return {
            Era.WWW_2015: "tag",
            Era.REGIONAL_2016: "topics",
            Era.WWW_2017: "topic",
            Era.REGIONAL_2017: "topic",
        }.get(self)


_OLD_ERAS = frozenset((Era.WWW_2015, Era.REGIONAL_2016, Era.WWW_2017, Era.REGIONAL_2017, Era.REGIONAL_2020))


# --- Body blocks -----------------------------------------------------------------------------------------
# A body page is a sequence of blocks. A plain ``str`` is a paragraph; it may hold inline links written as
# ``[[tag:Label]]`` (a tag link on the article's host) or ``[[ext:Label|URL]]`` (any other link). Their text
# is kept in the body.


@dataclass(frozen=True)
class Heading:
    """A subheading (``h2`` unless ``level`` says otherwise) inside the body: body text."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Baca:
    """A related-story line inside the body: not body text, a related link."""

    target: str
    """Key of the linked article."""
    style: str = "juga"
    """``juga``: ``p.baca`` "Baca juga:"; ``strong``: ``<p><strong>Baca: <a>``; ``caps``: "BACA JUGA:"."""
    variant: str | None = None
    """How the URL is spelled when it is a variant of the canonical one: a :func:`variant` kind."""


@dataclass(frozen=True)
class Ad:
    """An ad slot inside the body: ``placeholder`` (div.ads-placeholder), ``inside`` (#div-Inside-…), "
    "``ins``."""

    kind: str


@dataclass(frozen=True)
class Figure:
    """An inline ``figure`` with ``figcaption``: not body text."""

    image: str
    caption: str


@dataclass(frozen=True)
class ListItem:
    """An item of a body list with a nested list after its text."""

    text: str
    children: BodyList


@dataclass(frozen=True)
class BodyList:
    """A ``ul`` (or ``ol`` when ``ordered``, numbered from ``start``) inside the body: one block of body text."""

    items: tuple[str | ListItem, ...]
    ordered: bool = False
    start: int | None = None

    def lines(self, level: int = 0) -> list[str]:
        """ "- item" or "n. item" lines, a nested list's items indented two spaces per level under their parent."""
        found = []
        first = self.start if self.start is not None else 1
        for n, item in enumerate(self.items, first):
            text = item if isinstance(item, str) else item.text
            marker = f"{n}." if self.ordered else "-"
            found.append(f"{'  ' * level}{marker} {plain_text(text)}")
            if isinstance(item, ListItem):
                found += item.children.lines(level + 1)
        return found


@dataclass(frozen=True)
class Table:
    """A ``table`` inside the body: one block of body text, one line per row with text, cells joined " | "."""

    rows: tuple[tuple[str, ...], ...]
    header: bool = True
    """The first row is a ``thead`` row of ``th`` cells."""
    cell_paragraphs: bool = False
    """Cells wrap their text in ``p`` (as pasted from a word processor)."""
    wrapped: bool = False
    """The table sits in a scrolling ``div`` (``div.table-responsive``)."""

    def lines(self) -> list[str]:
        rows = [[" ".join(plain_text(cell).split()) for cell in row] for row in self.rows]
        return [" | ".join(cells) for cells in rows if any(cells)]


@dataclass(frozen=True)
class Quote:
    """A ``blockquote`` of paragraphs inside the body (not the "Ringkasan Berita" summary): body text."""

    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Lines:
    """Lines of text separated by ``br``: each non-empty line is a block of body text.

    ``container``: ``p`` (one paragraph broken by ``br``, an empty line among them), ``div`` or ``span`` (a
    wrapper that is not a paragraph), ``loose`` (text directly inside the body container).
    """

    lines: tuple[str, ...]
    container: str = "p"


Block = str | Heading | Baca | Ad | Figure | BodyList | Table | Quote | Lines

_INLINE = re.compile(r"\[\[(tag|ext):([^|\]]+)(?:\|([^\]]+))?\]\]")


def plain_text(paragraph: str) -> str:
    """A paragraph's text as a reader sees it: inline link markup replaced by the link text."""
    return _INLINE.sub(lambda m: m.group(2), paragraph)


@dataclass(frozen=True)
class Link:
    """A link in a related block after the body ("Berita Terkait", …)."""

    target: str
    variant: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    slug: str


@dataclass(frozen=True)
class Article:
    key: str
    """Short handle used by tests and by links between articles."""
    site: str
    era: Era
    section: str
    """Section path segment (first segment of id URLs, hub the article is listed on)."""
    section_name: str
    slug: str
    article_id: str
    headline: str
    description: str
    published: datetime
    modified: datetime
    authors: tuple[Person, ...]
    """The article's writers as a correct extractor gives them: the "Penulis:" names, or on an editor-only page
    (``penulis_line`` False) the reporter of its "Laporan Wartawan" line, or nobody."""
    editors: tuple[Person, ...]
    keywords: tuple[str, ...]
    topic: str
    """The kicker / listing topic (links to ``/topic/…``, never an article); empty for an article without one."""
    image: str
    image_caption: str
    dateline: str
    """City of the dateline, e.g. ``JAKARTA``."""
    pages: tuple[tuple[Block, ...], ...]
    related: tuple[Link, ...] = ()
    listed: bool = False
    """On the homepage, the section hub and the news sitemap (recent news)."""
    reporter: str | None = None
    """Name in a "Laporan Wartawan <Brand>, <Name>" line before the dateline paragraph."""
    summary: tuple[str, ...] = ()
    """Bullets of the ``blockquote.summary-article`` "Ringkasan Berita" (2026 www)."""
    footer: tuple[str, ...] = ()
    """Boilerplate lines after the last paragraph ("Simak berita lainnya di …")."""
    page_all: str = "ok"
    """``ok``: ``?page=all`` returns the whole article; ``page1``: it returns page 1 only (the crawler must
    follow ``?page=N`` and stitch)."""
    jsonld: str = "graph"
    """``graph`` (one ``@graph``), ``second`` (NewsArticle in the second ld+json script) or ``absent``."""
    premium: bool = False
    based_on: str | None = None
    """Key of the original when this is a syndicated copy."""
    dash: str = "-"
    """Separator after the dateline (hyphen or en dash)."""
    origin_site: str | None = None
    """Site of the original when this is a syndicated copy (its dateline keeps the original's brand)."""
    title_brand: str | None = None
    """The host's brand of the article's year when it differs from today's (" - Tribun Timur" on a 2016
    makassar page): title and ``og:title`` suffix, ``og:site_name``, "Laporan Wartawan" line."""
    dateline_text: str | None = None
    """The dateline exactly as an old page prints it ("TRIBUN-TIMUR.COM, MAKASSAR-", "TRIBUNJENEPONTO.COM-"),
    instead of "<BRAND>, <CITY> - "."""
    penulis_line: bool = True
    """The page prints a "Penulis:" credit; False on editor-only pages, whose authors are only the reporter of a
    "Laporan Wartawan" line (or none)."""
    source: str | None = None
    """The "Sumber:" credit of an old page (2020 copies: "Tribunnews.com"), which is also its JSON-LD author."""

    @property
    def brand(self) -> str:
        return SITES[self.site].brand

    @property
    def year_brand(self) -> str:
        """The brand the page of that year shows."""
        return self.title_brand or self.brand

    @property
    def tz(self) -> tzinfo:
        return SITES[self.site].tz

    @property
    def host(self) -> str:
        return SITES[self.site].host

    @property
    def path(self) -> str:
        if self.era.id_url:
            return f"/{self.section}/{self.article_id}/{self.slug}"
        day = self.published.strftime("%Y/%m/%d")
        if self.site == "www":
            return f"/{self.section}/{day}/{self.slug}"
        return f"/{day}/{self.slug}"

    @property
    def url(self) -> str:
        """The canonical URL (``<link rel=canonical>``, never a page parameter)."""
        return f"https://{self.host}{self.path}"

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def known_page_count(self) -> int | None:
        """``pageCount`` of a crawler that asks for ``?page=all`` first: unknown (None) when that answer is the
        whole article without paging, the page count when the site ignores it and the pages are stitched."""
        return None if self.page_all == "ok" else self.page_count

    def page_paragraphs(self, page: int) -> list[str]:
        """Body text of one page (1-based), as :func:`plain_text` paragraphs, dateline included on page 1.

        The "Laporan Wartawan <Brand>, <Name>" line before the dateline is a reporter credit, not body text:
        the body starts with the dateline.
        """
        texts: list[str] = []
        first_paragraph = page == 1
        for block in self.pages[page - 1]:
            if isinstance(block, str):
                text = plain_text(block)
                if first_paragraph:
                    text = f"{self.dateline_prefix}{text}"
                    first_paragraph = False
                texts.append(text)
            elif isinstance(block, Heading):
                texts.append(block.text)
            elif isinstance(block, BodyList | Table):
                texts.append("\n".join(block.lines()))
            elif isinstance(block, Quote):
                texts += [plain_text(text) for text in block.paragraphs]
            elif isinstance(block, Lines):
                texts += [" ".join(plain_text(line).split()) for line in block.lines if line.strip()]
        return texts

    @property
    def dateline_prefix(self) -> str:
        if self.dateline_text:
            return f"{self.dateline_text} "
        brand = self.original_brand.upper()
        return f"{brand}, {self.dateline} {self.dash} "

    @property
    def original_brand(self) -> str:
        """Brand in the dateline: a syndicated copy keeps the original's."""
        return SITES[self.dateline_site].brand

    @property
    def dateline_site(self) -> str:
        return self.origin_site or self.site

    def body_paragraphs(self) -> list[str]:
        """The whole body, all pages, as a correct extractor returns it."""
        return [text for page in range(1, self.page_count + 1) for text in self.page_paragraphs(page)]

    def links(self) -> list[tuple[str, str | None]]:
        """Related links of this article as (target key, variant kind or None), body lines first."""
        found = [(b.target, b.variant) for page in self.pages for b in page if isinstance(b, Baca)]
        found += [(link.target, link.variant) for link in self.related]
        return found


@dataclass(frozen=True)
class ExpectedArticle:
    """What the crawler should emit for one article (compare with its JSONL output)."""

    key: str
    url: str
    site: str
    headline: str
    page_count: int | None
    """``pageCount`` a crawler reading ``?page=all`` first can know (:attr:`Article.known_page_count`)."""
    paragraph_count: int
    paragraphs: tuple[str, ...]
    date_published: str
    date_modified: str
    depth: int
    premium: bool
    based_on: str | None
    """Canonical URL of the original when this is a syndicated copy."""


@dataclass(frozen=True)
class Sidebar:
    """The ``#boxright_fix`` boxes of a site: (article key, variant kind or None) pairs."""

    terkini: tuple[tuple[str, str | None], ...]
    populer: tuple[tuple[str, str | None], ...]


DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    *("Januari", "Februari", "Maret", "April", "Mei", "Juni"),
    *("Juli", "Agustus", "September", "Oktober", "November", "Desember"),
)


def long_date(value: datetime, *, zone: bool = True) -> str:
    """``Senin, 4 Mei 2020 04:25 WIB``: the visible date of article pages and the daily index; without ``zone``
    the zone-less local time of regional pages of 2016 to 2020 (``Senin, 8 Februari 2016 12:43``)."""
    day = DAYS[value.weekday()]
    text = f"{day}, {value.day} {MONTHS[value.month - 1]} {value.year} {value:%H:%M}"
    return f"{text} {value.tzname()}" if zone else text


def visible_date(article: Article) -> str:
    """The publication date as the article page prints it (``datePublishedRaw``)."""
    return long_date(article.published.astimezone(article.tz), zone=article.era.zone_in_date)


def _at(day: date, days_ago: int, hhmm: str, tz: tzinfo = WIB) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day - timedelta(days=days_ago), time(hour, minute), tz)


def _fixed(text: str, tz: tzinfo = WIB) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


def _person(name: str) -> Person:
    return Person(name, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))


def variant(url: str, kind: str) -> str:
    """A variant spelling of a canonical article URL, as pages link it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if kind == "m":
        return url.replace("https://www.", "https://m.", 1)
    if kind == "amp":
        return f"https://{host}/amp{parts.path}"
    if kind == "utm":
        return f"{url}?utm_source=dalam_berita&utm_medium=baca_juga"
    if kind == "ga":
        return f"{url}?_ga=2.118712735.1180573104.1719203329-1421839485.1719203329"
    if kind == "fragment":
        return f"{url}#komentar"
    if kind == "slash":
        return f"{url}/"
    if kind == "page2":
        return f"{url}?page=2"
    if kind == "amp-page-all":
        return f"{url}?&page=all"
    if kind == "no-slug":
        return url.rsplit("/", 1)[0]
    raise ValueError(kind)


IMG_2026 = "https://asset-2.tribunnews.com/tribunnews/foto/bank/images"
IMG_2020 = "https://asset-2.tstatic.net/tribunnews/foto/bank/images"
IMG_2018 = "https://cdn-2.tstatic.net/tribunnews/foto/bank/images"


def _www_articles(today: date) -> list[Article]:
    editor_adi = (_person("Adi Suhendra"),)
    return [
        Article(
            key="w-dpt",
            site="www",
            era=Era.WWW_2026,
            section="nasional",
            section_name="Nasional",
            slug="kpu-mulai-pemutakhiran-data-pemilih-warga-diminta-cek-status-lewat-laman-resmi",
            article_id="7731367",
            headline="KPU Mulai Pemutakhiran Data Pemilih, Warga Diminta Cek Status Lewat Laman Resmi",
            description="KPU RI memulai pemutakhiran data pemilih berkelanjutan. Petugas akan "
            "mendatangi rumah "
            "warga secara bertahap.",
            published=_at(today, 0, "09:15"),
            modified=_at(today, 0, "09:42"),
            authors=(_person("Rizki Sandi Saputra"), _person("Ilham Rian Pratama")),
            editors=editor_adi,
            keywords=("KPU", "data pemilih", "pemutakhiran data"),
            topic="Pemilu",
            image=f"{IMG_2026}/petugas-pantarlih-mendatangi-rumah-warga.jpg",
            image_caption="Petugas mencocokkan data pemilih di rumah warga. (Tribunnews.com/Rizki Sandi)",
            dateline="JAKARTA",
            reporter="Rizki Sandi Saputra",
            summary=(
                "KPU memulai pemutakhiran data pemilih berkelanjutan.",
                "Petugas wajib membawa surat tugas dan tanda pengenal.",
                "Warga bisa mengecek status hak pilih secara daring.",
            ),
            listed=True,
            pages=(
                (
                    "Komisi Pemilihan Umum (KPU) RI resmi memulai tahapan pemutakhiran data pemilih "
                    "berkelanjutan pagi ini.",
                    Ad("inside"),
                    "Ketua KPU RI menyampaikan, petugas akan mendatangi rumah warga secara bertahap "
                    "mulai pekan "
                    "depan untuk mencocokkan data kependudukan.",
                    Baca("w-ruu-anak", "juga", "no-slug"),
                    "Warga juga dapat memeriksa status hak pilih secara mandiri melalui laman resmi "
                    "[[tag:KPU]] tanpa harus datang ke kantor kelurahan.",
                    "Menurut dia, pemutakhiran dilakukan agar daftar pemilih bersih dari data ganda dan "
                    "pemilih yang telah meninggal dunia.",
                ),
                (
                    Heading("Petugas Wajib Membawa Surat Tugas"),
                    "KPU mengingatkan masyarakat agar hanya melayani petugas yang membawa surat tugas dan "
                    "tanda pengenal resmi.",
                    Ad("placeholder"),
                    "Petugas pemutakhiran tidak akan meminta uang maupun kode OTP dalam bentuk apa pun, "
                    "seperti dikutip dari [[ext:Kompas.com|" + KOMPAS_URL + "]].",
                    Baca("w-rupiah", "juga", "utm"),
                    "Bagi warga yang pindah domisili, KPU membuka layanan pindah memilih di kantor KPU "
                    "kabupaten dan kota.",
                ),
                (
                    "Hingga siang ini, KPU mencatat lebih dari 12 ribu laporan masyarakat masuk melalui "
                    "kanal pengaduan daring.",
                    Figure(f"{IMG_2026}/layanan-cek-dpt-online.jpg", "Tampilan layanan cek data pemilih."),
                    "Seluruh laporan tersebut akan diverifikasi KPU kabupaten dan kota sebelum daftar "
                    "pemilih "
                    "ditetapkan dalam rapat pleno terbuka.",
                ),
            ),
            footer=("Simak berita lainnya di Google News Tribunnews.com",),
            related=(Link("w-vaksin-2021"), Link("w-konser")),
        ),
        Article(
            key="w-seoul",
            site="www",
            era=Era.WWW_2026,
            section="internasional",
            section_name="Internasional",
            slug="korea-selatan-naikkan-status-siaga-hujan-lebat-ribuan-warga-seoul-dievakuasi",
            article_id="7731402",
            headline="Korea Selatan Naikkan Status Siaga Hujan Lebat, Ribuan Warga Seoul Dievakuasi",
            description="Pemerintah Korea Selatan menaikkan status siaga hujan lebat ke level tertinggi.",
            published=_at(today, 0, "08:05"),
            modified=_at(today, 0, "08:20"),
            authors=(_person("Febri Prasetyo"),),
            editors=(_person("Hasanudin Aco"),),
            keywords=("Korea Selatan", "Seoul", "banjir"),
            topic="Cuaca Ekstrem",
            image=f"{IMG_2026}/banjir-di-gangnam-seoul.jpg",
            image_caption="Jalanan di Gangnam, Seoul, tergenang banjir. (AFP/YONHAP)",
            dateline="SEOUL",
            summary=(
                "Status siaga hujan lebat dinaikkan ke level tertinggi.",
                "Sekitar 3.500 warga dievakuasi ke tempat penampungan.",
            ),
            listed=True,
            pages=(
                (
                    "Pemerintah Korea Selatan menaikkan status siaga hujan lebat ke level tertinggi setelah "
                    "curah hujan di Seoul melampaui 300 milimeter dalam sehari.",
                    "Kementerian Dalam Negeri dan Keselamatan mencatat sekitar 3.500 warga dievakuasi ke "
                    "sekolah dan gedung olahraga.",
                    Ad("ins"),
                    "Sejumlah jalur kereta bawah tanah dihentikan sementara karena stasiun tergenang air.",
                    Baca("w-korut-2019", "juga"),
                    "Hingga pagi ini, jumlah pengungsi masih terus didata oleh pemerintah daerah.",
                    "Badan Meteorologi Korea memperkirakan hujan lebat masih turun hingga akhir pekan.",
                ),
            ),
            related=(Link("w-timnas", "m"),),
        ),
        Article(
            key="w-rupiah",
            site="www",
            era=Era.WWW_2026,
            section="bisnis",
            section_name="Bisnis",
            slug="rupiah-menguat-ke-level-rp-15900-per-dolar-as-analis-sebut-sentimen-suku-bunga",
            article_id="7731455",
            headline="Rupiah Menguat ke Level Rp 15.900 per Dolar AS, Analis Sebut Sentimen Suku Bunga",
            description="Nilai tukar rupiah ditutup menguat 0,4 persen terhadap dolar Amerika Serikat.",
            published=_at(today, 0, "07:30"),
            modified=_at(today, 0, "07:30"),
            authors=(_person("Nitis Hawaroh"),),
            editors=(_person("Seno Tri Sulistiyono"),),
            keywords=("rupiah", "dolar AS", "kurs"),
            topic="Kurs Rupiah",
            image=f"{IMG_2026}/ilustrasi-uang-rupiah-dan-dolar.jpg",
            image_caption="Ilustrasi uang rupiah dan dolar AS. (Tribunnews.com/Jeprima)",
            dateline="JAKARTA",
            listed=True,
            page_all="page1",
            pages=(
                (
                    "Nilai tukar rupiah terhadap dolar Amerika Serikat ditutup menguat 0,4 persen ke "
                    "level Rp "
                    "15.900 pada perdagangan pagi ini.",
                    "Analis pasar uang menilai penguatan didorong ekspektasi penurunan suku bunga bank "
                    "sentral "
                    "Amerika Serikat.",
                    Ad("inside"),
                    "Selain itu, arus modal asing kembali masuk ke pasar obligasi pemerintah sepanjang pekan ini.",
                ),
                (
                    "Bank Indonesia menyatakan akan tetap berada di pasar untuk menjaga stabilitas nilai tukar.",
                    "Pelaku pasar kini menanti rilis data inflasi domestik yang dijadwalkan pekan depan.",
                    "Rupiah diperkirakan bergerak di kisaran Rp 15.850 hingga Rp 15.950 pada awal pekan.",
                ),
            ),
            related=(Link("w-ruu-anak", "slash"), Link("w-bbm")),
        ),
        Article(
            key="w-ruu-anak",
            site="www",
            era=Era.WWW_2026,
            section="nasional",
            section_name="Nasional",
            slug="dpr-setujui-ruu-perlindungan-data-anak-dibawa-ke-rapat-paripurna",
            article_id="7844542",
            headline="DPR Setujui RUU Perlindungan Data Anak Dibawa ke Rapat Paripurna",
            description="Komisi I DPR menyetujui RUU Perlindungan Data Anak dibawa ke rapat paripurna.",
            published=_at(today, 0, "06:40"),
            modified=_at(today, 0, "06:55"),
            authors=(_person("Chaerul Umam"),),
            editors=(_person("Wahyu Aji"),),
            keywords=("DPR", "RUU", "perlindungan data anak"),
            topic="DPR RI",
            image=f"{IMG_2026}/rapat-kerja-komisi-i-dpr.jpg",
            image_caption="Suasana rapat kerja Komisi I DPR. (Tribunnews.com/Chaerul Umam)",
            dateline="JAKARTA",
            listed=True,
            pages=(
                (
                    "Komisi I DPR RI menyetujui Rancangan Undang-Undang Perlindungan Data Anak dibawa "
                    "ke rapat "
                    "paripurna untuk disahkan.",
                    "Persetujuan diambil dalam rapat kerja bersama pemerintah yang berlangsung hingga tadi malam.",
                    Baca("w-dpt", "juga", "utm"),
                    "Seluruh fraksi menyatakan setuju, dengan catatan pengawasan platform digital diperketat.",
                    "Pemerintah menargetkan aturan turunan rampung enam bulan setelah undang-undang diundangkan.",
                ),
            ),
            related=(Link("w-seoul", "fragment"),),
        ),
        Article(
            key="w-timnas",
            site="www",
            era=Era.WWW_2026,
            section="sport",
            section_name="Sport",
            slug="timnas-indonesia-u-23-tiba-di-doha-langsung-jalani-latihan-pemulihan",
            article_id="7731390",
            headline="Timnas Indonesia U-23 Tiba di Doha, Langsung Jalani Latihan Pemulihan",
            description="Skuad Timnas Indonesia U-23 tiba di Doha dan langsung menjalani latihan pemulihan.",
            published=_at(today, 0, "10:20"),
            modified=_at(today, 0, "10:20"),
            authors=(_person("Abdul Majid"),),
            editors=(_person("Dwi Setiawan"),),
            keywords=("Timnas U-23", "Doha"),
            topic="Timnas Indonesia",
            image=f"{IMG_2026}/timnas-u23-tiba-di-doha.jpg",
            image_caption="Pemain Timnas U-23 tiba di Bandara Hamad. (PSSI)",
            dateline="DOHA",
            listed=True,
            pages=(
                (
                    "Skuad Timnas Indonesia U-23 tiba di Doha, Qatar, setelah menempuh penerbangan sekitar "
                    "sembilan jam dari Jakarta.",
                    "Pelatih langsung memimpin latihan pemulihan ringan di hotel tempat tim menginap.",
                    "Sebanyak 23 pemain dibawa, termasuk tiga pemain yang berkarier di luar negeri.",
                    "Indonesia dijadwalkan menjalani laga uji coba pertama pada pekan depan.",
                ),
            ),
            related=(Link("w-dpt", "page2"), Link("w-jadwal-2017"), Link("sm-arema-2017")),
        ),
        Article(
            key="w-konser",
            site="www",
            era=Era.WWW_2026,
            section="seleb",
            section_name="Seleb",
            slug="konser-amal-musisi-tanah-air-kumpulkan-donasi-rp-2-miliar-untuk-korban-banjir",
            article_id="7731288",
            headline="Konser Amal Musisi Tanah Air Kumpulkan Donasi Rp 2 Miliar untuk Korban Banjir",
            description="Konser amal yang digelar sejumlah musisi berhasil mengumpulkan donasi Rp 2 miliar.",
            published=_at(today, 0, "05:50"),
            modified=_at(today, 0, "06:10"),
            authors=(_person("Bayu Indra Permana"),),
            editors=(_person("Willem Jonata"),),
            keywords=("konser amal", "donasi", "banjir"),
            topic="Konser Amal",
            image=f"{IMG_2026}/konser-amal-musisi-tanah-air.jpg",
            image_caption="Suasana konser amal di Jakarta. (Tribunnews.com/Bayu Indra)",
            dateline="JAKARTA",
            listed=True,
            premium=True,
            pages=(
                (
                    "Konser amal yang melibatkan belasan musisi tanah air berhasil mengumpulkan donasi "
                    "sebesar "
                    "Rp 2 miliar dalam satu malam.",
                    "Seluruh donasi akan disalurkan kepada korban banjir melalui lembaga kemanusiaan.",
                    "Panitia menyebut lebih dari lima ribu penonton memadati area konser.",
                ),
            ),
        ),
        Article(
            key="w-gempa",
            site="www",
            era=Era.WWW_2026,
            section="regional",
            section_name="Regional",
            slug="gempa-magnitudo-51-guncang-garut-bpbd-catat-12-rumah-rusak-ringan",
            article_id="7731011",
            headline="Gempa Magnitudo 5,1 Guncang Garut, BPBD Catat 12 Rumah Rusak Ringan",
            description="Gempa bermagnitudo 5,1 mengguncang Kabupaten Garut, Jawa Barat, pada malam hari.",
            published=_at(today, 1, "21:30"),
            modified=_at(today, 1, "22:05"),
            authors=(_person("Sidik Permana"),),
            editors=(_person("Glery Lazuardi"),),
            keywords=("gempa", "Garut", "BMKG"),
            topic="Gempa Bumi",
            image=f"{IMG_2026}/rumah-rusak-akibat-gempa-garut.jpg",
            image_caption="Rumah warga rusak akibat gempa di Garut. (Tribunjabar.id)",
            dateline="GARUT",
            listed=True,
            pages=(
                (
                    "Gempa bumi bermagnitudo 5,1 mengguncang wilayah Kabupaten Garut, Jawa Barat, pada malam hari.",
                    "BMKG menyebut pusat gempa berada di laut pada kedalaman 10 kilometer dan tidak "
                    "berpotensi "
                    "tsunami.",
                    "BPBD Garut mencatat 12 rumah mengalami rusak ringan di dua kecamatan.",
                    "Tidak ada laporan korban jiwa, namun warga diminta mewaspadai gempa susulan.",
                ),
            ),
        ),
        Article(
            key="w-vaksin-2021",
            site="www",
            era=Era.WWW_2018,
            section="nasional",
            section_name="Nasional",
            slug="vaksinasi-covid-19-untuk-lansia-diperluas-pemerintah-siapkan-10-juta-dosis-tambahan",
            article_id="5690214",
            headline="Vaksinasi Covid-19 untuk Lansia Diperluas, Pemerintah Siapkan 10 Juta Dosis Tambahan",
            description="Pemerintah memperluas vaksinasi Covid-19 untuk lansia dengan 10 juta dosis tambahan.",
            published=_fixed("2021-05-01 08:30"),
            modified=_fixed("2021-05-01 09:02"),
            authors=(_person("Rina Ayu Panca Rini"),),
            editors=(_person("Johnson Simanjuntak"),),
            keywords=("vaksinasi", "lansia", "Covid-19"),
            topic="Vaksin Covid-19",
            image=f"{IMG_2020}/vaksinasi-lansia-di-jakarta.jpg",
            image_caption="Lansia mengikuti vaksinasi Covid-19. (Tribunnews.com/Irwan Rismawan)",
            dateline="JAKARTA",
            jsonld="second",
            pages=(
                (
                    "Pemerintah memperluas program vaksinasi Covid-19 bagi warga lanjut usia di seluruh provinsi.",
                    "Juru bicara vaksinasi menyebut 10 juta dosis tambahan telah disiapkan untuk tahap ini.",
                    Baca("w-banjir-2018", "strong"),
                    "Pendaftaran dapat dilakukan di puskesmas terdekat dengan membawa kartu tanda penduduk.",
                ),
                (
                    "Pemerintah daerah diminta menyediakan layanan jemput bola bagi lansia yang sulit datang.",
                    Ad("inside"),
                    "Hingga akhir April, cakupan vaksinasi lansia baru mencapai 28 persen dari target.",
                    "Vaksinasi lansia ditargetkan tuntas sebelum Hari Raya Idul Fitri.",
                ),
            ),
            related=(Link("w-korut-2019"), Link("w-banjir-2018"), Link("w-tol-2019")),
        ),
        Article(
            key="w-korut-2019",
            site="www",
            era=Era.WWW_2018,
            section="internasional",
            section_name="Internasional",
            slug="korea-utara-kembali-uji-coba-rudal-jarak-pendek-jepang-dan-korsel-siaga",
            article_id="4421870",
            headline="Korea Utara Kembali Uji Coba Rudal Jarak Pendek, Jepang dan Korsel Siaga",
            description="Korea Utara kembali meluncurkan dua rudal jarak pendek ke arah Laut Timur.",
            published=_fixed("2019-03-12 14:10"),
            modified=_fixed("2019-03-12 14:10"),
            authors=(_person("Ria Anatasia"),),
            editors=(_person("Hasanudin Aco"),),
            keywords=("Korea Utara", "rudal"),
            topic="Korea Utara",
            image=f"{IMG_2018}/uji-coba-rudal-korea-utara.jpg",
            image_caption="Peluncuran rudal Korea Utara. (AFP/KCNA VIA KNS)",
            dateline="SEOUL",
            jsonld="absent",
            pages=(
                (
                    "Korea Utara kembali meluncurkan dua rudal jarak pendek ke arah Laut Timur pada Selasa pagi.",
                    "Kepala Staf Gabungan Korea Selatan menyebut rudal terbang sejauh 420 kilometer.",
                    "Jepang memastikan tidak ada rudal yang jatuh di zona ekonomi eksklusifnya.",
                ),
            ),
            related=(Link("w-seoul", "m"),),
        ),
        Article(
            key="w-banjir-2018",
            site="www",
            era=Era.WWW_2018,
            section="metropolitan",
            section_name="Metropolitan",
            slug="banjir-rendam-sejumlah-ruas-jalan-di-jakarta-timur-lalu-lintas-dialihkan",
            article_id="3521604",
            headline="Banjir Rendam Sejumlah Ruas Jalan di Jakarta Timur, Lalu Lintas Dialihkan",
            description="Hujan deras sejak dini hari membuat sejumlah ruas jalan di Jakarta Timur tergenang.",
            published=_fixed("2018-02-06 06:45"),
            modified=_fixed("2018-02-06 07:30"),
            authors=(_person("Theresia Felisiani"),),
            editors=(_person("Sanusi"),),
            keywords=("banjir", "Jakarta Timur"),
            topic="Banjir Jakarta",
            image=f"{IMG_2018}/banjir-di-kampung-melayu.jpg",
            image_caption="Banjir di kawasan Kampung Melayu. (Tribunnews.com/Jeprima)",
            dateline="JAKARTA",
            jsonld="second",
            pages=(
                (
                    "Hujan deras sejak dini hari membuat sejumlah ruas jalan di Jakarta Timur tergenang air "
                    "setinggi 40 sentimeter.",
                    "Polisi lalu lintas mengalihkan kendaraan dari Jalan Jatinegara Barat ke jalur alternatif.",
                    Baca("w-psbb-2020", "strong"),
                    "Petugas pemadam kebakaran mengerahkan pompa untuk menyedot genangan di permukiman warga.",
                    "Genangan diperkirakan surut dalam enam jam jika hujan tidak kembali turun.",
                ),
            ),
            related=(Link("w-vaksin-2021", "amp"),),
        ),
        Article(
            key="w-psbb-2020",
            site="www",
            era=Era.WWW_2018,
            section="nasional",
            section_name="Nasional",
            slug="pemerintah-perpanjang-psbb-transisi-perkantoran-wajib-batasi-kapasitas-50-persen",
            article_id="5012239",
            headline="Pemerintah Perpanjang PSBB Transisi, Perkantoran Wajib Batasi Kapasitas 50 Persen",
            description="PSBB transisi diperpanjang dua pekan dengan pembatasan kapasitas perkantoran.",
            published=_fixed("2020-07-22 19:05"),
            modified=_fixed("2020-07-22 19:05"),
            authors=(_person("Fransiskus Adhiyuda"),),
            editors=(_person("Sanusi"),),
            keywords=("PSBB", "perkantoran"),
            topic="PSBB",
            image=f"{IMG_2020}/perkantoran-di-kawasan-sudirman.jpg",
            image_caption="Suasana perkantoran di kawasan Sudirman. (Tribunnews.com/Herudin)",
            dateline="JAKARTA",
            jsonld="second",
            pages=(
                (
                    "Pemerintah memperpanjang masa PSBB transisi selama dua pekan ke depan.",
                    "Perkantoran wajib membatasi kapasitas karyawan paling banyak 50 persen.",
                    "Pelanggaran akan dikenai sanksi penutupan sementara oleh pemerintah daerah.",
                ),
            ),
        ),
        Article(
            key="w-5g",
            site="www",
            era=Era.WWW_2026,
            section="techno",
            section_name="Techno",
            slug="operator-seluler-uji-coba-jaringan-5g-di-lima-kota-baru",
            article_id="7730533",
            headline="Operator Seluler Uji Coba Jaringan 5G di Lima Kota Baru",
            description="Operator seluler memperluas uji coba jaringan 5G ke lima kota baru.",
            published=_at(today, 3, "09:00"),
            modified=_at(today, 3, "09:00"),
            authors=(_person("Choirul Arifin"),),
            editors=(_person("Choirul Arifin"),),
            keywords=("5G", "operator seluler"),
            topic="Teknologi 5G",
            image=f"{IMG_2026}/menara-bts-5g.jpg",
            image_caption="Menara BTS 5G. (Tribunnews.com)",
            dateline="JAKARTA",
            pages=(
                (
                    "Operator seluler memperluas uji coba jaringan 5G ke lima kota baru mulai bulan ini.",
                    "Uji coba difokuskan di kawasan industri dan pusat perbelanjaan.",
                    "Pelanggan dapat menikmati layanan 5G tanpa biaya tambahan selama masa uji coba.",
                ),
            ),
        ),
        Article(
            key="w-tensi",
            site="www",
            era=Era.WWW_2026,
            section="lifestyle",
            section_name="Lifestyle",
            slug="lima-kebiasaan-pagi-yang-bantu-menjaga-tekanan-darah-tetap-stabil",
            article_id="7712345",
            headline="Lima Kebiasaan Pagi yang Bantu Menjaga Tekanan Darah Tetap Stabil",
            description="Kebiasaan sederhana di pagi hari dapat membantu menjaga tekanan darah.",
            published=_at(today, 12, "06:00"),
            modified=_at(today, 12, "06:00"),
            authors=(_person("Anita K Wardhani"),),
            editors=(_person("Anita K Wardhani"),),
            keywords=("tekanan darah", "kesehatan"),
            topic="Tips Sehat",
            image=f"{IMG_2026}/ilustrasi-cek-tekanan-darah.jpg",
            image_caption="Ilustrasi pemeriksaan tekanan darah. (Freepik)",
            dateline="JAKARTA",
            pages=(
                (
                    "Tekanan darah yang stabil dapat dijaga lewat kebiasaan sederhana di pagi hari.",
                    "Dokter menyarankan minum air putih segera setelah bangun tidur.",
                    "Sarapan tinggi serat dan rendah garam juga membantu menjaga tekanan darah.",
                ),
            ),
        ),
    ]


def _regional_articles(today: date) -> list[Article]:
    from tribun_crawler.sites import WITA

    rob_pages: tuple[tuple[Block, ...], ...] = (
        (
            "Banjir rob kembali menggenangi kawasan Pelabuhan Tanjung Emas, Kota Semarang, sejak pagi hari.",
            "Ketinggian air di sejumlah titik mencapai 50 sentimeter, terutama di sekitar gerbang pelabuhan.",
            Ad("placeholder"),
            "Meski demikian, aktivitas bongkar muat di pelabuhan tetap berjalan normal.",
            "BMKG memperkirakan pasang maksimum air laut masih terjadi hingga tiga hari ke depan.",
        ),
    )
    rob = Article(
        key="j-rob",
        site="jateng",
        era=Era.REGIONAL_2025,
        section="semarang",
        section_name="Semarang",
        slug="rob-genangi-kawasan-tanjung-emas-semarang-aktivitas-pelabuhan-tetap-berjalan",
        article_id="834567",
        headline="Rob Genangi Kawasan Tanjung Emas Semarang, Aktivitas Pelabuhan Tetap Berjalan",
        description="Banjir rob kembali menggenangi kawasan Pelabuhan Tanjung Emas, Semarang.",
        published=_at(today, 0, "07:15"),
        modified=_at(today, 0, "07:40"),
        authors=(_person("Iwan Arifianto"),),
        editors=(_person("Muhammad Olies"),),
        keywords=("rob", "Tanjung Emas", "Semarang"),
        topic="Banjir Rob",
        image="https://asset-2.tribunnews.com/jateng/foto/bank/images/rob-tanjung-emas-semarang.jpg",
        image_caption="Genangan rob di kawasan Tanjung Emas. (TribunJateng.com/Iwan Arifianto)",
        dateline="SEMARANG",
        listed=True,
        pages=rob_pages,
    )
    rob_copy = replace(
        rob,
        key="b-rob-copy",
        site="banyumas",
        section="jateng",
        section_name="Jateng",
        article_id="812377",
        published=_at(today, 0, "10:45"),
        modified=_at(today, 0, "10:45"),
        editors=(_person("Rustam Aji"),),
        image="https://asset-2.tribunnews.com/banyumas/foto/bank/images/rob-tanjung-emas-semarang.jpg",
        based_on="j-rob",
        origin_site="jateng",
        footer=(
            "Artikel ini telah tayang di [[ext:TribunJateng.com|https://jateng.tribunnews.com/]] dengan "
            "judul "
            f"{rob.headline}, [[ext:{rob.url}|{rob.url}]]",
            "Penulis: Iwan Arifianto | Editor: Muhammad Olies",
        ),
    )
    return [
        Article(
            key="b-jalan",
            site="banyumas",
            era=Era.REGIONAL_2025,
            section="banyumas",
            section_name="Banyumas",
            slug="perbaikan-jalan-baturraden-rampung-akhir-bulan-pengendara-diminta-waspadai-buka-tutup",
            article_id="812345",
            headline="Perbaikan Jalan Baturraden Rampung Akhir Bulan, Pengendara Diminta Waspadai Buka Tutup",
            description="Perbaikan jalan menuju kawasan wisata Baturraden ditargetkan rampung akhir bulan.",
            published=_at(today, 0, "08:30"),
            modified=_at(today, 0, "09:05"),
            authors=(_person("Permata Putra Sejati"),),
            editors=(_person("Rustam Aji"),),
            keywords=("Baturraden", "perbaikan jalan", "Banyumas"),
            topic="Infrastruktur Banyumas",
            image="https://asset-2.tribunnews.com/banyumas/foto/bank/images/perbaikan-jalan-baturraden.jpg",
            image_caption="Pekerja memperbaiki jalan menuju Baturraden. (TribunBanyumas.com/Permata)",
            dateline="PURWOKERTO",
            listed=True,
            pages=(
                (
                    "Perbaikan jalan menuju kawasan wisata Baturraden, Kabupaten Banyumas, ditargetkan "
                    "rampung "
                    "pada akhir bulan ini.",
                    "Dinas Pekerjaan Umum menyebut pengerjaan sudah mencapai 70 persen dari total "
                    "panjang 3,2 "
                    "kilometer.",
                    Baca("b-rob-copy", "juga"),
                    "Selama pengerjaan, petugas memberlakukan sistem buka tutup di dua titik tanjakan.",
                ),
                (
                    "Pengendara diminta mengurangi kecepatan dan mengikuti arahan petugas di lokasi.",
                    Ad("inside"),
                    "Pengelola objek wisata memastikan kawasan Baturraden tetap buka selama perbaikan.",
                ),
            ),
            related=(
                Link("b-curug-2024"),
                Link("b-rob-copy", "ga"),
            ),
        ),
        rob_copy,
        Article(
            key="b-curug-2024",
            site="banyumas",
            era=Era.REGIONAL_2024,
            section="banyumas",
            section_name="Banyumas",
            slug="curug-jenggala-ramai-dikunjungi-wisatawan-saat-libur-sekolah",
            article_id="702211",
            headline="Curug Jenggala Ramai Dikunjungi Wisatawan saat Libur Sekolah",
            description="Objek wisata Curug Jenggala di Banyumas ramai dikunjungi saat libur sekolah.",
            published=_fixed("2024-06-20 10:15"),
            modified=_fixed("2024-06-20 10:15"),
            authors=(_person("Imah Masitoh"),),
            editors=(_person("Rustam Aji"),),
            keywords=("Curug Jenggala", "wisata Banyumas"),
            topic="Wisata Banyumas",
            image="https://asset-2.tstatic.net/banyumas/foto/bank/images/curug-jenggala.jpg",
            image_caption="Wisatawan menikmati Curug Jenggala. (TribunBanyumas.com/Imah Masitoh)",
            dateline="PURWOKERTO",
            jsonld="second",
            pages=(
                (
                    "Objek wisata Curug Jenggala di lereng Gunung Slamet ramai dikunjungi wisatawan selama "
                    "libur sekolah.",
                    "Pengelola mencatat rata-rata 1.200 pengunjung datang setiap hari.",
                    Baca("b-jalan", "caps"),
                    "Wisatawan diimbau tidak berenang di kolam bawah air terjun karena arus cukup deras.",
                ),
            ),
            related=(Link("b-festival-2024"), Link("b-ppdb-2024")),
        ),
        Article(
            key="b-festival-2024",
            site="banyumas",
            era=Era.REGIONAL_2024,
            section="banyumas",
            section_name="Banyumas",
            slug="festival-gunung-slamet-digelar-tiga-hari-ini-jadwal-lengkapnya",
            article_id="702390",
            headline="Festival Gunung Slamet Digelar Tiga Hari, Ini Jadwal Lengkapnya",
            description="Festival Gunung Slamet kembali digelar selama tiga hari di Purbalingga.",
            published=_fixed("2024-06-20 16:40"),
            modified=_fixed("2024-06-20 16:40"),
            authors=(_person("Imah Masitoh"),),
            editors=(_person("Rustam Aji"),),
            keywords=("Festival Gunung Slamet", "Purbalingga"),
            topic="Festival Gunung Slamet",
            image="https://asset-2.tstatic.net/banyumas/foto/bank/images/festival-gunung-slamet.jpg",
            image_caption="Kirab budaya Festival Gunung Slamet. (TribunBanyumas.com)",
            dateline="PURBALINGGA",
            jsonld="second",
            pages=(
                (
                    "Festival Gunung Slamet kembali digelar selama tiga hari di Desa Serang, Purbalingga.",
                    "Rangkaian acara dimulai dengan kirab budaya dan pengambilan air dari tujuh mata air.",
                    "Panitia juga menggelar pentas seni dan bazar produk UMKM setiap malam.",
                ),
            ),
        ),
        Article(
            key="b-teluk-penyu",
            site="banyumas",
            era=Era.REGIONAL_2025,
            section="cilacap",
            section_name="Cilacap",
            slug="pantai-teluk-penyu-cilacap-dipadati-pengunjung-parkir-meluber-hingga-jalan-raya",
            article_id="811902",
            headline="Pantai Teluk Penyu Cilacap Dipadati Pengunjung, Parkir Meluber hingga Jalan Raya",
            description="Pantai Teluk Penyu di Cilacap dipadati pengunjung pada akhir pekan.",
            published=_at(today, 9, "15:20"),
            modified=_at(today, 9, "15:20"),
            authors=(_person("Pingky Setiyo Anggraeni"),),
            editors=(_person("Rustam Aji"),),
            keywords=("Teluk Penyu", "Cilacap"),
            topic="Wisata Cilacap",
            image="https://asset-2.tribunnews.com/banyumas/foto/bank/images/pantai-teluk-penyu.jpg",
            image_caption="Pengunjung memadati Pantai Teluk Penyu. (TribunBanyumas.com)",
            dateline="CILACAP",
            pages=(
                (
                    "Pantai Teluk Penyu di Kabupaten Cilacap dipadati ribuan pengunjung pada akhir pekan.",
                    "Kendaraan pengunjung meluber hingga ke bahu jalan raya menuju pantai.",
                    "Dinas Perhubungan menambah petugas untuk mengatur arus lalu lintas.",
                ),
            ),
        ),
        rob,
        Article(
            key="j-trans-jateng",
            site="jateng",
            era=Era.REGIONAL_2025,
            section="jateng",
            section_name="Jateng",
            slug="trans-jateng-tambah-armada-koridor-semarang-kendal-waktu-tunggu-penumpang-dipangkas",
            article_id="834601",
            headline="Trans Jateng Tambah Armada Koridor Semarang-Kendal, Waktu Tunggu Penumpang Dipangkas",
            description="Trans Jateng menambah armada di koridor Semarang-Kendal.",
            published=_at(today, 0, "09:50"),
            modified=_at(today, 0, "09:50"),
            authors=(_person("Eka Yulianti Fajlin"),),
            editors=(_person("Muhammad Olies"),),
            keywords=("Trans Jateng", "Kendal"),
            topic="Trans Jateng",
            image="https://asset-2.tribunnews.com/jateng/foto/bank/images/bus-trans-jateng.jpg",
            image_caption="Bus Trans Jateng koridor Semarang-Kendal. (TribunJateng.com)",
            dateline="SEMARANG",
            dash=EN_DASH,
            listed=True,
            pages=(
                (
                    "Dinas Perhubungan Jawa Tengah menambah enam armada bus Trans Jateng di koridor Semarang-Kendal.",
                    "Penambahan armada diharapkan memangkas waktu tunggu penumpang menjadi 15 menit.",
                    Baca("j-tol-2023", "juga"),
                    "Tarif tetap Rp 4.000 untuk umum dan Rp 2.000 untuk pelajar serta buruh.",
                ),
            ),
            related=(Link("j-rob", "amp-page-all"), Link("j-umk")),
        ),
        Article(
            key="j-tol-2023",
            site="jateng",
            era=Era.REGIONAL_2024,
            section="jateng",
            section_name="Jateng",
            slug="pembangunan-tol-semarang-demak-seksi-ii-capai-60-persen",
            article_id="689104",
            headline="Pembangunan Tol Semarang-Demak Seksi II Capai 60 Persen",
            description="Progres pembangunan Tol Semarang-Demak seksi II mencapai 60 persen.",
            published=_fixed("2023-11-02 13:20"),
            modified=_fixed("2023-11-02 13:20"),
            authors=(_person("Rahdyan Trijoko Pamungkas"),),
            editors=(_person("Muhammad Olies"),),
            keywords=("tol Semarang-Demak",),
            topic="Tol Semarang-Demak",
            image="https://asset-2.tstatic.net/jateng/foto/bank/images/tol-semarang-demak.jpg",
            image_caption="Pembangunan Tol Semarang-Demak seksi II. (TribunJateng.com)",
            dateline="DEMAK",
            jsonld="second",
            pages=(
                (
                    "Pembangunan Jalan Tol Semarang-Demak seksi II telah mencapai 60 persen.",
                    "Kontraktor menargetkan ruas sepanjang 16 kilometer itu beroperasi tahun depan.",
                    "Tol ini juga berfungsi sebagai tanggul laut untuk menahan banjir rob.",
                ),
            ),
        ),
        Article(
            key="j-kuliner",
            site="jateng",
            era=Era.REGIONAL_2025,
            section="semarang",
            section_name="Semarang",
            slug="kuliner-malam-semarang-yang-wajib-dicoba-saat-akhir-pekan",
            article_id="830011",
            headline="Kuliner Malam Semarang yang Wajib Dicoba saat Akhir Pekan",
            description="Deretan kuliner malam di Semarang yang bisa dicoba saat akhir pekan.",
            published=_at(today, 20, "19:00"),
            modified=_at(today, 20, "19:00"),
            authors=(_person("Eka Yulianti Fajlin"),),
            editors=(_person("Muhammad Olies"),),
            keywords=("kuliner Semarang",),
            topic="Kuliner Semarang",
            image="https://asset-2.tribunnews.com/jateng/foto/bank/images/kuliner-malam-semarang.jpg",
            image_caption="Pedagang kuliner malam di Semarang. (TribunJateng.com)",
            dateline="SEMARANG",
            pages=(
                (
                    "Semarang punya banyak pilihan kuliner malam yang ramai dikunjungi saat akhir pekan.",
                    "Nasi goreng babat dan tahu gimbal menjadi menu yang paling dicari wisatawan.",
                    "Sebagian besar pedagang buka mulai pukul 18.00 hingga tengah malam.",
                ),
            ),
        ),
        Article(
            key="m-pelabuhan",
            site="makassar",
            era=Era.REGIONAL_2025,
            section="makassar",
            section_name="Makassar",
            slug="pelabuhan-soekarno-hatta-makassar-tambah-jadwal-kapal-jelang-libur-panjang",
            article_id="905512",
            headline="Pelabuhan Soekarno-Hatta Makassar Tambah Jadwal Kapal Jelang Libur Panjang",
            description="Pelni menambah jadwal keberangkatan kapal dari Pelabuhan Soekarno-Hatta Makassar.",
            published=_at(today, 0, "10:00", WITA),
            modified=_at(today, 0, "10:30", WITA),
            authors=(_person("Muslimin Emba"),),
            editors=(_person("Sudirman"),),
            keywords=("Pelabuhan Soekarno-Hatta", "Pelni", "Makassar"),
            topic="Libur Panjang",
            image="https://asset-2.tribunnews.com/makassar/foto/bank/images/pelabuhan-soekarno-hatta.jpg",
            image_caption="Penumpang di Pelabuhan Soekarno-Hatta Makassar. (Tribun-Timur.com)",
            dateline="MAKASSAR",
            dash=EN_DASH,
            listed=True,
            pages=(
                (
                    "PT Pelni menambah jadwal keberangkatan kapal dari Pelabuhan Soekarno-Hatta Makassar "
                    "menjelang libur panjang.",
                    "Tambahan jadwal melayani rute Makassar-Surabaya dan Makassar-Balikpapan.",
                    Baca("m-pilwali-2024", "caps"),
                    "Calon penumpang diminta membeli tiket melalui aplikasi resmi untuk menghindari calo.",
                    "Puncak arus penumpang diperkirakan terjadi dua hari sebelum libur dimulai.",
                ),
            ),
            related=(Link("m-pelni-2020"),),
        ),
        Article(
            key="m-pilwali-2024",
            site="makassar",
            era=Era.REGIONAL_2024,
            section="makassar",
            section_name="Makassar",
            slug="kpu-makassar-buka-pendaftaran-pasangan-calon-wali-kota-akhir-agustus",
            article_id="876540",
            headline="KPU Makassar Buka Pendaftaran Pasangan Calon Wali Kota Akhir Agustus",
            description="KPU Makassar membuka pendaftaran pasangan calon wali kota pada akhir Agustus.",
            published=_fixed("2024-08-15 20:10", WITA),
            modified=_fixed("2024-08-15 20:10", WITA),
            authors=(_person("Siti Aminah"),),
            editors=(_person("Sudirman"),),
            keywords=("Pilwali Makassar", "KPU Makassar"),
            topic="Pilwali Makassar",
            image="https://asset-2.tstatic.net/makassar/foto/bank/images/kantor-kpu-makassar.jpg",
            image_caption="Kantor KPU Kota Makassar. (Tribun-Timur.com)",
            dateline="MAKASSAR",
            jsonld="second",
            pages=(
                (
                    "KPU Kota Makassar membuka pendaftaran pasangan calon wali kota pada akhir Agustus.",
                    "Pendaftaran berlangsung selama tiga hari di kantor KPU Makassar.",
                    "Bakal calon wajib membawa dokumen persyaratan lengkap saat mendaftar.",
                ),
            ),
        ),
        Article(
            key="m-losari",
            site="makassar",
            era=Era.REGIONAL_2025,
            section="sulsel",
            section_name="Sulsel",
            slug="pantai-losari-jadi-lokasi-favorit-warga-menikmati-senja",
            article_id="904100",
            headline="Pantai Losari Jadi Lokasi Favorit Warga Menikmati Senja",
            description="Pantai Losari menjadi lokasi favorit warga Makassar menikmati senja.",
            published=_at(today, 6, "17:45", WITA),
            modified=_at(today, 6, "17:45", WITA),
            authors=(_person("Siti Aminah"),),
            editors=(_person("Sudirman"),),
            keywords=("Pantai Losari",),
            topic="Wisata Makassar",
            image="https://asset-2.tribunnews.com/makassar/foto/bank/images/pantai-losari-senja.jpg",
            image_caption="Warga menikmati senja di Pantai Losari. (Tribun-Timur.com)",
            dateline="MAKASSAR",
            pages=(
                (
                    "Pantai Losari kembali menjadi lokasi favorit warga Makassar untuk menikmati senja.",
                    "Pengunjung mulai berdatangan sejak pukul 16.00 WITA.",
                    "Pemerintah kota menambah lampu penerangan di sepanjang anjungan.",
                ),
            ),
        ),
    ]


def _old_era_articles() -> list[Article]:
    """Articles in the templates of 2015 to 2020 (docs/site.md#older-eras), reached from newer articles'
    related links and from the daily index of their date (never listed on a homepage, hub or sitemap).

    www: a 2017 schedule piece (editor-only, two pages, print-edition note) links two 2015 pieces through
    ``/topic/`` wrappers, one of which links the other through a ``/tag/`` wrapper. makassar (WITA): a 2020 copy
    of Tribunnews.com ("Baca Juga" tables, JSON-LD, "Sumber:") links a 2017 piece without a topic (a "Baca Juga"
    block of ``/topic/`` wrappers) and a 2016 piece credited only by its "Laporan Wartawan" line. suryamalang
    (WIB, "Surya Malang" then): a 2017 piece links two 2016 pieces, one of which links the other through a
    ``/topics/`` wrapper.
    """
    from tribun_crawler.sites import WITA

    return [
        Article(
            key="w-jadwal-2017",
            site="www",
            era=Era.WWW_2017,
            section="sport",
            section_name="Sport",
            slug="jadwal-uji-coba-timnas-u-22-jelang-sea-games-2017-dua-laga-di-myanmar",
            article_id="3412875",
            headline="Jadwal Uji Coba Timnas U-22 Jelang SEA Games 2017, Dua Laga di Myanmar",
            description="PSSI merilis jadwal uji coba Timnas U-22 sebagai persiapan menuju SEA Games 2017.",
            published=_fixed("2017-01-29 21:15"),
            modified=_fixed("2017-01-29 21:15"),
            authors=(),
            editors=(_person("Dewi Agustina"),),
            keywords=("Timnas U-22", "SEA Games 2017", "PSSI"),
            topic="Timnas U-22",
            image=f"{IMG_2018}/timnas-u-22-berlatih-di-stadion-pakansari.jpg",
            image_caption="Pemain Timnas U-22 berlatih di Stadion Pakansari, Bogor. (Tribunnews.com/Herudin)",
            dateline="JAKARTA",
            jsonld="absent",
            penulis_line=False,
            pages=(
                (
                    "PSSI merilis jadwal uji coba Timnas U-22 sebagai bagian dari persiapan menuju SEA Games 2017 "
                    "di Malaysia.",
                    "Tim pelatih akan memboyong 25 pemain untuk menjalani dua laga uji coba di Myanmar pada Maret "
                    "mendatang.",
                    "Berikut jadwal lengkap uji coba Timnas U-22:",
                    Table(
                        (
                            ("Tanggal", "Laga", "Tempat", "Waktu"),
                            ("Selasa, 21 Maret 2017", "Myanmar vs Indonesia", "Stadion Thuwunna, Yangon", "19.00 WIB"),
                            ("", "", "", ""),
                            ("Jumat, 24 Maret 2017", "Indonesia vs Myanmar", "Stadion Mandalarthiri", "16.30 WIB"),
                        )
                    ),
                    "Sebelum berangkat ke Myanmar, skuad Garuda Muda menggelar pemusatan latihan di Bogor selama "
                    "dua pekan.",
                ),
                (
                    Heading("Seleksi Pemain Dimulai Februari", level=3),
                    "Seleksi pemain digelar mulai pekan kedua Februari dengan melibatkan pemain dari klub-klub ISC.",
                    Lines(
                        (
                            "Pemain yang dipanggil wajib melapor ke hotel tim pada 12 Februari 2017.",
                            "Klub diminta melepas pemainnya tanpa syarat.",
                        ),
                        "loose",
                    ),
                    "Tim pelatih menargetkan komposisi tim terbentuk sebelum laga uji coba pertama.",
                ),
            ),
            footer=("Berita Ini Juga Dimuat di KORAN SUPER BALL, Senin (30/1/2017)",),
            related=(Link("w-piala-2015"), Link("w-undian-2015")),
        ),
        Article(
            key="w-piala-2015",
            site="www",
            era=Era.WWW_2015,
            section="sport",
            section_name="Sport",
            slug="jadwal-babak-delapan-besar-piala-presiden-2015",
            article_id="2634170",
            headline="Jadwal Babak Delapan Besar Piala Presiden 2015",
            description="Babak delapan besar Piala Presiden 2015 digelar mulai akhir pekan ini di empat kota.",
            published=_fixed("2015-09-14 16:30"),
            modified=_fixed("2015-09-14 16:30"),
            authors=(_person("Dodi Esvandi"),),
            editors=(_person("Dewi Agustina"),),
            keywords=("Piala Presiden 2015", "Persib", "Arema Cronus"),
            topic="Piala Presiden 2015",
            image=f"{IMG_2018}/trofi-piala-presiden-2015.jpg",
            image_caption="Trofi Piala Presiden 2015. (Tribunnews.com/Dodi Esvandi)",
            dateline="JAKARTA",
            jsonld="absent",
            pages=(
                (
                    "Babak delapan besar Piala Presiden 2015 digelar mulai Sabtu pekan ini di empat kota.",
                    "Delapan tim yang lolos dari fase grup saling berhadapan dalam laga kandang dan tandang.",
                    "Berikut jadwal lengkap babak delapan besar:",
                    BodyList(
                        (
                            ListItem(
                                "Sabtu, 19 September 2015",
                                BodyList(("Persib Bandung vs Pusamania Borneo FC", "Sriwijaya FC vs Persebaya")),
                            ),
                            ListItem(
                                "Minggu, 20 September 2015",
                                BodyList(("Arema Cronus vs Mitra Kukar", "Bali United vs Persipura")),
                            ),
                        ),
                        ordered=True,
                    ),
                    Quote(
                        (
                            '"Semua tim punya peluang yang sama untuk lolos ke semifinal," kata ketua panitia '
                            "pelaksana.",
                            "Menurut dia, panitia sudah berkoordinasi dengan kepolisian di setiap kota penyelenggara.",
                        )
                    ),
                    "Pertandingan leg kedua digelar sepekan kemudian di kandang lawan.",
                ),
            ),
            related=(Link("w-undian-2015"),),
        ),
        Article(
            key="w-undian-2015",
            site="www",
            era=Era.WWW_2015,
            section="sport",
            section_name="Sport",
            slug="hasil-undian-fase-grup-piala-presiden-2015",
            article_id="2598011",
            headline="Hasil Undian Fase Grup Piala Presiden 2015",
            description="Panitia Piala Presiden 2015 menggelar undian fase grup di Jakarta.",
            published=_fixed("2015-08-20 19:40"),
            modified=_fixed("2015-08-20 19:40"),
            authors=(_person("Abdul Majid"),),
            editors=(_person("Hasiolan Eko P Gultom"),),
            keywords=("Piala Presiden 2015", "undian"),
            topic="Piala Presiden 2015",
            image=f"{IMG_2018}/undian-piala-presiden-2015.jpg",
            image_caption="Suasana undian fase grup Piala Presiden 2015. (Tribunnews.com/Abdul Majid)",
            dateline="JAKARTA",
            jsonld="absent",
            pages=(
                (
                    "Panitia Piala Presiden 2015 menggelar undian fase grup di Jakarta, Kamis (20/8/2015).",
                    "Enam belas tim dibagi ke dalam empat grup yang bertanding di empat kota.",
                    Table(
                        (
                            ("Grup", "Tuan rumah", "Peserta"),
                            ("A", "Bandung", "Persib, Martapura FC, PSM, Persiba"),
                            ("B", "Malang", "Arema Cronus, Persebaya, Persegres, Persipura"),
                            ("C", "Gianyar", "Bali United, Mitra Kukar, Persija, Surabaya United"),
                            ("D", "Palembang", "Sriwijaya FC, Pusamania Borneo FC, Persela, Semen Padang"),
                        )
                    ),
                    "Dua tim teratas setiap grup lolos ke babak delapan besar.",
                ),
            ),
            footer=("(Tribunnews.com/Abdul Majid)",),
        ),
        Article(
            key="m-pelni-2020",
            site="makassar",
            era=Era.REGIONAL_2020,
            section="makassar",
            section_name="Makassar",
            slug="syarat-naik-kapal-pelni-dari-makassar-selama-masa-transisi",
            article_id="471230",
            headline="Syarat Naik Kapal Pelni dari Makassar Selama Masa Transisi",
            description="Calon penumpang kapal Pelni dari Makassar wajib memenuhi sejumlah syarat selama masa "
            "transisi.",
            published=_fixed("2020-06-08 14:20", WITA),
            modified=_fixed("2020-06-08 14:35", WITA),
            authors=(),
            editors=(_person("Mansur AM"),),
            keywords=("Pelni", "Pelabuhan Soekarno-Hatta", "new normal"),
            topic="New Normal",
            image="https://asset-2.tstatic.net/makassar/foto/bank/images/penumpang-kapal-pelni-di-makassar.jpg",
            image_caption="Penumpang antre di Pelabuhan Soekarno-Hatta Makassar. (Tribun-Timur.com)",
            dateline="MAKASSAR",
            jsonld="second",
            penulis_line=False,
            source="Tribunnews.com",
            pages=(
                (
                    "PT Pelni kembali melayani penumpang dari Pelabuhan Soekarno-Hatta Makassar selama masa transisi.",
                    "Calon penumpang wajib memenuhi sejumlah syarat sebelum naik ke kapal.",
                    Baca("m-cabai-2016", "caps"),
                    "Berikut syarat yang harus dipenuhi calon penumpang:",
                    BodyList(
                        (
                            "Menunjukkan surat keterangan bebas Covid-19 hasil rapid test atau PCR.",
                            "Mengenakan masker selama di pelabuhan dan di atas kapal.",
                            "Membawa kartu identitas yang masih berlaku.",
                        )
                    ),
                    "Pelni juga membatasi jumlah penumpang paling banyak 50 persen dari kapasitas kapal.",
                    Table(
                        (
                            ("Kapal", "Rute", "Berangkat"),
                            ("KM Lambelu", "Makassar-Surabaya", "10 Juni 2020"),
                            ("KM Bukit Siguntang", "Makassar-Balikpapan", "12 Juni 2020"),
                        ),
                        wrapped=True,
                    ),
                    "Tiket hanya dijual secara daring melalui aplikasi dan laman resmi Pelni.",
                ),
            ),
            footer=("Ikuti kami di Google News Tribun-Timur.com",),
            related=(Link("m-jeneponto-2017"), Link("m-cabai-2016")),
        ),
        Article(
            key="m-jeneponto-2017",
            site="makassar",
            era=Era.REGIONAL_2017,
            section="sulsel",
            section_name="Sulsel",
            slug="warga-jeneponto-keluhkan-jalan-poros-rusak-parah",
            article_id="402117",
            headline="Warga Jeneponto Keluhkan Jalan Poros Rusak Parah",
            description="Warga Jeneponto mengeluhkan kerusakan jalan poros yang tak kunjung diperbaiki.",
            published=_fixed("2017-04-12 08:30", WITA),
            modified=_fixed("2017-04-12 08:30", WITA),
            authors=(_person("Ikbal Nurkarim"),),
            editors=(_person("Ardy Muchlis"),),
            keywords=("Jeneponto", "jalan rusak"),
            topic="",
            image="https://cdn-2.tstatic.net/makassar/foto/bank/images/jalan-poros-bangkala-jeneponto.jpg",
            image_caption="Jalan poros Bangkala, Jeneponto, rusak parah. (Tribun-Timur.com/Ikbal Nurkarim)",
            dateline="JENEPONTO",
            dateline_text="TRIBUNJENEPONTO.COM-",
            title_brand="Tribun Timur",
            jsonld="absent",
            pages=(
                (
                    "Warga Kecamatan Bangkala, Kabupaten Jeneponto, mengeluhkan jalan poros yang rusak parah sejak "
                    "awal tahun.",
                    Lines(
                        (
                            "Lubang sedalam 30 sentimeter tersebar di sepanjang dua kilometer jalan.",
                            "",
                            "Saat hujan, lubang tergenang air dan membahayakan pengendara.",
                        )
                    ),
                    "Pemerintah kabupaten berjanji memperbaiki jalan tersebut tahun ini.",
                ),
            ),
            related=(Link("m-cabai-2016"),),
        ),
        Article(
            key="m-cabai-2016",
            site="makassar",
            era=Era.REGIONAL_2016,
            section="makassar",
            section_name="Makassar",
            slug="harga-cabai-rawit-di-makassar-tembus-rp-80-ribu-per-kilogram",
            article_id="330512",
            headline="Harga Cabai Rawit di Makassar Tembus Rp 80 Ribu per Kilogram",
            description="Harga cabai rawit di sejumlah pasar tradisional Makassar tembus Rp 80 ribu per kilogram.",
            published=_fixed("2016-02-08 12:43", WITA),
            modified=_fixed("2016-02-08 12:43", WITA),
            authors=(_person("Muh Hasim Arfah"),),
            editors=(_person("Ina Maharani"),),
            keywords=("harga cabai", "Makassar", "pasar tradisional"),
            topic="Harga Cabai",
            image="https://cdn-2.tstatic.net/makassar/foto/bank/images/pedagang-cabai-pasar-terong.jpg",
            image_caption="Pedagang cabai di Pasar Terong, Makassar. (Tribun-Timur.com/Muh Hasim Arfah)",
            dateline="MAKASSAR",
            dateline_text="TRIBUN-TIMUR.COM, MAKASSAR-",
            title_brand="Tribun Timur",
            reporter="Muh Hasim Arfah",
            penulis_line=False,
            jsonld="absent",
            pages=(
                (
                    "Harga cabai rawit di sejumlah pasar tradisional di Makassar tembus Rp 80 ribu per kilogram, "
                    "Senin (8/2/2016).",
                    "Pedagang menyebut kenaikan harga dipicu pasokan yang berkurang akibat hujan.",
                    Table(
                        (
                            ("Pasar", "Cabai rawit", "Cabai merah"),
                            ("Pasar Terong", "Rp 80.000", "Rp 45.000"),
                            ("Pasar Pa'baeng-baeng", "Rp 75.000", "Rp 42.000"),
                            ("Pasar Daya", "Rp 78.000", "Rp 44.000"),
                        ),
                        header=False,
                    ),
                    "Dinas Perdagangan Makassar berencana menggelar operasi pasar pekan depan.",
                ),
            ),
        ),
        Article(
            key="sm-arema-2017",
            site="suryamalang",
            era=Era.REGIONAL_2017,
            section="arema",
            section_name="Arema",
            slug="arema-fc-resmi-perkenalkan-lima-pemain-baru-jelang-liga-1-2017",
            article_id="155322",
            headline="Arema FC Resmi Perkenalkan Lima Pemain Baru Jelang Liga 1 2017",
            description="Arema FC memperkenalkan lima pemain baru untuk mengarungi Liga 1 2017.",
            published=_fixed("2017-04-03 19:05"),
            modified=_fixed("2017-04-03 19:05"),
            authors=(_person("Dya Ayu"),),
            editors=(_person("Zainuddin"),),
            keywords=("Arema FC", "Liga 1 2017"),
            topic="Arema FC",
            image="https://cdn-2.tstatic.net/suryamalang/foto/bank/images/pemain-baru-arema-fc.jpg",
            image_caption="Lima pemain baru Arema FC di Stadion Kanjuruhan. (SURYAMALANG.COM/Hayu Yudha Prabowo)",
            dateline="MALANG",
            dash=EN_DASH,
            title_brand="Surya Malang",
            reporter="Hayu Yudha Prabowo",
            jsonld="absent",
            pages=(
                (
                    "Arema FC resmi memperkenalkan lima pemain baru di Stadion Kanjuruhan, Senin (3/4/2017) malam.",
                    "Kelima pemain diharapkan menambal lini tengah dan lini belakang yang ditinggal pemain lama.",
                    "Berikut daftar pemain baru Arema FC:",
                    BodyList(
                        (
                            "Rizky Dwi Saputra (gelandang)",
                            "Yohanes Kambu (bek kiri)",
                            "Fandi Ahmad Prasetyo (penyerang)",
                            "Dedi Kurniawan (kiper)",
                            "Sandi Pratama (bek tengah)",
                        ),
                        ordered=True,
                    ),
                    Lines(
                        (
                            "Manajemen menargetkan Arema FC finis di papan atas.",
                            "Laga perdana Liga 1 digelar pertengahan April.",
                        ),
                        "div",
                    ),
                    "Pelatih kepala menyebut kelima pemain sudah mengikuti latihan bersama sejak pekan lalu.",
                ),
            ),
            related=(Link("sm-stadion-2016"), Link("sm-aremania-2016")),
        ),
        Article(
            key="sm-stadion-2016",
            site="suryamalang",
            era=Era.REGIONAL_2016,
            section="malang-raya",
            section_name="Malang Raya",
            slug="renovasi-stadion-gajayana-malang-ditargetkan-rampung-desember",
            article_id="112877",
            headline="Renovasi Stadion Gajayana Malang Ditargetkan Rampung Desember",
            description="Renovasi Stadion Gajayana di Kota Malang ditargetkan rampung pada Desember 2016.",
            published=_fixed("2016-09-20 10:25"),
            modified=_fixed("2016-09-20 10:25"),
            authors=(_person("Hayu Yudha Prabowo"),),
            editors=(_person("Zainuddin"),),
            keywords=("Stadion Gajayana", "Kota Malang"),
            topic="Stadion Gajayana",
            image="https://cdn-2.tstatic.net/suryamalang/foto/bank/images/stadion-gajayana-malang.jpg",
            image_caption="Pekerja merenovasi tribun Stadion Gajayana. (SURYAMALANG.COM/Hayu Yudha Prabowo)",
            dateline="MALANG",
            dash=EN_DASH,
            title_brand="Surya Malang",
            jsonld="absent",
            pages=(
                (
                    "Renovasi Stadion Gajayana, Kota Malang, ditargetkan rampung pada Desember 2016.",
                    "Pekerjaan meliputi tiga bagian utama:",
                    BodyList(
                        (
                            "Penggantian rumput lapangan",
                            "Perbaikan atap tribun timur",
                            "Pemasangan empat tiang lampu",
                        ),
                        ordered=True,
                        start=4,
                    ),
                    Lines(("Anggaran renovasi mencapai Rp 12 miliar.", "Dana berasal dari APBD Kota Malang."), "loose"),
                    "Selama renovasi, stadion tidak dapat digunakan untuk pertandingan.",
                ),
            ),
            footer=("(SURYAMALANG.COM/Hayu Yudha Prabowo)",),
            related=(Link("sm-aremania-2016"),),
        ),
        Article(
            key="sm-aremania-2016",
            site="suryamalang",
            era=Era.REGIONAL_2016,
            section="arema",
            section_name="Arema",
            slug="ribuan-aremania-padati-balai-kota-malang-rayakan-ulang-tahun-arema",
            article_id="109314",
            headline="Ribuan Aremania Padati Balai Kota Malang Rayakan Ulang Tahun Arema",
            description="Ribuan Aremania memadati Balai Kota Malang untuk merayakan ulang tahun Arema.",
            published=_fixed("2016-08-11 20:30"),
            modified=_fixed("2016-08-11 20:30"),
            authors=(),
            editors=(_person("Adrianus Adhi"),),
            keywords=("Aremania", "HUT Arema"),
            topic="HUT Arema",
            image="https://cdn-2.tstatic.net/suryamalang/foto/bank/images/aremania-di-balai-kota-malang.jpg",
            image_caption="Aremania merayakan ulang tahun Arema di Balai Kota Malang. (SURYAMALANG.COM)",
            dateline="MALANG",
            dash=EN_DASH,
            title_brand="Surya Malang",
            penulis_line=False,
            jsonld="absent",
            pages=(
                (
                    "Ribuan Aremania memadati halaman Balai Kota Malang untuk merayakan ulang tahun Arema, Kamis "
                    "(11/8/2016) malam.",
                    "Perayaan diisi doa bersama, pemotongan tumpeng, dan konvoi keliling kota.",
                    Quote(
                        ('"Arema bukan hanya klub, tapi identitas warga Malang," kata seorang koordinator Aremania.',)
                    ),
                    "Polisi mengerahkan 400 personel untuk mengamankan jalannya perayaan.",
                ),
            ),
        ),
    ]


def _list_articles(today: date) -> list[Article]:
    """Articles of the 2018 to 2026 templates whose bodies hold lists, tables, quotes and ``br`` lines, each
    reached from a related link of an existing article."""
    return [
        Article(
            key="w-tol-2019",
            site="www",
            era=Era.WWW_2018,
            section="bisnis",
            section_name="Bisnis",
            slug="daftar-tarif-tol-trans-jawa-jakarta-surabaya-untuk-mobil-pribadi",
            article_id="4190376",
            headline="Daftar Tarif Tol Trans Jawa Jakarta-Surabaya untuk Mobil Pribadi",
            description="Berikut daftar tarif Tol Trans Jawa dari Jakarta hingga Surabaya untuk kendaraan golongan I.",
            published=_fixed("2019-01-20 14:00"),
            modified=_fixed("2019-01-20 15:10"),
            authors=(_person("Apfia Tioconny Billy"),),
            editors=(_person("Sanusi"),),
            keywords=("tol Trans Jawa", "tarif tol"),
            topic="Tol Trans Jawa",
            image=f"{IMG_2018}/gerbang-tol-cikampek-utama.jpg",
            image_caption="Gerbang Tol Cikampek Utama. (Tribunnews.com/Irwan Rismawan)",
            dateline="JAKARTA",
            jsonld="second",
            pages=(
                (
                    "Tol Trans Jawa kini tersambung dari Jakarta hingga Surabaya sepanjang lebih dari 700 kilometer.",
                    "Pengendara mobil pribadi golongan I perlu menyiapkan saldo uang elektronik yang cukup.",
                    Table(
                        (
                            ("Ruas", "Tarif Golongan I"),
                            ("Jakarta-Cikampek", "Rp 15.000"),
                            ("Cikopo-Palimanan", "Rp 107.500"),
                            ("Palimanan-Kanci", "Rp 12.000"),
                            ("Batang-Semarang", "Rp 94.000"),
                        ),
                        wrapped=True,
                    ),
                    "Badan Pengatur Jalan Tol mengingatkan pengendara untuk beristirahat setiap empat jam.",
                    BodyList(
                        (
                            "Isi saldo uang elektronik sebelum berangkat.",
                            "Periksa kondisi ban dan rem.",
                            "Manfaatkan rest area untuk beristirahat.",
                        ),
                        ordered=True,
                    ),
                ),
            ),
        ),
        Article(
            key="w-bbm",
            site="www",
            era=Era.WWW_2026,
            section="bisnis",
            section_name="Bisnis",
            slug="harga-bbm-pertamina-turun-mulai-hari-ini-berikut-daftar-lengkapnya",
            article_id="7729870",
            headline="Harga BBM Pertamina Turun Mulai Hari Ini, Berikut Daftar Lengkapnya",
            description="Pertamina menurunkan harga BBM nonsubsidi mulai hari ini.",
            published=_at(today, 2, "06:05"),
            modified=_at(today, 2, "08:30"),
            authors=(_person("Nitis Hawaroh"),),
            editors=(_person("Seno Tri Sulistiyono"),),
            keywords=("harga BBM", "Pertamina"),
            topic="Harga BBM",
            image=f"{IMG_2026}/spbu-pertamina-di-jakarta.jpg",
            image_caption="Petugas mengisi BBM di SPBU Pertamina. (Tribunnews.com/Jeprima)",
            dateline="JAKARTA",
            pages=(
                (
                    "PT Pertamina (Persero) menurunkan harga bahan bakar minyak (BBM) nonsubsidi mulai hari ini.",
                    "Penurunan harga berlaku di seluruh SPBU Pertamina di Indonesia.",
                    Heading("Daftar Harga BBM di Jakarta", level=3),
                    BodyList(
                        (
                            ListItem("Pertamax", BodyList(("Rp 12.100 per liter (sebelumnya Rp 12.500)",))),
                            ListItem("Pertamax Turbo", BodyList(("Rp 13.200 per liter",))),
                            "Dexlite: Rp 12.700 per liter",
                            "Pertamina Dex: Rp 13.100 per liter",
                        )
                    ),
                    Quote(
                        (
                            '"Penyesuaian harga mengikuti tren harga minyak dunia dan nilai tukar," kata corporate '
                            "secretary Pertamina Patra Niaga.",
                            "Harga Pertalite dan Solar bersubsidi tidak berubah.",
                        )
                    ),
                    "Harga di daerah lain menyesuaikan biaya distribusi masing-masing wilayah.",
                ),
            ),
            footer=("Simak berita Tribunnews.com lainnya di Google News",),
        ),
        Article(
            key="b-ppdb-2024",
            site="banyumas",
            era=Era.REGIONAL_2024,
            section="banyumas",
            section_name="Banyumas",
            slug="jadwal-ppdb-sma-negeri-jawa-tengah-2024-dan-syarat-pendaftarannya",
            article_id="701845",
            headline="Jadwal PPDB SMA Negeri Jawa Tengah 2024 dan Syarat Pendaftarannya",
            description="Pendaftaran PPDB SMA negeri di Jawa Tengah dibuka pekan depan.",
            published=_fixed("2024-06-10 09:00"),
            modified=_fixed("2024-06-10 09:00"),
            authors=(_person("Imah Masitoh"),),
            editors=(_person("Rustam Aji"),),
            keywords=("PPDB Jateng 2024", "SMA negeri"),
            topic="PPDB Jateng",
            image="https://asset-2.tstatic.net/banyumas/foto/bank/images/ilustrasi-ppdb-sma.jpg",
            image_caption="Ilustrasi pendaftaran PPDB. (TribunBanyumas.com)",
            dateline="PURWOKERTO",
            jsonld="second",
            pages=(
                (
                    "Pendaftaran Penerimaan Peserta Didik Baru (PPDB) SMA negeri di Jawa Tengah dibuka pekan depan.",
                    "Dinas Pendidikan dan Kebudayaan Jawa Tengah membagi pendaftaran ke dalam beberapa tahap.",
                    Heading("Jadwal PPDB SMA Negeri 2024"),
                    BodyList(
                        (
                            "Pendaftaran akun: 10-14 Juni 2024",
                            ListItem(
                                "Pendaftaran sekolah: 18-21 Juni 2024",
                                BodyList(("Jalur domisili", "Jalur afirmasi", "Jalur prestasi")),
                            ),
                            "Pengumuman: 1 Juli 2024",
                            "Daftar ulang: 2-4 Juli 2024",
                        ),
                        ordered=True,
                    ),
                    "Calon peserta didik wajib menyiapkan dokumen berikut:",
                    Lines(
                        (
                            "Kartu keluarga yang diterbitkan paling lambat satu tahun sebelumnya.",
                            "Akta kelahiran.",
                            "Rapor semester 1 sampai 5.",
                        ),
                        "span",
                    ),
                    "Informasi lengkap dapat dilihat di laman resmi PPDB Jawa Tengah.",
                ),
            ),
            footer=("Baca berita lainnya di Google News",),
        ),
        Article(
            key="j-umk",
            site="jateng",
            era=Era.REGIONAL_2025,
            section="jateng",
            section_name="Jateng",
            slug="daftar-umk-2026-kabupaten-kota-di-jawa-tengah-semarang-tertinggi",
            article_id="833950",
            headline="Daftar UMK 2026 Kabupaten/Kota di Jawa Tengah, Semarang Tertinggi",
            description="Gubernur Jawa Tengah menetapkan UMK 2026 untuk 35 kabupaten dan kota.",
            published=_at(today, 5, "13:00"),
            modified=_at(today, 5, "13:45"),
            authors=(_person("Eka Yulianti Fajlin"),),
            editors=(_person("Muhammad Olies"),),
            keywords=("UMK 2026", "upah minimum", "Jawa Tengah"),
            topic="UMK Jateng",
            image="https://asset-2.tribunnews.com/jateng/foto/bank/images/buruh-di-semarang.jpg",
            image_caption="Buruh pabrik di Semarang. (TribunJateng.com)",
            dateline="SEMARANG",
            pages=(
                (
                    "Gubernur Jawa Tengah menetapkan upah minimum kabupaten/kota (UMK) 2026 untuk 35 daerah.",
                    "Kota Semarang kembali menjadi daerah dengan UMK tertinggi di Jawa Tengah.",
                    Table(
                        (
                            ("No", "Kabupaten/Kota", "UMK 2026"),
                            ("1", "Kota Semarang", "Rp 3.702.000"),
                            ("2", "Kabupaten Demak", "Rp 3.120.000"),
                            ("3", "Kabupaten Kendal", "Rp 2.980.000"),
                            ("4", "Kabupaten Banjarnegara", "Rp 2.250.000"),
                        ),
                        cell_paragraphs=True,
                    ),
                    Lines(
                        (
                            "UMK berlaku mulai 1 Januari 2026.",
                            "Perusahaan yang tidak mampu dapat mengajukan penangguhan.",
                        )
                    ),
                    "Serikat buruh menilai kenaikan UMK belum sebanding dengan kenaikan harga kebutuhan pokok.",
                ),
            ),
            footer=("Ikuti saluran WhatsApp TribunJateng.com untuk mendapatkan berita terkini",),
        ),
    ]


def _generation_2(articles: list[Article], today: date) -> list[Article]:
    """Generation 2: one article updated (new dateModified, changed body), two new articles listed."""
    updated: list[Article] = []
    for original in articles:
        article = original
        if article.key == "w-seoul":
            page = list(article.pages[0])
            page[5] = "Hingga siang ini, jumlah pengungsi bertambah menjadi 4.800 orang di 12 distrik."
            page.append("Presiden Korea Selatan memerintahkan seluruh kementerian bersiaga selama akhir pekan.")
            article = replace(article, pages=(tuple(page),), modified=_at(today, 0, "13:05"))
        updated.append(article)
    updated += [
        Article(
            key="w-bansos",
            site="www",
            era=Era.WWW_2026,
            section="nasional",
            section_name="Nasional",
            slug="pemerintah-salurkan-bantuan-pangan-tahap-kedua-ke-22-juta-keluarga",
            article_id="7731520",
            headline="Pemerintah Salurkan Bantuan Pangan Tahap Kedua ke 22 Juta Keluarga",
            description="Bantuan pangan tahap kedua disalurkan kepada 22 juta keluarga penerima manfaat.",
            published=_at(today, 0, "12:10"),
            modified=_at(today, 0, "12:10"),
            authors=(_person("Reynas Abdila"),),
            editors=(_person("Adi Suhendra"),),
            keywords=("bantuan pangan", "Bulog"),
            topic="Bantuan Sosial",
            image=f"{IMG_2026}/penyaluran-bantuan-pangan-beras.jpg",
            image_caption="Warga menerima bantuan pangan beras. (Tribunnews.com)",
            dateline="JAKARTA",
            listed=True,
            pages=(
                (
                    "Pemerintah mulai menyalurkan bantuan pangan tahap kedua kepada 22 juta keluarga penerima.",
                    "Setiap keluarga menerima 10 kilogram beras yang disalurkan melalui kantor pos.",
                    Baca("w-dpt", "juga"),
                    "Penyaluran ditargetkan rampung dalam tiga pekan.",
                    "Bulog memastikan stok beras pemerintah mencukupi hingga akhir tahun.",
                ),
            ),
        ),
        Article(
            key="w-ponsel",
            site="www",
            era=Era.WWW_2026,
            section="techno",
            section_name="Techno",
            slug="ponsel-lipat-terbaru-resmi-meluncur-di-indonesia-ini-harga-dan-spesifikasinya",
            article_id="7731533",
            headline="Ponsel Lipat Terbaru Resmi Meluncur di Indonesia, Ini Harga dan Spesifikasinya",
            description="Ponsel lipat terbaru resmi dipasarkan di Indonesia mulai pekan ini.",
            published=_at(today, 0, "12:40"),
            modified=_at(today, 0, "12:40"),
            authors=(_person("Lita Febriani"),),
            editors=(_person("Choirul Arifin"),),
            keywords=("ponsel lipat", "gadget"),
            topic="Gadget",
            image=f"{IMG_2026}/ponsel-lipat-terbaru.jpg",
            image_caption="Ponsel lipat terbaru saat peluncuran. (Tribunnews.com)",
            dateline="JAKARTA",
            listed=True,
            pages=(
                (
                    "Ponsel lipat terbaru resmi meluncur di Indonesia dengan harga mulai Rp 17 juta.",
                    "Ponsel ini membawa layar utama 7,6 inci dan engsel yang diklaim lebih tipis.",
                    Ad("inside"),
                    "Pemesanan awal dibuka mulai hari ini melalui toko daring resmi.",
                ),
                (
                    "Kamera utama beresolusi 50 megapiksel dengan dukungan perekaman video 8K.",
                    "Baterai berkapasitas 4.400 mAh mendukung pengisian cepat 25 watt.",
                ),
            ),
        ),
    ]
    return updated


#: The Kompas.com story an article cites (off-network link).
KOMPAS_URL = "https://www.kompas.com/read/2026/01/15/10300061/kpu-buka-layanan-cek-data-pemilih-daring"


def site_traps(site: str) -> dict[str, str]:
    """Links every page of a site carries that a correct crawler never requests, by purpose."""
    host = SITES[site].host
    home = f"https://{host}"
    return {
        "indeks-az": f"{home}/tag",
        "search": f"{home}/search?q=pemilu",
        "member": f"{home}/member/login?redirect=%2F",
        "video-host": "https://video.tribunnews.com/",
        "video-path": f"{home}/video/123456/cuplikan-banjir-rob-di-pesisir-utara",
        "foto": f"{home}/foto/2024/06/20/galeri-festival-budaya",
        "ajax": f"{home}/ajax/latest?callback=?",
        "account": "https://account.tribunnews.com/login",
    }


def article_traps(article: Article) -> dict[str, str]:
    """Links an article page carries that a correct crawler never requests, by purpose.

    The topic kicker only when the article has a topic; the writers' and editors' pages only where the credits
    link them (not on 2015-2016 pages, nor a writer an editor-only page does not name).
    """
    home = f"https://{article.host}"
    traps = {
        "komentar": f"{home}/komentar/{article.article_id}",
        "api": f"{home}/api/comments?content_id={article.article_id}",
        "image": article.image,
        **{f"tag:{k}": f"{home}/tag/{slugify(k)}" for k in article.keywords},
    }
    if article.topic:
        traps["topic"] = f"{home}/topic/{slugify(article.topic)}"
    if article.era.credit_links:
        if article.penulis_line:
            traps.update({f"penulis:{p.name}": f"{home}/penulis/{p.slug}" for p in article.authors})
        traps.update({f"editor:{p.name}": f"{home}/editor/{p.slug}" for p in article.editors})
    return traps


def listing_topic_url(article: Article) -> str | None:
    """The ``h4`` topic link of a listing item: ``/topic/…`` on www, ``/topics/…`` on some regional sites; None
    for an article without a topic."""
    if not article.topic:
        return None
    segment = "topics" if article.site == "jateng" else "topic"
    return f"https://{article.host}/{segment}/{slugify(article.topic)}"


def wrapper_url(source: Article, target: Article) -> str:
    """A related link of a page before 2018, wrapped the way its era wraps them (docs/site.md#older-eras):
    ``/topic/<slug>/?url=<section>/yyyy/mm/dd/<slug>``, the ``url`` parameter relative to the page's host."""
    segment = source.era.wrapper
    if segment is None or target.host != source.host:
        raise ValueError(f"{source.key} cannot wrap a link to {target.key}")
    slug = slugify(source.topic or target.topic)
    return f"https://{source.host}/{segment}/{slug}/?url={target.path.lstrip('/')}"


def slugify(text: str) -> str:
    """The slug of a name in Tribun URLs (``/tag/piala-presiden-2015``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def tag_href(site: str, label: str) -> str:
    return f"https://{SITES[site].host}/tag/{slugify(label)}"


_SIDEBARS = {
    "www": Sidebar(
        terkini=(("w-5g", None), ("w-timnas", "utm"), ("w-seoul", None)),
        populer=(("w-tensi", None), ("w-dpt", None)),
    ),
    "banyumas": Sidebar(terkini=(("b-jalan", None),), populer=(("b-teluk-penyu", None), ("b-rob-copy", None))),
    "jateng": Sidebar(terkini=(("j-trans-jateng", None),), populer=(("j-kuliner", None),)),
    "makassar": Sidebar(terkini=(("m-pelabuhan", None),), populer=(("m-losari", None),)),
}


def request_variant(query: str) -> str:
    """Which page of an article a query asks for: ``1`` (no page), ``all`` or the page number."""
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() == "page" and value:
            return value.lower()
    return "1"


@dataclass(frozen=True)
class Network:
    generation: int
    today: date
    articles: tuple[Article, ...]
    _by_key: Mapping[str, Article] = field(repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {a.key: a for a in self.articles})

    def article(self, key: str) -> Article:
        return self._by_key[key]

    def site_articles(self, site: str) -> list[Article]:
        return [a for a in self.articles if a.site == site]

    def sidebar(self, site: str) -> Sidebar:
        return _SIDEBARS.get(site, Sidebar((), ()))

    def latest(self, site: str, section: str | None = None) -> list[Article]:
        """Listed articles of a site (or of one section hub), newest first."""
        found = [a for a in self.site_articles(site) if a.listed and section in (None, a.section)]
        return sorted(found, key=lambda a: a.published, reverse=True)

    def on_date(self, site: str, day: date, section: str | None = None) -> list[Article]:
        """The daily index of one date, newest first: that day's articles, then the previous day's late "
        "ones."""
        own = [a for a in self.site_articles(site) if a.published.date() == day]
        late = [
            a
            for a in self.site_articles(site)
            if a.published.date() == day - timedelta(days=1) and a.published.time() >= INDEX_OVERLAP_FROM
        ]
        found = [a for a in own + late if section in (None, a.section)]
        return sorted(found, key=lambda a: a.published, reverse=True)

    def in_month(self, site: str, year: int, month: int) -> list[Article]:
        found = [a for a in self.site_articles(site) if (a.published.year, a.published.month) == (year, month)]
        return sorted(found, key=lambda a: a.published, reverse=True)

    def resolve(self, host: str, path: str) -> Article | None:
        """The article a request path leads to on a host: ``/amp/``, ``m.``, trailing slash, id without "
        "slug."""
        site = site_key(host)
        if site is None:
            return None
        path = re.sub(r"/{2,}", "/", path)
        if path.startswith("/amp/"):
            path = path[4:]
        if len(path) > 1:
            path = path.rstrip("/")
        id_match = re.fullmatch(r"/[a-z0-9-]+/(\d{6,8})(?:/[^/]+)?", path)
        for article in self.site_articles(site):
            if article.path == path:
                return article
            if id_match and article.era.id_url and article.article_id == id_match.group(1):
                return article
        return None

    def href(self, key: str, kind: str | None = None) -> str:
        """The URL of an article as a page links it: canonical, or a :func:`variant` of it."""
        url = self.article(key).url
        return variant(url, kind) if kind else url

    def related_targets(self, article: Article) -> list[str]:
        return list(dict.fromkeys(target for target, _ in article.links()))

    def depths(self, sites: Iterable[str] | None = None, index_dates: Iterable[date] = ()) -> dict[str, int]:
        """Fewest related-link hops from a listing to each reachable article of the given sites.

        Listings are the homepages, hubs and news sitemaps (the ``listed`` articles) and the daily indexes of
        ``index_dates``. Sidebars are never followed. Articles absent from the result are unreachable.
        """
        selected = list(sites) if sites is not None else list(POPULATED_SITES)
        days = list(index_dates)
        start = [a.key for s in selected for a in self.latest(s)]
        start += [a.key for s in selected for d in days for a in self.on_date(s, d)]
        depth = dict.fromkeys(start, 0)
        queue = deque(depth)
        while queue:
            key = queue.popleft()
            for target in self.related_targets(self.article(key)):
                if target not in depth:
                    depth[target] = depth[key] + 1
                    queue.append(target)
        return depth

    def expected(
        self,
        sites: Iterable[str] | None = None,
        depth: int = 2,
        index_dates: Iterable[date] = (),
        include_copies: bool = False,
    ) -> list[ExpectedArticle]:
        """The articles a correct crawl of ``sites`` with related depth ``depth`` emits.

        A syndicated copy is left out when its original is emitted too, unless ``include_copies``.
        """
        reached = {k: d for k, d in self.depths(sites, index_dates).items() if d <= depth}
        result = []
        for key, hops in reached.items():
            article = self.article(key)
            if article.based_on and article.based_on in reached and not include_copies:
                continue
            result.append(_expected(article, hops, self))
        return sorted(result, key=lambda e: e.url)

    def expected_item(self, key: str) -> dict[str, Any]:
        """Every field of the item a correct crawl emits for an article, by the output conventions (README
        "Output"), except ``dateDownloaded`` (the moment of the fetch)."""
        return _expected_item(self.article(key), self)

    def request_article(self, entry: Mapping[str, object]) -> tuple[str, str] | None:
        """The (article key, page variant) a logged request fetched, or None when it is not an article."""
        if entry.get("method") != "GET":
            return None
        article = self.resolve(str(entry.get("host", "")), str(entry.get("path", "")))
        if article is None:
            return None
        return article.key, request_variant(str(entry.get("query", "")))

    def duplicate_fetches(self, entries: Iterable[Mapping[str, object]]) -> dict[tuple[str, str], int]:
        """(article, page variant) pairs requested more than once: a crawler that collapses variants "
        "has none."""
        counts = Counter(v for e in entries if (v := self.request_article(e)) is not None)
        return {k: n for k, n in counts.items() if n > 1}

    def forbidden_requests(
        self,
        entries: Iterable[Mapping[str, object]],
        sites: Iterable[str] | None = None,
        depth: int = 2,
        index_dates: Iterable[date] = (),
    ) -> list[Mapping[str, object]]:
        """Logged requests a correct crawl must not make.

        Off-network hosts, forbidden path segments (tag, topic, search, ajax, api, …), and articles that are
        not reachable within ``depth`` (sidebar-only, too deep).
        """
        reached = {k for k, d in self.depths(sites, index_dates).items() if d <= depth}
        bad = []
        for entry in entries:
            if is_forbidden_location(str(entry.get("host", "")), str(entry.get("path", ""))):
                bad.append(entry)
                continue
            found = self.request_article(entry)
            if found is not None and found[0] not in reached:
                bad.append(entry)
        return bad


def is_forbidden_location(host: str, path: str) -> bool:
    """Off-network host, or a path whose first segment is never requested."""
    if site_key(host) is None:
        return True
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] == "amp":
        segments = segments[1:]
    return bool(segments) and segments[0].lower() in FORBIDDEN_SEGMENTS


def _expected(article: Article, depth: int, network: Network) -> ExpectedArticle:
    paragraphs = tuple(article.body_paragraphs())
    return ExpectedArticle(
        key=article.key,
        url=article.url,
        site=article.site,
        headline=article.headline,
        page_count=article.known_page_count,
        paragraph_count=len(paragraphs),
        paragraphs=paragraphs,
        date_published=article.published.isoformat(),
        date_modified=article.modified.isoformat(),
        depth=depth,
        premium=article.premium,
        based_on=network.article(article.based_on).url if article.based_on else None,
    )


def _expected_item(article: Article, network: Network) -> dict[str, Any]:
    traps = article_traps(article)
    linked = article.era.credit_links

    def people(persons: tuple[Person, ...], role: str, link: bool) -> list[dict[str, str | None]]:
        return [{"name": p.name, "url": traps[f"{role}:{p.name}"] if link else None} for p in persons]

    home = f"https://{article.host}/"
    structured = article.jsonld != "absent"
    # JSON-LD pages name the section in articleSection or in their BreadcrumbList; a page without it only in
    # the URL, which regional date URLs lack.
    section = article.section_name if structured or article.site == "www" else None
    breadcrumbs = (
        [{"name": "Home", "url": home}, {"name": article.section_name, "url": f"{home}{article.section}"}]
        if structured
        else []
    )
    # A link is named by its canonical spelling; an id URL linked without its slug stays without it (the slug
    # cannot be known from the link), every other variant collapses to the article's URL.
    related = dict.fromkeys(
        network.href(target, "no-slug") if kind == "no-slug" else network.article(target).url
        for target, kind in article.links()
    )
    related.pop(article.url, None)
    # Pages before 2018 name the source in a "Sumber:" credit only when they have one; later pages always
    # print it with the tags.
    source = article.source if article.era.old else SITES[article.dateline_site].brand
    return {
        "url": article.url,
        "articleId": article.article_id,
        "site": article.site,
        "headline": article.headline,
        "description": article.description,
        "articleBody": "\n\n".join(article.body_paragraphs()),
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat() if structured else None,
        "datePublishedRaw": visible_date(article),
        "datePublishedDay": None,
        "authors": people(article.authors, "penulis", linked and article.penulis_line),
        "editors": people(article.editors, "editor", linked),
        "articleSection": section,
        "breadcrumbs": breadcrumbs,
        "keywords": list(article.keywords),
        "mainImage": {"url": article.image, "caption": article.image_caption},
        "inLanguage": "id",
        "pageCount": article.known_page_count,
        "relatedUrls": list(related),
        "isAccessibleForFree": not article.premium,
        "isBasedOn": network.article(article.based_on).url if article.based_on else None,
        "sourceOrganization": source,
        "duplicateOf": None,
    }


def default_today(now: datetime | None = None) -> date:
    """The network's date when none is given: the WIB date 14 hours ago, so every "today" article
    (published 05:00 to 13:05 local) is already in the past, and at most ~2 days old."""
    now = now or datetime.now(WIB)
    return (now.astimezone(WIB) - timedelta(hours=14)).date()


def build_network(generation: int = 1, today: date | None = None) -> Network:
    """The network as served by ``--generation N --today DATE`` (generation 2 and above are identical)."""
    return _build(min(max(generation, 1), 2), today or default_today())


@cache
def _build(generation: int, today: date) -> Network:
    articles = _www_articles(today) + _regional_articles(today) + _old_era_articles() + _list_articles(today)
    if generation >= 2:
        articles = _generation_2(articles, today)
    return Network(generation, today, tuple(articles))


def forbidden_urls(network: Network | None = None) -> tuple[str, ...]:
    """Every trap URL the pages carry (off-network, tag/topic/search/ajax/api/komentar/member/penulis…)."""
    net = network or build_network(2)
    urls = [url for site in ARTICLE_SITES for url in site_traps(site).values()]
    urls += [url for a in net.articles for url in article_traps(a).values()]
    urls += [topic for a in net.articles if (topic := listing_topic_url(a))]
    urls.append(KOMPAS_URL)
    return tuple(dict.fromkeys(urls))


#: The trap URLs on the pages of both generations; each must never be requested.
FORBIDDEN: tuple[str, ...] = forbidden_urls()

#: Variant links on listing pages: the homepage headline slider links a story with a tracking parameter.
HEADLINE_VARIANT = "utm"


def variant_links(network: Network | None = None) -> dict[str, str]:
    """Variant spellings of article URLs linked from the pages (href -> article key): collapse, don't "
    "refetch."""
    net = network or build_network(2)
    pairs = [pair for a in net.articles for pair in a.links()]
    for site in POPULATED_SITES:
        sidebar = net.sidebar(site)
        pairs += [*sidebar.terkini, *sidebar.populer]
        pairs += [(a.key, HEADLINE_VARIANT) for a in net.latest(site)[:1]]
    return {net.href(key, kind): key for key, kind in pairs if kind}
