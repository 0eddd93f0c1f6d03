"""Property-based fuzzing of the article and listing extractors on mutated real-shaped pages (hypothesis).

Every example starts from a real-shaped page (tests/fixtures/articles, tests/fixtures/listings, the real
TribunMadura capture in tests/fixtures/captures) and mutates it the ways unattended crawls meet broken pages:
nodes deleted, duplicated, moved, reordered and renamed; attributes made huge or hostile (off-network,
``javascript:``, unparseable URLs, page numbers in the billions); JSON-LD values of every JSON type and
nonsense dates; then, on the bytes, truncation, windows-1252 bytes in a UTF-8 page, invalid UTF-8, BOMs and
NULs, under a right, wrong, unknown or missing charset.

Properties: the extractors never raise; every ArticleItem field has its declared type and the item goes
through the JSONL exporter the feed uses; every URL an extractor hands the spider (article, related, paging,
listing entries) is of the page type it claims and inside the network.

The runs are deterministic (``derandomize=True``, no example database) and bounded (``max_examples``), so CI
sees the same examples every time. Each crash they found is a plain test in tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import copy
import html
import io
import json
import os
import re
import types
import typing
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.exporters import JsonLinesItemExporter
from scrapy.http import HtmlResponse
from scrapy.utils.httpobj import urlparse_cached

from tribun_crawler.extractors.article import ArticlePage
from tribun_crawler.extractors.listing import ListingEntry, ListingPage
from tribun_crawler.items import ArticleItem
from tribun_crawler.sites import site_key
from tribun_crawler.urls import PageType, classify_url

TESTS = Path(__file__).resolve().parent
ARTICLES = TESTS / "fixtures" / "articles"
LISTINGS = TESTS / "fixtures" / "listings"
MADURA_HOMEPAGE = TESTS / "fixtures" / "captures" / "madura-homepage-2024-01-23.html"

#: Examples per property: enough to reach every fixture and mutation many times, about 20 s in all.
FUZZ = settings(
    max_examples=int(os.environ.get("TRIBUN_FUZZ_EXAMPLES", "250")),
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# --- The corpus ----------------------------------------------------------------------------------------------


def _article_pages() -> list[tuple[str, bytes]]:
    pages = []
    for path in sorted(ARTICLES.glob("*.html")):
        html = path.read_bytes()
        match = re.match(rb"<!-- url: (\S+) -->", html)
        assert match, f"{path.name} must start with its URL comment"
        pages.append((match.group(1).decode(), html))
    return pages


def _listing_pages() -> list[tuple[str, bytes]]:
    pages = [
        (json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["url"], path.read_bytes())
        for path in sorted(LISTINGS.glob("*.html"))
    ]
    assert MADURA_HOMEPAGE.is_file(), f"real capture missing: {MADURA_HOMEPAGE}"
    pages.append(("https://madura.tribunnews.com/", MADURA_HOMEPAGE.read_bytes()))
    return pages


ARTICLE_PAGES = _article_pages()
LISTING_PAGES = _listing_pages()
# A URL's shape decides which extractor reads a response, not its content: each also meets the other kind.
ARTICLE_CORPUS = ARTICLE_PAGES + [(ARTICLE_PAGES[0][0], html) for _, html in LISTING_PAGES[:2]]
LISTING_CORPUS = LISTING_PAGES + [(LISTING_PAGES[0][0], html) for _, html in ARTICLE_PAGES[:2]]
CORPORA = {"articles": ARTICLE_CORPUS, "listings": LISTING_CORPUS}

# --- Hostile values ------------------------------------------------------------------------------------------

HOSTILE_HREFS = (
    "javascript:alert(document.cookie)",
    "mailto:redaksi@tribunnews.com",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "//www.kompas.com/2024/06/20/kpk-periksa-tiga-saksi",
    "https://www.tribunnews.com.evil.example/nasional/2024/06/20/kpk-periksa-tiga-saksi",
    "https://evil.example/nasional/2024/06/20/kpk?u=https://www.tribunnews.com/nasional/2024/06/20/x",
    "https://evil.example@www.tribunnews.com/nasional/2024/06/20/userinfo",
    "https://www.tribunnews.com@evil.example/nasional/2024/06/20/userinfo",
    "https://www.tribunnews.com\\@evil.example/nasional/2024/06/20/backslash",
    "https:\\\\evil.example\\2024\\06\\20\\backslash",
    "https://www.tribunnews.com:99999/nasional/2024/06/20/bad-port",
    "https://www.tribunn\u0435ws.com/nasional/2024/06/20/cyrillic-e",
    "https://WWW.TRIBUNNEWS.COM./NASIONAL/2024/06/20/Upper-Case",
    "ftp://www.tribunnews.com/nasional/2024/06/20/ftp",
    "http://[::1/nasional/2024/06/20/broken-ipv6",
    "http://[www.tribunnews.com]/nasional/2024/06/20/bracketed",
    "https://video.tribunnews.com/view/123456/video",
    "https://www.tribunnews.com/tag/kpk",
    "https://www.tribunnews.com/ajax/latest?page=2",
    "https://www.tribunnews.com/nasional/2024/06/20/../../../../robots.txt",
    "https://www.tribunnews.com/nasional/7731367/x?page=\u00b2",
    "https://www.tribunnews.com/index-news?date=2024-6-20&page=\u00b2",
    "https://www.tribunnews.com/index-news?date=2024-6-20&page=99999999999999999999999",
    "2024/06/20/relatif-tanpa-garis-miring",
    "?page=3",
    "#komentar",
    "",
    " \t\n ",
)
HUGE_VALUES = (
    "a" * 200_000,
    "side-article txt-article " * 5_000,
    "https://www.tribunnews.com/" + "nasional/" * 20_000 + "2024/06/20/x",
    "https://www.tribunnews.com/nasional/2024/06/20/" + "slug-" * 40_000,
    "page-" + "9" * 5_000,
    "Halaman 1/" + "9" * 400,
    "2024-06-20 17:01:36" * 5_000,
)
ODD_TEXT = (
    "Halaman 1/99999999999",
    "Halaman 1/\u00b2",
    "Halaman \u0661/\u0663",
    "Tayang: Senin, 31 Februari 2024 25:61 WIB",
    "Kamis, 20 Juni 0000 08:15 WIB",
    "Kamis, 20 Juni 2024 08:15 XYZ+99:99",
    "2024-06-20T08:15:00+99:00",
    "Penulis: | Editor: ||| ,,,",
    "Penulis: Tribunnews.com | Editor: TribunJateng.com",
    "Artikel ini telah tayang di TribunJateng.com dengan judul x, http://[broken",
    "Baca juga: \u202e\u200b\ufeff",
    "Berita Terkait",
    "\u0000".join("NUL"),
)
#: Bytes spliced into the serialised page: windows-1252 quotes and letters, invalid and overlong UTF-8, an
#: encoded surrogate, BOMs, NULs, markup cut in half, numeric references to nothing.
ODD_BYTES = (
    b"\x00",
    b"\x00" * 64,
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x93Jakarta\x94 \x96 Caf\xe9",
    b"\xc3(",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\r",
    b"<",
    b"</script>",
    b"<!--",
    b"<![CDATA[",
    b"&#0;&#xD800;&#1114112;&#99999999999;",
    b'<script type="application/ld+json">{"@type":"NewsArticle","headline":"\\ud800"}</script>',
)
CONTENT_TYPES = (
    None,
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=windows-1252",
    "text/html; charset=iso-8859-1",
    "text/html; charset=utf-16",
    "text/html; charset=x-no-such-charset",
    "text/html; charset=",
    "application/octet-stream",
)
ATTRIBUTES = ("class", "id", "href", "title", "datetime", "content", "rel", "src", "property", "name")
TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "span", "time", "a", "li", "ul", "script", "strong", "body")
JSON_LD_KEYS = (
    "@type",
    "@graph",
    "headline",
    "description",
    "datePublished",
    "dateModified",
    "author",
    "editor",
    "image",
    "articleSection",
    "keywords",
    "isAccessibleForFree",
    "inLanguage",
    "itemListElement",
    "position",
    "item",
    "name",
    "url",
    "caption",
)

_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(HOSTILE_HREFS + ODD_TEXT + ("\u00b2", "NewsArticle", "Person", "BreadcrumbList"))
)
JSON_VALUES = st.recursive(
    _SCALAR,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(JSON_LD_KEYS), children),
    max_leaves=12,
)
DATES = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:00{}".format,
    st.integers(1899, 2100),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.sampled_from(("", "Z", "+07:00", "+08:00", "+09:00", "-12:00", "+14:00", "+23:59", "+24:00", "+99:99")),
)
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40) | st.sampled_from(ODD_TEXT[:-1])

# --- Mutations -----------------------------------------------------------------------------------------------


def _elements(root: Any) -> list[Any]:
    return [element for element in root.iter() if isinstance(element.tag, str)]


#: Where the extractors look: links, meta tags, dates, credits, paging, the body and JSON-LD. Half the mutations
#: land on one of these, so they are not lost among the page's hundreds of layout divs.
_READ_NODES = (
    "//a | //link | //meta | //time | //script[@type='application/ld+json'] | //base | //*[@id] | //span[@class]"
    " | //div[contains(@class, 'side-article')]//p | //ul/li | //h1 | //h2 | //h3 | //h4 | //h5"
)


def _pick(draw: st.DrawFn, root: Any) -> Any:
    elements = root.xpath(_READ_NODES) if draw(st.booleans()) else []
    elements = elements or _elements(root)
    return elements[draw(st.integers(0, len(elements) - 1))]


def _delete(draw: st.DrawFn, root: Any) -> None:
    element = _pick(draw, root)
    if element.getparent() is not None:
        element.drop_tree()


def _duplicate(draw: st.DrawFn, root: Any) -> None:
    element = _pick(draw, root)
    parent = element.getparent()
    if parent is not None:
        for _ in range(draw(st.integers(1, 3))):
            parent.insert(parent.index(element) + 1, copy.deepcopy(element))


def _move(draw: st.DrawFn, root: Any) -> None:
    element = _pick(draw, root)
    target = _pick(draw, root)
    if element.getparent() is None or any(node is element for node in target.iterancestors()) or target is element:
        return
    element.getparent().remove(element)
    target.insert(draw(st.integers(0, len(target))), element)


def _reorder(draw: st.DrawFn, root: Any) -> None:
    element = _pick(draw, root)
    children = list(element)
    if len(children) > 1:
        for child in children:
            element.remove(child)
        for child in draw(st.permutations(children)):
            element.append(child)


def _rename(draw: st.DrawFn, root: Any) -> None:
    element = _pick(draw, root)
    if element.getparent() is not None:
        element.tag = draw(st.sampled_from(TAGS))


def _attribute(draw: st.DrawFn, root: Any) -> None:
    element = _pick(draw, root)
    value = draw(st.sampled_from(HUGE_VALUES) | st.sampled_from(HOSTILE_HREFS) | TEXT)
    element.set(draw(st.sampled_from(ATTRIBUTES)), value)


def _text(draw: st.DrawFn, root: Any) -> None:
    element = _pick(draw, root)
    value = draw(TEXT | st.sampled_from(HUGE_VALUES))
    if draw(st.booleans()):
        element.text = value
    elif element.getparent() is not None:
        element.tail = value


def _json_ld(draw: st.DrawFn, root: Any) -> None:
    scripts = root.xpath('//script[@type="application/ld+json"]')
    if not scripts:
        return
    script = scripts[draw(st.integers(0, len(scripts) - 1))]
    try:
        data = json.loads(script.text or "", strict=False)
    except json.JSONDecodeError:
        data = {}
    targets = _json_objects(data) or [data]
    target = targets[draw(st.integers(0, len(targets) - 1))]
    if isinstance(target, dict):
        # Mostly a property the page has, given a value of another type; else any property, any value.
        if target and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(target)))
            target[key] = draw(_confused(target[key]))
        else:
            target[draw(st.sampled_from(JSON_LD_KEYS))] = draw(JSON_VALUES | DATES)
        text = json.dumps(data, ensure_ascii=draw(st.booleans()))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(data)  # a lone surrogate can only be written as a \u escape
    else:
        text = json.dumps(draw(JSON_VALUES))
    if draw(st.integers(0, 4)) == 0:  # a script cut short
        text = text[: draw(st.integers(0, len(text)))]
    script.text = text


def _confused(value: Any) -> st.SearchStrategy[Any]:
    """Values of other JSON types standing in for ``value``, or ``value`` grown huge or nested."""
    return (
        st.sampled_from(
            (
                None,
                True,
                0,
                -1,
                1.5,
                float("nan"),
                "",
                "\u00b2",
                "9" * 5_000,
                "\ud800",
                [],
                {},
                [value],
                [value, value],
                {"@id": value},
                {"name": value, "url": value},
                {"@type": "Person", "name": value},
                str(value) * 1_000,
            )
        )
        | DATES
    )


def _json_objects(data: Any) -> list[Any]:
    found = []
    if isinstance(data, dict):
        found.append(data)
        for value in data.values():
            found.extend(_json_objects(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_json_objects(value))
    return found


#: Page numbers as paging blocks could print them: real, negative, huge, not ASCII, longer than int() takes.
PAGE_NUMBERS = st.integers(-3, 12).map(str) | st.sampled_from(
    ("99999999999", "1000000", "\u00b2", "\u0663", "9" * 5_000, "", "all", "1e9")
)


def _inject(draw: st.DrawFn, root: Any) -> None:
    """A node of the kind the extractors read (paging, "Baca juga", related block, footer, card, credit, date,
    base URL), with hostile values, inserted anywhere in the page."""
    number = draw(PAGE_NUMBERS)
    href = html.escape(draw(st.sampled_from(HOSTILE_HREFS) | st.just(f"?page={number}") | TEXT), quote=True)
    text = html.escape(draw(TEXT), quote=True)
    markup = draw(
        st.sampled_from(
            (
                f'<span class="total-page">Halaman 1/{number}</span>',
                f'<a rel="page-{number}" href="?page={number}">{number}</a>',
                f'<div class="paging"><a href="?page={number}">{number}</a><a href="{href}">Next</a></div>',
                f'<p class="baca">Baca juga: <a href="{href}">{text}</a></p>',
                f'<div><h3>Berita Terkait</h3><ul><li><a href="{href}">{text}</a></li></ul></div>',
                f'<p>Artikel ini telah tayang di <a href="{href}">TribunJateng.com</a> dengan judul {text}, {href}</p>',
                f'<ul id="latestul"><li class="art-list"><h3><a href="{href}">{text}</a></h3>'
                f'<time class="timeago" title="{text}">{text}</time></li></ul>',
                f'<ul class="lsi"><li class="ptb15"><h3><a href="{href}">{text}</a></h3></li></ul>',
                f'<div id="penulis">Penulis: <a href="{href}">{text}</a> | Editor: {text}</div>',
                f'<time datetime="{text}">{text}</time>',
                f'<base href="{href}">',
                f'<link rel="canonical" href="{href}">',
                f'<meta property="og:url" content="{href}">',
                f'<meta property="og:image" content="{href}">',
            )
        )
    )
    target = _pick(draw, root)
    for node in lxml.html.fragments_fromstring(markup):
        if isinstance(node, str):
            target.text = (target.text or "") + node
        else:
            target.insert(draw(st.integers(0, len(target))), node)


TREE_MUTATIONS = (_delete, _duplicate, _move, _reorder, _rename, _attribute, _text, _json_ld, _inject, _inject)


def _splice_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    how = draw(st.sampled_from(("none", "truncate", "insert", "bom", "cp1252", "utf-16", "charset-meta")))
    if how == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if how == "insert":
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from(ODD_BYTES)) + data[at:]
        return data
    if how == "bom":
        return draw(st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))) + data
    if how == "cp1252":  # the page really is windows-1252 (or was saved so): what cannot be written becomes "?"
        return data.decode("utf-8", "replace").encode("cp1252", "replace")
    if how == "utf-16":
        return data.decode("utf-8", "replace").encode("utf-16")
    if how == "charset-meta":
        charset = draw(st.sampled_from(("windows-1252", "utf-16", "x-unknown", "utf-7", "")))
        return f'<meta charset="{charset}">'.encode() + data
    return data


@st.composite
def mutated_pages(draw: st.DrawFn, corpus: str) -> HtmlResponse:
    url, page = draw(st.sampled_from(CORPORA[corpus]))
    root = lxml.html.document_fromstring(page)
    for _ in range(draw(st.integers(0, 6))):
        draw(st.sampled_from(TREE_MUTATIONS))(draw, root)
    data = _splice_bytes(draw, lxml.html.tostring(root, encoding="utf-8"))
    note(f"page as served ({len(data)} bytes): {data[:3000]!r}")
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse(url=url, body=data, headers=headers)


# --- Checks --------------------------------------------------------------------------------------------------

ITEM_TYPES = typing.get_type_hints(ArticleItem)


def conforms(value: Any, hint: Any) -> bool:
    """``value`` is of the type ``hint`` names (the unions, lists and TypedDicts ArticleItem uses)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is list:
        (inner,) = typing.get_args(hint)
        return isinstance(value, list) and all(conforms(v, inner) for v in value)
    if typing.is_typeddict(hint):
        hints = typing.get_type_hints(hint)
        return isinstance(value, dict) and set(value) == set(hints) and all(conforms(value[k], hints[k]) for k in hints)
    if hint is int:
        return type(value) is int
    if hint is bool:
        return type(value) is bool
    if hint is str:
        return type(value) is str
    raise AssertionError(f"no check for {hint!r}")


