"""Text clean-up shared by the extractors and the normalise pipeline."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")

#: Lines that are links to other stories, not body text ("Baca juga:", "Baca:", "BACA JUGA").
RELATED_LINE = re.compile(r"^\W*(baca\s+juga|baca)\s*:?", re.I)
#: Trailing boilerplate: syndication footer, "follow us" lines, the credit line after the footer.
BOILERPLATE_LINE = re.compile(
    r"^\W*(artikel ini telah tayang di|simak berita lainnya di|ikuti (kami|kanal|saluran|berita)|"
    r"dapatkan (update|informasi)|penulis\s*:.*\|\s*editor\s*:)",
    re.I,
)
#: "Laporan Wartawan Tribunnews.com, Name" and similar prefixes in front of a reporter's name.
REPORTER_PREFIX = re.compile(
    r"^\s*(laporan\s+(wartawan|reporter|koresponden)[^,]*,\s*|(penulis|editor|reporter)\s*:\s*)", re.I
)


def clean_text(text: str | None) -> str:
    """NFC, non-breaking spaces as spaces, whitespace runs collapsed, trimmed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    return _WS.sub(" ", text).strip()


def is_related_line(line: str) -> bool:
    return bool(RELATED_LINE.match(line))


def is_boilerplate_line(line: str) -> bool:
    return bool(BOILERPLATE_LINE.match(line))


def clean_person_name(name: str | None) -> str:
    """A writer's or editor's name without "Laporan Wartawan …," or "Penulis:" prefixes."""
    return clean_text(REPORTER_PREFIX.sub("", clean_text(name)))
