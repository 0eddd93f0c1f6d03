"""What the state store remembers about an emitted article, and the fingerprints it is keyed by.

The store keeps integers, not texts: 64-bit fingerprints of the article key, the body and the syndication
group, Unix times, and the canonical URL in a compact form (what ``duplicateOf`` must name in a later run).
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter

from tribun_crawler.sites import DOMAIN, site_key
from tribun_crawler.urls import PageType, article_id_from_url, article_key, classify_url

# The brand dateline differs between syndicated copies of one story ("TRIBUNJATENG.COM, SEMARANG -" on the
# copy, "TRIBUNNEWS.COM, SEMARANG -" on the original), so it is not part of the content fingerprint.
_DATELINE = re.compile(
    r"^[\w-]+(?:\.[\w-]+)*\.(?:com|co\.id|co|id|net)\s*,\s*[^\W\d][^\n,]{0,50}?\s*[-\u2013\u2014]+\s*", re.I
)
_REPORTER_LINE = re.compile(r"^\W*laporan\s+(?:wartawan|reporter|koresponden)\b", re.I)
_WORD = re.compile(r"\w+")
_HOST_SUFFIX = "." + DOMAIN

#: Old URLs of an article remembered each time it is recorded: a renamed story has one, a redirect chain a few
#: hops; a longer chain is not worth a row per hop (its first URL, the one pages link, comes first).
MAX_REDIRECT_ALIASES = 3


def fingerprint(text: str) -> int:
    """A signed 64-bit fingerprint of ``text`` (fits SQLite's INTEGER and 8 bytes in Redis)."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def key_fingerprint(url: str) -> int:
    """Fingerprint of the article an URL points to, whatever variant of it (``article_key``)."""
    return fingerprint(article_key(url))


def id_fingerprint(site: str, article_id: str) -> int:
    """Fingerprint of ``site:id``: the same article on one site, whatever its URL."""
    return fingerprint(f"{site}:{article_id}")


def redirect_aliases(redirect_urls: Iterable[str], key: int) -> tuple[int, ...]:
    """Keys of the article URLs that redirected to the article keyed ``key`` (Scrapy's ``redirect_urls``).

    A later run finds the article under any of them without a request. Variants of the article's own URL
    (``/amp/``, ``m.``, ``?page=all``) share its key and are left out, as are URLs that are not article pages;
    at most :data:`MAX_REDIRECT_ALIASES`, first hops first.
    """
    aliases: list[int] = []
    for url in redirect_urls:
        if classify_url(url) is not PageType.ARTICLE:
            continue
        alias = key_fingerprint(url)
        if alias != key and alias not in aliases:
            aliases.append(alias)
            if len(aliases) == MAX_REDIRECT_ALIASES:
                break
    return tuple(aliases)


def normalized_body(body: str) -> str:
    """The words of a body, case-folded, without dateline and reporter line: what syndicated copies share."""
    paragraphs = [p for p in (line.strip() for line in body.splitlines()) if p]
    if paragraphs and len(paragraphs[0]) <= 150 and _REPORTER_LINE.match(paragraphs[0]):
        paragraphs = paragraphs[1:]
    if paragraphs:
        paragraphs[0] = _DATELINE.sub("", paragraphs[0], count=1)
    text = unicodedata.normalize("NFKC", " ".join(paragraphs)).casefold()
    return " ".join(_WORD.findall(text))


def body_fingerprint(body: str) -> int:
    return fingerprint(normalized_body(body))


def unix_time(iso: str | None) -> int | None:
    """Seconds since the epoch of an offset-aware ISO 8601 time, or None."""
    if not iso:
        return None
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return int(value.timestamp()) if value.tzinfo else None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def compact_url(url: str) -> str:
    """``https://banyumas.tribunnews.com/2024/06/20/slug`` -> ``banyumas/2024/06/20/slug``: 24 bytes saved."""
    if not url.startswith("https://"):
        return url
    rest = url[len("https://") :]
    host, sep, path = rest.partition("/")
    if host.endswith(_HOST_SUFFIX) and "." not in host[: -len(_HOST_SUFFIX)]:
        host = host[: -len(_HOST_SUFFIX)]
    return host + sep + path


def expand_url(stored: str) -> str:
    """The inverse of :func:`compact_url`."""
    if "://" in stored:
        return stored
    host, sep, path = stored.partition("/")
    if "." not in host:
        host += _HOST_SUFFIX
    return f"https://{host}{sep}{path}"


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One emitted article, or dropped copy, as the store remembers it (a few dozen bytes plus the compact URL)."""

    key: int
    """Fingerprint of ``article_key(url)``: the primary key."""
    url: str
    """Canonical URL (stored compact)."""
    body: int
    """Content fingerprint: :func:`body_fingerprint` of the article body."""
    published: int | None
    """datePublished, Unix seconds."""
    modified: int | None = None
    """dateModified, Unix seconds."""
    recorded: int = 0
    """When the article was last written to the feed (a dropped copy: last recorded), Unix milliseconds."""
    article_id: int | None = None
    """Tribun's numeric article id."""
    group: int | None = None
    """For a syndicated copy: fingerprint of the original's article key (from ``isBasedOn``)."""
    original: int | None = None
    """For a duplicate, emitted with ``duplicateOf`` (TRIBUN_EMIT_DUPLICATES) or dropped: the key of the
    emitted article it copies, which the store holds."""

    @property
    def is_duplicate(self) -> bool:
        return self.original is not None

    @property
    def site(self) -> str | None:
        """The site key of the article's host (``www``, ``banyumas``), None off the network."""
        return site_key(urlsplit(self.url).hostname)


@dataclass(frozen=True, slots=True)
class ItemFingerprints:
    """The fingerprints one item is looked up by."""

    key: int
    """The article, from its canonical URL."""
    id_key: int | None
    """The article, from ``site:articleId``, when the item has an id."""
    group: int
    """The story: the original's key for a syndicated copy (``isBasedOn``), else the article's own key."""
    body: int
    """The content."""
    site: str | None
    article_id: str | None

    @classmethod
    def of(cls, item: Any) -> ItemFingerprints:
        adapter = ItemAdapter(item)
        url: str = adapter["url"]
        site = adapter.get("site") or site_key(urlsplit(url).hostname)
        article_id = adapter.get("articleId") or article_id_from_url(url)
        key = key_fingerprint(url)
        based_on = adapter.get("isBasedOn")
        return cls(
            key=key,
            id_key=id_fingerprint(site, article_id) if site and article_id else None,
            group=key_fingerprint(based_on) if based_on else key,
            body=body_fingerprint(adapter.get("articleBody") or ""),
            site=site,
            article_id=article_id,
        )

    def aliases(self) -> tuple[int, ...]:
        """Keys other than :attr:`key` under which the article is found (``site:id`` for a dated URL)."""
        return (self.id_key,) if self.id_key is not None and self.id_key != self.key else ()

    def record(self, item: Any, *, original: int | None = None, recorded: int | None = None) -> ArticleRecord:
        adapter = ItemAdapter(item)
        article_id = self.article_id if self.article_id and self.article_id.isdigit() else None
        return ArticleRecord(
            key=self.key,
            url=adapter["url"],
            body=self.body,
            published=unix_time(adapter.get("datePublished")),
            modified=unix_time(adapter.get("dateModified")),
            recorded=now_ms() if recorded is None else recorded,
            article_id=int(article_id) if article_id else None,
            group=self.group if self.group != self.key else None,
            original=original,
        )
