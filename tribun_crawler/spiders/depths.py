"""The smallest related depth each article was asked for at, in about 8 bytes per article.

The spider keeps this for every article it asks for, so over a long crawl it is the largest structure the
crawl strategy holds: a ``dict`` of 8-byte keys costs about 90 bytes an article (4.5 MiB for 50,000 articles,
360 MiB for 4 million). Depths are few (0 to ``TRIBUN_RELATED_DEPTH``), so :class:`DepthMap` keeps one compact
:class:`~tribun_crawler.state.dupefilter.FingerprintSet` of keys per depth: an article's depth is the smallest
depth whose set holds it. Lowering an article's depth adds its key to a smaller depth's set and leaves the old
entry shadowed; an article's depth is lowered at most ``TRIBUN_RELATED_DEPTH`` times.
"""

from __future__ import annotations

from tribun_crawler.state.dupefilter import FingerprintSet


class DepthMap:
    """Article key (8 bytes) -> the smallest depth it was asked for at."""

    def __init__(self) -> None:
        self._by_depth: list[FingerprintSet] = []

    def get(self, key: bytes) -> int | None:
        """The smallest depth ``key`` was recorded at, or None when it never was."""
        number = _number(key)
        for depth, keys in enumerate(self._by_depth):
            if number in keys:
                return depth
        return None

    def __contains__(self, key: bytes) -> bool:
        return self.get(key) is not None

    def lower(self, key: bytes, depth: int) -> bool:
        """Record ``depth`` for ``key`` when it is smaller than the depth known; True when it was."""
        known = self.get(key)
        if known is not None and known <= depth:
            return False
        while len(self._by_depth) <= depth:
            self._by_depth.append(FingerprintSet())
        self._by_depth[depth].add(_number(key))
        return True


def _number(key: bytes) -> int:
    return int.from_bytes(key, "big", signed=True)
