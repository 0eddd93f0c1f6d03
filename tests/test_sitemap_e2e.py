"""Discovery from sitemaps, end to end: the real ``scrapy crawl tribun -a discover=sitemaps`` against the replica.

The replica's sitemaps (tests/replica/pages.py, "sitemaps") have every shape the issue names: the flagship's
index of dash-named section sitemaps, regional underscore-named ones (flat on banyumas, nested indexes on
jateng, whose robots.txt alone names the top index), gzip web sitemaps (makassar), CDATA locs, and one
malformed news sitemap (www seleb). What was requested is read from the replica's request log, never from the
crawler's own account.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.crawl import REPO_ROOT, crawl_env, read_jsonl, run_crawl, scrapy_command, spider_today
from tests.replica import Replica, start_replica
from tests.replica.network import POPULATED_SITES, Network, default_today
from tests.replica.pages import sitemap_files
from tests.replica.sitemap_index import SITE as INDEX_SITE
from tests.replica.sitemap_index import sitemap_index_articles
from tests.test_scheduling import DEPLOY, INSTALL_DIR, installed_copy, schedule_env
from tribun_crawler.sites import SITES, site_key
from tribun_crawler.spiders.tribun import sitemap_start_urls
from tribun_crawler.state import open_store
from tribun_crawler.state.records import ArticleRecord, key_fingerprint, now_ms

pytestmark = pytest.mark.slow

GETS = ("GET", "HEAD")


def gets(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in log if entry["method"] in GETS]


def article_keys(network: Network, log: list[dict[str, Any]]) -> set[str]:
    """The articles whose pages were requested (any page: a multi-page article also asks for ``?page=all``)."""
    return {found[0] for entry in log if (found := network.request_article(entry))}


def is_sitemap(entry: dict[str, Any]) -> bool:
    site = site_key(entry["host"])
    return site is not None and entry["path"] in sitemap_files(site) and not entry["query"]


def absent_names(site: str) -> set[str]:
    """The sitemap names the crawler looks for on a site (``sitemap_start_urls``) that the site does not publish."""
    return {urlsplit(url).path for url in sitemap_start_urls(site)} - set(sitemap_files(site))


def is_absent_guess(entry: dict[str, Any]) -> bool:
    """A request for a sitemap name the site does not publish, answered 404."""
    site = site_key(entry["host"])
    return site is not None and entry["status"] == 404 and entry["path"] in absent_names(site) and not entry["query"]


def not_article_requests(network: Network, log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests that are neither robots.txt nor a sitemap file (or name looked for) nor an article page."""
    return [
        e
        for e in gets(log)
        if e["path"] != "/robots.txt"
        and not is_sitemap(e)
        and not is_absent_guess(e)
        and network.request_article(e) is None
    ]


def sitemap_articles(network: Network, sites: tuple[str, ...], day: date | None = None) -> set[str]:
    """What the sites' sitemaps list (the listed articles of their last two days), or only those of ``day``."""
    found = set()
    for site in sites:
        for file in sitemap_files(site).values():
            if file.kind != "index":
                found |= {a.key for a in network.latest(site, file.section) if _in_sitemap(network, a.published)}
    return {key for key in found if day is None or network.article(key).published.date() == day}


def _in_sitemap(network: Network, published: Any) -> bool:
    return (network.today - published.date()).days <= 1


def remember(state_path: Path, network: Network, key: str, *, modified: Any = None) -> None:
    """Put an article in the state store as an earlier run emitted it (``modified``: its dateModified then)."""
    article = network.article(key)
    record = ArticleRecord(
        key=key_fingerprint(article.url),
        url=article.url,
        body=0,
        published=int(article.published.timestamp()),
        modified=int((modified or article.modified).timestamp()),
        recorded=now_ms() - 3_600_000,
    )
    with open_store({"TRIBUN_STATE_BACKEND": "sqlite", "TRIBUN_STATE_PATH": str(state_path)}) as state:
        state.put(record)


