"""HTML, robots.txt and sitemaps of the replica network, shaped after docs/site.md and the real TribunMadura
homepage capture (``tests/fixtures/captures/madura-homepage-2024-01-23.html``).

Every page carries the chrome a real page has around its content: menu, ad slots, load-more script, trap links
(tag, topic, search, member, video host, image CDN), and on articles the ``#boxright_fix`` sidebars. The
renderers take the :class:`~tests.replica.network.Network` and return text; they do no I/O.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape
from urllib.parse import urlsplit

from tests.replica.network import (
    DAYS,
    HEADLINE_VARIANT,
    INDEX_PAGE_SIZE,
    MONTHS,
    SECTIONS,
    Ad,
    Article,
    Baca,
    Block,
    BodyList,
    Era,
    Figure,
    Heading,
    Lines,
    ListItem,
    Network,
    Person,
    Quote,
    Table,
    article_traps,
    listing_topic_url,
    long_date,
    site_traps,
    slugify,
    tag_href,
    visible_date,
    wrapper_url,
)
from tribun_crawler.sites import SITES, site_key

__all__ = ["DAYS", "MONTHS", "long_date"]  # re-exported: listings and the benchmark format dates with them


def short_iso(value: datetime) -> str:
    """``2026-07-24T12:40+07:00``: the ``time[datetime]`` of the 2026 template."""
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%dT%H:%M}{offset[:3]}:{offset[3:]}"


def relative_time(value: datetime, now: datetime) -> str:
    """ "32 menit lalu", as listings print next to ``time.timeago[title]``."""
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "baru saja"
    if seconds < 3600:
        return f"{int(seconds // 60)} menit lalu"
    if seconds < 86400:
        return f"{int(seconds // 3600)} jam lalu"
    return f"{int(seconds // 86400)} hari lalu"


def index_date(day: date) -> str:
    """The ``date`` parameter of the daily index, without zero padding: ``2024-6-20``."""
    return f"{day.year}-{day.month}-{day.day}"


def home_url(site: str) -> str:
    return SITES[site].home


def index_url(site: str, day: date, page: int = 1, section: str | None = None) -> str:
    path = f"/index-news/{section}" if section else "/index-news"
    query = f"date={index_date(day)}" + (f"&page={page}" if page > 1 else "")
    return f"https://{SITES[site].host}{path}?{query}"


def _thumbnail(article: Article) -> str:
    return article.image.replace("/images/", "/thumbnails2/")


def _topic_link(article: Article) -> str:
    """The topic link of a listing item, empty for an article without a topic."""
    url = listing_topic_url(article)
    return _a(url, article.topic) if url else ""


# --- Chrome -------------------------------------------------------------------------------------------------


def _document(site: str, head: str, main: str, right: str = "") -> str:
    brand = SITES[site].brand
    traps = site_traps(site)
    home = home_url(site)
    sections = "".join(
        f'<li class="nw "><a href="{home}{slug}" title="{escape(name)}">{escape(name)}</a></li>\n'
        for slug, name in SECTIONS.get(site, ())
    )
    index_link = f"{home}index-news" if site == "www" else f"{home}indeks"
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>
</head>
<body>
<div id="header" class="pos_rel">
<a href="{home}" class="logo" title="{escape(brand)}">{escape(brand)}</a>
<div class="fr pt10"><a href="{escape(traps["search"])}" title="Cari">Cari</a>
<a href="{escape(traps["member"])}" rel="nofollow" title="Masuk">Masuk</a>
<a href="{escape(traps["account"])}" rel="nofollow" title="Daftar">Daftar</a></div>
</div>
<div id="fixposmenu"></div>
<div class="main-menu" id="main-menu" style="z-index:9;margin-top:0px">
<div>
<ul>
<li ><a href="{home}" title="Home">Home</a></li>
{sections}<li><a href="{escape(traps["video-host"])}" target="_blank" title="Video">Video</a></li>
<li><a href="#" title="images">Lainnya</a>
<ul>
<li><a href="{index_link}" title="Indeks Berita">Indeks Berita</a></li>
<li><a href="{escape(traps["indeks-az"])}" title="Indeks A-Z">Indeks A-Z</a></li>
</ul>
</li>
</ul>
</div>
</div>
<div class="cl2"></div>
<div class="content">
<div class="fl w677">
{main}
</div>
{right}
</div>
<div class="cl2"></div>
<div id="footer" class="ac pa20 grey">&copy; {escape(brand)}. All Right Reserved</div>
</body>
</html>
"""


def _a(href: str, text: str, css: str = "") -> str:
    """A link as the pages write them: escaped href, class when given, title repeating the text."""
    cls = f' class="{css}"' if css else ""
    return f'<a href="{escape(href)}"{cls} title="{escape(text)}">{escape(text)}</a>'


def _ad_slot(name: str) -> str:
    return (
        f"<div id='div-{name}'>\n<script type='text/javascript'>\n"
        f"googletag.cmd.push(function() {{ googletag.display('div-{name}'); }});\n</script>\n</div>"
    )


def _load_more_script(site: str) -> str:
    ajax = site_traps(site)["ajax"]
    return f"""<script type="text/javascript">
var $ = jQuery.noConflict();
$(document).ready(function() {{
	$(window).scroll(function() {{
		var getLast = parseInt($("#latestul li").last().attr("data-sort"));
		var cekLast = parseInt($("#latestul").attr("last"));
		if(!cekLast) cekLast = 0;
		if(getLast < 500 && getLast > cekLast ) {{
			$("#latestul").attr("last",getLast);
			$.getJSON("{ajax}", {{start: getLast,img: 'thumb2',icon: '1'}}, function(data) {{
				$.each(data.posts, function(key, val) {{
					$("#latestul").append("<li class='p1520 art-list pos_rel'><h3><a href='"+val.url+"'>"
						+val.title+"</a></h3></li>");
				}});
			}});
		}}
	}});
}});
</script>"""


