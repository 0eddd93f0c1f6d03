"""`python -m tribun_crawler.state`: stats, lookup and reset without crawling, on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.conftest import make_article
from tribun_crawler.sites import SITES
from tribun_crawler.state import ArticleRecord, open_store
from tribun_crawler.state.records import key_fingerprint

PROJECT = Path(__file__).resolve().parents[1]


def _state_cli(state_settings: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIBUN_", "REDIS_URL"))}
    env.update({k: str(v) for k, v in state_settings.items() if v is not None})
    env["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-m", "tribun_crawler.state", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_stats_lookup_and_reset(pipeline_run: Any, state_settings: dict[str, Any]) -> None:
    item = make_article(articleId="7731367", dateModified="2024-06-20T09:00:00+07:00")
    with pipeline_run(state_settings) as run:
        assert run.feed(item) is not None

    stats = _state_cli(state_settings, "stats")
    assert stats.returncode == 0, stats.stderr
    assert f"{state_settings['TRIBUN_STATE_BACKEND']}:" in stats.stdout
    assert ": 1 articles, " in stats.stdout

    found = _state_cli(state_settings, "lookup", item.url.replace("www.", "m.") + "?page=all")
    assert found.returncode == 0, found.stderr
    assert f"url:        {item.url}" in found.stdout
    assert "articleId:  7731367" in found.stdout
    assert "published:  2024-06-20T01:15:00+00:00" in found.stdout
    assert "modified:   2024-06-20T02:00:00+00:00" in found.stdout

    missing = _state_cli(state_settings, "lookup", "https://www.tribunnews.com/nasional/2024/06/21/lain")
    assert missing.returncode == 1
    assert missing.stdout.startswith("not stored: ")

    reset = _state_cli(state_settings, "reset")
    assert reset.returncode == 0, reset.stderr
    assert "(1 articles forgotten)" in reset.stdout
    with open_store(state_settings) as store:
        assert store.count() == 0


def test_options_override_the_settings(tmp_path: Path, sqlite_settings: dict[str, Any]) -> None:
    other = tmp_path / "other.sqlite3"
    done = _state_cli(sqlite_settings, "--backend", "sqlite", "--path", str(other), "stats")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"sqlite:{other}: 0 articles, {other.stat().st_size} bytes (empty)\n"


def test_stats_shows_the_runs_not_finished_and_reset_clears_them(state_settings: dict[str, Any]) -> None:
    with open_store(state_settings) as store:
        store.open_run("later", 1_782_000_600_500)
        store.open_run("stopped", 1_782_000_000_000)

    stats = _state_cli(state_settings, "stats")
    assert stats.returncode == 0, stats.stderr
    first, runs = stats.stdout.splitlines()
    assert first.startswith(f"{state_settings['TRIBUN_STATE_BACKEND']}:")
    assert ": 0 articles, " in first
    assert runs.startswith(
        "unfinished runs: 2 (opened 2026-06-21T00:00:00+00:00, 2026-06-21T00:10:00.500000+00:00): "
        "still running, or stopped before the end;"
    )

    reset = _state_cli(state_settings, "reset")
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.splitlines()[1] == "2 unfinished run marker(s) cleared"
    with open_store(state_settings) as store:
        assert store.open_runs() == {}
    assert len(_state_cli(state_settings, "stats").stdout.splitlines()) == 1


def test_polling_shows_each_sites_last_discovery_and_whether_it_is_due(state_settings: dict[str, Any]) -> None:
    now = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
    with open_store(state_settings) as store:
        for minutes in range(0, 24 * 60, 10):  # jateng: one article every ten minutes for a day
            url = f"https://jateng.tribunnews.com/2026/12/03/berita-{minutes}"
            published = int((now - timedelta(minutes=minutes + 20)).timestamp())
            store.put(ArticleRecord(key=key_fingerprint(url), url=url, body=minutes, published=published))
        store.discovered("jateng", int((now - timedelta(minutes=15)).timestamp()))
        store.discovered("banyumas", int((now - timedelta(minutes=5)).timestamp()))
    done = _state_cli({**state_settings, "TRIBUN_NOW": now.isoformat()}, "polling")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[1:]}
    assert len(lines) == len(SITES)
    assert lines["jateng"].split()[1:4] == ["2026-12-04T02:45:00+00:00", "143", "due"]
    # Six an hour: a quarter of an hour expects about one and a half.
    assert "(likely, " in lines["jateng"]
    assert 1.3 < float(lines["jateng"].split("(likely, ")[1].split()[0]) < 1.8
    assert "not due (too_soon" in lines["banyumas"]
    assert lines["www"].split()[1:4] == ["-", "0", "due"]
