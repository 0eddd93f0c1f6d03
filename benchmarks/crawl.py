"""How fast the real ``scrapy crawl tribun`` reads a whole generated network, replayed from Scrapy's HTTP cache.

A benchmark, not a test. It

1. generates a replica network of ``--articles`` articles (default 5,000; ``--articles 50000`` is the long run)
   over 20 hosts and every template era (``benchmarks/replica_cache.py``) and writes every response a crawl can
   ask for, robots.txt included, into a Scrapy HTTP cache folder;
2. runs ``scrapy crawl tribun`` from the homepages, the www section hubs and the daily index of every day, with
   ``HTTPCACHE_ENABLED``, ``HTTPCACHE_IGNORE_MISSING``, no download delay, no AutoThrottle, every pipeline and
   middleware on, and the state store (SQLite) in a temporary folder, and reports pages/s, articles/s, CPU
   seconds per page, peak RSS and requests per emitted article;
3. runs the same crawl again with the same state (nothing new): every article request it makes must be of an
   article published within the recheck window (``TRIBUN_RECHECK_HOURS``, 48 h), read from the crawl's own
   "Crawled" log lines and the generated dates, not from the spider's counters;
4. runs ``scrapy bench`` (outside the project, so with Scrapy's defaults) on the same machine, right after,
   and prints the ratio of the two pages/s.

    python benchmarks/crawl.py                       # 5,000 articles
    python benchmarks/crawl.py --articles 50000      # the long run (memory must stay flat)
    python benchmarks/crawl.py --profile prof/       # also a pyinstrument profile of the first crawl

Pages/s are Scrapy's own ``response_received_count / elapsed_time_seconds`` for both crawls (start-up of the
Python process excluded); CPU time and peak RSS are those of the crawl process (``wait4``), started from a small
launcher so that its peak RSS is not that of the benchmark process holding the generated network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.replica_cache import BenchNetwork, build_network, start_urls, write_cache  # noqa: E402
from tribun_crawler.sites import WIB  # noqa: E402
from tribun_crawler.urls import PageType, article_key, classify_url  # noqa: E402

#: Settings of every benchmark crawl: replay only, no politeness waits (nothing is sent anywhere).
REPLAY_SETTINGS = {
    "HTTPCACHE_ENABLED": "True",
    "HTTPCACHE_IGNORE_MISSING": "True",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
}
_CRAWLED = re.compile(r"Crawled \((\d+)\) <GET (\S+)>")
_STAT = re.compile(r"'(?P<name>[\w/.-]+)': (?P<value>[\d.]+)")


@dataclass
class CrawlRun:
    name: str
    returncode: int
    wall: float
    cpu: float
    max_rss_kb: int
    stats: dict[str, Any]
    log: Path
    feed: Path

    def stat(self, name: str) -> float:
        return float(self.stats.get(name) or 0)

    @property
    def elapsed(self) -> float:
        return self.stat("elapsed_time_seconds") or self.wall

    @property
    def pages(self) -> int:
        return int(self.stat("response_received_count"))

    @property
    def requests(self) -> int:
        return int(self.stat("downloader/request_count"))

    @property
    def items(self) -> int:
        return int(self.stat("item_scraped_count"))


@dataclass
class Report:
    articles: int
    hosts: int
    days: int
    reachable: int = 0
    """Articles within the related depth of a listing, syndicated copies of reachable originals left out."""
    cache_entries: int = 0
    cache_mb: float = 0.0
    generate_s: float = 0.0
    first: CrawlRun | None = None
    rerun: CrawlRun | None = None
    rerun_articles_outside: list[str] = field(default_factory=list)
    """Article pages the re-run requested although the first run emitted them and they are older than the
    recheck window: the state store must have skipped them (must be empty)."""
    rerun_articles_missed: list[str] = field(default_factory=list)
    """Article pages the re-run requested, older than the recheck window, that the first run never emitted:
    articles the first crawl did not reach (see docs/performance.md)."""
    rerun_articles_inside: int = 0
    stories_emitted_twice: int = 0
    """Stories of which the first crawl emitted more than one article (an original and its copy): must be 0."""
    bench_pages_per_s: float | None = None
    bench_stats: dict[str, float] = field(default_factory=dict)


def crawl_env() -> dict[str, str]:
    """The environment of a crawl: no proxies, no inherited TRIBUN_* settings, no Redis."""
    drop = {"http_proxy", "https_proxy", "no_proxy", "redis_url", "scrapy_settings_module"}
    return {k: v for k, v in os.environ.items() if not k.startswith("TRIBUN_") and k.lower() not in drop}


#: Starts a command and prints its exit code, CPU seconds and peak RSS (KiB) as JSON. The benchmark holds the
#: whole generated network (hundreds of MiB for 50,000 articles), and Linux counts the RSS a process has when it
#: forks (or, with vfork, when its child execs) in the child's ``ru_maxrss``: a crawl started from this process
#: directly would report at least this process's size. Started from this small interpreter, it reports its own.
_LAUNCHER = """
import json, os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, usage.ru_maxrss]))
"""


def run_command(command: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[int, float, float, int]:
    """Run ``command``; (exit code, wall seconds, CPU seconds, peak RSS in KiB) of that process alone."""
    started = time.perf_counter()
    launcher = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command], cwd=cwd, env=env, capture_output=True, check=False
    )
    wall = time.perf_counter() - started
    try:
        returncode, cpu, max_rss_kb = json.loads(launcher.stdout)
    except ValueError:
        returncode, cpu, max_rss_kb = launcher.returncode or 1, 0.0, 0
    if returncode != 0 and launcher.stderr:
        sys.stderr.write(launcher.stderr.decode(errors="replace")[-3000:])
    return returncode, wall, cpu, max_rss_kb


def scrapy_crawl(
    workdir: Path,
    cache: Path,
    urls: list[str],
    *,
    name: str,
    log_level: str = "INFO",
    extra: dict[str, str] | None = None,
    profile: Path | None = None,
) -> CrawlRun:
    feed = workdir / f"{name}.jsonl"
    log = workdir / f"{name}.log"
    settings = {
        **REPLAY_SETTINGS,
        "HTTPCACHE_DIR": str(cache.resolve()),
        "TRIBUN_STATE_PATH": str(workdir / "state.sqlite3"),
        "LOG_FILE": str(log),
        "LOG_LEVEL": log_level,
        **(extra or {}),
    }
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "pyinstrument", "-r", "session", "-o", str(profile)]
    command += ["-m", "scrapy", "crawl", "tribun", "-O", str(feed), "-a", f"start_urls={','.join(urls)}"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    code, wall, cpu, rss = run_command(command, cwd=REPO_ROOT, env=crawl_env())
    return CrawlRun(name, code, wall, cpu, rss, read_stats(feed, log), log, feed)


def read_stats(feed: Path, log: Path) -> dict[str, Any]:
    """Scrapy's stats of a run: the run report beside the feed, else the log's stats dump."""
    report = feed.with_suffix(".stats.json")
    if report.exists():
        stats: dict[str, Any] = json.loads(report.read_text(encoding="utf-8")).get("stats", {})
        return stats
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    dump = text.rsplit("Dumping Scrapy stats:", 1)[-1]
    return {m["name"]: float(m["value"]) for m in _STAT.finditer(dump)}


def article_requests(log: Path) -> list[str]:
    """URLs of the article pages a crawl fetched (every page variant), from its "Crawled" log lines."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return [url for _, url in _CRAWLED.findall(text) if classify_url(url) is PageType.ARTICLE]


