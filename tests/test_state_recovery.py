"""The last lines of a stopped run's feed that the state store never recorded (state/recovery.py), on both backends.

Each test lays out a feed as a run killed at one instant leaves it (lines written, records landed or not) and asks
the recovery what a new run must record before it reads anything.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tribun_crawler.state import StateStore, open_store, recovery
from tribun_crawler.state.records import ItemFingerprints, key_fingerprint
from tribun_crawler.state.recovery import recover_unrecorded_lines

BODY = (
    "TRIBUNBANYUMAS.COM, PURWOKERTO - Objek wisata Curug Jenggala di lereng Gunung Slamet ramai dikunjungi "
    "wisatawan selama libur sekolah.\n\nPengelola mencatat rata-rata 1.200 pengunjung datang setiap hari."
)
KILLED_AT = 1_782_000_000_000
NEW_RUN_AT = KILLED_AT + 60_000


def item(i: int, body: str = BODY, **fields: Any) -> dict[str, Any]:
    return {
        "url": f"https://banyumas.tribunnews.com/banyumas/81{i:04d}/curug-jenggala-ramai-dikunjungi-{i}",
        "articleId": f"81{i:04d}",
        "site": "banyumas",
        "headline": f"Curug Jenggala Ramai Dikunjungi {i}",
        "articleBody": f"{body}\n\nCatatan {i}.",
        "datePublished": "2024-06-20T10:15:00+07:00",
        "dateModified": "2024-06-20T10:15:00+07:00",
        "isBasedOn": None,
        "duplicateOf": None,
        **fields,
    }


def line(article: dict[str, Any]) -> bytes:
    return json.dumps(article, ensure_ascii=False).encode("utf-8") + b"\n"


def land(store: StateStore, article: dict[str, Any], recorded: int) -> None:
    """The record the dedupe pipeline writes on the article's item_scraped."""
    fp = ItemFingerprints.of(article)
    store.put(fp.record(article, recorded=recorded), fp.aliases())


@pytest.fixture
def store(state_settings: dict[str, Any]) -> Any:
    with open_store(state_settings) as store:
        yield store


def killed_run(store: StateStore, feed: Path, start: int = 0, run: str = "killed") -> None:
    store.open_run(run, KILLED_AT)
    store.add_run_feed(run, str(feed), start)


def test_a_line_written_but_not_recorded_is_recorded_from_the_feed(store: StateStore, tmp_path: Path) -> None:
    feed = tmp_path / "killed.jsonl"
    articles = [item(i) for i in range(3)]
    feed.write_bytes(b"".join(line(a) for a in articles))
    for article in articles[:2]:
        land(store, article, KILLED_AT + 5)
    killed_run(store, feed)

    assert recover_unrecorded_lines(store, before=NEW_RUN_AT) == [articles[2]["url"]]
    recovered = store.get(key_fingerprint(articles[2]["url"]))
    fp = ItemFingerprints.of(articles[2])
    # As the pipeline would have recorded it, at the killed run's start: the new run reads it again for its links.
    assert recovered == fp.record(articles[2], recorded=KILLED_AT)
    assert store.get(fp.id_key or 0) == recovered
    # Landed records are left as they are; a second recovery finds nothing more.
    assert store.get(key_fingerprint(articles[1]["url"])).recorded == KILLED_AT + 5  # type: ignore[union-attr]
    assert recover_unrecorded_lines(store, before=NEW_RUN_AT) == []


def test_a_line_cut_by_the_kill_is_no_article(store: StateStore, tmp_path: Path) -> None:
    feed = tmp_path / "killed.jsonl"
    articles = [item(i) for i in range(3)]
    feed.write_bytes(line(articles[0]) + line(articles[1]) + line(articles[2])[:-40])
    land(store, articles[0], KILLED_AT + 5)
    killed_run(store, feed)

    assert recover_unrecorded_lines(store, before=NEW_RUN_AT) == [articles[1]["url"]]
    assert store.get(key_fingerprint(articles[2]["url"])) is None


