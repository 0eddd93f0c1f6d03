"""A large replica Tribun network, generated deterministically and written straight into a Scrapy HTTP cache.

The benchmarks need thousands of article pages in every template era without a server competing for the two
cores, so this module builds the content (``build_network``), renders it with the replica's own renderers
(``tests/replica/pages.py``: the same chrome, eras, quirks and trap links the end-to-end tests use) and stores
every response a crawl can ask for in a ``FilesystemCacheStorage`` folder, keyed by the project's own request
fingerprinter, exactly as ``python -m tests.replica.snapshot`` records the demo snapshot. A crawl replays it with
``HTTPCACHE_ENABLED=True HTTPCACHE_IGNORE_MISSING=True``.

What the network holds (``N`` articles over ``hosts``, 20 by default: www, 16 WIB, WITA and WIT sites):

- recent articles (70 %) in the current templates (2026 www with numeric ids, 2025 regional with 6-digit ids),
  published over the last ``days`` days up to ``today``: on the homepage ``#latestul``, the www section hubs and
  the daily index of their date (``/index-news?date=…``, paged);
- old articles (30 %) in the old templates (2018-2023 www, ≤2024 regional, date URLs, JSON-LD second or absent),
  reachable only through "Berita Terkait"/"Baca juga" links of other articles (related depth 1 or 2);
- 22 % of the articles span 2 to 5 pages: the plain URL (page 1), ``?page=N`` and ``?page=all`` are all in the
  cache, as on the real site, and every single-page article answers ``?page=all`` too;
- "Baca juga" lines in all three spellings, ad slots, figures, inline tag links, reporter lines, summaries,
  premium articles, en-dash datelines, links written as variants (``m.``, ``/amp/``, ``utm_*``, ``_ga``,
  fragment, id without slug), the ``#boxright_fix`` sidebars, and syndicated copies (3 %) with their footer.

Assumed, not in docs/site.md#daily-index: the daily index lists ``INDEX_PAGE_SIZE`` (20) articles per page (the
test replica uses 5 to keep its pages small) and a homepage or hub shows the latest ``LATEST_SIZE`` (20).
"""

from __future__ import annotations

import gzip
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from email.utils import format_datetime
from html import escape
from ipaddress import IPv4Address
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from scrapy import Request, Spider
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Response
from scrapy.settings import Settings

from tests.replica import pages
from tests.replica.network import (
    EN_DASH,
    IMG_2018,
    IMG_2020,
    IMG_2026,
    SECTIONS,
    Ad,
    Article,
    Baca,
    Block,
    Era,
    Figure,
    Heading,
    Link,
    Network,
    Person,
    Sidebar,
)
from tribun_crawler.fingerprint import TribunRequestFingerprinter
from tribun_crawler.sites import DEFAULT_SECTIONS, SITES

#: www, 16 WIB sites, and the WITA and WIT sites the crawler must date correctly.
DEFAULT_HOSTS = (
    *("www", "banyumas", "jateng", "jogja", "jatim", "surabaya", "madura", "wartakota", "jakarta", "jabar"),
    *("medan", "aceh", "palembang", "lampung", "bogor", "solo", "makassar", "bali", "manado", "ambon"),
)
#: Articles per daily index page (assumed; see the module docstring).
INDEX_PAGE_SIZE = 20
#: Articles a homepage or section hub lists.
LATEST_SIZE = 20
#: The most articles one site publishes on one day, so a daily index stays within the spider's
#: TRIBUN_MAX_LISTING_PAGES (10) pages: more recent articles spread over more days.
MAX_PER_SITE_DAY = 180
RECENT_SHARE = 0.7
WWW_SHARE = 0.2
SYNDICATED_SHARE = 0.03

