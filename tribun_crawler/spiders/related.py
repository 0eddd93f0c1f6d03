"""Related-link depth: how far from a listing, sitemap or start URL each article is, and what it links to.

The dupefilter lets each article be read once, at the depth it was first asked for. An article first reached far
through related links ("Baca juga", "Berita Terkait") and named later by a listing (or a nearer article) would
leave the articles it links to too deep, or unfollowed at the depth limit (``TRIBUN_RELATED_DEPTH``). So
:class:`RelatedLinks` keeps the smallest depth each article was asked at (:class:`~tribun_crawler.spiders.depths.
DepthMap`), and for each article read through related links, its links: as 8-byte keys when they were followed
(to pass a nearer depth on), as URLs when the depth limit held them back (to request them once it is reached
nearer). Plain data in, plain data out: the spider turns what it returns into requests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from tribun_crawler.spiders.depths import DepthMap
from tribun_crawler.urls import article_key

_DIGEST_SIZE = 8


def depth_key(url: str) -> bytes:
    """The 8-byte key of an article (every URL of it: ``?page=``, AMP, mobile, gives the same key)."""
    return hashlib.blake2b(article_key(url).encode(), digest_size=_DIGEST_SIZE).digest()


def _digests(urls: Iterable[str]) -> bytes:
    return b"".join(depth_key(url) for url in urls)


#: An article's links: 8-byte keys concatenated when they were followed, URLs when the depth limit held them back.
Links = bytes | tuple[str, ...]


class DepthStore(Protocol):
    """Where the depths and the links are kept: this worker's memory (:class:`LocalDepths`), or the run's Redis
    when several workers share the crawl (``distributed/depths.py``), so that an article one worker read far away
    and another finds nearer releases the links the first held back."""

    def get(self, key: bytes) -> int | None: ...

    def asked_here(self, key: bytes) -> bool:
        """Whether this worker asked for the article (lowered its depth) itself."""
        ...

    def lower(self, key: bytes, depth: int) -> bool: ...

    def links(self, key: bytes) -> Links | None: ...

    def set_links(self, key: bytes, links: Links) -> None: ...

    def lowered_late(self) -> list[tuple[bytes, int]]:
        """Depths lowered in the store only now, written late (Redis came back): their links are walked then."""
        ...


class LocalDepths:
    """The depths and links of one worker, in its memory (8 bytes an article for the depths)."""

    def __init__(self) -> None:
        self._depths = DepthMap()
        self._links: dict[bytes, Links] = {}

    def get(self, key: bytes) -> int | None:
        return self._depths.get(key)

    def asked_here(self, key: bytes) -> bool:
        return self._depths.get(key) is not None

    def lower(self, key: bytes, depth: int) -> bool:
        return self._depths.lower(key, depth)

    def links(self, key: bytes) -> Links | None:
        return self._links.get(key)

    def set_links(self, key: bytes, links: Links) -> None:
        self._links[key] = links

    def lowered_late(self) -> list[tuple[bytes, int]]:
        return []


class RelatedLinks:
    """The smallest depth each article was asked for at, and the links of the articles read through related links."""

    def __init__(self, limit: int, store: DepthStore | None = None) -> None:
        self.limit = limit
        """``TRIBUN_RELATED_DEPTH``: links are followed this many hops from where an article was found."""
        self.released = 0
        """Articles whose links the depth limit held back and a nearer depth then released."""
        self.store: DepthStore = store if store is not None else LocalDepths()
        """Article key -> smallest depth, and -> its links (:data:`Links`)."""

    def asked_before(self, url: str) -> bool:
        """Whether the run asked for the article before, this worker or another sharing the store."""
        return self.store.get(depth_key(url)) is not None

    def asked_here(self, url: str) -> bool:
        """Whether this worker asked for the article before: its request went to the scheduler, whose dupefilter
        decided. Another worker's asking is no such proof: it may have died between noting the depth and queueing
        the request (its articles are then read again, and their links must be asked for again)."""
        return self.store.asked_here(depth_key(url))

    def depth(self, url: str) -> int | None:
        """The smallest depth the article was asked for at, or None when it never was."""
        return self.store.get(depth_key(url))

    def reached(self, url: str, depth: int) -> list[tuple[str, int]]:
        """The article is asked for at ``depth``: the articles (URL, depth) that this makes due.

        Those are links the depth limit held back when the article (or one it leads to) was read farther away,
        and that are now within the limit; each is returned once, when it was never asked for.
        """
        due: list[tuple[str, int]] = []
        pending = [(depth_key(url), depth, False)]
        while True:
            if not pending:
                # Depths the store could lower only now (noted during a Redis outage, written once it answered):
                # their links are walked as if reached now.
                pending.extend((key, at, True) for key, at in self.store.lowered_late())
                if not pending:
                    break
            key, at, lowered = pending.pop()
            if not lowered and not self.store.lower(key, at):
                continue
            links = self.store.links(key)
            child = at + 1
            if links is None or child > self.limit:
                continue  # not read yet (it will be read at this depth), or its links stay beyond the limit
            if isinstance(links, tuple):
                self.released += 1
                keys = [depth_key(related) for related in links]
                due.extend(
                    (related, child)
                    for related, related_key in zip(links, keys, strict=True)
                    if not self.store.asked_here(related_key)
                )
                links = b"".join(keys)
                self.store.set_links(key, links)
            pending.extend((links[i : i + _DIGEST_SIZE], child, False) for i in range(0, len(links), _DIGEST_SIZE))
        return due

    def links_to_follow(self, url: str, asked_depth: int, links: Sequence[str]) -> tuple[int, Sequence[str]]:
        """The article at ``url``, asked for at ``asked_depth``, was read and links to ``links``: their depth and
        those to follow now (none beyond the limit; they are kept, to follow should the article be reached
        nearer)."""
        key = depth_key(url)
        known = self.store.get(key)
        depth = asked_depth if known is None else min(asked_depth, known)
        child = depth + 1
        if depth > 0:  # reached through related links: a listing or a nearer article may still name it
            self.store.set_links(key, tuple(links) if child > self.limit else _digests(links))
        return child, (links if child <= self.limit else ())