def scrapy_bench(workdir: Path) -> tuple[float | None, dict[str, float]]:
    """``scrapy bench`` run outside the project (Scrapy's defaults); its pages/s, as for the crawl."""
    folder = workdir / "bench"
    folder.mkdir(exist_ok=True)
    log = folder / "bench.log"
    command = [sys.executable, "-m", "scrapy", "bench", "-s", f"LOG_FILE={log}"]
    code, _, _, _ = run_command(command, cwd=folder, env=crawl_env())
    stats = read_stats(folder / "none.jsonl", log)
    if code != 0 or not stats.get("elapsed_time_seconds"):
        return None, stats
    return stats["response_received_count"] / stats["elapsed_time_seconds"], stats


@dataclass
class RerunRequests:
    inside: int = 0
    """Article pages requested that were published within the recheck window (rechecks)."""
    outside_known: list[str] = field(default_factory=list)
    outside_new: list[str] = field(default_factory=list)


def rerun_requests(net: BenchNetwork, urls: list[str], emitted: set[str], hours: float) -> RerunRequests:
    """The re-run's article requests, split by the recheck window and by whether the first run emitted them."""
    published = {article_key(a.url): a.published.timestamp() for a in net.articles}
    known = {article_key(url) for url in emitted}
    now = time.time()
    found = RerunRequests()
    for url in urls:
        key = article_key(url)
        moment = published.get(key)
        if moment is not None and now - moment < hours * 3600:
            found.inside += 1
        elif key in known:
            found.outside_known.append(url)
        else:
            found.outside_new.append(url)
    return found


