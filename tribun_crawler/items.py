"""The one item the crawler emits: a news article, named after schema.org / Zyte's Article schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict


class Person(TypedDict):
    name: str
    url: str | None


class Link(TypedDict):
    name: str
    url: str | None


class Image(TypedDict):
    url: str
    caption: str | None


@dataclass
class ArticleItem:
    url: str
    """Canonical article URL: https, ``www.`` for the flagship (never ``m.``), no ``/amp/``, no query or fragment."""
    articleId: str | None = None
    """Tribun's numeric article id as a string (from the URL, ``android:app_id`` or ``data-content-id``)."""
    site: str | None = None
    """Host key of the site that published this copy: ``www``, ``banyumas``, …"""
    headline: str | None = None
    """Title without the `` - Tribunnews.com``/brand suffix and without ``Halaman all``."""
    description: str | None = None
    """The summary (JSON-LD ``description``, ``og:description`` or the hidden summary heading)."""
    articleBody: str | None = None
    """Text of all pages; paragraphs separated by one blank line; dateline kept; no "Baca juga", ads or footer."""
    datePublished: str | None = None
    """Publication time, ISO 8601 with the UTC offset (WIB +07:00, WITA +08:00, WIT +09:00)."""
    dateModified: str | None = None
    """Last modification time, ISO 8601 with the UTC offset, when the page gives one."""
    datePublishedRaw: str | None = None
    """The publication date as the page shows it, e.g. ``Senin, 4 Mei 2020 04:25 WIB``."""
    datePublishedDay: str | None = None
    """Set only when the page shows the day of publication but no time of day (or only its URL carries a date):
    that local day as ``YYYY-MM-DD``, and ``datePublished`` is then null. A time is never invented."""
    authors: list[Person] = field(default_factory=list)
    """The Penulis (writers), each ``{"name", "url"}``; never the editor."""
    editors: list[Person] = field(default_factory=list)
    """The Editor(s), each ``{"name", "url"}``."""
    articleSection: str | None = None
    """Section name, e.g. ``Internasional``."""
    breadcrumbs: list[Link] = field(default_factory=list)
    """Breadcrumb trail, each ``{"name", "url"}``, where the page has one."""
    keywords: list[str] = field(default_factory=list)
    """Tags of the article."""
    mainImage: Image | None = None
    """Lead image ``{"url", "caption"}``; the caption carries the photo credit."""
    inLanguage: str = "id"
    """Language of the article: always ``id`` (Indonesian)."""
    pageCount: int | None = 1
    """Number of pages the article spans on the site, when the pages read show it; None for an article read whole
    from its ``?page=all`` answer, which shows no paging (the body is complete either way)."""
    relatedUrls: list[str] = field(default_factory=list)
    """Canonical URLs of related articles linked from the page ("Baca juga", "Berita Terkait", …)."""
    isAccessibleForFree: bool = True
    """False for premium articles."""
    dateDownloaded: str | None = None
    """When the page was fetched, ISO 8601 UTC."""
    isBasedOn: str | None = None
    """Canonical URL of the original this copy republishes, from its "Artikel ini telah tayang di …" footer."""
    sourceOrganization: str | None = None
    """The source a "Sumber:" credit names (``Tribunnews.com``, ``Kompas.com``, an agency), else None."""
    duplicateOf: str | None = None
    """Set only when syndicated copies are emitted (``TRIBUN_EMIT_DUPLICATES``): URL of the original article."""