def on_network(url: str) -> bool:
    """The URL is http(s) on a host of the network, as both urllib and Scrapy's request read it."""
    parts = urlparse_cached(Request(url))
    return parts.scheme in ("http", "https") and site_key(parts.hostname) is not None


def assert_article_url(url: str) -> None:
    assert type(url) is str
    assert classify_url(url) is PageType.ARTICLE, url
    assert on_network(url), url


def assert_well_typed(item: ArticleItem) -> None:
    assert isinstance(item, ArticleItem)
    for field in fields(ArticleItem):
        value = getattr(item, field.name)
        assert conforms(value, ITEM_TYPES[field.name]), (field.name, value)
    # The feed's own exporter: a lone surrogate or any unencodable value would kill the run at write time.
    buffer = io.BytesIO()
    exporter = JsonLinesItemExporter(buffer, encoding="utf-8", ensure_ascii=False)
    exporter.export_item(item)
    assert json.loads(buffer.getvalue().decode("utf-8"))["url"] == item.url


def check_article_page(page: ArticlePage) -> None:
    item = page.to_item()
    assert_well_typed(item)
    assert_article_url(item.url)
    assert 1 <= item.pageCount <= 50
    for url in item.relatedUrls:
        assert_article_url(url)
    if item.isBasedOn is not None:
        assert_article_url(item.isBasedOn)
    for moment in (item.datePublished, item.dateModified):
        # The spider compares datePublished with its date window.
        assert moment is None or datetime.fromisoformat(moment).utcoffset() is not None
    assert page.problem() in (None, "no-headline", "no-body")
    assert isinstance(page.isAllPages(), bool)
    for url in page.pageUrls():
        assert_article_url(url)
    assert_well_typed(page.to_item([page]))


