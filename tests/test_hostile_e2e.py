"""End to end: the real ``scrapy crawl tribun`` against the hostile replica (tests/replica/hostile.py).

One crawl of the four hostile hosts (module fixture), then one test per promise: every good article emitted once
and complete; every bad page reported with its URL and a reason in the run report; a feed of valid JSON lines;
no request off the network or against robots.txt, and none into the traps (endless paging, the calendar, a
thousand spellings of one article), as the replica's request log shows; memory bounded. ``hostile.CASES`` says
what each hostile URL does and what a correct crawl makes of it.

Short download timeout and backoffs (``-s``) keep the crawl to a dozen seconds: a stalled response costs
``(1 + RETRY_TIMES) * DOWNLOAD_TIMEOUT``.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from protego import Protego

from tests.crawl import REPO_ROOT, crawl_env, read_jsonl, read_report, scrapy_command, spider_today
from tests.replica import Replica, start_replica
from tests.replica.hostile import (
    ALL_VARIANTS_FAIL,
    BLOCKED_SITE,
    CALENDAR_YEARS,
    CASES,
    CONTENT_SITE,
    DISALLOWED_PREFIX,
    HOSTILE_SITES,
    PAGE_ALL_FAULTS,
    TARGET_KEY,
    TRANSIENT,
    VARIANTS_KEY,
    Case,
    hostile_network,
    robots_txt,
)
from tests.replica.network import Article, Network, is_forbidden_location
from tribun_crawler.settings import RETRY_TIMES, TRIBUN_MAX_LISTING_PAGES, USER_AGENT
from tribun_crawler.sites import SITES, site_key
from tribun_crawler.urls import PageType, canonical_article_url, classify_url

pytestmark = pytest.mark.slow

SETTINGS = {
    "DOWNLOAD_TIMEOUT": "2",
    "TRIBUN_RETRY_BACKOFF_BASE": "0.1",
    "TRIBUN_RETRY_BACKOFF_MAX": "1.5",
}
#: Scrapy's default, which the project keeps: hops of a redirect chain followed before giving up.
REDIRECT_MAX_TIMES = 20
#: Peak resident memory of the crawler process. Measured: 105 MB; 214 MB with DOWNLOAD_MAXSIZE off, when the
#: 20 MB pages are read and parsed.
PEAK_RSS_LIMIT_MB = 160
#: A safety net for a hung crawl, not a measure (the crawl takes about 12 s).
CRAWL_TIMEOUT = 240
#: The invalid UTF-8 byte of ``g-badutf8`` replaces this character; the crawler reads U+FFFD in its place.
BAD_UTF8_CHAR = "é"


@dataclass
class HostileRun:
    returncode: int
    peak_rss_mb: float
    feed: Path
    items: list[dict[str, Any]]
    report: dict[str, Any]
    log: str
    requests: list[dict[str, Any]]
    network: Network


def peak_rss_mb(pid: int) -> float | None:
    """The process's own high-water RSS (``VmHWM``), None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) / 1024 if found else None


def crawl_measured(tmp_path: Path, replica: Replica) -> tuple[int, float, Path, Path]:
    """``scrapy crawl tribun`` over the hostile sites; returns (exit status, peak RSS in MB, feed, log file).

    The peak is the crawler's own ``VmHWM``, read while it runs: ``ru_maxrss`` of a child would include the
    pytest process it was forked from (Linux carries the parent's high-water mark across fork and exec).
    """
    feed, log_file = tmp_path / "hostile.jsonl", tmp_path / "hostile.log"
    settings = {**SETTINGS, "TRIBUN_STATE_PATH": str(tmp_path / "state.sqlite3")}
    command = scrapy_command(feed, {"sites": ",".join(HOSTILE_SITES)}, settings, log_file)
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=crawl_env(replica.env))
    peak = 0.0
    deadline = time.monotonic() + CRAWL_TIMEOUT
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
        peak = max(peak, peak_rss_mb(process.pid) or 0.0)
        time.sleep(0.05)
    return process.returncode, peak, feed, log_file


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    tmp_path = tmp_path_factory.mktemp("hostile")
    with start_replica(tmp_path, today=spider_today(), hostile=True) as replica:
        returncode, peak, feed, log_file = crawl_measured(tmp_path, replica)
        requests = replica.requests()
    return HostileRun(
        returncode=returncode,
        peak_rss_mb=peak,
        feed=feed,
        items=read_jsonl(feed),
        report=read_report(feed),
        log=log_file.read_text(encoding="utf-8") if log_file.exists() else "",
        requests=requests,
        network=hostile_network(replica.today),
    )