def stories_emitted_twice(net: BenchNetwork, emitted: set[str]) -> int:
    """How many stories have more than one emitted article (a syndicated copy counts as its original's story)."""
    by_key = {article_key(a.url): a for a in net.articles}
    stories = [by_key[key].based_on or by_key[key].key for key in map(article_key, emitted) if key in by_key]
    return len(stories) - len(set(stories))


def feed_urls(feed: Path) -> set[str]:
    if not feed.exists():
        return set()
    lines = feed.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["url"] for line in lines if line.strip()}


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = found.group(1).strip() if found else model
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, {platform.system()}"


def run(args: argparse.Namespace, workdir: Path) -> Report:
    today = datetime.now(WIB).date()
    started = time.perf_counter()
    net = build_network(args.articles, today=today, seed=args.seed)
    cache = workdir / "httpcache"
    summary = write_cache(
        net, cache, compress=not args.no_gzip, progress=lambda n: print(f"  {n:,} responses written", flush=True)
    )
    report = Report(args.articles, len(net.hosts), net.days)
    report.generate_s = time.perf_counter() - started
    report.cache_entries = summary.entries
    report.cache_mb = summary.body_bytes / 1e6
    urls = start_urls(net)
    depths = net.depths(net.hosts, net.index_days())
    reached = {key for key, hops in depths.items() if hops <= args.depth}
    report.reachable = sum(1 for key in reached if net.article(key).based_on not in reached)
    print(f"generated {args.articles:,} articles, {summary.entries:,} responses", flush=True)

    extra = {"TRIBUN_RELATED_DEPTH": str(args.depth), "TRIBUN_RECHECK_HOURS": str(args.recheck_hours)}
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        session = args.profile / "crawl.pyisession"
        profiled = scrapy_crawl(workdir, cache, urls, name="profiled", profile=session, extra=extra)
        print(f"profiled crawl exit {profiled.returncode}; render with: pyinstrument --load {session}", flush=True)
        (workdir / "state.sqlite3").unlink(missing_ok=True)

    report.first = scrapy_crawl(workdir, cache, urls, name="first", extra=extra)
    print(f"first crawl: exit {report.first.returncode}, {report.first.pages:,} pages", flush=True)
    report.stories_emitted_twice = stories_emitted_twice(net, feed_urls(report.first.feed))
    if not args.no_rerun:
        report.rerun = scrapy_crawl(workdir, cache, urls, name="rerun", log_level="DEBUG", extra=extra)
        found = rerun_requests(
            net, article_requests(report.rerun.log), feed_urls(report.first.feed), args.recheck_hours
        )
        report.rerun_articles_inside = found.inside
        report.rerun_articles_outside, report.rerun_articles_missed = found.outside_known, found.outside_new
        print(f"re-run: exit {report.rerun.returncode}, {report.rerun.pages:,} pages", flush=True)
    if not args.no_bench:
        report.bench_pages_per_s, report.bench_stats = scrapy_bench(workdir)
    return report