def _sidebar(net: Network, site: str, *, terkini: bool) -> str:
    """The right column: "Berita Terkini" (articles only), "Berita Populer", video and photo boxes."""
    bar = net.sidebar(site)
    traps = site_traps(site)
    boxes = []
    if terkini and bar.terkini:
        items = "".join(
            f'<li class="pa15 bb1"><h3 class="f15 ln20 fbo2"><a href="{escape(net.href(key, kind))}" '
            f'title="{escape(net.article(key).headline)}">{escape(net.article(key).headline)}</a></h3>'
            f'<time class="grey f12">{long_date(net.article(key).published)}</time></li>\n'
            for key, kind in bar.terkini
        )
        boxes.append(
            f'<div class="mb20 bsh bgwhite terkini"><div class="pa15 bb1"><h3 class="f20 fbo2">'
            f'<a href="{home_url(site)}{"index-news" if site == "www" else "indeks"}" title="Berita Terkini">'
            f"Berita Terkini</a></h3></div>\n<ul>\n{items}</ul></div>"
        )
    if bar.populer:
        items = "".join(
            f'<li class="pa15"><span class="numbering fl f20 red">{n}</span><div class="ml30">'
            f'<h4 class="f15">{_a(net.href(key, kind), net.article(key).headline)}</h4></div></li>\n'
            for n, (key, kind) in enumerate(bar.populer, 1)
        )
        boxes.append(
            f'<div class="mb20 bsh bgwhite populer"><div class="pa15 bb1"><h3 class="f20 fbo2">Berita Populer'
            f"</h3></div>\n<ul>\n{items}</ul></div>"
        )
    boxes.append(
        f'<div class="mb20"><h3 class="f20 fbo2">Video</h3><a href="{escape(traps["video-path"])}" '
        'title="Cuplikan Banjir Rob di Pesisir Utara">Cuplikan Banjir Rob di Pesisir Utara</a></div>'
    )
    boxes.append(
        f'<div class="mb20"><h3 class="f20 fbo2">Foto</h3><a href="{escape(traps["foto"])}" '
        'title="Galeri Festival Budaya">Galeri Festival Budaya</a></div>'
    )
    boxes.append(f'<div class="mb20">{_ad_slot("Right-MediumRectangle")}</div>')
    return '<div class="fr w300" id="boxright">\n<div id="boxright_fix">\n' + "\n".join(boxes) + "\n</div>\n</div>"


# --- Listings -----------------------------------------------------------------------------------------------


def _latest_item(article: Article, n: int, now: datetime) -> str:
    """One ``li.art-list`` of ``#latestul``, verbatim in shape from the TribunMadura capture."""
    h = escape(article.headline)
    relative = escape(article.path.lstrip("/"))  # the real pages link thumbnails without a leading slash
    hub = f"https://{article.host}/{article.section}"
    local = article.published.astimezone(article.tz)
    return f"""<li class="p1520 art-list pos_rel" data-sort="{n}">
<div class="fr mt5 pos_rel">
<a href="{relative}" title="{h}">
<img src="{escape(_thumbnail(article))}" class="shou2 bgwhite" height="90" width="120" alt="{h}" />
</a>
</div>
<div class='mr140'>
<h4 class="fbo2 f14 red">
{_topic_link(article)}
</h4>
<h3>
<a href="{escape(article.url)}" title="{h}" class="f20 ln24 fbo txt-oev-2">
{h} </a>
</h3>
<div class="grey2 pt5 f13 ln18 txt-oev-2">{escape(article.description)}</div>
<div class="pt5 grey">
<span>
<a href="{hub}" title="{escape(article.section_name)}" class="fbo2 tsa-2">{escape(article.section_name)}</a>
</span>
<span class="fa fa-clock-o mr5 ml7"></span>
<time class="foot timeago" title="{local:%Y-%m-%d %H:%M:%S}">{relative_time(article.published, now)} </time>
</div>
<div class="sharecot pos_abs nw" data-href="{escape(article.url)}" data-title="{h}"></div>
</div>
<div class="cl2"></div>
</li>
"""


def _native_ad(n: int) -> str:
    return (
        f'<li class="reserved_box_ads reserved_box_5 pos_rel p1520 nativeads">\n'
        f"{_ad_slot(f'NativeAds-Latest-{n}')}\n</li>\n"
    )


def _latest_list(articles: list[Article], now: datetime) -> str:
    items = [_native_ad(1)]
    for n, article in enumerate(articles, 1):
        items.append(_latest_item(article, n, now))
        if n == 3:
            items.append(_native_ad(2))
    return '<div class="bsh ovh">\n<div class="lsi">\n<ul id="latestul">\n' + "".join(items) + "</ul>\n</div>\n</div>"


def _headline_slider(net: Network, articles: list[Article]) -> str:
    slides = []
    for n, article in enumerate(articles[:2]):
        href = net.href(article.key, HEADLINE_VARIANT) if n == 0 else article.url
        h = escape(article.headline)
        slides.append(f"""<div class="pos_abs">
<div class="pos_abs ovh hlover" >
<div class="cl2">&nbsp;</div>
<h4 class="hlover_topix f16 red">
{_topic_link(article)}
</h4>
<div class="pt5"></div>
<h2 class="hlover_title">
<a href="{escape(href)}" title="{h}" class="txt-oev-2">{h} </a>
</h2>
</div>
<a style="display:block" href="{escape(href)}" title="{h}">
<img src='{escape(article.image)}' height='365' width='650' style='width:100%;height:auto' class='al'
 alt='{h}' />
</a>
</div>""")
    return (
        '<div class="ovh" id="headline">\n<div id="slideshow" class="clsslide" style="z-index:0">\n'
        + "\n".join(slides)
        + '\n</div>\n</div>\n<div class="cl2"></div>'
    )


def _listing_head(site: str, title: str, url: str, description: str) -> str:
    brand = SITES[site].brand
    return (
        f"<title>{escape(title)}</title>\n"
        f'<meta name="description" content="{escape(description)}">\n'
        f'<link rel="canonical" href="{escape(url)}">\n'
        f'<meta property="og:site_name" content="{escape(brand)}">\n'
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<meta property="og:url" content="{escape(url)}">\n'
        f'<meta property="og:type" content="website">'
    )


def render_home(net: Network, site: str, now: datetime) -> str:
    brand = SITES[site].brand
    latest = net.latest(site)
    traps = site_traps(site)
    home = home_url(site)
    index_link = f"{home}index-news" if site == "www" else f"{home}indeks"
    left = f"""<div class="fl w160 mr20" id="boxleft">
<div id="popsec" >
<div class="tsa2">
<div class="mb10"><div class="reserved_box_ads reserved_box_3">{_ad_slot("Left-WideSkyscraper")}</div></div>
<div class="pb10 ar"><a class="ac fbo2" href="{index_link}" title="Indeks Berita">Indeks Berita</a></div>
<div class="pb10 ar">{_a(traps["indeks-az"], "Indeks A-Z", "ac fbo2")}</div>
</div>
</div>
</div>"""
    main = (
        f'{left}\n<div class="fl w502">\n{_headline_slider(net, latest) if latest else ""}\n'
        f"{_load_more_script(site)}\n{_latest_list(latest, now)}\n</div>"
    )
    head = _listing_head(site, f"{brand} - Berita Terkini Hari Ini", home, f"Berita terkini dari {brand}.")
    return _document(site, head, main, _sidebar(net, site, terkini=False))