def test_sitemaps_lead_to_exactly_the_new_articles_of_the_window(tmp_path: Path) -> None:
    today = spider_today()
    state = tmp_path / "state.sqlite3"
    with start_replica(tmp_path, today=today) as replica:
        network = replica.network()
        # Stored by an earlier run: w-dpt as the sitemaps show it now; m-pelabuhan before its last change
        # (published 10:00, changed 10:30 WITA), which only the gzip web sitemap of makassar tells.
        remember(state, network, "w-dpt")
        pelabuhan = network.article("m-pelabuhan")
        remember(state, network, "m-pelabuhan", modified=pelabuhan.published)
        result = run_crawl(
            tmp_path,
            args={"sites": ",".join(POPULATED_SITES), "discover": "sitemaps", "since": today.isoformat()},
            settings={"TRIBUN_STATE_PATH": str(state), "TRIBUN_RELATED_DEPTH": "0"},
            env=replica.env,
        )
        log = replica.requests()
    assert result.returncode == 0, result.log[-3000:]

    listed_today = sitemap_articles(network, POPULATED_SITES, today)
    assert "w-gempa" in sitemap_articles(network, POPULATED_SITES) - listed_today  # yesterday: before since
    assert article_keys(network, log) == listed_today - {"w-dpt"}
    assert "m-pelabuhan" in article_keys(network, log)
    assert network.duplicate_fetches(log) == {}
    assert not_article_requests(network, log) == []
    assert {e["host"] for e in gets(log)} == {SITES[s].host for s in POPULATED_SITES}

    # Every sitemap file of the four sites, once: nested indexes, the index only robots.txt names, gzip files.
    fetched = [(e["host"], e["path"]) for e in gets(log) if is_sitemap(e)]
    assert sorted(fetched) == sorted((SITES[s].host, path) for s in POPULATED_SITES for path in sitemap_files(s))
    assert ("jateng.tribunnews.com", "/sitemap.xml") in fetched
    # The names looked for and not published (the standard /sitemap.xml of banyumas and makassar), once each,
    # counted and not reported as failed pages.
    absent = sorted((e["host"], e["path"]) for e in gets(log) if is_absent_guess(e))
    assert absent == sorted((SITES[s].host, path) for s in POPULATED_SITES for path in absent_names(s))
    assert absent == [("banyumas.tribunnews.com", "/sitemap.xml"), ("makassar.tribunnews.com", "/sitemap.xml")]
    assert result.stats["stats"]["tribun/sitemap/absent"] == len(absent)
    assert result.stats["problems"] == []
    assert [name for name in result.stats["stats"] if name.startswith("tribun/failed/")] == []
    # robots.txt once per host: its Sitemap: lines are read from the response RobotsTxtMiddleware fetched.
    assert sorted(e["host"] for e in gets(log) if e["path"] == "/robots.txt") == sorted(
        SITES[s].host for s in POPULATED_SITES
    )

    stats = result.stats["stats"]
    assert stats["tribun/sitemap/skipped/out_of_window"] == 2  # w-gempa, in its news and its web sitemap
    assert stats["tribun/sitemap/skipped/unchanged"] == 3  # w-dpt twice, m-pelabuhan's news entry
    assert stats["tribun/errors/sitemap/xml-syntax"] == 1  # www seleb's news sitemap
    assert stats["tribun/sitemap/read/gzip"] == len([f for f in sitemap_files("makassar").values() if f.gzip])
    assert result.stats["skipped"]["unchanged"] == 3
    # The seleb story is still read: its web sitemap lists it too.
    emitted = {item["url"] for item in result.items}
    assert network.article("w-konser").url in emitted
    assert network.article("w-dpt").url not in emitted


# --- A host whose sitemaps are only at /sitemap.xml --------------------------------------------------------------


def test_a_host_that_publishes_only_sitemap_xml_is_crawled_from_it(tmp_path: Path) -> None:
    """Tribun-Bali in the replica (tests/replica/sitemap_index.py): /sitemap.xml is the index of its per-section
    news sitemaps; the regional names answer 404 and robots.txt names no sitemap."""
    today = spider_today()
    with start_replica(tmp_path, today=today, sitemap_index=True) as replica:
        result = run_crawl(
            tmp_path,
            args={"sites": INDEX_SITE, "discover": "sitemaps"},
            settings={"TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3"), "TRIBUN_RELATED_DEPTH": "0"},
            env=replica.env,
        )
        log = replica.requests()
    assert result.returncode == 0, result.log[-3000:]

    articles = sitemap_index_articles(today)
    network = Network(1, today, tuple(articles))
    assert sorted(item["url"] for item in result.items) == sorted(a.url for a in articles)
    assert article_keys(network, log) == {a.key for a in articles}
    assert network.duplicate_fetches(log) == {}

    # Everything else asked of the host, each once: robots.txt, /sitemap.xml and the two section news sitemaps it
    # lists, then the regional names, which the host does not publish.
    others = [(e["path"], e["status"]) for e in gets(log) if network.request_article(e) is None]
    assert sorted(others) == sorted(
        [
            ("/robots.txt", 200),
            ("/sitemap.xml", 200),
            ("/denpasar/sitemap_news.xml", 200),
            ("/badung/sitemap_news.xml", 200),
            ("/sitemap_news.xml", 404),
            ("/sitemap_web.xml", 404),
        ]
    )
    assert {e["host"] for e in gets(log)} == {SITES[INDEX_SITE].host}

    # A name guessed and not published is counted and logged quietly: no failed page, no error, no warning.
    stats = result.stats["stats"]
    assert stats["tribun/sitemap/absent"] == 2
    assert [name for name in stats if name.startswith(("tribun/failed/", "tribun/errors/"))] == []
    assert result.stats["problems"] == []
    assert [line for line in result.log.splitlines() if "WARNING" in line and "sitemap" in line.lower()] == []


# --- The scheduled run, as deploy/crontab runs it --------------------------------------------------------------


