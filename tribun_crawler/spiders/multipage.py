"""A multi-page article being read, carried from one of its page requests to the next.

An article whose ``?page=all`` the site ignored (or that failed) is read page by page (docs/site.md#multi-page-
articles): ``?page=all`` asked for once more, then pages 2..N, each an ordinary request through the scheduler and
every middleware, one at a time, each carrying :class:`ArticleParts` (in ``cb_kwargs``). Plain data, so a request
waiting in a queue keeps it: picklable for a ``JOBDIR``, and one of the types the shared Redis queue's JSON carries
(``distributed/serializer.py``, ``TYPES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tribun_crawler.items import ArticleItem


@dataclass(slots=True)
class ArticleParts:
    """What the pages read so far gave, and what is left to read."""

    item: ArticleItem
    """The article from the pages read so far (the first page's fields, the pages' bodies joined)."""
    first_url: str
    """The article's canonical URL, as its first page gave it: where its related links are counted from."""
    first_related: list[str]
    """The first page's related links: followed once the article is emitted."""
    pages_left: list[str]
    """URLs of the pages still to read, in order (``?page=2``…)."""
    page_count: int
    """Pages the first page's paging shows."""
    related_depth: int
    """Related-link hops from where the article was found."""
    sitemap_hints: dict[str, Any] | None = None
    """The sitemap's ``datePublished``/``keywords`` for the fields the pages lack."""
    redirect_urls: list[str] = field(default_factory=list)
    """The URLs the first answer was redirected from: recorded as the article's aliases."""

    def next_page(self) -> tuple[str, ArticleParts]:
        """The URL of the next page to read, and the parts with it taken off the list."""
        return self.pages_left[0], replace(self, pages_left=self.pages_left[1:])
