"""What a page's markup must not be able to break in the extractors: its base URL, its links, its dates.

Each of these makes the standard library or Scrapy raise for one bad value on an otherwise readable page (found
by tests/test_fuzz_extractors.py); the functions here turn that value into "none", so it costs only itself. (The
DOM itself is parsed without a base URL, in dom.document, so a ``<base href>`` urllib cannot parse breaks none
of it.)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url

from tribun_crawler.urls import URL_CACHE_SIZE


def base_url(response: TextResponse) -> str:
    """What the page's relative links are resolved against: its ``<base href>``, else its own URL. Browsers
    ignore a ``<base href>`` they cannot parse, and so does this."""
    try:
        return get_base_url(response)
    except ValueError:
        return response.url


def absolute_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, or None when it is no usable URL: urllib raises on a broken IPv6 host
    (``http://[::1/…``), and Scrapy refuses to request a port out of range (``:99999``)."""
    href = href.strip()
    if not _NAMES_ITS_HOST.match(href):
        return _joined(base, href)
    try:
        scheme = urlsplit(base).scheme
    except ValueError:
        return None  # as urljoin() would raise
    return _host_url(scheme, href)


# An http(s) href whose host is not empty: urljoin gives it back as it is, or as urllib re-assembles it when
# the base has the same scheme, whatever else the base is. Related links and credits name the same URLs on page
# after page, so each is resolved once in a while, not once per page.
_NAMES_ITS_HOST = re.compile(r"https?://[^/?#\t\r\n]")


@lru_cache(maxsize=URL_CACHE_SIZE)
def _host_url(base_scheme: str, href: str) -> str | None:
    return _joined(f"{base_scheme}:", href)


def _joined(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href)
        urlsplit(url).port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return None
    return url


def usable_date(value: datetime | None) -> datetime | None:
    """``value``, unless its offset is one no datetime can use: dateutil keeps any offset a page prints
    (``+99:00``, ``+24:00``), and comparing, converting or printing that datetime then raises."""
    if value is None:
        return None
    try:
        value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return value