def test_an_update_the_run_wrote_but_did_not_record_replaces_the_older_record(
    store: StateStore, tmp_path: Path
) -> None:
    feed = tmp_path / "killed.jsonl"
    old, updated = (
        item(1),
        item(1, body=BODY + " Pengelola menambah petugas.", dateModified="2024-06-21T08:00:00+07:00"),
    )
    land(store, old, KILLED_AT - 86_400_000)  # emitted a day before by a finished run
    feed.write_bytes(line(updated))
    killed_run(store, feed)

    assert recover_unrecorded_lines(store, before=NEW_RUN_AT) == [updated["url"]]
    stored = store.get(key_fingerprint(updated["url"]))
    assert stored is not None
    assert stored.body == ItemFingerprints.of(updated).body
    assert stored.recorded == KILLED_AT


def test_only_the_run_s_own_lines_are_read_and_only_back_to_the_first_recorded_one(
    store: StateStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A feed appended to (-o) by an earlier run: its lines are older than the killed run and must stay as recorded.
    monkeypatch.setattr(recovery, "_CHUNK", 7)  # lines read back across many small reads
    feed = tmp_path / "appended.jsonl"
    earlier = [item(i) for i in range(2)]
    for article in earlier:
        land(store, article, KILLED_AT - 3_600_000)
    feed.write_bytes(b"".join(line(a) for a in earlier))
    start = feed.stat().st_size
    mine = [item(i) for i in range(10, 14)]
    with feed.open("ab") as out:
        out.write(b"".join(line(a) for a in mine))
    # Line 11 unrecorded is not a state a run leaves (records land in line order): the walk stops at line 12.
    for article in mine[2:3]:
        land(store, article, KILLED_AT + 5)
    killed_run(store, feed, start)

    assert recover_unrecorded_lines(store, before=NEW_RUN_AT) == [mine[3]["url"]]
    for article in earlier:
        assert store.get(key_fingerprint(article["url"])).recorded == KILLED_AT - 3_600_000  # type: ignore[union-attr]
    assert store.get(key_fingerprint(mine[1]["url"])) is None


def test_feeds_of_finished_later_or_vanished_runs_are_not_read(
    store: StateStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=recovery.__name__)
    written = tmp_path / "written.jsonl"
    written.write_bytes(line(item(1)) + b"not json\n" + line(item(2)))
    killed_run(store, tmp_path / "moved-away.jsonl", run="vanished")
    store.open_run("later", NEW_RUN_AT + 1)
    store.add_run_feed("later", str(written), 0)
    assert recover_unrecorded_lines(store, before=NEW_RUN_AT) == []
    assert "moved-away.jsonl of an unfinished run is not here" in caplog.text

    store.open_run("finished", NEW_RUN_AT + 2)
    store.add_run_feed("finished", str(written), 0)
    store.finish_run("finished", NEW_RUN_AT + 2)  # removes every older marker, and the feeds noted with them
    assert store.open_runs() == {}
    assert store.run_feeds() == {}
    assert recover_unrecorded_lines(store, before=NEW_RUN_AT + 10) == []
    assert store.count() == 0


def test_a_line_that_is_not_an_article_is_skipped_with_a_warning(
    store: StateStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = tmp_path / "killed.jsonl"
    feed.write_bytes(line(item(1)) + b'{"headline": "no url"}\n' + b"\n")
    killed_run(store, feed)
    assert recover_unrecorded_lines(store, before=NEW_RUN_AT) == [item(1)["url"]]
    assert "a line that is not an article skipped" in caplog.text


def test_run_feeds_are_noted_per_run_and_forgotten_with_the_marker(store: StateStore) -> None:
    store.open_run("a", KILLED_AT)
    store.open_run("b", KILLED_AT + 10)
    store.add_run_feed("a", "/srv/data/tribun/a.jsonl", 0)
    store.add_run_feed("a", "/srv/out.jsonl", 1234)
    store.add_run_feed("b", "/srv/data/tribun/b.jsonl", 0)
    assert store.run_feeds() == {
        "a": {"/srv/data/tribun/a.jsonl": 0, "/srv/out.jsonl": 1234},
        "b": {"/srv/data/tribun/b.jsonl": 0},
    }
    store.finish_run("b", KILLED_AT + 10)
    assert store.run_feeds() == {}
    store.open_run("c", KILLED_AT + 20)
    store.add_run_feed("c", "/srv/c.jsonl", 5)
    store.reset()
    assert store.run_feeds() == {}