def check_listing_page(page: ListingPage) -> None:
    own_site = site_key(urlparse_cached(page.response).hostname)
    for entry in page.articleEntries():
        assert type(entry) is ListingEntry
        assert_article_url(entry.url)
        assert entry.title is None or (type(entry.title) is str and entry.title)
        assert entry.published is None or (
            type(entry.published) is datetime and entry.published.utcoffset() is not None
        )
    for url in page.nextPageUrls():
        assert classify_url(url) in (PageType.INDEX, PageType.ARCHIVE), url
        assert on_network(url)
        assert site_key(urlparse_cached(Request(url)).hostname) == own_site
    oldest = page.oldestPublished()
    assert oldest is None or (type(oldest) is datetime and oldest.utcoffset() is not None)


# --- Properties ----------------------------------------------------------------------------------------------


def test_the_corpus_is_every_fixture_and_the_real_capture() -> None:
    assert len(ARTICLE_PAGES) == len(list(ARTICLES.glob("*.html"))) >= 11
    assert len(LISTING_PAGES) == len(list(LISTINGS.glob("*.html"))) + 1 >= 6
    assert all(classify_url(url) is PageType.ARTICLE for url, _ in ARTICLE_PAGES)
    assert all(classify_url(url) is not PageType.ARTICLE for url, _ in LISTING_PAGES)


