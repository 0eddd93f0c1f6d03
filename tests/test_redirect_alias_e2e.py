"""Renamed articles across scheduled runs: an old URL that redirected to an emitted article is not requested again.

Two runs of the real ``scrapy crawl tribun`` share one state file, each against a fresh hostile replica
(tests/replica/hostile.py) of its HTTP host, whose listings link ``r-renamed``: an old URL that answers 301 with
the URL of ``g-renamed``. The first run follows the redirect and emits ``g-renamed``; the state records the old
URL as an alias of it. What the second run requests is read from the replica's request log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.crawl import CrawlResult, run_crawl, spider_today
from tests.replica import start_replica
from tests.replica.hostile import HTTP_SITE, UNLISTED_DAYS_AGO, hostile_network

pytestmark = pytest.mark.slow

#: Short timeouts and backoffs, as the hostile crawl uses: the HTTP host's faults cost seconds, not minutes.
SETTINGS = {
    "DOWNLOAD_TIMEOUT": "2",
    "TRIBUN_RETRY_BACKOFF_BASE": "0.1",
    "TRIBUN_RETRY_BACKOFF_MAX": "1.5",
}
OLD, NEW = "r-renamed", "g-renamed"


def scheduled_run(tmp_path: Path, name: str, settings: dict[str, str]) -> tuple[CrawlResult, list[dict[str, Any]]]:
    workdir = tmp_path / name
    workdir.mkdir()
    with start_replica(workdir, today=spider_today(), hostile=True) as replica:
        result = run_crawl(workdir, args={"sites": HTTP_SITE}, settings=settings, env=replica.env, name=name)
        log = replica.requests()
    assert result.returncode == 0, result.log[-3000:]
    return result, log


def fetches(log: list[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    """The GET requests the replica logged for the article at ``url``, by host and slug (any page variant).

    Not by :meth:`Network.request_article`: the hostile network numbers its articles afresh on every build, so
    a network built in this process may give ``g-renamed`` another id than the server's; the slug is stable.
    """
    host = urlsplit(url).hostname
    return [e for e in log if e["method"] == "GET" and e["host"] == host and slug(e["path"]) == slug(url)]


def slug(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    ("recheck_hours", "refetched"),
    # g-renamed is published UNLISTED_DAYS_AGO days before the replica's today: a window two days longer reaches it.
    [("0", False), (str((UNLISTED_DAYS_AGO + 2) * 24), True)],
    ids=["outside-recheck-window", "inside-recheck-window"],
)
def test_an_old_url_that_redirected_to_an_emitted_article_is_not_requested_again(
    tmp_path: Path, recheck_hours: str, refetched: bool
) -> None:
    settings = {**SETTINGS, "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RECHECK_HOURS": recheck_hours}
    network = hostile_network(spider_today())
    old, new = network.article(OLD).url, network.article(NEW).url

    first, log = scheduled_run(tmp_path, "run1", settings)
    assert len(fetches(log, old)) == 1
    assert [slug(item["url"]) for item in first.items].count(slug(new)) == 1
    assert first.stats["stats"]["tribun/state/recorded_aliases"] == 1

    second, log = scheduled_run(tmp_path, "run2", settings)
    assert second.items == []
    if refetched:
        # Within the recheck window the old URL is read again like the article itself: once, redirect and all,
        # and the unchanged article is dropped.
        assert len(fetches(log, old)) == 1
        assert len(fetches(log, new)) == 1
        assert "tribun/skipped/known_alias" not in second.stats["stats"]
    else:
        assert fetches(log, old) == []
        assert fetches(log, new) == []
        # Skipped where the listing names it, and where a sitemap read for changes (discover=changes) lists it.
        stats = second.stats["stats"]
        assert stats["tribun/skipped/known_alias"] == 1 + stats.get("tribun/sitemap/skipped/known_alias", 0)
