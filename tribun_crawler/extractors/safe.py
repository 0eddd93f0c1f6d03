"""What a page's markup must not be able to break in the extractors: its DOM, its base URL, its links, its dates.

Each of these makes the standard library or Scrapy raise for one bad value on an otherwise readable page (found
by tests/test_fuzz_extractors.py); the functions here turn that value into "none", so it costs only itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url


def selector(response: TextResponse) -> Selector:
    """The response's selector; when its ``<base href>`` is one urllib cannot parse (``http://[…``), Scrapy's
    own selector raises for the whole page, and this one, without a base URL, reads it all the same."""
    try:
        return response.selector
    except ValueError:
        return Selector(text=response.text, type="html")


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
    try:
        url = urljoin(base, href.strip())
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
