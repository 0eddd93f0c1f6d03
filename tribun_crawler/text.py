"""Text clean-up shared by the extractors and the normalise pipeline."""

from __future__ import annotations

import re
import unicodedata

from tribun_crawler.promo import is_promo_line

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")

#: Lines that are links to other stories, not body text ("Baca juga:", "Baca:", "BACA JUGA"). A bare "Baca"
#: needs its colon: "Bacaan doa …" and "Baca selengkapnya …" paragraphs are body text.
RELATED_LINE = re.compile(r"^\W*(baca\s+juga\b|baca\s*:)", re.I)
#: Trailing boilerplate besides promo lines (tribun_crawler.promo): the syndication footer and the credit line.
BOILERPLATE_LINE = re.compile(r"^\W*(artikel ini telah tayang di|penulis\s*:.*\|\s*editor\s*:)", re.I)
#: "Laporan Wartawan Tribunnews.com, Name" and similar prefixes in front of a reporter's name.
REPORTER_PREFIX = re.compile(
    r"^\s*(laporan\s+(wartawan|reporter|koresponden)[^,]*,\s*|(penulis|editor|reporter)\s*:\s*)", re.I
)


def clean_text(text: str | None) -> str:
    """NFC, non-breaking spaces as spaces, whitespace runs collapsed, trimmed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    # split() breaks on exactly the characters r"\s" matches in a str pattern, about 5x faster than re.sub.
    return " ".join(text.split())


def is_related_line(line: str) -> bool:
    return bool(RELATED_LINE.match(line))


def is_boilerplate_line(line: str) -> bool:
    """Not article text: the syndication footer, a "Penulis: … | Editor: …" line, or a promo, call-to-action,
    print-edition or end-credit line (recognised by family in tribun_crawler.promo)."""
    return bool(BOILERPLATE_LINE.match(line)) or is_promo_line(line)


def clean_person_name(name: str | None) -> str:
    """A writer's or editor's name without "Laporan Wartawan …," or "Penulis:" prefixes."""
    return clean_text(REPORTER_PREFIX.sub("", clean_text(name)))


#: The syndication footer naming the original of a copy ("Artikel ini telah tayang di X dengan judul …, URL").
SYNDICATION_LINE = re.compile(r"^\W*artikel ini telah tayang di\b", re.I)
#: Credit lines ("Penulis: X | Editor: Y", "Editor: Y", "Sumber: …"); after the footer they are not body text.
CREDIT_LINE = re.compile(r"^\W*(penulis|editor|reporter|penyunting|sumber)\s*:", re.I)
#: "Laporan Wartawan Tribunnews.com, Name" in front of the dateline: a reporter credit, not body text.
REPORTER_LINE = re.compile(r"^\W*laporan\s+(wartawan|reporter|koresponden)\b", re.I)


def is_syndication_line(line: str) -> bool:
    return bool(SYNDICATION_LINE.match(line))


def is_credit_line(line: str) -> bool:
    return bool(CREDIT_LINE.match(line))


def is_reporter_line(line: str) -> bool:
    return bool(REPORTER_LINE.match(line))


def urls_in_text(text: str) -> list[str]:
    """The http(s) URLs written out in a line of text (a syndication footer names its original this way)."""
    return _URL_IN_TEXT.findall(text)