def print_report(report: Report) -> None:
    first = report.first
    assert first is not None
    print()
    print(f"machine: {machine()}")
    print(
        f"network: {report.articles:,} articles, {report.hosts} hosts, {report.days} days of daily indexes; "
        f"{report.cache_entries:,} cached responses ({report.cache_mb:,.0f} MB gzip), generated in "
        f"{report.generate_s:.0f} s"
    )
    pages_per_s = first.pages / first.elapsed
    rows: list[tuple[str, str]] = [
        ("exit status", str(first.returncode)),
        ("pages (responses)", f"{first.pages:,}"),
        ("articles emitted", f"{first.items:,} of {report.reachable:,} reachable within the related depth"),
        ("stories emitted twice", f"{report.stories_emitted_twice} (must be 0)"),
        ("crawl time (Scrapy elapsed)", f"{first.elapsed:,.1f} s (process wall {first.wall:,.1f} s)"),
        ("pages/s", f"{pages_per_s:,.1f}"),
        ("articles/s", f"{first.items / first.elapsed:,.1f}"),
        ("CPU s per page", f"{first.cpu / max(first.pages, 1) * 1000:,.2f} ms ({first.cpu:,.1f} s CPU in all)"),
        ("peak RSS", f"{first.max_rss_kb / 1024:,.0f} MiB"),
        ("requests per emitted article", f"{first.requests / max(first.items, 1):.3f}"),
        (
            "  of which",
            f"robots.txt {first.stat('robotstxt/request_count'):.0f}, listings "
            f"{sum(first.stat(f'tribun/pages/{t}') for t in ('home', 'section', 'index', 'archive')):.0f}, "
            f"articles {first.stat('tribun/pages/article'):.0f}, extra article pages "
            f"{first.stat('tribun/pages/article_page'):.0f}",
        ),
        (
            "cache misses, unreadable, dropped",
            f"{first.stat('httpcache/miss'):.0f}, "
            f"{sum(v for k, v in first.stats.items() if k.startswith('tribun/unreadable/')):.0f}, "
            f"{sum(v for k, v in first.stats.items() if k.startswith('tribun/dropped/')):.0f}",
        ),
        (
            "duplicates dropped",
            ", ".join(f"{k.rsplit('/', 1)[1]} {v:.0f}" for k, v in first.stats.items() if "duplicates/" in k) or "0",
        ),
    ]
    if report.rerun is not None:
        rerun = report.rerun
        rows += [
            ("re-run: exit, pages, emitted", f"{rerun.returncode}, {rerun.pages:,}, {rerun.items:,}"),
            (
                "re-run: article requests",
                f"{report.rerun_articles_inside:,} inside the recheck window; outside it "
                f"{len(report.rerun_articles_outside):,} emitted by the first run (must be 0), "
                f"{len(report.rerun_articles_missed):,} that the first run did not reach",
            ),
            ("re-run: known articles skipped", f"{rerun.stat('tribun/skipped/known'):,.0f}"),
        ]
    if report.bench_pages_per_s:
        rows += [
            ("scrapy bench pages/s", f"{report.bench_pages_per_s:,.1f}"),
            ("ratio crawl / scrapy bench", f"{pages_per_s / report.bench_pages_per_s:.2f}x (target >= 1.5x)"),
        ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for url in report.rerun_articles_outside[:10]:
        print(f"  emitted before, outside the recheck window, requested again: {url}")
    for url in report.rerun_articles_missed[:3]:
        print(f"  not reached by the first run: {url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles in the network (default 5,000)")
    parser.add_argument("--seed", type=int, default=0, help="content seed (default 0)")
    parser.add_argument("--depth", type=int, default=2, help="TRIBUN_RELATED_DEPTH of the crawl (default 2)")
    parser.add_argument("--recheck-hours", type=float, default=48.0, help="the crawl's TRIBUN_RECHECK_HOURS")
    parser.add_argument("--workdir", type=Path, help="keep the cache, feeds, logs and state here")
    parser.add_argument("--no-gzip", action="store_true", help="store bodies uncompressed")
    parser.add_argument("--no-rerun", action="store_true", help="skip the re-run with nothing new")
    parser.add_argument("--no-bench", action="store_true", help="skip scrapy bench")
    parser.add_argument("--profile", type=Path, help="folder for a pyinstrument session of an extra crawl")
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        report = run(args, args.workdir.resolve())
    else:
        folder = Path(tempfile.mkdtemp(prefix="tribun-bench-"))
        try:
            report = run(args, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print_report(report)
    failed = (
        report.first is None
        or report.first.returncode != 0
        or bool(report.rerun_articles_outside)
        or report.stories_emitted_twice > 0
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