def article(run: HostileRun, case: Case) -> Article:
    return run.network.article(case.key)


def gets(run: HostileRun, host: str | None = None) -> list[dict[str, Any]]:
    return [e for e in run.requests if e["method"] == "GET" and (host is None or e["host"] == host)]


def expected_body(source: Article) -> str:
    body = "\n\n".join(source.body_paragraphs())
    return body.replace(BAD_UTF8_CHAR, "\ufffd") if source.key == "g-badutf8" else body


def test_the_crawl_finishes_normally(run: HostileRun) -> None:
    assert run.returncode == 0, run.log[-3000:]
    assert run.report["finish_reason"] == "finished"
    assert run.report["problems"] == []


def test_every_good_article_is_emitted_once_and_complete(run: HostileRun) -> None:
    urls = [item["url"] for item in run.items]
    assert [url for url, n in Counter(urls).items() if n > 1] == []
    good = {article(run, case).url: article(run, case) for case in CASES if case.emitted}
    assert sorted(urls) == sorted(good)
    for item in run.items:
        source = good[item["url"]]
        assert item["articleBody"] == expected_body(source), source.key
        assert item["headline"] == source.headline, source.key
        # pageCount is None for an article read whole from its ?page=all answer, which shows no paging.
        assert item["pageCount"] in (None, source.page_count), source.key
        assert item["datePublished"] == source.published.isoformat(), source.key
        # Broken or nonsensical JSON-LD is the only source of the modification date: none is better than junk.
        modified = None if source.key in ("g-badjson", "g-baddates") else source.modified.isoformat()
        assert item["dateModified"] == modified, source.key
        assert item["site"] == source.site
        assert [a["name"] for a in item["authors"]] == [p.name for p in source.authors], source.key


def test_articles_in_odd_encodings_keep_their_indonesian_text(run: HostileRun) -> None:
    items = {item["url"]: item for item in run.items}
    cp1252 = items[run.network.article("g-cp1252").url]["articleBody"]
    no_charset = items[run.network.article("g-nocharset").url]["articleBody"]
    assert "“Kami sudah menyiapkan selimut" in cp1252
    assert "17°C" in cp1252
    assert "Désiré" in cp1252
    assert "Hélène Sari" in no_charset
    assert "Montréal" in no_charset
    assert "Andr\ufffd Kusuma" in items[run.network.article("g-badutf8").url]["articleBody"]
    assert run.report["stats"]["tribun/encoding/assumed_cp1252"] >= 1


def page_of(url: str) -> str:
    """The page a reported URL stands for: an article's canonical URL (the crawler asks for ``?page=all``)."""
    return canonical_article_url(url) if classify_url(url) is PageType.ARTICLE else url


def allowed_failures(run: HostileRun) -> dict[str, frozenset[str]]:
    """URL -> reasons it may be reported failed for: the bad cases, and the blocked host's listings."""
    allowed = {article(run, case).url: case.reasons for case in CASES if not case.emitted}
    blocked = SITES[BLOCKED_SITE]
    blocked_reasons = frozenset({"http/403", "block/dropped"})
    day = run.network.today
    allowed[blocked.home] = blocked_reasons
    allowed[f"{blocked.home}index-news?date={day.year}-{day.month}-{day.day}"] = blocked_reasons
    # The sitemaps the default run reads for changes (discover=changes) are its discovery pages too.
    for name in ("sitemap.xml", "sitemap_web.xml"):
        allowed[f"{blocked.home}{name}"] = blocked_reasons
    return allowed


