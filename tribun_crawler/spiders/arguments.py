"""The ``tribun`` spider's arguments (``-a name=value``), parsed once into one typed, validated object.

A bad argument stops the crawl before it starts, with a message naming the argument and what it accepts
(``ValueError``); the README's "Spider arguments" table lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tribun_crawler.settings import is_truthy
from tribun_crawler.sites import parse_site_keys
from tribun_crawler.spiders.window import DateWindow
from tribun_crawler.urls import on_network

#: Ways to find articles (``-a discover=``): section hubs or homepages, daily indexes, sitemaps (news and web),
#: and ``changes``: the sitemaps read only for the changes of recent articles, at most once per
#: ``TRIBUN_CHANGE_SITEMAP_INTERVAL`` (implied by ``sitemaps``).
DISCOVERY_MODES = ("sections", "index", "sitemaps", "changes")
#: What a run discovers from when ``discover`` is not given: new articles from the hubs and the daily index, the
#: changes of recent ones from the sitemaps (docs/performance.md: 9.2 requests per new article without them).
DEFAULT_DISCOVERY = ("sections", "index", "changes")


@dataclass(frozen=True, slots=True)
class CrawlArguments:
    """What a run crawls, from the spider's arguments."""

    site_keys: list[str] = field(default_factory=lambda: ["www"])
    """``sites``: comma-separated site keys (``www,banyumas``) or ``all``; default ``www``."""
    sections: list[str] = field(default_factory=list)
    """``sections``: section hubs to crawl on each site; default the flagship's main hubs, a regional homepage."""
    discover: tuple[str, ...] = DEFAULT_DISCOVERY
    """``discover``: ways to find articles on each site, of :data:`DISCOVERY_MODES`."""
    start_urls: list[str] = field(default_factory=list)
    """``start_urls``: URLs to start from instead of discovery; each on the network."""
    since: date | None = None
    """``since``: first day of the date window (inclusive)."""
    until: date | None = None
    """``until``: last day of the date window (inclusive); today when not given."""
    reset_state: bool = False
    """``reset_state``: empty the state store before the crawl."""
    force: bool = False
    """``force``: discover every chosen site, due or not (adaptive polling off for this run)."""

    @property
    def window(self) -> DateWindow:
        """The publication days the run crawls and emits (``since`` to ``until``)."""
        return DateWindow(self.since, self.until)

    @classmethod
    def parse(
        cls,
        *,
        sites: str | None = None,
        sections: str | None = None,
        discover: str | None = None,
        start_urls: str | None = None,
        since: str | None = None,
        until: str | None = None,
        reset_state: str | bool | None = None,
        force: str | bool | None = None,
    ) -> CrawlArguments:
        """The arguments as given on the command line (strings, or None when not given); raises ValueError."""
        urls = split_list(start_urls)
        if urls and discover:
            raise ValueError("start_urls replaces discovery: give either start_urls or discover, not both")
        refuse_off_network(urls)
        first, last = parse_day(since, "since"), parse_day(until, "until")
        if first and last and first > last:
            raise ValueError(f"since ({first}) is after until ({last})")
        return cls(
            site_keys=parse_site_keys(sites),
            sections=split_list(sections),
            discover=parse_discovery(discover),
            start_urls=urls,
            since=first,
            until=last,
            reset_state=is_truthy(reset_state) if reset_state is not None else False,
            force=is_truthy(force) if force is not None else False,
        )


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from exc


def parse_discovery(value: str | None) -> tuple[str, ...]:
    modes = [mode.lower() for mode in split_list(value)]
    unknown = [mode for mode in modes if mode not in DISCOVERY_MODES]
    if unknown:
        raise ValueError(
            f"discover must be one or more of {', '.join(DISCOVERY_MODES)} (comma-separated), "
            f"got {', '.join(map(repr, unknown))}"
        )
    return tuple(dict.fromkeys(modes)) or DEFAULT_DISCOVERY


def refuse_off_network(urls: Iterable[str]) -> None:
    """Raise on a start URL outside the network: the crawl must not start rather than skip it quietly."""
    for url in urls:
        if not on_network(url):
            raise ValueError(
                f"start URL {url!r} is outside the Tribun network: only www.tribunnews.com and the regional "
                "{sub}.tribunnews.com sites of tribun_crawler/sites.py are crawled"
            )
