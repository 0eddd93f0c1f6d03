"""The embedded state backend: one SQLite file.

WAL journal, so readers (the downloader middleware, ``python -m tribun_crawler.state``, another crawl) never
block the writer nor see half a write; every write is one transaction, so a killed process leaves the file
as of its last commit. ``synchronous=NORMAL`` keeps commits cheap: a commit survives a killed process, and
only a power loss can undo the last few (the feed lines of those articles are no safer).

Rows hold integers and the compact canonical URL, about a hundred bytes per article with indexes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from tribun_crawler.state.base import PUBLICATIONS_KEPT, StateStore
from tribun_crawler.state.records import ArticleRecord, compact_url, expand_url

# 2: the runs table (run markers). 3: the publications and discoveries tables (adaptive polling). 4: the run_feeds
# table (state.recovery). An older file gains what it lacks when opened; the publications of its recent articles
# are filled in from them.
SCHEMA_VERSION = 4

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS articles (
        key INTEGER PRIMARY KEY,    -- fingerprint of article_key(url), and the rowid: no separate key index
        url TEXT NOT NULL,          -- canonical URL, compact (records.compact_url)
        body INTEGER NOT NULL,      -- content fingerprint
        published INTEGER,          -- datePublished, Unix seconds
        modified INTEGER,           -- dateModified, Unix seconds
        recorded INTEGER NOT NULL,  -- last written to the feed, Unix milliseconds
        article_id INTEGER,         -- Tribun's numeric id
        grp INTEGER,                -- syndicated copy: fingerprint of the original's key
        original INTEGER            -- duplicate (emitted or dropped): key of its original
    )
    """,
    "CREATE INDEX IF NOT EXISTS articles_body ON articles (body) WHERE original IS NULL",
    "CREATE INDEX IF NOT EXISTS articles_grp ON articles (grp) WHERE grp IS NOT NULL AND original IS NULL",
    """
    CREATE TABLE IF NOT EXISTS aliases (
        alias INTEGER PRIMARY KEY,  -- fingerprint of site:id for an article whose URL carries no id, or of an
                                    -- old URL that redirected to the article
        key INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,        -- a crawl that opened and has not finished (state.runs)
        started INTEGER NOT NULL    -- when it opened, Unix milliseconds
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS run_feeds (
        run TEXT NOT NULL,          -- a run marked open (runs.id)
        path TEXT NOT NULL,         -- a local JSON lines feed it writes, absolute
        start INTEGER NOT NULL,     -- byte offset of the file where the run's first line goes
        PRIMARY KEY (run, path)
    ) WITHOUT ROWID
    """,
    # One B-tree in (site, published) order, no rowid table beside it: what adaptive polling reads is a range of it.
    """
    CREATE TABLE IF NOT EXISTS publications (
        site TEXT NOT NULL,         -- a site key
        published INTEGER NOT NULL, -- datePublished of an article of the site, Unix seconds
        key INTEGER NOT NULL,       -- the article (articles.key)
        PRIMARY KEY (site, published, key)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE IF NOT EXISTS discoveries (
        site TEXT PRIMARY KEY,      -- a site key
        at INTEGER NOT NULL         -- when its discovery last ran (the run's clock), Unix seconds
    )
    """,
)