def test_every_bad_page_is_reported_with_its_url_and_a_reason(run: HostileRun) -> None:
    failed = run.report["failed"]
    pages = failed["pages"]
    reported: dict[str, set[str]] = {}
    for page in pages:
        reported.setdefault(page_of(page["url"]), set()).add(page["reason"])
    for case in CASES:
        url = article(run, case).url
        if case.emitted:
            assert url not in reported, (case.key, reported.get(url))
        else:
            assert reported.get(url), f"{case.key} ({case.fault}) is not in the report"
            assert reported[url] <= case.reasons, (case.key, reported[url])
    # Nothing else failed: not the traps' links, not the good articles' pages, not the listings.
    allowed = allowed_failures(run)
    assert [(p["url"], p["reason"]) for p in pages if p["reason"] not in allowed.get(page_of(p["url"]), ())] == []
    # Counted in the report and the stats, listed whole (the run stays under the per-reason cap), and logged.
    assert failed["omitted"] == {}
    assert failed["total"] == len(pages)
    assert failed["reasons"] == dict(Counter(p["reason"] for p in pages))
    for reason, count in failed["reasons"].items():
        assert run.report["stats"][f"tribun/failed/{reason}"] == count
    for page in pages:
        assert f"Failed page {page['url']}: {page['reason']}" in run.log
        assert page["detail"], page


def test_every_jsonl_line_is_valid_json(run: HostileRun) -> None:
    raw = run.feed.read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.decode("utf-8").splitlines()
    assert len(lines) == len(run.items) > 0
    for line in lines:
        assert isinstance(json.loads(line), dict)


def test_no_request_left_the_network_or_went_against_robots_txt(run: HostileRun) -> None:
    assert run.requests, "the crawl sent nothing through the replica"
    assert [e for e in run.requests if e["off_network"] or site_key(e["host"]) is None] == []
    robots = {SITES[site].host: Protego.parse(robots_txt(site)) for site in HOSTILE_SITES}
    for entry in gets(run):
        url = f"https://{entry['host']}{entry['path']}" + (f"?{entry['query']}" if entry["query"] else "")
        assert not is_forbidden_location(entry["host"], entry["path"]), url
        assert robots[entry["host"]].can_fetch(url, USER_AGENT), url
    assert not [e for e in gets(run) if e["path"].startswith(DISALLOWED_PREFIX)]


def test_traps_and_retries_stay_bounded(run: HostileRun) -> None:
    net = run.network
    attempts = Counter((e["host"], e["path"], e["query"]) for e in gets(run))
    over = {key: n for key, n in attempts.items() if n > 1 + RETRY_TIMES}
    assert over == {}
    # Listings: robots.txt and the homepage per host, the daily index of today only (the calendar reaching
    # 1990 to 2060 is never walked), its endless paging cut at the listing page limit.
    content = SITES[CONTENT_SITE].host
    index = [e for e in gets(run, content) if e["path"] == "/index-news"]
    dates = {dict(parse_qsl(e["query"]))["date"] for e in index}
    assert dates == {f"{net.today.year}-{net.today.month}-{net.today.day}"}
    assert CALENDAR_YEARS[0] < net.today.year < CALENDAR_YEARS[1]
    assert 1 < len(index) <= TRIBUN_MAX_LISTING_PAGES
    # Distinct URLs: the listings above, each article's URL and its page=all / page=N, the redirect chain cut at
    # REDIRECT_MAX_TIMES; each asked for at most 1 + RETRY_TIMES times (above). Walking the calendar (114 links)
    # or the thousand spellings would go far past this.
    listing_bound = len(HOSTILE_SITES) * 2 + TRIBUN_MAX_LISTING_PAGES + len(HOSTILE_SITES) - 1
    url_bound = listing_bound + sum(1 + a.page_count for a in net.articles) + REDIRECT_MAX_TIMES + 1
    assert len(attempts) <= url_bound
    assert len(gets(run)) <= url_bound * (1 + RETRY_TIMES)


