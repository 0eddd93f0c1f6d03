"""The interface every state backend implements (SQLite embedded, Redis shared)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Self

from tribun_crawler.state.records import ArticleRecord

#: Publication times older than this before a site's last discovery are forgotten: a little more than the history
#: the polling estimator reads (``polling.HISTORY``, 14 days).
PUBLICATIONS_KEPT = 16 * 24 * 3600


class StateStore(ABC):
    """Every article that reached the feed, across runs, and the copies dropped as duplicates of one.

    A store is opened by its constructor's caller and must be closed (or used as a context manager). Writes
    are atomic: a record and its aliases are stored together or not at all, whatever kills the process.
    """

    #: Short name of the backend, as ``TRIBUN_STATE_BACKEND`` spells it.
    backend: str

    @abstractmethod
    def get(self, key: int) -> ArticleRecord | None:
        """The record stored under ``key`` or under an alias of it (``site:id``)."""

    @abstractmethod
    def find_group(self, group: int) -> ArticleRecord | None:
        """An emitted original of a syndicated story: the article whose key is ``group``, or a copy of it.

        Records of emitted duplicates are never returned: a later copy is a duplicate of the original.
        """

    @abstractmethod
    def find_body(self, body: int) -> ArticleRecord | None:
        """An emitted original (not a duplicate) with this content fingerprint."""

    @abstractmethod
    def put(self, record: ArticleRecord, aliases: Iterable[int] = ()) -> None:
        """Insert or replace the record of ``record.key``, and the other keys it is found by, atomically."""

    def claim_story(self, url: str, fingerprints: Iterable[tuple[str, int]]) -> tuple[str, str] | None:
        """Claim a story's fingerprints (``("group" | "body", fingerprint)``) for the item of ``url`` on its way to
        the feed, before it is recorded: ``(kind, URL)`` of another item that claimed one first, else None.

        Only a store shared by processes (several workers on one Redis) has items of other processes in flight;
        a store of one process answers None (its dedupe pipeline knows its own items in flight).
        """
        return None

    def release_story(self, url: str, fingerprints: Iterable[tuple[str, int]]) -> None:
        """Give up the claims ``url`` holds on ``fingerprints``: recorded now (or never to be)."""
        return  # a store of one process holds no claims

    @abstractmethod
    def add_aliases(self, key: int, aliases: Iterable[int]) -> None:
        """Make the stored article ``key`` found under ``aliases`` too (old URLs that redirect to it), atomically.

        The record itself is not written: its newest version stays, whoever wrote it.
        """

    @abstractmethod
    def put_many(self, records: Iterable[tuple[ArticleRecord, Iterable[int]]]) -> int:
        """Bulk insert (benchmarks, imports): the same as many ``put`` calls, in few transactions."""

    @abstractmethod
    def records(self) -> Iterator[ArticleRecord]:
        """Every stored record, in no particular order (exports, checks of a killed run)."""

    @abstractmethod
    def count(self) -> int:
        """Number of articles stored."""

    @abstractmethod
    def size_bytes(self) -> int:
        """Bytes the store takes (file size, or Redis memory of its keys)."""

    @abstractmethod
    def reset(self) -> None:
        """Forget every article, every run marker, and every discovery and publication time."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """Where the state lives, for logs (no credentials)."""

    # Run markers (state.runs): which crawls opened and have not finished.

    @abstractmethod
    def open_run(self, run_id: str, started: int) -> None:
        """Mark the run ``run_id`` open since ``started`` (Unix milliseconds)."""

    @abstractmethod
    def finish_run(self, run_id: str, started: int) -> None:
        """Remove the marker of ``run_id`` and every marker of a run started before ``started``."""

    @abstractmethod
    def open_runs(self) -> dict[str, int]:
        """The runs marked open: run id -> start, Unix milliseconds."""

    @abstractmethod
    def add_run_feed(self, run_id: str, path: str, start: int) -> None:
        """Note that the open run ``run_id`` writes JSON lines to the local file ``path`` from byte ``start`` on
        (state.recovery); forgotten with the run's marker (:meth:`finish_run`)."""

    @abstractmethod
    def run_feeds(self) -> dict[str, dict[str, int]]:
        """The feeds noted by :meth:`add_run_feed`: run id -> {path: start}."""

    # Adaptive polling (tribun_crawler/polling.py): when each site's discovery last ran, and when its recent
    # articles were published. Sites are site keys (``www``, ``banyumas``); times are Unix seconds.

    @abstractmethod
    def publish_times(self, site: str, since: int) -> list[int]:
        """The ``datePublished`` of the site's stored articles published at ``since`` or later, oldest first.

        Every :meth:`put` of a record with a publication time keeps it under the record's site (duplicates too:
        they are what the site published), one per article. Times older than :data:`PUBLICATIONS_KEPT` before the
        site's newest publication are forgotten at each put, and before its last discovery when that is recorded.
        """

    @abstractmethod
    def discovered(self, site: str, when: int) -> None:
        """Record that the site's discovery ran at ``when``, and forget its publication times too old to matter."""

    @abstractmethod
    def last_discoveries(self) -> dict[str, int]:
        """When each site's discovery last ran (site -> Unix seconds), for every site ever discovered."""

    def last_discovery(self, site: str) -> int | None:
        """When the site's discovery last ran, or None when it never did."""
        return self.last_discoveries().get(site)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