def render_hub(net: Network, site: str, section: str, now: datetime) -> str:
    """A section hub: the section's latest articles, same ``#latestul`` shape as the homepage."""
    brand = SITES[site].brand
    name = dict(SECTIONS[site])[section]
    url = f"{home_url(site)}{section}"
    main = (
        f'<h1 class="f30 fbo2 pb10">{escape(name)}</h1>\n{_load_more_script(site)}\n'
        f"{_latest_list(net.latest(site, section), now)}"
    )
    head = _listing_head(site, f"Berita {name} Terbaru Hari Ini - {brand}", url, f"Berita {name} terbaru.")
    return _document(site, head, main, _sidebar(net, site, terkini=False))


def _paging_links(url_for_page: Callable[[int], str], page: int, last: int) -> str:
    links = []
    for n in range(1, last + 1):
        css = ' class="active"' if n == page else ""
        links.append(f'<a href="{escape(url_for_page(n))}"{css}>{n}</a>')
    if page < last:
        links.append(f'<a href="{escape(url_for_page(page + 1))}" class="next">Next</a>')
    return "\n".join(links)


def _index_items(articles: list[Article], *, thumbnails: bool) -> str:
    items = []
    for article in articles:
        h = escape(article.headline)
        thumb = (
            f'<div class="fr mt5 ml15 pos_rel"><a href="{escape(article.url)}" title="{h}">'
            f'<img src="{escape(_thumbnail(article))}" width="120" height="90" alt="{h}"></a></div>\n'
            if thumbnails
            else ""
        )
        items.append(f"""<li class="ptb15">
{thumb}<h4 class="f14 red fbo2">{_topic_link(article)}</h4>
<h3 class="f18 ln24 fbo"><a href="{escape(article.url)}" title="{h}">{h}</a></h3>
<div class="grey2 pt5 f13 ln18">{escape(article.description)}</div>
<time class="grey">{long_date(article.published)}</time>
</li>
""")
    return "".join(items)


