"""Field coverage of the articles the spider reads, before any pipeline judges them.

Every item the spider yields counts ``tribun/fields/items`` and, for each field holding a value (not None, not
empty; ``False`` counts as filled), ``tribun/fields/<field>``; per host, ``tribun/host_fields/<host>/items`` and
the watched fields (``TRIBUN_COVERAGE_FIELDS``) it holds, so a template change on one host of sixty shows in
that host's coverage while the run's stays high. Counted here and not on ``item_scraped``
because ValidatePipeline drops the items missing exactly the fields a template change loses: over emitted
items, the coverage of headline, articleBody and datePublished would always be 100 %. The run report adds the
article pages the spider could not read at all (``tribun/unreadable/*``) as articles read with no field, and
judges the coverage (exit status 5) from these counts (``tribun_crawler.extensions.report``).

Enabled in ``SPIDER_MIDDLEWARES`` next to the spider, so it sees what the spider yields before any other
spider middleware.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from tribun_crawler import stats as stat
from tribun_crawler.urls import host_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def is_filled(value: Any) -> bool:
    return value is not None and value not in ("", [], {})


def filled_fields(item: Any) -> list[str]:
    """Names of the item's fields that hold a value."""
    adapter = ItemAdapter(item)
    return [name for name in adapter.field_names() if is_filled(adapter.get(name))]


class FieldCoverageMiddleware(BaseSpiderMiddleware):
    """Counts every item the spider yields and each of its filled fields (``tribun/fields/…``), and per host the
    watched ones (``tribun/host_fields/…``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.watched = frozenset(crawler.settings.getlist("TRIBUN_COVERAGE_FIELDS"))

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        stats = self.crawler.stats
        host = host_of(ItemAdapter(item).get("url"))
        stats.inc_value(stat.FIELDS_ITEMS)
        stats.inc_value(stat.HOST_FIELDS(host, "items"))
        for name in filled_fields(item):
            stats.inc_value(stat.FIELDS(name))
            if name in self.watched:
                stats.inc_value(stat.HOST_FIELDS(host, name))
        return item
