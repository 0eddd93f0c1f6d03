"""DepthMap: the smallest related depth per article, as the spider keeps it for every article it asks for."""

from __future__ import annotations

import hashlib
import tracemalloc

from tribun_crawler.spiders.depths import DepthMap


def key(n: int) -> bytes:
    return hashlib.blake2b(str(n).encode(), digest_size=8).digest()


def test_the_smallest_depth_recorded_wins() -> None:
    depths = DepthMap()
    assert depths.get(key(1)) is None
    assert key(1) not in depths
    assert depths.lower(key(1), 2)
    assert depths.get(key(1)) == 2
    assert not depths.lower(key(1), 2)  # not smaller
    assert not depths.lower(key(1), 3)
    assert depths.lower(key(1), 0)
    assert depths.get(key(1)) == 0
    assert not depths.lower(key(1), 1)
    assert key(1) in depths
    assert depths.get(key(2)) is None


def test_many_articles_keep_their_depths_across_merges() -> None:
    depths = DepthMap()
    for n in range(30_000):
        depths.lower(key(n), n % 3)
    for n in range(0, 30_000, 3):
        depths.lower(key(n + 2), 1)  # a nearer depth found later for a third of them
    assert all(depths.get(key(n)) == min(n % 3, 1) for n in range(30_000))
    assert depths.get(key(30_000)) is None


def test_about_eight_bytes_an_article() -> None:
    keys = [key(n) for n in range(50_000)]
    tracemalloc.start()
    try:
        depths = DepthMap()
        for n, k in enumerate(keys):
            depths.lower(k, n % 3)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A dict of the same keys holds about 90 bytes an article; the map's arrays 8, plus its sets of latest keys.
    assert held / len(keys) < 24