def _page_slice(articles: list[Article], page: int) -> tuple[list[Article], int, int]:
    """Items of one listing page, the page shown and the last page; past the end the last page repeats."""
    last = max(1, -(-len(articles) // INDEX_PAGE_SIZE))
    shown = min(max(page, 1), last)
    start = (shown - 1) * INDEX_PAGE_SIZE
    return articles[start : start + INDEX_PAGE_SIZE], shown, last


def render_index(net: Network, site: str, day: date, page: int, section: str | None = None) -> str:
    """The daily index ``/index-news?date=2024-6-20``: ``ul.lsi > li.ptb15``, paging in ``div#paginga``."""
    brand = SITES[site].brand
    items, shown, last = _page_slice(net.on_date(site, day, section), page)
    paging = ""
    if last > 1:
        links = _paging_links(lambda n: index_url(site, day, n, section), shown, last)
        paging = f'<div id="paginga" class="mt20 ac">\n<div class="paging">\n{links}\n</div>\n</div>'
    title_day = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    main = f"""<h1 class="f20 fbo2 pb10">Indeks Berita {escape(title_day)}</h1>
<form method="get" class="mb20"><select name="date">
<option value="{index_date(day)}">{escape(title_day)}</option></select>
<button type="submit">Cari</button></form>
<div class="bsh ovh">
<ul class="lsi">
{_index_items(items, thumbnails=True)}</ul>
</div>
{paging}"""
    url = index_url(site, day, shown, section)
    head = _listing_head(site, f"Indeks Berita {title_day} - {brand}", url, f"Indeks berita {brand}.")
    return _document(site, head, main, _sidebar(net, site, terkini=False))


def render_archive(net: Network, site: str, year: int, month: int, page: int) -> str:
    """The monthly archive ``/{yyyy}/{m}?page=N``: ``ul li.ptb15 h3 a``, paging in ``div.paging``."""
    brand = SITES[site].brand
    items, shown, last = _page_slice(net.in_month(site, year, month), page)
    base = f"{home_url(site)}{year}/{month}"
    links = _paging_links(lambda n: f"{base}?page={n}", shown, last)
    main = f"""<h1 class="f20 fbo2 pb10">Arsip Berita {MONTHS[month - 1]} {year}</h1>
<div class="bsh ovh"><ul>
{_index_items(items, thumbnails=False)}</ul></div>
<div class="paging mt20 ac">
{links}
</div>"""
    head = _listing_head(site, f"Arsip Berita {MONTHS[month - 1]} {year} - {brand}", base, "Arsip berita.")
    return _document(site, head, main)


def render_not_found(site: str) -> str:
    head = f"<title>Halaman Tidak Ditemukan - {escape(SITES[site].brand)}</title>"
    main = '<div class="pa20 ac"><h1 class="f30">404</h1><p>Halaman yang Anda cari tidak ditemukan.</p></div>'
    return _document(site, head, main)


# --- Articles -----------------------------------------------------------------------------------------------


def _inline(text: str, site: str) -> str:
    """Paragraph markup to HTML: ``[[tag:Label]]`` and ``[[ext:Label|URL]]`` become links, rest escaped."""
    out = []
    rest = text
    while "[[" in rest:
        before, _, tail = rest.partition("[[")
        inner, _, rest = tail.partition("]]")
        kind, _, value = inner.partition(":")
        label, _, url = value.partition("|")
        out.append(escape(before))
        if kind == "tag":
            out.append(f'<a class="blue" href="{escape(tag_href(site, label))}">{escape(label)}</a>')
        else:
            out.append(f'<a href="{escape(url)}" target="_blank" rel="noopener">{escape(label)}</a>')
    out.append(escape(rest))
    return "".join(out)


def _block(net: Network, article: Article, block: Block, first: bool) -> str:
    if isinstance(block, str):
        prefix = f"<strong>{escape(article.dateline_prefix)}</strong>" if first else ""
        if first and article.dateline_text:
            # Old pages close the bold dateline right after its own dash: "…MAKASSAR-</strong> Harga".
            prefix = f"<strong>{escape(article.dateline_text)}</strong> "
        return f"<p>{prefix}{_inline(block, article.site)}</p>"
    if isinstance(block, Heading):
        return f"<h{block.level}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, BodyList):
        return _list(block, article.site)
    if isinstance(block, Table):
        return _table(block, article.site)
    if isinstance(block, Quote):
        paragraphs = "".join(f"<p>{_inline(t, article.site)}</p>" for t in block.paragraphs)
        return f"<blockquote>{paragraphs}</blockquote>"
    if isinstance(block, Lines):
        inner = "<br>\n".join(_inline(line, article.site) for line in block.lines)
        if block.container == "loose":
            return f"{inner}<br>"
        return f"<{block.container}>{inner}</{block.container}>"
    if isinstance(block, Baca):
        target = net.article(block.target)
        href = escape(net.href(block.target, block.variant))
        title = escape(target.headline)
        if block.style == "strong":
            return f'<p><strong>Baca: <a href="{href}" title="{title}">{title}</a></strong></p>'
        if block.style == "caps":
            return f'<p><strong>BACA JUGA: </strong><a href="{href}" title="{title}">{title}</a></p>'
        return f'<p class="baca">Baca juga: <a href="{href}" class="blue" title="{title}">{title}</a></p>'
    if isinstance(block, Ad):
        if block.kind == "inside":
            return _ad_slot("Inside-MediumRectangle")
        if block.kind == "ins":
            return (
                '<ins class="adsbygoogle" style="display:block; text-align:center;" '
                'data-ad-layout="in-article" data-ad-format="fluid" data-ad-client="ca-pub-7486139096063048" '
                'data-ad-slot="6514383484"></ins>'
                "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script>"
            )
        return '<div class="ads-placeholder" style="min-height:280px"></div>'
    assert isinstance(block, Figure)
    return (
        f'<figure class="mb10"><img src="{escape(block.image)}" alt="{escape(block.caption)}" width="700">'
        f"<figcaption>{escape(block.caption)}</figcaption></figure>"
    )


def _list(block: BodyList, site: str) -> str:
    tag = "ol" if block.ordered else "ul"
    start = f' start="{block.start}"' if block.start is not None else ""
    items = []
    for item in block.items:
        if isinstance(item, ListItem):
            items.append(f"<li>{_inline(item.text, site)}\n{_list(item.children, site)}</li>")
        else:
            items.append(f"<li>{_inline(item, site)}</li>")
    return f"<{tag}{start}>\n" + "\n".join(items) + f"\n</{tag}>"


def _table(block: Table, site: str) -> str:
    def cell(tag: str, text: str) -> str:
        if not text:
            return f"<{tag}>&nbsp;</{tag}>"  # an empty row of a pasted table: no text
        inner = f"<p>{_inline(text, site)}</p>" if block.cell_paragraphs else _inline(text, site)
        return f"<{tag}>{inner}</{tag}>"

    rows = list(block.rows)
    head = ""
    if block.header:
        head = "<thead><tr>" + "".join(cell("th", c) for c in rows[0]) + "</tr></thead>\n"
        rows = rows[1:]
    body = "\n".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in rows)
    table = f'<table border="1" cellpadding="4" cellspacing="0" width="100%">\n{head}<tbody>\n{body}\n</tbody></table>'
    return f'<div class="table-responsive">{table}</div>' if block.wrapped else table


#: The body div of a hypothetical next template (``--redesign-since``; no such template is documented yet):
#: the classes every era so far shared are gone, as they will be whenever Tribun redesigns its article page.
REDESIGNED_BODY_CLASS = "read__content detail-text multi-fontsize editcontent"


def _body(net: Network, article: Article, pages: list[int], *, redesigned: bool = False) -> str:
    parts = []
    if 1 in pages and article.summary:
        bullets = "".join(f"<li>{escape(s)}</li>" for s in article.summary)
        parts.append(
            f'<blockquote class="summary-article"><strong>Ringkasan Berita:</strong><ul>{bullets}</ul></blockquote>'
        )
    if 1 in pages and article.reporter:
        parts.append(
            f"<p><strong>Laporan Wartawan {escape(article.year_brand)}, {escape(article.reporter)}</strong></p>"
        )
    for page in pages:
        first = page == 1
        for block in article.pages[page - 1]:
            parts.append(_block(net, article, block, first and isinstance(block, str)))
            if isinstance(block, str):
                first = False
    if article.page_count in pages:
        parts += [f"<p>{_inline(line, article.site)}</p>" for line in article.footer]
    css = {
        Era.WWW_2015: "side-article txt-article mb20 helvetica",
        Era.REGIONAL_2016: "side-article txt-article",
        Era.WWW_2017: "side-article txt-article",
        Era.REGIONAL_2017: "side-article txt-article",
        Era.REGIONAL_2020: "side-article txt-article multi-fontsize",
        Era.WWW_2018: "side-article txt-article",
        Era.REGIONAL_2024: "side-article txt-article multi-fontsize",
        Era.REGIONAL_2025: "side-article txt-article multi-fontsize editcontent",
        Era.WWW_2026: "side-article txt-article multi-fontsize editcontent",
    }[article.era]
    if redesigned:
        css = REDESIGNED_BODY_CLASS
    return f'<div class="{css}">\n' + "\n".join(parts) + "\n</div>"


def _active(current: bool) -> str:
    return ' class="active"' if current else ""


def _page_url(article: Article, page: int) -> str:
    return article.url if page == 1 else f"{article.url}?page={page}"


def _paging(article: Article, page: int) -> str:
    if article.page_count < 2:
        return ""
    if article.era is Era.WWW_2026:
        links = "\n".join(
            f'<a rel="page-{n}" href="{escape(_page_url(article, n))}"{_active(n == page)}>{n}</a>'
            for n in range(1, article.page_count + 1)
        )
        return (
            '<div class="paging mt20 ac">\n'
            f'<span class="total-page">Halaman {page}/{article.page_count}</span>\n'
            f'{links}\n<a href="{escape(article.url)}?page=all" class="all">Tampilkan Semua</a>\n</div>'
        )
    links = _paging_links(lambda n: _page_url(article, n), page, article.page_count)
    return (
        f'<div class="paging mt20 ac">\n<span class="grey fbo2 mr5">Halaman</span>\n{links}\n'
        f'<a href="{escape(article.url)}?page=all">All</a>\n</div>'
    )


def _related(net: Network, article: Article) -> str:
    if not article.related:
        return ""
    links = [(net.href(link.target, link.variant), net.article(link.target).headline) for link in article.related]
    if article.era is Era.WWW_2018:
        items = "".join(f'<li class="pb10 bb1">{_a(h, t, "f16 fbo2 black")}</li>' for h, t in links)
        return f'<div class="mt20"><h3 class="f18 fbo2 mb10">Berita Terkait</h3><ul class="pb10">{items}</ul></div>'
    if article.era is Era.REGIONAL_2024:
        items = "".join(f'<li class="pb10"><h3 class="f16">{_a(h, t)}</h3></li>' for h, t in links)
        return (
            '<div class="artikel-terkait mt20"><div class="title-artikel f18 fbo2 mb10">Artikel Terkait</div>'
            f"<ul>{items}</ul></div>"
        )
    if article.era is Era.REGIONAL_2025:
        items = "".join(
            f'<article class="item-rekomendasi"><a href="{escape(h)}" title="{escape(t)}">'
            f"<h3>{escape(t)}</h3></a></article>"
            for h, t in links
        )
        return (
            '<section class="berita-rekomendasi mt20"><h2 class="f20 fbo2">Berita Rekomendasi</h2>'
            f'<div class="list-rekomendasi">{items}</div></section>'
        )
    items = "".join(f"<li>{_a(h, t)}</li>" for h, t in links)
    return (
        '<div class="related-article mt20"><h2 class="related-title">Berita Terkait</h2>'
        f'<ul class="related-list">{items}</ul></div>'
    )


def _people_links(article: Article, people: tuple[Person, ...], role: str) -> list[str]:
    traps = article_traps(article)
    return [_a(traps[f"{role}:{p.name}"], p.name) for p in people]


def _credit(article: Article) -> str:
    writers = _people_links(article, article.authors, "penulis")
    editors = _people_links(article, article.editors, "editor")
    local = article.published.astimezone(article.tz)
    if article.era in (Era.WWW_2018, Era.REGIONAL_2024):
        return (
            f'<div class="mt10">\n<time class="grey">{long_date(local)}</time>\n<div class="credit mt10">\n'
            f'<div id="penulis">Penulis: {", ".join(writers)}</div>\n'
            f'<div id="editor">Editor: {", ".join(editors)}</div>\n</div>\n</div>'
        )
    bold_writers = ", ".join(f"<b>{w}</b>" for w in writers)
    bold_editors = ", ".join(f"<b>{e}</b>" for e in editors)
    names = f'<h5 id="penulis">Penulis: {bold_writers} | Editor: {bold_editors}</h5>'
    if article.era is Era.REGIONAL_2025:
        return f'<div class="mt10">\n<time><span>{long_date(local)}</span></time>\n{names}\n</div>'
    return (
        '<div class="mt10">\n<strong>Tayang:</strong> '
        f'<time datetime="{short_iso(local)}">{long_date(local)}</time>\n{names}\n</div>'
    )


def _person_ld(article: Article, people: tuple[Person, ...], role: str) -> object:
    found = [{"@type": "Person", "name": p.name, "url": article_traps(article)[f"{role}:{p.name}"]} for p in people]
    return found[0] if len(found) == 1 else found


def _json_ld(article: Article) -> list[object]:
    """The ld+json scripts of an article, in page order (docs/site.md#structured-data)."""
    host = article.host
    website = {
        "@context": "http://schema.org",
        "@type": "WebSite",
        "url": f"https://{host}/",
        "potentialAction": {
            "@type": "SearchAction",
            "target": f"https://{host}/search?q={{search_term_string}}",
            "query-input": "required name=search_term_string",
        },
    }
    breadcrumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"https://{host}/"},
            {
                "@type": "ListItem",
                "position": 2,
                "name": article.section_name,
                "item": f"https://{host}/{article.section}",
            },
        ],
    }
    news = {
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "headline": article.headline,
        "description": article.description,
        "image": {"@type": "ImageObject", "url": article.image, "width": 700, "height": 393},
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat(),
        # A copy credited only to its source names the source site as its author.
        "author": _person_ld(article, article.authors, "penulis")
        if article.authors
        else {"@type": "Person", "name": article.source or article.brand},
        "publisher": {
            "@type": "Organization",
            "name": article.brand,
            "logo": {"@type": "ImageObject", "url": f"https://{host}/assets/img/logo.png"},
        },
    }
    if article.jsonld == "graph":
        news.update(
            editor=_person_ld(article, article.editors, "editor"),
            articleSection=article.section_name,
            keywords=list(article.keywords),
            inLanguage="id",
            isAccessibleForFree=not article.premium,
        )
        return [{"@context": "https://schema.org", "@graph": [news, breadcrumbs]}]
    if article.jsonld == "second":
        news.update({"@context": "http://schema.org", "keywords": ", ".join(article.keywords)})
        return [website, news, {"@context": "http://schema.org", **breadcrumbs}]
    return [website]


