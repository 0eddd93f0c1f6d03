"""The state stores, SQLite and Redis, through their shared interface; then what is specific to each."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.conftest import BODIES, with_tribun_defaults
from tribun_crawler.state import (
    ArticleRecord,
    RedisStateStore,
    SQLiteStateStore,
    StateStore,
    backend_name,
    open_store,
)
from tribun_crawler.state.base import PUBLICATIONS_KEPT
from tribun_crawler.state.records import (
    MAX_REDIRECT_ALIASES,
    body_fingerprint,
    compact_url,
    expand_url,
    id_fingerprint,
    key_fingerprint,
    now_ms,
    redirect_aliases,
)
from tribun_crawler.state.redis_store import redacted
from tribun_crawler.state.sqlite_store import SCHEMA_VERSION

DATED = "https://www.tribunnews.com/internasional/2024/06/22/korea-utara-kembali-terbangkan-balon-sampah"
COPY = "https://jateng.tribunnews.com/2024/06/22/korea-utara-kembali-terbangkan-balon-sampah"
BY_ID = "https://wartakota.tribunnews.com/bekasi/894833/banjir-rendam-perumahan-di-bekasi"


def record(url: str = DATED, body: str = "korea", **fields: Any) -> ArticleRecord:
    values: dict[str, Any] = {
        "key": key_fingerprint(url),
        "url": url,
        "body": body_fingerprint(BODIES.get(body, body)),
        "published": 1719065100,
        "modified": None,
        "recorded": now_ms(),
        "article_id": None,
    }
    return ArticleRecord(**{**values, **fields})


@pytest.fixture
def store(state_settings: dict[str, Any]) -> Any:
    with open_store(state_settings) as store:
        yield store


def test_a_record_comes_back_whole(store: StateStore) -> None:
    full = record(modified=1719100000, article_id=7731367, group=key_fingerprint(BY_ID))
    bare = record(BY_ID, "banjir", published=None)
    store.put(full)
    store.put(bare)
    assert store.get(full.key) == full
    assert store.get(bare.key) == bare
    assert store.get(key_fingerprint(DATED + "?page=all")) == full
    assert store.get(key_fingerprint(COPY)) is None
    assert store.count() == 2


def test_aliases_find_the_article_under_its_site_and_id(store: StateStore) -> None:
    dated = record(article_id=7731367)
    store.put(dated, [id_fingerprint("www", "7731367")])
    assert store.get(id_fingerprint("www", "7731367")) == dated
    assert store.get(id_fingerprint("jateng", "7731367")) is None
    assert store.count() == 1


#: A renamed story: the dated URL listings still link answers 301 with the new id URL.
RENAMED_FROM = "https://www.tribunnews.com/nasional/2024/06/22/balon-sampah-korea-utara-kembali-diterbangkan"
RENAMED_TO = "https://www.tribunnews.com/internasional/7731367/korea-utara-kembali-terbangkan-balon-sampah"
RENAMED_TO_AMP = "https://m.tribunnews.com/amp/internasional/7731367/korea-utara-kembali-terbangkan-balon-sampah"
RENAMED_FROM_AMP = "https://m.tribunnews.com/amp/nasional/2024/06/22/balon-sampah-korea-utara-kembali-diterbangkan"


def test_old_urls_that_redirected_find_the_article_they_lead_to(store: StateStore) -> None:
    renamed = record(RENAMED_TO, article_id=7731367)
    aliases = redirect_aliases([RENAMED_FROM + "?page=all", RENAMED_TO_AMP], renamed.key)
    # The mobile AMP spelling is the article's own URL: only the old dated URL is an alias.
    assert aliases == (key_fingerprint(RENAMED_FROM),)
    store.put(renamed, aliases)
    assert store.get(key_fingerprint(RENAMED_FROM)) == renamed
    assert store.get(key_fingerprint(RENAMED_FROM_AMP)) == renamed
    assert store.count() == 1
    # An alias never hides an article stored under its own key.
    other = record(RENAMED_FROM, "banjir")
    store.put(other)
    assert store.get(key_fingerprint(RENAMED_FROM)) == other
    assert store.count() == 2


def test_aliases_added_to_a_stored_article_find_it_until_reset(store: StateStore) -> None:
    stored = record(RENAMED_TO, article_id=7731367)
    store.put(stored)
    store.add_aliases(stored.key, [key_fingerprint(RENAMED_FROM), key_fingerprint(DATED)])
    assert store.get(key_fingerprint(RENAMED_FROM)) == stored
    assert store.get(key_fingerprint(DATED)) == stored
    assert store.get(key_fingerprint(COPY)) is None
    # Aliases are no articles.
    assert store.count() == 1
    assert list(store.records()) == [stored]
    store.reset()
    assert store.get(key_fingerprint(RENAMED_FROM)) is None


def test_redirect_aliases_are_article_urls_and_a_few_at_most() -> None:
    key = key_fingerprint(RENAMED_TO)
    hops = [f"https://www.tribunnews.com/nasional/2024/06/22/judul-lama-{n}" for n in range(MAX_REDIRECT_ALIASES + 2)]
    chain = [hops[0], hops[0] + "?page=2", "https://www.tribunnews.com/nasional", RENAMED_TO, *hops[1:]]
    # The section hub is no article; the page-2 spelling repeats the first hop; the target is not its own alias.
    assert redirect_aliases(chain, key) == tuple(key_fingerprint(url) for url in hops[:MAX_REDIRECT_ALIASES])
    assert redirect_aliases([], key) == ()


def test_put_replaces_the_record_of_the_same_article(store: StateStore) -> None:
    store.put(record())
    updated = record(body="korea updated", modified=1719200000)
    store.put(updated)
    assert store.count() == 1
    assert store.get(updated.key) == updated
    assert store.find_body(body_fingerprint(BODIES["korea"])) is None
    assert store.find_body(updated.body) == updated


def test_find_group_answers_with_the_original_or_an_emitted_copy(store: StateStore) -> None:
    story = key_fingerprint(DATED)
    copy = record(COPY, group=story)
    assert store.find_group(story) is None
    store.put(copy)
    assert store.find_group(story) == copy
    assert store.find_group(copy.key) == copy
    original = record()
    store.put(original)
    assert store.find_group(story) == original


def test_emitted_duplicates_never_answer_for_a_story_or_a_body(store: StateStore) -> None:
    story = key_fingerprint(DATED)
    duplicate = record(COPY, group=story, original=key_fingerprint(DATED))
    store.put(duplicate)
    assert store.get(duplicate.key) == duplicate
    assert store.find_group(story) is None
    assert store.find_body(duplicate.body) is None


def test_put_many_is_many_puts(store: StateStore) -> None:
    records = [
        (record(f"https://www.tribunnews.com/nasional/{7_000_000 + i}/berita", f"isi berita {i}"), ())
        for i in range(120)
    ]
    assert store.put_many(iter(records)) == 120
    assert store.count() == 120
    for stored, _ in records:
        assert store.get(stored.key) == stored
        assert store.find_body(stored.body) == stored


def test_records_lists_every_stored_article(store: StateStore) -> None:
    stored = [record(), record(COPY, group=key_fingerprint(DATED)), record(BY_ID, "banjir", article_id=894833)]
    for one in stored:
        store.put(one)
    assert sorted(store.records(), key=lambda r: r.url) == sorted(stored, key=lambda r: r.url)


def test_reset_forgets_everything(store: StateStore) -> None:
    store.put(record(article_id=7731367), [id_fingerprint("www", "7731367")])
    store.put(record(COPY, group=key_fingerprint(DATED)))
    store.reset()
    assert store.count() == 0
    assert store.get(key_fingerprint(DATED)) is None
    assert store.get(id_fingerprint("www", "7731367")) is None
    assert store.find_group(key_fingerprint(DATED)) is None
    assert store.find_body(body_fingerprint(BODIES["korea"])) is None
    store.put(record())
    assert store.count() == 1


def test_a_finished_run_removes_its_marker_and_those_of_runs_started_before(store: StateStore) -> None:
    assert store.open_runs() == {}
    store.open_run("crashed", 1_000)
    store.open_run("stopped", 2_000)
    store.open_run("finishing", 3_000)
    store.open_run("started-later", 4_000)
    assert store.open_runs() == {"crashed": 1_000, "stopped": 2_000, "finishing": 3_000, "started-later": 4_000}
    store.finish_run("finishing", 3_000)
    # A run that opened after it may still be running: its marker stays.
    assert store.open_runs() == {"started-later": 4_000}
    store.finish_run("started-later", 4_000)
    assert store.open_runs() == {}


def test_run_markers_are_no_articles_and_reset_clears_them(store: StateStore) -> None:
    store.put(record())
    store.open_run("stopped", 1_000)
    assert store.count() == 1
    assert [r.url for r in store.records()] == [DATED]
    store.reset()
    assert store.open_runs() == {}
    # The marker of a run whose store was emptied under it: finishing it is harmless.
    store.finish_run("stopped", 1_000)
    assert store.open_runs() == {}


# --- Adaptive polling: publication and discovery times -------------------------------------------------------

DAY = 24 * 3600


def test_publish_times_are_kept_per_site_oldest_first(store: StateStore) -> None:
    t = 1_719_065_100
    store.put(record(published=t))
    store.put(record(COPY, "copy", published=t - 600, group=key_fingerprint(DATED), original=key_fingerprint(DATED)))
    store.put(record(BY_ID, "banjir", published=t + 60))
    later = "https://wartakota.tribunnews.com/bekasi/894900/hujan-deras-di-bekasi"
    store.put(record(later, "hujan", published=t - 3600))
    store.put(record("https://wartakota.tribunnews.com/bekasi/894901/tanpa-tanggal", "x", published=None))
    # A dropped copy is something its site published: it counts for its site's rate.
    assert store.publish_times("jateng", 0) == [t - 600]
    assert store.publish_times("wartakota", 0) == [t - 3600, t + 60]
    assert store.publish_times("wartakota", t) == [t + 60]
    assert store.publish_times("www", t) == [t]
    assert store.publish_times("bali", 0) == []
    # The same article recorded again (a recheck that changed) is one publication, at its new time.
    store.put(record(published=t + 5))
    assert store.publish_times("www", 0) == [t + 5]


def test_put_many_keeps_publish_times_too(store: StateStore) -> None:
    t = 1_719_065_100
    urls = [f"https://jateng.tribunnews.com/2024/06/22/berita-{i}" for i in range(5)]
    store.put_many((record(url, f"body {i}", published=t + i), ()) for i, url in enumerate(urls))
    assert store.publish_times("jateng", t + 3) == [t + 3, t + 4]


def test_discovery_times_are_per_site_and_the_last_one_wins(store: StateStore) -> None:
    assert store.last_discoveries() == {}
    assert store.last_discovery("www") is None
    store.discovered("www", 1_000_000)
    store.discovered("jateng", 1_000_300)
    store.discovered("www", 1_000_900)
    assert store.last_discoveries() == {"www": 1_000_900, "jateng": 1_000_300}
    assert store.last_discovery("jateng") == 1_000_300
    assert store.last_discovery("bali") is None


def test_a_discovery_forgets_the_sites_publications_older_than_the_history_kept(store: StateStore) -> None:
    now = 1_719_065_100
    old = "https://www.tribunnews.com/nasional/2024/05/01/berita-lama"
    store.put(record(old, "lama", published=now - PUBLICATIONS_KEPT - 60))
    store.put(record(published=now - DAY))
    store.put(record(COPY, "copy", published=now - PUBLICATIONS_KEPT - 60))
    store.discovered("www", now)
    assert store.publish_times("www", 0) == [now - DAY]
    # Another site's publications wait for its own discovery; the articles themselves are never forgotten.
    assert store.publish_times("jateng", 0) == [now - PUBLICATIONS_KEPT - 60]
    assert store.get(key_fingerprint(old)) is not None


@pytest.mark.parametrize("bulk", [False, True], ids=["put", "put_many"])
def test_a_site_keeps_only_the_publications_of_the_days_before_its_newest(store: StateStore, bulk: bool) -> None:
    # A backfill of 40 days, newest first, then a new article: the site keeps PUBLICATIONS_KEPT before the newest.
    newest = 1_719_065_100
    days = [newest - day * DAY for day in range(40)]
    records = [
        record(f"https://jateng.tribunnews.com/2024/06/{i}/berita-{i}", f"b{i}", published=t)
        for i, t in enumerate(days)
    ]
    if bulk:
        store.put_many((one, ()) for one in records)
    else:
        for one in records:
            store.put(one)
    assert store.publish_times("jateng", 0) == sorted(t for t in days if t >= newest - PUBLICATIONS_KEPT)
    store.put(record("https://jateng.tribunnews.com/2024/06/23/baru", "baru", published=newest + 5 * DAY))
    assert min(store.publish_times("jateng", 0)) >= newest + 5 * DAY - PUBLICATIONS_KEPT
    assert store.count() == 41


def test_reset_forgets_discovery_and_publication_times(store: StateStore) -> None:
    store.put(record())
    store.discovered("www", 1_719_065_100)
    store.reset()
    assert store.last_discoveries() == {}
    assert store.publish_times("www", 0) == []


@pytest.mark.parametrize(
    "url",
    [
        DATED,
        BY_ID,
        "https://www.kompas.com/read/2024/06/22/korea-utara",
        "http://example.org/x",
        "https://tribunnews.com.evil.example/x",
    ],
)
def test_compact_urls_expand_to_the_same_url(url: str) -> None:
    assert expand_url(compact_url(url)) == url


def test_compact_url_saves_the_scheme_and_domain() -> None:
    assert compact_url(BY_ID) == "wartakota/bekasi/894833/banjir-rendam-perumahan-di-bekasi"


# --- Backend choice ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (with_tribun_defaults(), "sqlite"),
        ({"TRIBUN_STATE_BACKEND": "auto", "REDIS_URL": None}, "sqlite"),
        ({"TRIBUN_STATE_BACKEND": "auto", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "redis"),
        ({"TRIBUN_STATE_BACKEND": "SQLite", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "sqlite"),
        ({"TRIBUN_STATE_BACKEND": "redis", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "redis"),
    ],
)
def test_backend_is_a_setting(settings: dict[str, Any], expected: str) -> None:
    assert backend_name(settings) == expected


def test_unknown_backend_and_redis_without_url_are_errors() -> None:
    with pytest.raises(ValueError, match="TRIBUN_STATE_BACKEND"):
        backend_name({"TRIBUN_STATE_BACKEND": "postgres"})
    with pytest.raises(ValueError, match="REDIS_URL"):
        open_store({"TRIBUN_STATE_BACKEND": "redis", "REDIS_URL": None})


# --- SQLite --------------------------------------------------------------------------------------------------


def test_sqlite_file_and_folder_are_created_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "tribun.sqlite3"
    with open_store({"TRIBUN_STATE_BACKEND": "sqlite", "TRIBUN_STATE_PATH": str(path)}) as store:
        assert isinstance(store, SQLiteStateStore)
        store.put(record())
    assert path.is_file()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_sqlite_readers_see_only_committed_writes_and_are_not_blocked(tmp_path: Path) -> None:
    path = tmp_path / "tribun.sqlite3"
    with SQLiteStateStore(path) as writer, SQLiteStateStore(path, timeout=0.1) as reader:
        writer.put(record())
        with writer._transaction() as db:
            db.execute("DELETE FROM articles")
            # Mid-transaction: the reader still reads, and still sees the committed article.
            assert reader.get(key_fingerprint(DATED)) is not None
            assert reader.count() == 1
        assert reader.count() == 0


def test_sqlite_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    with SQLiteStateStore(tmp_path / "tribun.sqlite3") as store:
        bad_alias = "not an integer"
        with pytest.raises(sqlite3.Error):
            store.put(record(), [bad_alias])  # type: ignore[list-item]
        assert store.count() == 0
        assert store.integrity_errors() == []


@pytest.mark.parametrize("copies", [False, True], ids=["articles", "with a dropped copy of each"])
def test_sqlite_is_bytes_per_article(tmp_path: Path, copies: bool) -> None:
    def stored(i: int) -> Iterator[tuple[ArticleRecord, list[int]]]:
        url = f"https://www.tribunnews.com/nasional/2024/06/20/pemerintah-umumkan-kebijakan-baru-nomor-{i}"
        article = record(url, f"isi berita nomor {i}", article_id=7_000_000 + i)
        yield article, [id_fingerprint("www", str(7_000_000 + i))]
        if copies:
            copy = url.replace("www.", "jateng.").replace("/nasional/", "/")
            yield record(copy, f"isi berita nomor {i}", article_id=800_000 + i, original=article.key), []

    with SQLiteStateStore(tmp_path / "tribun.sqlite3") as store:
        n = 5_000
        store.put_many(one for i in range(n) for one in stored(i))
        per_article = store.size_bytes() / store.count()
    assert per_article < 250


def test_sqlite_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "tribun.sqlite3"
    SQLiteStateStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        SQLiteStateStore(path)


def test_sqlite_file_of_schema_2_gains_the_polling_tables_with_its_recent_publications(tmp_path: Path) -> None:
    path = tmp_path / "tribun.sqlite3"
    t = 1_719_065_100
    old = "https://jateng.tribunnews.com/2024/04/01/berita-lama"
    with SQLiteStateStore(path) as store:
        store.put(record(published=t))
        store.put(record(COPY, "copy", published=t - 3600))
        store.put(record(old, "lama", published=t - PUBLICATIONS_KEPT - 1))
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE publications")
        db.execute("DROP TABLE discoveries")
        db.execute("PRAGMA user_version = 2")
    with SQLiteStateStore(path) as store:
        assert store.publish_times("www", 0) == [t]
        # Only what the estimator may still read is filled in: the last PUBLICATIONS_KEPT of the newest article.
        assert store.publish_times("jateng", 0) == [t - 3600]
        assert store.last_discoveries() == {}
        store.discovered("www", t)
        assert store.last_discovery("www") == t
        assert store.integrity_errors() == []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_sqlite_file_of_schema_3_gains_the_run_feeds_table_and_keeps_its_open_runs(tmp_path: Path) -> None:
    path = tmp_path / "tribun.sqlite3"
    stored = record()
    with SQLiteStateStore(path) as store:
        store.put(stored)
        store.open_run("killed", 1_000)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE run_feeds")
        db.execute("PRAGMA user_version = 3")
    with SQLiteStateStore(path) as store:
        assert store.get(stored.key) == stored
        # The run killed under the old version noted no feed: nothing to read back, and its marker still counts.
        assert store.open_runs() == {"killed": 1_000}
        assert store.run_feeds() == {}
        store.add_run_feed("killed", "/data/tribun/run.jsonl", 512)
        assert store.run_feeds() == {"killed": {"/data/tribun/run.jsonl": 512}}
        assert store.integrity_errors() == []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_sqlite_file_of_schema_1_gains_the_runs_table_and_keeps_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "tribun.sqlite3"
    stored = record(article_id=7731367)
    with SQLiteStateStore(path) as store:
        store.put(stored, [id_fingerprint("www", "7731367")])
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE runs")
        db.execute("PRAGMA user_version = 1")
    with SQLiteStateStore(path) as store:
        assert store.get(id_fingerprint("www", "7731367")) == stored
        store.open_run("first", 1_000)
        assert store.open_runs() == {"first": 1_000}
        assert store.integrity_errors() == []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


# --- Redis ---------------------------------------------------------------------------------------------------


@pytest.mark.redis
def test_redis_keys_all_live_under_the_prefix(redis_url: str, redis_prefix: str) -> None:
    with RedisStateStore(redis_url, prefix=redis_prefix) as store:
        store.put(record(article_id=7731367, group=key_fingerprint(COPY)), [id_fingerprint("www", "7731367")])
        assert store.size_bytes() > 0
    client = redis.Redis.from_url(redis_url)
    try:
        keys = [k.decode() for k in client.scan_iter(match=f"{redis_prefix}:*")]
    finally:
        client.close()
    # The record, its body, group and alias index entries, the counter, the site's publication times.
    assert len(keys) == 6
    assert f"{redis_prefix}:p:www" in keys
    assert all(key.startswith(redis_prefix + ":") for key in keys)


@pytest.mark.redis
def test_redis_duplicate_takes_no_content_or_story_index_entry(redis_url: str, redis_prefix: str) -> None:
    with RedisStateStore(redis_url, prefix=redis_prefix) as store:
        copy = record(COPY, group=key_fingerprint(DATED), original=key_fingerprint(DATED), article_id=834567)
        store.put(copy, [id_fingerprint("jateng", "834567")])
        assert store.get(id_fingerprint("jateng", "834567")) == copy
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{redis_prefix}:*"))
    finally:
        client.close()
    assert len(keys) == 4  # the record, its alias index entry, the counter, the site's publication times


@pytest.mark.redis
def test_redis_reset_leaves_other_prefixes_alone(redis_url: str, redis_prefix: str) -> None:
    # Glob characters in a prefix are literal: "[ab]*" must not delete the keys of prefix "a".
    with (
        RedisStateStore(redis_url, prefix=f"{redis_prefix}:a") as neighbour,
        RedisStateStore(redis_url, prefix=f"{redis_prefix}:[ab]*") as store,
    ):
        neighbour.put(record())
        store.put(record())
        store.reset()
        assert store.count() == 0
        assert list(store.records()) == []
        assert neighbour.count() == 1
        assert len(list(neighbour.records())) == 1
        assert neighbour.get(key_fingerprint(DATED)) is not None


@pytest.mark.redis
def test_redis_run_markers_are_one_hash_under_the_prefix(redis_url: str, redis_prefix: str) -> None:
    with (
        RedisStateStore(redis_url, prefix=f"{redis_prefix}:other") as neighbour,
        RedisStateStore(redis_url, prefix=redis_prefix) as store,
    ):
        neighbour.open_run("neighbour", 1_000)
        store.open_run("stopped", 2_000)
        store.open_run("finishing", 3_000)
        store.finish_run("finishing", 3_000)
        assert store.open_runs() == {}
        assert neighbour.open_runs() == {"neighbour": 1_000}
        store.open_run("running", 4_000)
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.hgetall(f"{redis_prefix}:runs") == {b"running": b"4000"}
    finally:
        client.close()


def test_redis_store_fails_at_open_when_the_server_does_not_answer() -> None:
    with pytest.raises(redis.ConnectionError):
        RedisStateStore("redis://127.0.0.1:1/0", prefix="tribun-test")


def test_redis_url_password_is_not_shown() -> None:
    assert redacted("redis://user:s3cret@10.0.0.5:6380/2") == "redis://user:***@10.0.0.5:6380/2"
    assert redacted("redis://127.0.0.1:6379/15") == "redis://127.0.0.1:6379/15"