def test_unmutated_pages_pass_the_checks() -> None:
    # The checks hold on the pages as they are, so a failure below is the mutation's doing.
    for url, page in ARTICLE_CORPUS:
        check_article_page(ArticlePage(HtmlResponse(url=url, body=page)))
    for url, page in LISTING_CORPUS:
        check_listing_page(ListingPage(HtmlResponse(url=url, body=page)))


@FUZZ
@given(response=mutated_pages("articles"))
def test_article_extractor_survives_mutated_pages(response: HtmlResponse) -> None:
    check_article_page(ArticlePage(response, downloaded_at=datetime(2026, 7, 24, 5, 40, 5)))


@FUZZ
@given(response=mutated_pages("listings"))
def test_listing_extractor_survives_mutated_pages(response: HtmlResponse) -> None:
    check_listing_page(ListingPage(response))


@FUZZ
@given(
    url=st.sampled_from([url for url, _ in LISTING_PAGES]),
    hrefs=st.lists(st.sampled_from(HOSTILE_HREFS) | TEXT, min_size=1, max_size=8),
    where=st.sampled_from(("heading", "thumbnail", "paging")),
)
def test_listing_never_returns_a_url_outside_the_network(url: str, hrefs: list[str], where: str) -> None:
    # Every link kind a listing reads, in the containers it reads them from, pointing anywhere at all.
    cards = {
        "heading": '<ul class="lsi"><li class="ptb15"><h3><a href="{}">Judul berita</a></h3>'
        '<time class="grey">Kamis, 20 Juni 2024 08:15 WIB</time></li></ul>',
        "thumbnail": '<ul id="latestul"><li class="p1520 art-list"><a href="{}" title="Judul"><img src="x.jpg"></a>'
        '<time class="foot timeago" title="2024-01-23 17:01:36">32 menit lalu</time></li></ul>',
        "paging": '<div id="paginga"><div class="paging"><a href="{}">2</a></div></div>',
    }
    markup = "".join(cards[where].format(html.escape(href, quote=True)) for href in hrefs)
    response = HtmlResponse(url=url, body=f"<html><body>{markup}</body></html>".encode(), encoding="utf-8")
    check_listing_page(ListingPage(response))