def _article_head(article: Article, title: str, description: str, amp: bool) -> str:
    scripts = "\n".join(
        f'<script type="application/ld+json">{json.dumps(d, ensure_ascii=False)}</script>' for d in _json_ld(article)
    )
    amp_href = variant_amp_url(article)
    amp_link = "" if amp else f'<link rel="amphtml" href="{escape(amp_href)}">\n'
    traps = article_traps(article)
    return (
        f"<title>{escape(title)}</title>\n"
        f'<meta name="description" content="{escape(description)}">\n'
        f'<meta name="keywords" content="{escape(", ".join(article.keywords))}">\n'
        f'<meta name="author" content="{escape(", ".join(p.name for p in article.authors))}">\n'
        f'<meta name="robots" content="index, follow, max-image-preview:large">\n'
        f'<link rel="canonical" href="{escape(article.url)}">\n{amp_link}'
        f'<link rel="alternate" type="application/json" href="{escape(traps["api"])}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:site_name" content="{escape(article.brand)}">\n'
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<meta property="og:description" content="{escape(description)}">\n'
        f'<meta property="og:url" content="{escape(article.url)}">\n'
        f'<meta property="og:image" content="{escape(article.image)}">\n'
        f'<meta property="article:published_time" content="{article.published.isoformat()}">\n'
        f'<meta property="android:app_id" content="{article.article_id}">\n'
        f"{scripts}"
    )


def variant_amp_url(article: Article) -> str:
    """The AMP URL a desktop page announces: ``m.`` host for the flagship, ``/amp/`` prefix everywhere."""
    host = "m.tribunnews.com" if article.site == "www" else article.host
    return f"https://{host}/amp{article.path}"