_WORDS = (
    *("pemerintah", "warga", "petugas", "polisi", "dinas", "kepala", "desa", "kota", "kabupaten", "provinsi"),
    *("jalan", "banjir", "hujan", "harga", "beras", "cabai", "pasar", "sekolah", "siswa", "guru", "rumah"),
    *("sakit", "pasien", "dokter", "bantuan", "program", "anggaran", "proyek", "pembangunan", "jembatan"),
    *("pelabuhan", "bandara", "kapal", "kereta", "bus", "penumpang", "wisata", "pantai", "gunung", "festival"),
    *("budaya", "pertanian", "petani", "nelayan", "pedagang", "usaha", "ekonomi", "investasi", "listrik"),
    *("air", "bersih", "sampah", "lingkungan", "hutan", "kebakaran", "gempa", "longsor", "korban", "pengungsi"),
    *("pemilu", "calon", "partai", "dewan", "sidang", "kasus", "korupsi", "hakim", "jaksa", "tersangka"),
    *("timnas", "liga", "laga", "pelatih", "pemain", "stadion", "suporter", "juara", "turnamen", "latihan"),
)
_VERBS = (
    *("menyampaikan", "memastikan", "meminta", "menyiapkan", "menambah", "memperbaiki", "membuka", "menutup"),
    *("menggelar", "meninjau", "mengimbau", "menargetkan", "mencatat", "menyalurkan", "menertibkan", "membahas"),
)
_PLACES = (
    *("Jakarta", "Semarang", "Surabaya", "Yogyakarta", "Bandung", "Medan", "Makassar", "Denpasar", "Manado"),
    *("Ambon", "Palembang", "Banda Aceh", "Bandar Lampung", "Bogor", "Solo", "Purwokerto", "Malang", "Bangkalan"),
)
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_FIRST_NAMES = (
    *("Rizki", "Ilham", "Gita", "Wahyu", "Adi", "Siti", "Nurul", "Bayu", "Eka", "Permata", "Imah", "Rahmat"),
    *("Dewi", "Agus", "Fitri", "Hendra", "Yusuf", "Rina", "Bambang", "Andika", "Maula", "Sakinah", "Galih"),
)
_LAST_NAMES = (
    *("Saputra", "Pratama", "Irawan", "Aji", "Suhendra", "Aminah", "Hidayah", "Fajlin", "Sejati", "Masitoh"),
    *("Kusumawati", "Setiawan", "Gunawan", "Wulandari", "Prasetyo", "Pelu", "Sudin", "Lintartika", "Nugroho"),
)
_CREDITS = ("AFP/KCNA VIA KNS", "TRIBUNNEWS/JEPRIMA", "KOMPAS.com", "ANTARA FOTO", "Dok. Humas Pemkot")
_FOOTERS = (
    "Simak berita lainnya di Google News {brand}",
    "Ikuti kami di WhatsApp Channel {brand}",
    "Dapatkan update berita pilihan dan breaking news setiap hari dari {brand}.",
)


def _sections(site: str) -> tuple[tuple[str, str], ...]:
    if site == "www":
        return tuple((s, s.capitalize()) for s in DEFAULT_SECTIONS)
    return SECTIONS.get(site) or ((site, site.capitalize()), ("regional", "Regional"), ("bisnis", "Bisnis"))


