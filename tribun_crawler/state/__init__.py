"""Persistent state: every article that reached the feed, so later runs neither fetch nor emit it again.

Copies dropped as duplicates of such an article are kept too (as duplicates of it), so that they are not
fetched again either. For adaptive polling (``tribun_crawler/polling.py``) the store also keeps each site's recent
publication times and when its discovery last ran.

Backends share one interface (:class:`StateStore`); which one a crawl uses is a setting, not a code change:
``TRIBUN_STATE_BACKEND`` = ``auto`` (Redis when ``REDIS_URL`` is set, else SQLite), ``sqlite`` or ``redis``.
``python -m tribun_crawler.state reset`` empties the configured store without crawling.
"""

from __future__ import annotations

import json
from typing import Any

from tribun_crawler.distributed.faults import state_client_params
from tribun_crawler.settings import is_truthy
from tribun_crawler.state.base import StateStore
from tribun_crawler.state.records import ArticleRecord, ItemFingerprints
from tribun_crawler.state.redis_store import RedisStateStore
from tribun_crawler.state.sqlite_store import SQLiteStateStore

__all__ = [
    "BACKENDS",
    "ArticleRecord",
    "ItemFingerprints",
    "RedisStateStore",
    "SQLiteStateStore",
    "StateStore",
    "backend_name",
    "open_store",
    "reset_requested",
]

BACKENDS = ("auto", "sqlite", "redis")


def backend_name(settings: Any) -> str:
    """``sqlite`` or ``redis``, from ``TRIBUN_STATE_BACKEND`` (``auto``: Redis when ``REDIS_URL`` is set)."""
    choice = str(settings.get("TRIBUN_STATE_BACKEND")).strip().lower()
    if choice not in BACKENDS:
        raise ValueError(f"TRIBUN_STATE_BACKEND must be one of {', '.join(BACKENDS)}, not {choice!r}")
    if choice == "auto":
        return "redis" if settings.get("REDIS_URL") else "sqlite"
    return choice


def open_store(settings: Any) -> StateStore:
    """The store the settings name (Scrapy ``Settings``, or a mapping with ``get`` that names the backend), opened."""
    if backend_name(settings) == "redis":
        url = settings.get("REDIS_URL")
        if not url:
            raise ValueError("TRIBUN_STATE_BACKEND=redis needs REDIS_URL")
        # The shared queue's REDIS_PARAMS (TLS certificates …) apply to the state's connection too, with a
        # patient retry policy of its own (distributed/faults.py).
        give_up = float(settings.get("TRIBUN_REDIS_GIVE_UP") or 0)
        extra = settings.get("REDIS_PARAMS") or {}
        # A JSON object from the command line (-s REDIS_PARAMS='{…}'), as Scrapy's getdict reads it.
        params = {**state_client_params(give_up), **(json.loads(extra) if isinstance(extra, str) else dict(extra))}
        params.pop("redis_cls", None)  # scrapy-redis' own key, no redis-py argument
        return RedisStateStore(url, prefix=settings.get("TRIBUN_REDIS_PREFIX"), params=params)
    return SQLiteStateStore(settings.get("TRIBUN_STATE_PATH"))


def reset_requested(spider: Any) -> bool:
    """True when the spider was started with ``-a reset_state=1`` (or true/yes/on)."""
    return is_truthy(getattr(spider, "reset_state", "") or "")