def render_article(
    net: Network, article: Article, page_param: str, *, amp: bool = False, redesigned: bool = False
) -> str | None:
    """An article page for a ``page`` parameter (``1``, ``2``, …, ``all``), None when there is no such page.

    ``?page=all`` returns the whole article with a title ending "- Halaman all", except for an article whose
    ``page_all`` is ``page1``: there the parameter is ignored and page 1 comes back, paging and all.
    ``redesigned`` serves it in the hypothetical next template: its body div is :data:`REDESIGNED_BODY_CLASS`.
    """
    if page_param == "all" and article.page_all == "ok":
        pages = list(range(1, article.page_count + 1))
        title = f"{article.headline} - Halaman all"
        description = article.description
        page = 0
    else:
        page = int(page_param) if page_param.isdigit() else 1
        if not 1 <= page <= article.page_count:
            return None
        pages = [page]
        title = f"{article.headline} - {article.year_brand}"
        description = article.description + (f" - Halaman {page}" if page > 1 else "")
    if article.era.old:
        head = _old_article_head(article, title, description, amp)
        if amp:
            return _amp_document(net, article, head, pages, redesigned=redesigned)
        return _old_article(net, article, head, pages, page, redesigned=redesigned)
    head = _article_head(article, title, description, amp)
    if amp:
        return _amp_document(net, article, head, pages, redesigned=redesigned)
    traps = article_traps(article)
    summary_tag = "h2" if article.era is Era.WWW_2018 else "h4"
    content_id = f' data-content-id="{article.article_id}"' if article.era.id_url else ""
    tags = "".join(
        f'<a class="rd2" href="{escape(traps[f"tag:{k}"])}" title="{escape(k)}">{escape(k)}</a>'
        for k in article.keywords
    )
    source = SITES[article.dateline_site].brand
    side = (
        f'<div class="side-article mb5">\n<div class="f12 grey mb10">Sumber: {escape(source)}</div>\n'
        f'<h5 class="tagcloud3">{tags}</h5>\n'
        + (_related(net, article) if article.era is Era.WWW_2018 else "")
        + "\n</div>"
    )
    related = "" if article.era is Era.WWW_2018 else _related(net, article)
    main = f"""<div id="article"{content_id}>
<h2 class="mb10 f16 ln24 red">{_a(traps["topic"], article.topic)}</h2>
<h1 id="arttitle" class="f50 black2 f400 crimson">{escape(article.headline)}</h1>
<{summary_tag} class="hide">{escape(article.description)}</{summary_tag}>
{_credit(article)}
<div id="article_con" class="pos_rel">
<div id="artimg">
<a class="glightbox" href="{escape(article.image)}" data-title="{escape(article.image_caption)}">
<img class="imgfull" src="{escape(article.image)}" alt="{escape(article.headline)}" width="700"
 height="393"></a>
<div class="arial f12 pt5 grey2">{escape(article.image_caption)}</div>
</div>
{_body(net, article, pages, redesigned=redesigned)}
{_paging(article, page) if page else ""}
{side}
{related}
<div id="komentar" class="mt20">
<a href="{escape(traps["komentar"])}" class="button2" rel="nofollow">Lihat Komentar</a>
<a href="{escape(traps["api"])}" class="hide" rel="nofollow">Muat komentar</a>
</div>
</div>
</div>"""
    return _document(article.site, head, main, _sidebar(net, article.site, terkini=True))


# --- Older eras (docs/site.md#older-eras) ------------------------------------------------------


def _old_article_head(article: Article, title: str, description: str, amp: bool) -> str:
    """The head of a 2015-2020 page: ``og:title`` keeps the brand of that year whatever the page parameter; no
    JSON-LD before 2020, no ``article:published_time``; meta keywords and AMP from 2017."""
    since_2017 = article.era not in (Era.WWW_2015, Era.REGIONAL_2016)
    documents = _json_ld(article) if article.jsonld != "absent" else []
    scripts = "\n".join(
        f'<script type="application/ld+json">{json.dumps(d, ensure_ascii=False)}</script>' for d in documents
    )
    traps = article_traps(article)
    lines = [
        f"<title>{escape(title)}</title>",
        f'<meta name="description" content="{escape(description)}">',
    ]
    if since_2017:
        lines.append(f'<meta name="keywords" content="{escape(", ".join(article.keywords))}">')
    lines.append(f'<link rel="canonical" href="{escape(article.url)}">')
    if since_2017 and not amp:
        lines.append(f'<link rel="amphtml" href="{escape(variant_amp_url(article))}">')
    lines += [
        f'<link rel="alternate" type="application/json" href="{escape(traps["api"])}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{escape(article.year_brand)}">',
        f'<meta property="og:title" content="{escape(f"{article.headline} - {article.year_brand}")}">',
        f'<meta property="og:description" content="{escape(article.description)}">',
        f'<meta property="og:url" content="{escape(article.url)}">',
        f'<meta property="og:image" content="{escape(article.image)}">',
        f'<meta property="android:app_id" content="{article.article_id}">',
    ]
    return "\n".join(lines) + ("\n" + scripts if scripts else "")


def _old_date(article: Article) -> str:
    """``div.grey.bdr3 > h3`` (2015-2016), ``div.mt10 > time.grey`` (www 2017), ``div.grey.bdr3 > time``
    (regional 2017-2020); regional pages print local time without a zone."""
    text = escape(visible_date(article))
    if article.era in (Era.WWW_2015, Era.REGIONAL_2016):
        return f'<div class="grey bdr3 pb10 pt10 mb10"><h3 class="f12 fbo2">{text}</h3></div>'
    if article.era is Era.WWW_2017:
        return f'<div class="mt10">\n<time class="grey">{text}</time>\n</div>'
    return f'<div class="grey bdr3 pb10 pt10 mb10"><time>{text}</time></div>'


def _old_credits(article: Article) -> str:
    """The credits after the body and the related list: plain names in ``div.f11.grey.pb10`` (2015-2016), linked
    in ``div.f12.grey.mb15`` (2017), ``div#editor`` with the "Sumber:" line (2020). Editor-only pages print no
    "Penulis:" line."""
    traps = article_traps(article)

    def names(people: tuple[Person, ...], role: str) -> str:
        if article.era.credit_links:
            return ", ".join(_a(traps[f"{role}:{p.name}"], p.name) for p in people)
        return ", ".join(escape(p.name) for p in people)

    writers = f"Penulis: {names(article.authors, 'penulis')}" if article.penulis_line and article.authors else ""
    editors = f"Editor: {names(article.editors, 'editor')}"
    source = f"Sumber: {escape(article.source)}" if article.source else ""
    if article.era is Era.REGIONAL_2020:
        penulis = f'<div id="penulis" class="f12 grey">{writers}</div>\n' if writers else ""
        editor = "<br>\n".join(line for line in (editors, source) if line)
        return f'{penulis}<div id="editor" class="f12 grey mb15">{editor}</div>'
    css = "f11 grey pb10" if article.era in (Era.WWW_2015, Era.REGIONAL_2016) else "f12 grey mb15"
    return f'<div class="{css}">' + "<br>\n".join(line for line in (writers, editors, source) if line) + "</div>"


def _old_tags(article: Article) -> str:
    """``div.tagcload3.tagcloud3 > a`` (2015-2016), ``h5.tagcloud3 > a.rd2`` (2017 on)."""
    traps = article_traps(article)
    if article.era in (Era.WWW_2015, Era.REGIONAL_2016):
        links = " ".join(_a(traps[f"tag:{k}"], k) for k in article.keywords)
        return f'<div class="tagcload3 tagcloud3 mt10 mb20">{links}</div>'
    links = "".join(_a(traps[f"tag:{k}"], k, "rd2") for k in article.keywords)
    return f'<h5 class="tagcloud3">{links}</h5>'