def fetches_of(run: HostileRun, source: Article) -> list[dict[str, Any]]:
    """Every GET that asked for an article, whatever spelling or page parameter."""
    return [e for e in gets(run) if run.network.resolve(e["host"], e["path"]) is source]


def test_one_article_linked_a_thousand_ways_is_fetched_once(run: HostileRun) -> None:
    net = run.network
    target = net.article(TARGET_KEY)
    assert [e["path"] for e in fetches_of(run, target)] == [target.path]
    assert net.article(VARIANTS_KEY).url in {item["url"] for item in run.items}


def test_transient_faults_are_retried_until_the_page_comes(run: HostileRun) -> None:
    net = run.network
    for key, faults in TRANSIENT.items():
        answers = fetches_of(run, net.article(key))
        assert len(answers) == faults + 1, (key, answers)
        assert answers[-1]["status"] == 200
    # The 429 said Retry-After: 1; the host was left alone that long before the retry.
    first, retry = fetches_of(run, net.article("g-429"))
    assert (first["status"], retry["status"]) == (429, 200)
    assert retry["t"] - first["t"] >= 1.0


def test_memory_stays_bounded_and_huge_pages_are_refused(run: HostileRun) -> None:
    assert run.peak_rss_mb < PEAK_RSS_LIMIT_MB
    huge = {run.network.article(key).url for key in ("x-huge", "x-huge-stream")}
    failed = run.report["failed"]["pages"]
    refused = {page_of(p["url"]) for p in failed if p["reason"] == "download/DownloadCancelledError"}
    assert refused == huge
    assert "larger than download max size" in run.log


def test_an_article_whose_page_all_fails_for_good_is_read_from_its_plain_url_and_its_pages(run: HostileRun) -> None:
    items = Counter(item["url"] for item in run.items)
    by_url = {item["url"]: item for item in run.items}
    for key in PAGE_ALL_FAULTS.keys() - {ALL_VARIANTS_FAIL}:
        source = run.network.article(key)
        assert items[source.url] == 1, key
        item = by_url[source.url]
        assert item["articleBody"] == "\n\n".join([*source.page_paragraphs(1), *source.page_paragraphs(2)]), key
        assert item["pageCount"] == 2, key
        answered = {e["query"]: e["status"] for e in fetches_of(run, source) if e["path"] == source.path}
        assert answered.get("") == answered.get("page=2") == 200, (key, answered)
        assert "page=all" in answered, key


def test_every_article_is_tried_as_its_plain_url_before_it_is_given_up(run: HostileRun) -> None:
    # Not asked again: a host refusing the crawler, and the article's own page with nothing to read in it (which
    # reads the same however it is asked for).
    blocked = {case.key for case in CASES if article(run, case).site == BLOCKED_SITE}
    unreadable = {case.key for case in CASES if case.reasons == {"unreadable/no-body"}}
    kept = blocked | unreadable
    fallen_back = [case for case in CASES if case.key in PAGE_ALL_FAULTS or not (case.emitted or case.key in kept)]
    for case in fallen_back:
        source = article(run, case)
        assert any(e["path"] == source.path and e["query"] == "" for e in fetches_of(run, source)), case.key
    for key in kept:
        source = run.network.article(key)
        assert not [e for e in fetches_of(run, source) if e["query"] == ""], key
    assert run.report["stats"]["tribun/articles/page_all_fallback"] == len(fallen_back)


def test_an_article_none_of_whose_variants_answers_is_one_failed_page_naming_each(run: HostileRun) -> None:
    failed = run.report["failed"]["pages"]
    articles = Counter(page_of(p["url"]) for p in failed if p["page_type"] == "article")
    bad = {article(run, case).url for case in CASES if not case.emitted}
    assert {url: n for url, n in articles.items() if n != 1} == {}
    assert set(articles) == bad
    url = run.network.article(ALL_VARIANTS_FAIL).url
    (page,) = [p for p in failed if page_of(p["url"]) == url]
    assert page["reason"] == "download/DownloadTimeoutError"
    assert page["detail"].startswith("page=all: http/500 (")
    assert "; plain: download/DownloadTimeoutError (" in page["detail"]