def _person(rng: random.Random) -> Person:
    name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    return Person(name, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"))


def _words(rng: random.Random, low: int, high: int) -> list[str]:
    return [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]


def sentence(rng: random.Random, when: datetime) -> str:
    subject = " ".join(_words(rng, 1, 3)).capitalize()
    day = f"{_DAYS[when.weekday()]} ({when.day}/{when.month}/{when.year})"
    tail = " ".join(_words(rng, 4, 12))
    number = f"{rng.randint(2, 9_999):,}".replace(",", ".")
    return f"{subject} {rng.choice(_VERBS)} {tail} di {rng.choice(_PLACES)} sebanyak {number} unit, {day}."


def _paragraph(rng: random.Random, when: datetime, *, tag: str | None = None) -> str:
    text = " ".join(sentence(rng, when) for _ in range(rng.randint(1, 3)))
    if tag:
        head, _, rest = text.partition(" ")
        text = f"{head} [[tag:{tag}]] {rest}"
    return text


@dataclass
class Plan:
    """What an article will be, before the links between articles are known."""

    index: int
    site: str
    era: Era
    published: datetime
    pages: int
    recent: bool
    links: list[tuple[str, str | None]] = field(default_factory=list)
    baca: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"a{self.index}"


_WWW_VARIANTS = (None, None, None, None, "m", "amp", "utm", "ga", "fragment", "slash", "amp-page-all")
_REGIONAL_VARIANTS = (None, None, None, None, "amp", "utm", "ga", "fragment", "slash", "amp-page-all")


def variant(rng: random.Random, target: Plan) -> str | None:
    kinds = _WWW_VARIANTS if target.site == "www" else _REGIONAL_VARIANTS
    kind = rng.choice(kinds)
    if kind is None and target.era.id_url and rng.random() < 0.1:
        return "no-slug"
    return kind


def _plans(total: int, hosts: Sequence[str], today: date, days: int, seed: int) -> list[Plan]:
    rng = random.Random(f"plans:{seed}")
    regional = [h for h in hosts if h != "www"]
    plans = []
    for i in range(total):
        site = "www" if "www" in hosts and (rng.random() < WWW_SHARE or not regional) else rng.choice(regional)
        recent = rng.random() < RECENT_SHARE
        tz = SITES[site].tz
        if recent:
            era = Era.WWW_2026 if site == "www" else Era.REGIONAL_2025
            day = today - timedelta(days=rng.randrange(days))
        else:
            era = Era.WWW_2018 if site == "www" else Era.REGIONAL_2024
            first = date(2018, 1, 1) if site == "www" else date(2019, 1, 1)
            last = date(2023, 12, 31) if site == "www" else date(2024, 12, 31)
            day = first + timedelta(days=rng.randrange((last - first).days + 1))
        moment = time(rng.randint(5, 22), rng.randrange(60), rng.randrange(60) if rng.random() < 0.5 else 0)
        pages_roll = rng.random()
        page_count = 1 if pages_roll < 0.78 else 2 if pages_roll < 0.90 else 3 if pages_roll < 0.96 else 4
        if pages_roll > 0.99:
            page_count = 5
        plans.append(Plan(i, site, era, datetime.combine(day, moment, tz), page_count, recent))
    return plans


def _link(plans: list[Plan], rng: random.Random) -> None:
    """Related links: every old article hangs off a recent one (depth 1) or off such an old one (depth 2)."""
    recent = [p for p in plans if p.recent] or plans[:1]
    old = [p for p in plans if not p.recent and p is not recent[0]]
    by_site: dict[str, list[Plan]] = defaultdict(list)
    for plan in recent:
        by_site[plan.site].append(plan)
    for n, plan in enumerate(old):
        anchor = rng.choice(recent) if n % 2 == 0 else old[rng.randrange(0, n, 2)]
        anchor.links.append((plan.key, variant(rng, plan)))
    for plan in plans:
        pool = by_site.get(plan.site) or recent
        for _ in range(rng.randint(1, 4)):
            target = rng.choice(pool)
            if target is not plan:
                plan.links.append((target.key, variant(rng, target)))
        for _ in range(rng.randint(0, 2)):
            target = rng.choice(pool)
            if target is not plan:
                plan.baca.append((target.key, variant(rng, target)))


def _blocks(
    rng: random.Random, plan: Plan, page: int, baca: list[tuple[str, str | None]], keywords: Sequence[str]
) -> tuple[Block, ...]:
    blocks: list[Block] = []
    count = rng.randint(4, 9)
    for n in range(count):
        tag = rng.choice(keywords) if keywords and rng.random() < 0.15 else None
        blocks.append(_paragraph(rng, plan.published, tag=tag))
        if n == 1 and rng.random() < 0.7:
            blocks.append(Ad(rng.choice(("inside", "placeholder", "ins"))))
        if n == 2 and baca and page == 1:
            target, kind = baca.pop(0)
            blocks.append(Baca(target, rng.choice(("juga", "juga", "strong", "caps")), kind))
        if n == count // 2 and rng.random() < 0.25:
            blocks.append(Heading(" ".join(_words(rng, 3, 6)).title()))
        if n == count - 2 and rng.random() < 0.1:
            blocks.append(Figure(f"{IMG_2026}/ilustrasi-{plan.index}-{page}.jpg", "Ilustrasi. (Dok. Tribun)"))
    while baca and page > 1:
        target, kind = baca.pop(0)
        blocks.insert(1, Baca(target, "juga", kind))
    return tuple(blocks)


def plan_article(plan: Plan, seed: int) -> Article:
    rng = random.Random(f"article:{seed}:{plan.index}")
    site = SITES[plan.site]
    section, section_name = rng.choice(_sections(plan.site))
    title_words = _words(rng, 6, 12)
    headline = " ".join(w.capitalize() for w in title_words) + f" {plan.index}"
    slug = "-".join(title_words) + f"-{plan.index}"
    keywords = tuple(dict.fromkeys(w.capitalize() for w in _words(rng, 2, 5)))
    baca = list(plan.baca)
    page_blocks = tuple(_blocks(rng, plan, page, baca, keywords) for page in range(1, plan.pages + 1))
    image_base = {Era.WWW_2026: IMG_2026, Era.REGIONAL_2025: IMG_2026, Era.REGIONAL_2024: IMG_2020}.get(
        plan.era, IMG_2018 if plan.published.year < 2020 else IMG_2020
    )
    jsonld = "graph" if plan.era.id_url else "second"
    if plan.era is Era.WWW_2018 and rng.random() < 0.4:
        jsonld = "absent"
    article_id = str(7_000_000 + plan.index) if plan.site == "www" else str(100_000 + plan.index)
    modified = plan.published + timedelta(minutes=rng.choice((0, 0, 12, 35, 90)))
    footer = (rng.choice(_FOOTERS).format(brand=site.brand),) if rng.random() < 0.3 else ()
    return Article(
        key=plan.key,
        site=plan.site,
        era=plan.era,
        section=section,
        section_name=section_name,
        slug=slug,
        article_id=article_id,
        headline=headline,
        description=sentence(rng, plan.published),
        published=plan.published,
        modified=modified,
        authors=tuple(_person(rng) for _ in range(1 if rng.random() < 0.8 else 2)),
        editors=(_person(rng),),
        keywords=keywords,
        topic=" ".join(_words(rng, 1, 3)).title(),
        image=f"{image_base}/{slug[:60]}.jpg",
        image_caption=f"{sentence(rng, plan.published)} {rng.choice(_CREDITS)}",
        dateline=rng.choice(_PLACES).upper(),
        pages=page_blocks,
        related=tuple(Link(target, kind) for target, kind in plan.links),
        listed=plan.recent,
        reporter=_person(rng).name if plan.recent and rng.random() < 0.3 else None,
        summary=tuple(sentence(rng, plan.published) for _ in range(3))
        if plan.era is Era.WWW_2026 and rng.random() < 0.4
        else (),
        footer=footer,
        jsonld=jsonld,
        premium=plan.era is Era.WWW_2026 and rng.random() < 0.03,
        dash=EN_DASH if plan.site != "www" and rng.random() < 0.2 else "-",
    )


def _syndicate(articles: list[Article], rng: random.Random) -> list[Article]:
    """Turn a few recent regional articles into copies of a recent article of another site."""
    recent = [a for a in articles if a.listed]
    result = list(articles)
    # A copy shows its original's text: an article that became a copy is no one's original, and an original
    # stays one, so every copy shows what its original shows.
    copies: set[str] = set()
    originals: set[str] = set()
    for n, article in enumerate(articles):
        if article.site == "www" or not article.listed or rng.random() >= SYNDICATED_SHARE / (1 - WWW_SHARE):
            continue
        original = rng.choice(recent)
        if original.site == article.site or original.key in copies or article.key in originals:
            continue
        copies.add(article.key)
        originals.add(original.key)
        credit = f"Penulis: {original.authors[0].name} | Editor: {original.editors[0].name}"
        result[n] = replace(
            article,
            headline=original.headline,
            pages=original.pages,
            based_on=original.key,
            origin_site=original.site,
            dateline=original.dateline,
            footer=(
                f"Artikel ini telah tayang di [[ext:{original.brand}|https://{original.host}/]] dengan judul "
                f"{original.headline}, [[ext:{original.url}|{original.url}]]",
                credit,
            ),
        )
    return result


@dataclass(frozen=True)
class BenchNetwork(Network):
    """A generated network; the listing views of :class:`Network` answered from indexes (N is large)."""

    hosts: tuple[str, ...] = ()
    days: int = 1
    _site_index: dict[str, list[Article]] = field(default_factory=dict, repr=False, compare=False)
    _day_index: dict[tuple[str, date], list[Article]] = field(default_factory=dict, repr=False, compare=False)
    _sidebars: dict[str, Sidebar] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        for article in self.articles:
            self._site_index.setdefault(article.site, []).append(article)
            self._day_index.setdefault((article.site, article.published.date()), []).append(article)
        for listing in (*self._site_index.values(), *self._day_index.values()):
            listing.sort(key=lambda a: a.published, reverse=True)
        for site, articles in self._site_index.items():
            listed = [a for a in articles if a.listed][:10]
            self._sidebars[site] = Sidebar(
                terkini=tuple((a.key, None) for a in listed[:5]),
                populer=tuple((a.key, "utm" if n == 0 else None) for n, a in enumerate(listed[5:])),
            )

    def site_articles(self, site: str) -> list[Article]:
        return list(self._site_index.get(site, ()))

    def latest(self, site: str, section: str | None = None) -> list[Article]:
        found = (a for a in self._site_index.get(site, ()) if a.listed and section in (None, a.section))
        return [a for _, a in zip(range(LATEST_SIZE), found, strict=False)]

    def on_date(self, site: str, day: date, section: str | None = None) -> list[Article]:
        return [a for a in self._day_index.get((site, day), ()) if section in (None, a.section)]

    def sidebar(self, site: str) -> Sidebar:
        return self._sidebars.get(site, Sidebar((), ()))

    def index_days(self) -> list[date]:
        """Days with recent articles, newest first."""
        return [self.today - timedelta(days=n) for n in range(self.days)]


def days_for(total: int, hosts: Sequence[str]) -> int:
    """Days the recent articles spread over, so no site's daily index passes MAX_PER_SITE_DAY articles."""
    regional = max(1, len([h for h in hosts if h != "www"]))
    share = max(WWW_SHARE if "www" in hosts else 0.0, (1 - WWW_SHARE) / regional)
    return max(7, math.ceil(total * RECENT_SHARE * share * 1.3 / MAX_PER_SITE_DAY))


def build_network(
    total: int, *, today: date, hosts: Sequence[str] = DEFAULT_HOSTS, seed: int = 0, days: int | None = None
) -> BenchNetwork:
    """``total`` articles over ``hosts``; the same arguments always give the same network."""
    days = days or days_for(total, hosts)
    plans = _plans(total, hosts, today, days, seed)
    _link(plans, random.Random(f"links:{seed}"))
    articles = [plan_article(plan, seed) for plan in plans]
    articles = _syndicate(articles, random.Random(f"syndicate:{seed}"))
    return BenchNetwork(generation=1, today=today, articles=tuple(articles), hosts=tuple(hosts), days=days)


# --- Pages ------------------------------------------------------------------------------------------------


def render_index(net: BenchNetwork, site: str, day: date, page: int) -> str:
    """The daily index as ``pages.render_index`` renders it, with ``INDEX_PAGE_SIZE`` items per page."""
    articles = net.on_date(site, day)
    last = max(1, -(-len(articles) // INDEX_PAGE_SIZE))
    shown = min(max(page, 1), last)
    items = articles[(shown - 1) * INDEX_PAGE_SIZE : shown * INDEX_PAGE_SIZE]
    paging = ""
    if last > 1:
        links = pages._paging_links(lambda n: pages.index_url(site, day, n), shown, last)
        paging = f'<div id="paginga" class="mt20 ac">\n<div class="paging">\n{links}\n</div>\n</div>'
    title_day = f"{day.day} {pages.MONTHS[day.month - 1]} {day.year}"
    main = f"""<h1 class="f20 fbo2 pb10">Indeks Berita {escape(title_day)}</h1>
<form method="get" class="mb20"><select name="date">
<option value="{pages.index_date(day)}">{escape(title_day)}</option></select>
<button type="submit">Cari</button></form>
<div class="bsh ovh">
<ul class="lsi">
{pages._index_items(items, thumbnails=True)}</ul>
</div>
{paging}"""
    brand = SITES[site].brand
    head = pages._listing_head(
        site, f"Indeks Berita {title_day} - {brand}", pages.index_url(site, day, shown), f"Indeks berita {brand}."
    )
    return pages._document(site, head, main, pages._sidebar(net, site, terkini=False))


def index_page_count(net: BenchNetwork, site: str, day: date) -> int:
    return max(1, -(-len(net.on_date(site, day)) // INDEX_PAGE_SIZE))


def start_urls(net: BenchNetwork) -> list[str]:
    """Where a crawl of the whole generated network starts: homepages, www hubs, every day's index."""
    urls = [pages.home_url(site) for site in net.hosts]
    if "www" in net.hosts:
        urls += [f"{pages.home_url('www')}{section}" for section in DEFAULT_SECTIONS]
    urls += [pages.index_url(site, day) for day in net.index_days() for site in net.hosts]
    return urls


@dataclass(frozen=True)
class Page:
    url: str
    text: str
    content_type: str = "text/html; charset=UTF-8"


def article_pages(net: Network, article: Article) -> Iterator[Page]:
    """The plain URL (page 1), ``?page=all`` and ``?page=2..N`` of one article, as the site serves them."""
    for param in ("1", "all", *(str(n) for n in range(2, article.page_count + 1))):
        text = pages.render_article(net, article, param)
        assert text is not None
        url = article.url if param == "1" else f"{article.url}?page={param}"
        yield Page(url, text)


def listing_pages(net: BenchNetwork, now: datetime) -> Iterator[Page]:
    for site in net.hosts:
        yield Page(f"{pages.home_url(site)}robots.txt", pages.robots_txt(site), "text/plain; charset=UTF-8")
        yield Page(pages.home_url(site), pages.render_home(net, site, now))
        for day in net.index_days():
            for page in range(1, index_page_count(net, site, day) + 1):
                yield Page(pages.index_url(site, day, page), render_index(net, site, day, page))
    if "www" in net.hosts:
        for section in DEFAULT_SECTIONS:
            yield Page(f"{pages.home_url('www')}{section}", pages.render_hub(net, "www", section, now))


def all_pages(net: BenchNetwork, now: datetime) -> Iterator[Page]:
    yield from listing_pages(net, now)
    for article in net.articles:
        yield from article_pages(net, article)


# --- The HTTP cache ---------------------------------------------------------------------------------------


@dataclass
class CacheSummary:
    entries: int = 0
    body_bytes: int = 0
    html_bytes: int = 0


class CacheWriter:
    """Stores responses with Scrapy's own ``FilesystemCacheStorage``, keyed by the project's fingerprinter."""

    def __init__(self, folder: Path, *, compress: bool = True, spider_name: str = "tribun") -> None:
        self.storage = FilesystemCacheStorage(Settings({"HTTPCACHE_DIR": str(folder.resolve())}))
        crawler = SimpleNamespace(request_fingerprinter=TribunRequestFingerprinter())
        self.spider = cast(Spider, SimpleNamespace(name=spider_name, crawler=crawler))
        self.storage.open_spider(self.spider)
        self.compress = compress
        self.summary = CacheSummary()

    def store(self, page: Page, now: datetime) -> None:
        raw = page.text.encode("utf-8")
        headers: dict[str, Any] = {
            "Server": "CloudFront",
            "Date": format_datetime(now, usegmt=True),
            "Content-Type": page.content_type,
            "Vary": "Accept-Encoding",
            "X-Cache": "Miss from cloudfront",
        }
        body = raw
        if self.compress:
            # As the real CDN answers a browser: gzip, so the replay pays for decompression as a crawl would.
            body = gzip.compress(raw, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        response = Response(
            page.url, status=200, headers=headers, body=body, ip_address=IPv4Address("127.0.0.1"), protocol="HTTP/1.1"
        )
        self.storage.store_response(self.spider, Request(page.url), response)
        self.summary.entries += 1
        self.summary.body_bytes += len(body)
        self.summary.html_bytes += len(raw)


def write_cache(
    net: BenchNetwork,
    folder: Path,
    *,
    compress: bool = True,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> CacheSummary:
    """Every response a crawl of ``net`` can ask for, in a Scrapy HTTP cache under ``folder``."""
    moment = now or datetime.now().astimezone()
    writer = CacheWriter(folder, compress=compress)
    for n, page in enumerate(all_pages(net, moment), 1):
        writer.store(page, moment)
        if progress and n % 5000 == 0:
            progress(n)
    return writer.summary