def _old_related(net: Network, article: Article) -> str:
    """The related block after the body: wrapped links under "Berita Terkait <topic>" ("Baca Juga" without a
    topic) until 2017, a "Baca Juga" ``span`` over one small table per story in 2020."""
    targets = [net.article(link.target) for link in article.related]
    if not targets:
        return ""
    if article.era is Era.REGIONAL_2020:
        tables = []
        for link, t in zip(article.related, targets, strict=True):
            href = net.href(link.target, link.variant)
            tables.append(
                f'<table class="mt10" width="100%"><tr><td width="90"><a href="{escape(href)}" '
                f'title="{escape(t.headline)}"><img src="{escape(_thumbnail(t))}" width="80" height="60" '
                f'alt="{escape(t.headline)}"></a></td><td>{_a(href, t.headline, "f16 fbo2 black")}</td></tr></table>'
            )
        return '<div class="mb20">\n<span class="f18 fbo2 red">Baca Juga</span>\n' + "\n".join(tables) + "\n</div>"
    if any(link.variant for link in article.related):
        raise ValueError(f"{article.key}: a wrapped link names the article by its path, not a variant spelling")
    hrefs = [wrapper_url(article, t) for t in targets]
    if article.era is Era.REGIONAL_2016:
        home = f"https://{article.host}"
        hrefs = [h.removeprefix(home) for h in hrefs]  # root-relative on 2016 regional pages
    items = "\n".join(f"<li>{_a(h, t.headline, 'f16 fbo2 black')}</li>" for h, t in zip(hrefs, targets, strict=True))
    topic = escape(article.topic)
    if article.era is Era.WWW_2015:
        return (
            f'<div class="bdr3 pa10 mb20"><h3 class="f16 fbo2 mb10">Berita Terkait <span class="red">{topic}</span>'
            f"</h3>\n<ul>\n{items}\n</ul></div>"
        )
    if article.era is Era.REGIONAL_2016:
        topic_link = _a(f"/topics/{slugify(article.topic)}", article.topic, "red")
        return (
            f'<div class="mt20 mb20"><div class="f18 fbo2 mb10">Berita Terkait {topic_link}</div>\n'
            f'<ul class="lsi">\n{items}\n</ul></div>'
        )
    heading = f"Berita Terkait {topic}" if article.topic else "Baca Juga"
    return f'<div class="mt20 mb20"><h3 class="f18 fbo2 mb10">{heading}</h3>\n<ul>\n{items}\n</ul></div>'


def _old_article(net: Network, article: Article, head: str, pages: list[int], page: int, *, redesigned: bool) -> str:
    """A 2015-2020 article page: date under the title, then image, body, paging, related block, credits, tags."""
    traps = article_traps(article)
    kicker = f'<h2 class="mb10 f16 ln24 red">{_a(traps["topic"], article.topic)}</h2>\n' if "topic" in traps else ""
    main = f"""<div id="article">
{kicker}<h1 id="arttitle" class="f32 fbo2 black2 ln40">{escape(article.headline)}</h1>
{_old_date(article)}
<div id="article_con" class="pos_rel">
<div id="artimg">
<img class="imgfull" src="{escape(article.image)}" alt="{escape(article.headline)}" width="700" height="393">
<div class="arial f12 pt5 grey2">{escape(article.image_caption)}</div>
</div>
{_body(net, article, pages, redesigned=redesigned)}
{_paging(article, page) if page else ""}
{_old_related(net, article)}
{_old_credits(article)}
{_old_tags(article)}
<div id="komentar" class="mt20">
<a href="{escape(traps["komentar"])}" class="button2" rel="nofollow">Lihat Komentar</a>
</div>
</div>
</div>"""
    return _document(article.site, head, main, _sidebar(net, article.site, terkini=True))


def _amp_document(net: Network, article: Article, head: str, pages: list[int], *, redesigned: bool) -> str:
    return f"""<!doctype html>
<html amp lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
{head}
<style amp-boilerplate>body{{visibility:hidden}}</style>
<script async src="https://cdn.ampproject.org/v0.js"></script>
</head>
<body>
<header class="amp-header"><a href="{home_url(article.site)}">{escape(article.brand)}</a></header>
<article id="article">
<h1 id="arttitle">{escape(article.headline)}</h1>
<time class="grey">{escape(visible_date(article))}</time>
<amp-img src="{escape(article.image)}" width="700" height="393" layout="responsive"></amp-img>
{_body(net, article, pages, redesigned=redesigned)}
{_paging(article, pages[0]) if len(pages) == 1 else ""}
{_old_related(net, article) if article.era.old else _related(net, article)}
</article>
</body>
</html>
"""


# --- robots.txt, sitemaps, errors ---------------------------------------------------------------------------

_WWW_DISALLOW = (
    "/api/",
    "/posts/",
    "/ajax/",
    "/json/",
    "/auth/",
    "/member/",
    "/komentar/",
    "/search",
    "/tag/",
    "/topic/",
)
_REGIONAL_DISALLOW = ("/api/", "/ajax/", "/auth/", "/member/", "/komentar/", "/search", "/tag/", "/topic/")


def robots_txt(site: str, crawl_delay: float | None = None) -> str:
    """robots.txt of a site (docs/site.md#robots-and-blocking), with ``Crawl-delay`` when given."""
    disallow = _WWW_DISALLOW if site == "www" else _REGIONAL_DISALLOW
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallow)]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines.append("")
    lines += [f"Sitemap: {url}" for url in robots_sitemaps(site)]
    return "\n".join(lines) + "\n"


def robots_sitemaps(site: str) -> list[str]:
    """The ``Sitemap:`` lines of a site's robots.txt: its index where it has one, else its two sitemaps; none on
    the host that publishes only the standard /sitemap.xml."""
    home = home_url(site)
    layout = SITEMAP_LAYOUT.get(site)
    if layout == "index":
        return []
    if site == "www" or layout == "nested":
        return [f"{home}sitemap.xml"]
    return [f"{home}sitemap_news.xml", f"{home}sitemap_web.xml"]


# docs/site.md#sitemaps gives the flagship's /sitemap.xml, an index of per-section
# /{section}/sitemap-news.xml and -web.xml (dash), and the regional /sitemap_news.xml and /sitemap_web.xml
# (underscore), "sometimes nested". The replica plays one layout per regional site:
# - flat (banyumas, and every unpopulated site): both regional files are url sets;
# - nested (jateng): both are indexes of per-section /{section}/sitemap_news.xml and _web.xml, and robots.txt
#   names a /sitemap.xml index of the two: an index of indexes, reachable only through robots.txt;
# - gzip (makassar): /sitemap_web.xml is an index of per-section gzip files /{section}/sitemap_web.xml.gz. Gzip
#   sitemaps are not documented for Tribun (sitemaps.org allows them; the crawler must read them);
# - index (bali, sitemap_index.py): only the standard /sitemap.xml, an index of per-section
#   /{section}/sitemap_news.xml; no /sitemap_news.xml or /sitemap_web.xml, and robots.txt names no sitemap.
SITEMAP_LAYOUT = {"jateng": "nested", "makassar": "gzip", "bali": "index"}
#: The one malformed sitemap, (site, section, kind): its last entry's title holds a vertical tab, a control
#: character XML 1.0 forbids (pasted from a word processor), so an XML parser stops there.
MALFORMED_SITEMAP = ("www", "seleb", "news")