def sitemap_cron_command(root: Path) -> str:
    """The command of the crontab's sitemap line, for the installed copy at ``root``."""
    (line,) = [line for line in (DEPLOY / "crontab").read_text().splitlines() if "discover=sitemaps" in line]
    return line.lstrip("# ").split(None, 5)[5].replace(INSTALL_DIR, str(root))


def cron_run(command: str, replica: Replica, tmp_path: Path, **env: str) -> None:
    # The runs follow one another within seconds, not the cron period: each discovers every site, as a run does
    # without adaptive polling (tests/test_polling_e2e.py has runs skip the sites not due).
    process = subprocess.run(
        ["bash", "-c", command],
        env={**schedule_env(replica, tmp_path), "TRIBUN_ADAPTIVE_POLLING": "0", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    # cron mails what the line prints: a healthy run prints nothing.
    assert (process.returncode, process.stdout) == (0, "")


def feeds(root: Path) -> list[Path]:
    return sorted((root / "data" / "tribun").glob("*.jsonl"))


def test_scheduled_sitemap_runs_request_only_sitemaps_then_exactly_the_new_articles(tmp_path: Path) -> None:
    root = installed_copy(tmp_path)
    command = sitemap_cron_command(root)
    # The cron line reads no daily index, so the network's day need not be the spider's: the replica's default
    # day keeps every article in the past. With the spider's day, before 13:05 WIB, today's articles would be
    # published in the future, hence "within" any recheck window, even one of 0 hours (step 3).
    today = default_today()
    everything = tuple(SITES)

    # 1. First run: every article the sitemaps list, each once.
    (tmp_path / "run1").mkdir()
    with start_replica(tmp_path / "run1", today=today) as replica:
        cron_run(command, replica, tmp_path)
        network = replica.network()
        log = replica.requests()
    assert article_keys(network, log) == sitemap_articles(network, everything)
    assert network.duplicate_fetches(log) == {}
    assert not_article_requests(network, log) == []
    (first_feed,) = feeds(root)
    # The syndicated pair is one story: one of the two is emitted.
    assert len(read_jsonl(first_feed)) == len(sitemap_articles(network, everything)) - 1

    # 2. Nothing new: sitemaps only, not one article page (robots.txt comes from the discovery cache, kept for 24
    # hours); no feed file.
    (tmp_path / "run2").mkdir()
    with start_replica(tmp_path / "run2", today=today) as replica:
        cron_run(command, replica, tmp_path)
        log = replica.requests()
    assert article_keys(network, log) == set()
    assert not_article_requests(network, log) == []
    assert [e["path"] for e in gets(log) if not is_sitemap(e) and not is_absent_guess(e)] == []
    assert feeds(root) == [first_feed]

    # 3. Two new articles (generation 2), no recheck window: exactly those two are requested and emitted.
    (tmp_path / "run3").mkdir()
    with start_replica(tmp_path / "run3", generation=2, today=today) as replica:
        cron_run(command, replica, tmp_path, TRIBUN_RECHECK_HOURS="0")
        network = replica.network()
        log = replica.requests()
    assert article_keys(network, log) == {"w-bansos", "w-ponsel"}
    assert not_article_requests(network, log) == []
    new_feed = next(f for f in feeds(root) if f != first_feed)
    assert sorted(item["url"] for item in read_jsonl(new_feed)) == sorted(
        network.article(key).url for key in ("w-bansos", "w-ponsel")
    )

    # 4. The same network, with the default recheck window: the one article whose lastmod moved since it was
    #    stored (w-seoul, updated in generation 2) is requested, and emitted as an update.
    (tmp_path / "run4").mkdir()
    with start_replica(tmp_path / "run4", generation=2, today=today) as replica:
        cron_run(command, replica, tmp_path)
        log = replica.requests()
    assert article_keys(network, log) == {"w-seoul"}
    (update_feed,) = [f for f in feeds(root) if f not in (first_feed, new_feed)]
    (updated,) = read_jsonl(update_feed)
    seoul = network.article("w-seoul")
    assert (updated["url"], updated["dateModified"]) == (seoul.url, seoul.modified.isoformat())


# --- Start URLs off the network --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start_urls",
    [
        "https://example.com/berita/2024/06/20/banjir-rob-semarang",
        "https://www.tribunnews.com/nasional,https://video.tribunnews.com/view/123456/cuplikan",
    ],
)
def test_an_off_network_start_url_stops_the_crawl_before_any_request(
    replica: Replica, tmp_path: Path, start_urls: str
) -> None:
    command = scrapy_command(tmp_path / "out.jsonl", {"start_urls": start_urls})
    process = subprocess.run(
        command, cwd=REPO_ROOT, env=crawl_env(replica.env), capture_output=True, text=True, timeout=120
    )
    assert process.returncode == 1
    offending = start_urls.rsplit(",", 1)[-1]
    assert f"start URL {offending!r} is outside the Tribun network" in process.stderr
    assert replica.requests() == []
    assert not (tmp_path / "out.jsonl").exists() or read_jsonl(tmp_path / "out.jsonl") == []