# A file of schema 1 or 2: the publication times of its recent articles (compact URLs start with the site key).
_FILL_PUBLICATIONS = f"""
INSERT OR IGNORE INTO publications (key, site, published)
SELECT key, substr(url, 1, instr(url, '/') - 1), published FROM articles
WHERE published IS NOT NULL AND instr(url, '/') > 1 AND instr(url, ':') = 0
  AND published >= (SELECT max(published) FROM articles) - {PUBLICATIONS_KEPT}
"""
_PUBLICATION = "INSERT OR IGNORE INTO publications (key, site, published) VALUES (?, ?, ?)"
# Before an article is written again: its publication, if its datePublished changed (one row per article).
_MOVED_PUBLICATION = """
DELETE FROM publications WHERE site = ?1 AND key = ?2 AND published != ?3
AND published = (SELECT published FROM articles WHERE key = ?2)
"""
# A site keeps the publications of PUBLICATIONS_KEPT before its newest one: bounded, whatever the runs (a backfill
# records years of articles), and with no clock (TRIBUN_NOW may simulate any day).
_PRUNE_PUBLICATIONS = f"""
DELETE FROM publications WHERE site = ?1
AND published < (SELECT max(published) FROM publications WHERE site = ?1) - {PUBLICATIONS_KEPT}
"""

_COLUMNS = "key, url, body, published, modified, recorded, article_id, grp, original"
_UPSERT = f"""
INSERT INTO articles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
    url = excluded.url, body = excluded.body, published = excluded.published, modified = excluded.modified,
    recorded = excluded.recorded, article_id = excluded.article_id, grp = excluded.grp,
    original = excluded.original
"""

Row = tuple[int, str, int, int | None, int | None, int, int | None, int | None, int | None]


def _row(record: ArticleRecord) -> Row:
    return (
        record.key,
        compact_url(record.url),
        record.body,
        record.published,
        record.modified,
        record.recorded,
        record.article_id,
        record.group,
        record.original,
    )


def _publication(record: ArticleRecord) -> list[tuple[int, str, int]]:
    """The publications row of a record: none without a publication time or a site."""
    site = record.site
    return [(record.key, site, record.published)] if site and record.published is not None else []


def _record(row: Row | None) -> ArticleRecord | None:
    if row is None:
        return None
    key, url, body, published, modified, recorded, article_id, group, original = row
    return ArticleRecord(
        key=key,
        url=expand_url(url),
        body=body,
        published=published,
        modified=modified,
        recorded=recorded,
        article_id=article_id,
        group=group,
        original=original,
    )


