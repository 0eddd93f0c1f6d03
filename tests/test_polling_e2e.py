"""Adaptive polling end to end: scheduled runs of the real ``scrapy crawl tribun`` on one state file, against the
replica network, at moments fixed by ``TRIBUN_NOW``.

1. the first run discovers both sites (never discovered) and records them;
2. a run five minutes later discovers neither (too soon): it sends no request at all and exits 0;
3. two hours later both are due again (the maximum interval: the replica's sites publish only in the morning);
4. five minutes after that, ``-a force=1`` discovers both anyway.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.crawl import CrawlResult, run_crawl
from tests.replica import Replica, start_replica
from tribun_crawler import stats as stat
from tribun_crawler.sites import WIB
from tribun_crawler.state import open_store
from tribun_crawler.state.base import PUBLICATIONS_KEPT

pytestmark = pytest.mark.slow

SITES = ("banyumas", "jateng")
HOSTS = {f"{key}.tribunnews.com" for key in SITES}


def run_at(
    replica: Replica, tmp_path: Path, state: Path, moment: datetime, name: str, **args: str
) -> tuple[CrawlResult, list[dict[str, Any]]]:
    """A run at ``moment``, and the requests it sent to the replica."""
    before = len(replica.requests())
    workdir = tmp_path / name
    workdir.mkdir()
    result = run_crawl(
        workdir,
        args={"sites": ",".join(SITES), **args},
        settings={
            "TRIBUN_STATE_PATH": str(state),
            "TRIBUN_NOW": moment.isoformat(),
            "TRIBUN_ADAPTIVE_POLLING": "True",
            # Only discovery is under test: no related links, no rechecks of what run 1 emitted.
            "TRIBUN_RELATED_DEPTH": "0",
            "TRIBUN_RECHECK_HOURS": "0",
        },
        env=replica.env,
        name=name,
    )
    assert result.returncode == 0, result.log[-3000:]
    sent = [entry for entry in replica.requests()[before:] if entry.get("method") != "CONNECT"]
    return result, sent


def homepages(requests: list[dict[str, Any]]) -> set[str]:
    return {entry["host"] for entry in requests if entry["path"] == "/"}


def test_scheduled_runs_skip_sites_not_due_and_force_polls_all(tmp_path: Path) -> None:
    today = datetime.now(WIB).date()
    start = datetime.combine(today, time(14, 0), tzinfo=WIB)
    state = tmp_path / "state.sqlite3"
    with start_replica(tmp_path, today=today) as replica:
        first, sent = run_at(replica, tmp_path, state, start, "first")
        assert homepages(sent) == HOSTS
        assert first.stats["stats"][stat.DISCOVERY_DUE] == 2
        assert first.stats["stats"][stat.DISCOVERY_RECORDED] == 2
        assert first.items
        # What the feed received is what the estimator reads: each emitted article's publication, under its site
        # (those of the days the store keeps).
        with open_store({"TRIBUN_STATE_BACKEND": "sqlite", "TRIBUN_STATE_PATH": str(state)}) as store:
            for site in SITES:
                emitted = sorted(
                    int(datetime.fromisoformat(item["datePublished"]).timestamp())
                    for item in first.items
                    if item["site"] == site
                )
                assert emitted
                recent = {moment for moment in emitted if moment >= emitted[-1] - PUBLICATIONS_KEPT}
                assert recent <= set(store.publish_times(site, 0))
            assert store.last_discoveries() == dict.fromkeys(SITES, int(start.timestamp()))

        soon, sent = run_at(replica, tmp_path, state, start + timedelta(minutes=5), "soon")
        assert sent == []
        assert "Adaptive polling: 0 of 2 site(s) due, 2 not due yet" in soon.log
        assert stat.DISCOVERY_NOT_DUE.of(soon.stats["stats"]) == dict.fromkeys(sorted(HOSTS), 1)

        later, sent = run_at(replica, tmp_path, state, start + timedelta(hours=2), "later")
        assert homepages(sent) == HOSTS
        assert "(max_interval," in later.log

        forced, sent = run_at(replica, tmp_path, state, start + timedelta(hours=2, minutes=5), "forced", force="1")
        assert homepages(sent) == HOSTS
        assert stat.DISCOVERY_NOT_DUE.of(forced.stats["stats"]) == {}
