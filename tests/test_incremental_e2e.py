"""Scheduled runs end to end: each run adds only what is new, and spends no request on what it already has.

Three runs of the real ``scrapy crawl tribun`` share one state file, against the replica network:
1. everything reachable, once (the syndicated copy handled);
2. nothing changed: nothing emitted, and the only article pages fetched are the recent ones (recheck window);
   the syndicated copy dropped in run 1, recent, is fetched again and dropped again as a duplicate;
3. the replica added two articles and updated one: exactly those three are emitted, the update with its old URL.

Then two runs with no recheck window: the second requests no article the first emitted or dropped as a copy.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.crawl import CrawlResult, run_crawl
from tests.replica import Replica, start_replica
from tests.replica.network import Network
from tribun_crawler.sites import WIB

SITES = ("www", "banyumas", "jateng", "makassar")
RECHECK_HOURS = 48

pytestmark = pytest.mark.slow


def run_dir(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def scheduled_run(replica: Replica, workdir: Path, state: Path, name: str) -> CrawlResult:
    result = run_crawl(
        workdir,
        args={"sites": ",".join(SITES)},
        settings={"TRIBUN_STATE_PATH": str(state), "TRIBUN_RECHECK_HOURS": str(RECHECK_HOURS)},
        env=replica.env,
        name=name,
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


#: The replica's syndicated pair: a jateng story and its banyumas republication, both published "today".
PAIR = ("j-rob", "b-rob-copy")


def dropped_copy(first: CrawlResult, network: Network) -> tuple[str, str]:
    """(emitted, dropped): the URLs of the pair, the one run ``first`` emitted and the copy it dropped."""
    urls = {network.article(key).url for key in PAIR}
    (emitted,) = urls & {item["url"] for item in first.items}
    (dropped,) = urls - {emitted}
    return emitted, dropped


def article_fetches(replica: Replica) -> list[str]:
    """Keys of the articles whose pages the crawl requested, one entry per request."""
    network = replica.network()
    return [found[0] for entry in replica.requests() if (found := network.request_article(entry))]


def test_three_scheduled_runs_emit_only_what_is_new(tmp_path: Path) -> None:
    today = datetime.now(WIB).date()
    state = tmp_path / "state.sqlite3"

    with start_replica(run_dir(tmp_path, "run1"), today=today) as replica:
        first = scheduled_run(replica, tmp_path / "run1", state, "run1")
        network = replica.network()
        reachable = network.expected(SITES, depth=2, index_dates=[today], include_copies=True)
    stories = {e.based_on or e.url for e in reachable}
    first_urls = [item["url"] for item in first.items]
    assert len(first_urls) == len(set(first_urls)) == len(stories)
    assert {next(e.based_on or e.url for e in reachable if e.url == url) for url in first_urls} == stories
    emitted, dropped = dropped_copy(first, network)
    assert f"duplicate (syndicated) of {emitted}: {dropped}" in first.log

    with start_replica(run_dir(tmp_path, "run2"), today=today) as replica:
        second = scheduled_run(replica, tmp_path / "run2", state, "run2")
        refetched = article_fetches(replica)
    assert second.items == []
    # The copy is within the recheck window: fetched again, it is a duplicate again, not an update.
    assert f"duplicate (syndicated) of {emitted}: {dropped}" in second.log
    recent_cutoff = datetime.now(UTC) - timedelta(hours=RECHECK_HOURS)
    old = {e.key for e in reachable if datetime.fromisoformat(e.date_published) < recent_cutoff}
    assert old, "the replica has articles outside the recheck window"
    assert not old & set(refetched), "an article outside the recheck window was fetched again"
    assert "tribun/skipped/known" in second.log

    with start_replica(run_dir(tmp_path, "run3"), generation=2, today=today) as replica:
        third = scheduled_run(replica, tmp_path / "run3", state, "run3")
        network = replica.network()
    expected = {network.article(key).url for key in ("w-bansos", "w-ponsel", "w-seoul")}
    assert sorted(item["url"] for item in third.items) == sorted(expected)
    updated = next(item for item in third.items if item["url"] == network.article("w-seoul").url)
    assert updated["dateModified"] == network.article("w-seoul").modified.isoformat()
    assert updated["articleBody"] == "\n\n".join(network.article("w-seoul").body_paragraphs())


def test_no_request_for_an_article_emitted_or_dropped_as_a_copy_earlier(tmp_path: Path) -> None:
    # No recheck window, and the replica's default date: every article is older than the window.
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RECHECK_HOURS": "0"}
    runs = []
    for name in ("run1", "run2"):
        with start_replica(run_dir(tmp_path, name)) as replica:
            result = run_crawl(tmp_path / name, args={"sites": ",".join(SITES)}, settings=settings, env=replica.env)
            assert result.returncode == 0, result.log[-3000:]
            runs.append((result, article_fetches(replica), replica.network()))
    (first, fetched, network), (second, refetched, _) = runs

    emitted, dropped = dropped_copy(first, network)
    assert {network.article(key).url for key in PAIR} == {emitted, dropped}
    assert set(PAIR) <= set(fetched)
    assert f"duplicate (syndicated) of {emitted}: {dropped}" in first.log
    assert "'tribun/state/recorded_duplicates': 1" in first.log
    kept = {item["url"] for item in first.items} | {dropped}
    had = {key for key in fetched if network.article(key).url in kept}
    assert second.items == []
    assert "tribun/skipped/known" in second.log
    assert not set(PAIR) & set(refetched), "the syndicated pair was requested again"
    assert not had & set(refetched), "an article the first run had was requested again"


def test_replica_generations_share_their_dates() -> None:
    # The scenario above relies on generation 2 keeping generation 1's articles and dates.
    from tests.replica.network import build_network

    day = date(2026, 11, 20)
    one, two = build_network(1, day), build_network(2, day)
    assert one.article("w-dpt").published == two.article("w-dpt").published
    assert one.article("w-seoul").modified < two.article("w-seoul").modified


#: The project's defaults, which tests/crawl.py's FAST turns off for test runs seconds apart.
RECHECK_DEFAULTS = {"TRIBUN_RECHECK_AGES": "1,2,4,8,16,32", "TRIBUN_RECHECK_BY_SITEMAP": "True"}


def test_scheduled_runs_read_a_recent_article_again_only_when_a_change_may_be_expected(tmp_path: Path) -> None:
    """With the default recheck policy: a run minutes after the first reads no article again, though its listings
    name many recent ones; a sitemaps run after the replica changed reads the new articles and, of the known ones,
    only the one its web sitemap shows updated, and emits it."""
    today = datetime.now(WIB).date()
    settings = {"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), **RECHECK_DEFAULTS}

    def run(
        name: str, generation: int, more: dict[str, str] | None = None, **args: str
    ) -> tuple[CrawlResult, list[str], Network]:
        with start_replica(run_dir(tmp_path, name), generation=generation, today=today) as replica:
            result = run_crawl(
                tmp_path / name,
                args={"sites": ",".join(SITES), **args},
                settings={**settings, **(more or {})},
                env=replica.env,
                name=name,
            )
            assert result.returncode == 0, result.log[-3000:]
            return result, article_fetches(replica), replica.network()

    first, _, network = run("run1", 1)
    assert len(first.items) > 20
    recent = {
        item["url"]
        for item in first.items
        if datetime.fromisoformat(item["datePublished"]) > datetime.now(UTC) - timedelta(hours=RECHECK_HOURS)
    }
    assert len(recent) > 10, "the replica's listings name recent articles"

    second, refetched, _ = run("run2", 1)
    assert (second.items, refetched) == ([], [])
    # Every recent article its listings and related links named was let go, none read again.
    assert second.stats["stats"]["tribun/skipped/recheck_not_due"] >= len(recent)
    assert "tribun/recheck/fetched" not in second.stats["stats"]

    # Even were every mention a reason (no ages), a site whose sitemaps the run reads is read again only on their
    # evidence.
    third, fetched, network = run("run3", 2, {"TRIBUN_RECHECK_AGES": ""}, discover="sitemaps")
    new = {"w-bansos", "w-ponsel"}
    assert sorted(item["url"] for item in third.items) == sorted(network.article(key).url for key in (*new, "w-seoul"))
    updated = next(item for item in third.items if item["url"] == network.article("w-seoul").url)
    assert updated["dateModified"] == network.article("w-seoul").modified.isoformat()
    # The known articles the new ones link to are not read again: the sitemaps would have shown a change.
    assert set(fetched) == {*new, "w-seoul"}
    assert third.stats["stats"]["tribun/recheck/fetched"] == 1