class SQLiteStateStore(StateStore):
    backend = "sqlite"

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        """Open (and create, with its folder) the state file at ``path``.

        ``timeout``: seconds a write waits for another process's write to finish.
        """
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._create_schema()
        except BaseException:
            self._db.close()
            raise

    def _create_schema(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} has state schema {version}, newer than this code ({SCHEMA_VERSION})")
        if version == SCHEMA_VERSION:
            return
        with self._transaction():
            for statement in _SCHEMA:
                self._db.execute(statement)
            if version in (1, 2):  # 3 -> 4 only adds the run_feeds table
                self._db.execute(_FILL_PUBLICATIONS)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of failing on upgrade.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get(self, key: int) -> ArticleRecord | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM articles WHERE key = ?", (key,)).fetchone()
        if row is None:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE key = (SELECT key FROM aliases WHERE alias = ?)",
                (key,),
            ).fetchone()
        return _record(row)

    def find_group(self, group: int) -> ArticleRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE key = ? AND original IS NULL", (group,)
        ).fetchone()
        if row is None:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE grp = ? AND original IS NULL LIMIT 1", (group,)
            ).fetchone()
        return _record(row)

    def find_body(self, body: int) -> ArticleRecord | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE body = ? AND original IS NULL LIMIT 1", (body,)
        ).fetchone()
        return _record(row)

    def put(self, record: ArticleRecord, aliases: Iterable[int] = ()) -> None:
        with self._transaction() as db:
            for key, site, published in _publication(record):
                db.execute(_MOVED_PUBLICATION, (site, key, published))
                db.execute(_PUBLICATION, (key, site, published))
                db.execute(_PRUNE_PUBLICATIONS, (site,))
            db.execute(_UPSERT, _row(record))
            db.executemany(
                "INSERT OR REPLACE INTO aliases (alias, key) VALUES (?, ?)",
                ((a, record.key) for a in aliases),
            )

    def add_aliases(self, key: int, aliases: Iterable[int]) -> None:
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO aliases (alias, key) VALUES (?, ?)", ((a, key) for a in aliases))

    def put_many(self, records: Iterable[tuple[ArticleRecord, Iterable[int]]], batch: int = 50_000) -> int:
        done = 0
        iterator = iter(records)
        while chunk := list(islice(iterator, batch)):
            with self._transaction() as db:
                rows = [row for record, _ in chunk for row in _publication(record)]
                db.executemany(_MOVED_PUBLICATION, ((site, key, published) for key, site, published in rows))
                db.executemany(_UPSERT, (_row(record) for record, _ in chunk))
                db.executemany(_PUBLICATION, rows)
                db.executemany(_PRUNE_PUBLICATIONS, ((site,) for site in {site for _, site, _ in rows}))
                db.executemany(
                    "INSERT OR REPLACE INTO aliases (alias, key) VALUES (?, ?)",
                    ((alias, record.key) for record, aliases in chunk for alias in aliases),
                )
            done += len(chunk)
        return done

    def records(self) -> Iterator[ArticleRecord]:
        for row in self._db.execute(f"SELECT {_COLUMNS} FROM articles"):
            record = _record(row)
            assert record is not None
            yield record

    def count(self) -> int:
        (n,) = self._db.execute("SELECT count(*) FROM articles").fetchone()
        return int(n)

    def size_bytes(self) -> int:
        """Size of the database file once the WAL is folded in."""
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return self.path.stat().st_size

    def integrity_errors(self) -> list[str]:
        """SQLite's own integrity check plus the store's invariant (every alias names a stored article)."""
        errors = [row[0] for row in self._db.execute("PRAGMA integrity_check") if row[0] != "ok"]
        dangling = self._db.execute(
            "SELECT count(*) FROM aliases WHERE key NOT IN (SELECT key FROM articles)"
        ).fetchone()[0]
        if dangling:
            errors.append(f"{dangling} alias(es) name no stored article")
        return errors

    def reset(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM articles")
            db.execute("DELETE FROM aliases")
            db.execute("DELETE FROM runs")
            db.execute("DELETE FROM run_feeds")
            db.execute("DELETE FROM publications")
            db.execute("DELETE FROM discoveries")

    def close(self) -> None:
        self._db.close()

    def describe(self) -> str:
        return f"sqlite:{self.path}"

    def open_run(self, run_id: str, started: int) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO runs (id, started) VALUES (?, ?)", (run_id, started))

    def finish_run(self, run_id: str, started: int) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM runs WHERE id = ? OR started < ?", (run_id, started))
            db.execute("DELETE FROM run_feeds WHERE run NOT IN (SELECT id FROM runs)")

    def open_runs(self) -> dict[str, int]:
        return {run_id: int(started) for run_id, started in self._db.execute("SELECT id, started FROM runs")}

    def add_run_feed(self, run_id: str, path: str, start: int) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO run_feeds (run, path, start) VALUES (?, ?, ?)", (run_id, path, start))

    def run_feeds(self) -> dict[str, dict[str, int]]:
        feeds: dict[str, dict[str, int]] = {}
        for run_id, path, start in self._db.execute("SELECT run, path, start FROM run_feeds"):
            feeds.setdefault(run_id, {})[path] = int(start)
        return feeds

    def publish_times(self, site: str, since: int) -> list[int]:
        rows = self._db.execute(
            "SELECT published FROM publications WHERE site = ? AND published >= ? ORDER BY published", (site, since)
        )
        return [published for (published,) in rows]

    def discovered(self, site: str, when: int) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO discoveries (site, at) VALUES (?, ?)", (site, when))
            db.execute("DELETE FROM publications WHERE site = ? AND published < ?", (site, when - PUBLICATIONS_KEPT))

    def last_discoveries(self) -> dict[str, int]:
        return {site: int(at) for site, at in self._db.execute("SELECT site, at FROM discoveries")}
