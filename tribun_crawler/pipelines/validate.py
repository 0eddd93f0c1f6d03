"""Validate: nothing malformed reaches the feed.

An item is dropped (:class:`InvalidArticle`, which carries the reason) and counted as ``tribun/dropped/<reason>`` when
it has no article URL, no headline, no body, a body too short to be an article (``TRIBUN_MIN_BODY_CHARS``,
counted after normalisation: teasers, video and photo pages are shorter), or no publication date readable as
offset-aware ISO 8601 (nor a ``datePublishedDay`` where the page shows no time); then against the article's JSON
Schema (``schema``: every problem counted per field and keyword, the item dropped unless
``TRIBUN_DROP_SCHEMA_INVALID`` is off). Runs after the normalise pipeline, so it judges what the feed would
receive.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from tribun_crawler import stats as stat
from tribun_crawler.schema import article_problems
from tribun_crawler.urls import is_article_url

logger = logging.getLogger(__name__)

#: Every reason an item can be dropped for, in the order they are checked.
REASONS = (
    "missing_url",
    "bad_url",
    "missing_headline",
    "missing_body",
    "short_body",
    "missing_date",
    "bad_date",
    "schema",
)


class InvalidArticle(DropItem):
    """ValidatePipeline's drop: ``reason`` (one of :data:`REASONS`), ``url`` and ``detail`` travel as data."""

    def __init__(self, reason: str, url: str, detail: str) -> None:
        super().__init__(f"{reason}: {url} ({detail})", log_level="WARNING")
        self.reason = reason
        self.url = url
        self.detail = detail


def _is_iso_day(value: Any) -> bool:
    try:
        return isinstance(value, str) and date.fromisoformat(value) is not None
    except ValueError:
        return False


def _is_offset_aware_iso(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


class ValidatePipeline:
    """Drops items missing url, headline, articleBody or datePublished, or with too short a body, and items that
    break the article's JSON Schema (``tribun_crawler/schema``), the contract of the feed."""

    def __init__(self, crawler: Crawler, min_body_chars: int, *, drop_schema_invalid: bool) -> None:
        self.crawler = crawler
        self.min_body_chars = min_body_chars
        self.drop_schema_invalid = drop_schema_invalid

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getint("TRIBUN_MIN_BODY_CHARS"),
            drop_schema_invalid=settings.getbool("TRIBUN_DROP_SCHEMA_INVALID"),
        )

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url = adapter.get("url") or "<no url>"
        problem = self.problem(adapter)
        if problem is None:
            problem = self.schema_problem(adapter, url)
        if problem is None:
            return item
        reason, detail = problem
        self.crawler.stats.inc_value(stat.DROPPED(reason))
        raise InvalidArticle(reason, url, detail)

    def schema_problem(self, adapter: ItemAdapter, url: str) -> tuple[str, str] | None:
        """The item against the article's JSON Schema: each problem counted (``tribun/schema_errors/<field>/
        <keyword>``, the top-level field); ``schema`` and the first problems when it is to be dropped."""
        problems = article_problems(adapter.asdict())
        if not problems:
            return None
        for problem in problems:
            self.crawler.stats.inc_value(stat.SCHEMA_ERRORS(f"{problem.field.split('/')[0]}/{problem.keyword}"))
        detail = "; ".join(problem.message for problem in problems[:3])
        if self.drop_schema_invalid:
            return "schema", detail
        logger.warning("Article %s breaks the schema, kept (TRIBUN_DROP_SCHEMA_INVALID=0): %s", url, detail)
        return None

    def problem(self, adapter: ItemAdapter) -> tuple[str, str] | None:
        """Why the item must not reach the feed (one of :data:`REASONS` before ``schema``, and a detail), or None."""
        url = adapter.get("url")
        if not url:
            return "missing_url", "no url"
        if not is_article_url(url):
            return "bad_url", "not a Tribun article URL"
        if not adapter.get("headline"):
            return "missing_headline", "no headline"
        body = adapter.get("articleBody") or ""
        if not body.strip():
            return "missing_body", "no articleBody"
        if len(body) < self.min_body_chars:
            return "short_body", f"articleBody has {len(body)} characters, fewer than {self.min_body_chars}"
        published = adapter.get("datePublished")
        if not published:
            # A page that shows the day but no time is emitted with that day alone (docs/site.md, "Older eras").
            if _is_iso_day(adapter.get("datePublishedDay")):
                return None
            return "missing_date", "no datePublished or datePublishedDay"
        if not _is_offset_aware_iso(published):
            return "bad_date", f"datePublished {published!r} is not offset-aware ISO 8601"
        return None