@dataclass(frozen=True)
class SitemapDocument:
    """One sitemap file of a site: an index of other files, or the news or web sitemap of a section (or site)."""

    kind: str
    """``index``, ``news`` or ``web``."""
    section: str | None = None
    children: tuple[str, ...] = ()
    """URLs an index lists."""
    gzip: bool = False
    """Served as a gzip file (``application/x-gzip``), not as XML."""


def sitemap_files(site: str) -> dict[str, SitemapDocument]:
    """Every sitemap file a site serves, by path."""
    home = home_url(site)
    sections = [slug for slug, _ in SECTIONS.get(site, ())]
    if site == "www":
        files = {f"/{s}/sitemap-{kind}.xml": SitemapDocument(kind, s) for s in sections for kind in ("news", "web")}
        return {"/sitemap.xml": SitemapDocument("index", children=tuple(f"{home}{p[1:]}" for p in files)), **files}
    layout = SITEMAP_LAYOUT.get(site, "flat")
    if layout == "nested":
        files = {f"/{s}/sitemap_{kind}.xml": SitemapDocument(kind, s) for s in sections for kind in ("news", "web")}
        indexes = {
            f"/sitemap_{kind}.xml": SitemapDocument(
                "index", children=tuple(f"{home}{s}/sitemap_{kind}.xml" for s in sections)
            )
            for kind in ("news", "web")
        }
        top = SitemapDocument("index", children=tuple(f"{home}{p[1:]}" for p in indexes))
        return {"/sitemap.xml": top, **indexes, **files}
    if layout == "index":
        files = {f"/{s}/sitemap_news.xml": SitemapDocument("news", s) for s in sections}
        return {"/sitemap.xml": SitemapDocument("index", children=tuple(f"{home}{p[1:]}" for p in files)), **files}
    if layout == "gzip":
        files = {f"/{s}/sitemap_web.xml.gz": SitemapDocument("web", s, gzip=True) for s in sections}
        return {
            "/sitemap_news.xml": SitemapDocument("news"),
            "/sitemap_web.xml": SitemapDocument("index", children=tuple(f"{home}{p[1:]}" for p in files)),
            **files,
        }
    return {"/sitemap_news.xml": SitemapDocument("news"), "/sitemap_web.xml": SitemapDocument("web")}


def render_sitemap(net: Network, site: str, file: SitemapDocument) -> bytes:
    """The bytes a sitemap file is served as (gzip-compressed for a gzip file)."""
    if file.kind == "index":
        text = sitemap_index(file.children, {url: sitemap_lastmod(net, url) for url in file.children})
    elif file.kind == "news":
        text = news_sitemap(net, site, file.section, malformed=(site, file.section, "news") == MALFORMED_SITEMAP)
    else:
        text = web_sitemap(net, site, file.section)
    body = text.encode()
    return gzip.compress(body, mtime=0) if file.gzip else body


def _recent(net: Network, site: str, section: str | None) -> list[Article]:
    """News sitemap content: listed articles of the last two days."""
    since = datetime.combine(net.today - timedelta(days=1), datetime.min.time(), SITES[site].tz)
    return [a for a in net.latest(site, section) if a.published >= since]


def sitemap_lastmod(net: Network, url: str) -> datetime | None:
    """When the sitemap file at ``url`` last changed: the latest change of an article it lists, through nested
    indexes (None for an empty file). An index lists its files with this ``lastmod``, as the fixtures'
    ``www-sitemap-index`` does."""
    parts = urlsplit(url)
    site = site_key(parts.hostname)
    file = sitemap_files(site).get(parts.path) if site else None
    if site is None or file is None:
        return None
    if file.kind == "index":
        dates = [d for child in file.children if (d := sitemap_lastmod(net, child)) is not None]
    else:
        dates = [max(a.published, a.modified) for a in _recent(net, site, file.section)]
    return max(dates, default=None)


def sitemap_index(urls: Iterable[str], lastmods: Mapping[str, datetime | None] | None = None) -> str:
    """A sitemap index of ``urls``, each with its ``lastmod`` when ``lastmods`` gives one."""

    def entry(url: str) -> str:
        lastmod = (lastmods or {}).get(url)
        return (
            f"<sitemap><loc>{url}</loc><lastmod>{lastmod.isoformat()}</lastmod></sitemap>\n"
            if lastmod
            else (f"<sitemap><loc>{url}</loc></sitemap>\n")
        )

    entries = "".join(entry(url) for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</sitemapindex>\n'
    )


def news_sitemap(net: Network, site: str, section: str | None = None, *, malformed: bool = False) -> str:
    articles = _recent(net, site, section)

    def title(a: Article) -> str:
        return a.headline.replace(" ", " \v", 1) if malformed and a is articles[-1] else a.headline

    entries = "".join(
        f"""<url>
<loc><![CDATA[{a.url}]]></loc>
<news:news>
<news:publication><news:name>{escape(a.brand)}</news:name><news:language>id</news:language></news:publication>
<news:publication_date>{a.published.isoformat()}</news:publication_date>
<news:title><![CDATA[{title(a)}]]></news:title>
<news:keywords><![CDATA[{", ".join(a.keywords)}]]></news:keywords>
</news:news>
<image:image><image:loc><![CDATA[{a.image}]]></image:loc></image:image>
</url>
"""
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
        f'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n{entries}</urlset>\n'
    )


def web_sitemap(net: Network, site: str, section: str | None = None) -> str:
    entries = "".join(
        f"<url><loc><![CDATA[{a.url}]]></loc><lastmod>{a.modified.isoformat()}</lastmod>"
        "<changefreq>hourly</changefreq><priority>0.8</priority></url>\n"
        for a in _recent(net, site, section)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    )


def cloudfront_403(request_id: str) -> str:
    """The page CloudFront serves when it blocks a request."""
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>403 ERROR</H1>
<H2>The request could not be satisfied.</H2>
<HR noshade size="1px">
Request blocked.
We can't connect to the server for this app or website at this time. There might be too much traffic or a \
configuration error. Try again later, or contact the app or website owner.
<BR clear="all">
<HR noshade size="1px">
<PRE>
Generated by cloudfront (CloudFront)
Request ID: {request_id}
</PRE>
<ADDRESS>
</ADDRESS>
</BODY></HTML>
"""
