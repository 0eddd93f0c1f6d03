"""Field coverage of the articles the spider reads, before any pipeline judges them.

Every item the spider yields counts ``tribun/fields/items`` and, for each field holding a value (not None, not
empty; ``False`` counts as filled), ``tribun/fields/<field>``. Counted here and not on ``item_scraped``
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

if TYPE_CHECKING:
    from scrapy.http import Response


def is_filled(value: Any) -> bool:
    return value is not None and value not in ("", [], {})


def filled_fields(item: Any) -> list[str]:
    """Names of the item's fields that hold a value."""
    adapter = ItemAdapter(item)
    return [name for name in adapter.field_names() if is_filled(adapter.get(name))]


class FieldCoverageMiddleware(BaseSpiderMiddleware):
    """Counts every item the spider yields and each of its filled fields (``tribun/fields/…``)."""

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        stats = self.crawler.stats
        stats.inc_value(stat.FIELDS_ITEMS)
        for name in filled_fields(item):
            stats.inc_value(stat.FIELDS(name))
        return item
