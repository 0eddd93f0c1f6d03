"""Run the real ``scrapy crawl tribun`` command in a subprocess, against the replica network or an HTTP cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tribun_crawler.schema import article_errors
from tribun_crawler.sites import WIB

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Settings every test crawl uses: no politeness waits (the replica is local), its own state file. A test's runs
#: follow one another within seconds, sooner than TRIBUN_MIN_POLL_INTERVAL and the first TRIBUN_RECHECK_AGES:
#: each discovers every site and rechecks every recent article it meets, as before issue 16
#: (tests/test_polling_e2e.py turns both on).
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "LOG_LEVEL": "DEBUG",
    "TRIBUN_ADAPTIVE_POLLING": "False",
    "TRIBUN_RECHECK_AGES": "",
    "TRIBUN_RECHECK_BY_SITEMAP": "False",
}


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    log: str
    stats: dict[str, Any]
    """The run report written beside the feed, when there is one."""


def scrapy_command(
    feed: Path, args: Mapping[str, str] = {}, settings: Mapping[str, str] = {}, log_file: Path | None = None
) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "tribun", "-O", str(feed)]
    for name, value in args.items():
        command += ["-a", f"{name}={value}"]
    for name, value in {**FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    if log_file is not None:
        command += ["-s", f"LOG_FILE={log_file}"]
    return command


def crawl_env(extra: Mapping[str, str] = {}) -> dict[str, str]:
    """The environment of a test crawl: no proxy unless ``extra`` sets one, no inherited TRIBUN_* settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRIBUN_") and k.lower() not in {"http_proxy", "https_proxy", "no_proxy", "redis_url"}
    }
    return {**env, **extra}


def run_crawl(
    workdir: Path,
    *,
    args: Mapping[str, str] = {},
    settings: Mapping[str, str] = {},
    env: Mapping[str, str] = {},
    name: str = "run",
    timeout: float = 300,
) -> CrawlResult:
    """``scrapy crawl tribun -O workdir/<name>.jsonl`` from the repository root, waited for."""
    feed = workdir / f"{name}.jsonl"
    log_file = workdir / f"{name}.log"
    command = scrapy_command(feed, args, settings, log_file)
    process = subprocess.run(command, cwd=REPO_ROOT, env=crawl_env(env), timeout=timeout, check=False)
    return CrawlResult(
        returncode=process.returncode,
        items=read_jsonl(feed),
        log=log_file.read_text(encoding="utf-8") if log_file.exists() else "",
        stats=read_report(feed),
    )


def feed_lines(feed: Path) -> int:
    """The lines a running crawl's feed holds so far (its articles emitted), 0 before it exists."""
    return feed.read_bytes().count(b"\n") if feed.exists() else 0


class Workers:
    """The ``scrapy crawl tribun`` workers of one distributed run, started at once, each with its feed and log
    ``<name>.jsonl`` and ``<name>.log`` in ``folder``; as a context manager, those still running at its end are
    killed."""

    def __init__(
        self,
        folder: Path,
        env: Mapping[str, str],
        settings: Mapping[str, Mapping[str, str]],
        args: Mapping[str, str] = {},
    ) -> None:
        """``settings``: each worker's name -> its settings."""
        self.folder = folder
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        for name, worker_settings in settings.items():
            command = scrapy_command(self.feed(name), args, worker_settings, folder / f"{name}.log")
            self.processes[name] = subprocess.Popen(command, cwd=REPO_ROOT, env=dict(env))

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def feed(self, name: str) -> Path:
        return self.folder / f"{name}.jsonl"

    def emitted(self) -> int:
        """Articles the workers have emitted between them so far."""
        return sum(feed_lines(self.feed(name)) for name in self.processes)

    def all_running(self) -> bool:
        return all(process.poll() is None for process in self.processes.values())

    def wait(self, name: str, timeout: float) -> dict[str, Any]:
        """The worker's exit status, feed, run report and log, once it has ended."""
        status = self.processes[name].wait(timeout=timeout)
        return {
            "status": status,
            "items": read_jsonl(self.feed(name)),
            "report": read_report(self.feed(name)),
            "log": (self.folder / f"{name}.log").read_text(encoding="utf-8"),
        }

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSONL feed, parsed; a line that is not valid JSON, or not an article valid against the
    feed's JSON Schema (tribun_crawler/schema), fails the test that reads it."""
    if not path.exists():
        return []
    return [article(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def article(line: str | bytes) -> dict[str, Any]:
    """One line of an article feed, parsed and checked against the article's JSON Schema."""
    item = json.loads(line)
    assert isinstance(item, dict), f"a feed line that is not an object: {item!r}"
    errors = article_errors(item)
    assert errors == [], f"feed item {item.get('url')} breaks the article schema: {errors}"
    return item


def read_report(feed: Path) -> dict[str, Any]:
    report = feed.with_suffix(".stats.json")
    return json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}


def by_url(items: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(item["url"]): item for item in items}


def spider_today() -> date:
    """The day the spider calls today (its daily index): a replica's "today" must be this one."""
    return datetime.now(WIB).date()
