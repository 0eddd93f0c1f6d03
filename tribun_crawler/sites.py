"""The Tribun network: every host the crawler may visit, in one place.

A site is addressed by its *key*, the sub-domain of ``tribunnews.com``: ``www`` for the flagship,
``banyumas`` for ``banyumas.tribunnews.com`` and so on. Anything not listed here is outside the network
and never requested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta, timezone

DOMAIN = "tribunnews.com"

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")
WIT = timezone(timedelta(hours=9), "WIT")

#: Indonesian zone abbreviations as pages print them, with their UTC offsets in seconds (dateutil ``tzinfos``).
ZONE_OFFSETS = {"WIB": 7 * 3600, "WITA": 8 * 3600, "WIT": 9 * 3600}

_DOMAIN_SUFFIX = re.compile(r"\.(?:co\.id|com|co|id)$", re.I)
# "TribunJateng" -> "Tribun Jateng", "WartaKotalive" -> "Warta Kotalive": a capital after a lower-case letter.
_CAMEL_GAP = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True)
class Site:
    key: str
    """Sub-domain of tribunnews.com (``www`` for the flagship)."""
    brand: str
    """Brand printed in ``og:site_name``, title suffixes and datelines."""
    tz: timezone = WIB
    """Local time zone, used where a page prints a time without a zone (listing ``time.timeago[title]``,
    regional article dates of 2016-2020)."""
    former_brands: tuple[str, ...] = ()
    """Names the site carried in earlier years, as title suffixes of its old pages show them (docs/site.md,
    "Older eras")."""

    @property
    def brand_names(self) -> tuple[str, ...]:
        """Every name a title suffix of this site may carry: today's brand, its spoken form without the domain
        ("Tribun-Timur.com" -> "Tribun Timur", "TribunJateng.com" -> "Tribun Jateng") and the former brands."""
        names = [self.brand, *self.former_brands]
        for name in (self.brand, *self.former_brands):
            bare = _DOMAIN_SUFFIX.sub("", name)
            names.extend([bare, _CAMEL_GAP.sub(" ", bare.replace("-", " "))])
        return tuple(dict.fromkeys(n for n in names if n))

    @property
    def host(self) -> str:
        return f"{self.key}.{DOMAIN}"

    @property
    def home(self) -> str:
        return f"https://{self.host}/"


# Brands as docs/site.md#brand-per-host records them; the rest follow the Tribun{Key}.com pattern (unverified).
# Zones follow the province each site covers: WITA for Bali, Nusa Tenggara, Sulawesi and East/South/North
# Kalimantan, WIT for Maluku and Papua, WIB elsewhere.
SITES: dict[str, Site] = {
    s.key: s
    for s in [
        Site("www", "Tribunnews.com"),
        Site("banyumas", "TribunBanyumas.com"),
        Site("jateng", "TribunJateng.com"),
        Site("jogja", "TribunJogja.com"),
        Site("jatim", "TribunJatim.com"),
        Site("surabaya", "Surya.co.id"),
        Site("madura", "TribunMadura.com"),
        Site("makassar", "Tribun-Timur.com", WITA, ("Tribun Timur", "TribunTimur.com")),
        Site("wartakota", "WartaKotalive.com"),
        Site("jakarta", "TribunJakarta.com"),
        Site("jabar", "TribunJabar.id"),
        Site("bali", "Tribun-Bali.com", WITA),
        Site("medan", "Tribun-Medan.com"),
        Site("aceh", "SerambiNews.com"),
        Site("palembang", "Sripoku.com"),
        Site("bangka", "BangkaPos.com"),
        Site("kupang", "Pos-Kupang.com", WITA),
        Site("manado", "TribunManado.co.id", WITA),
        Site("pontianak", "TribunPontianak.co.id"),
        Site("kaltim", "TribunKaltim.co", WITA),
        Site("kaltara", "TribunKaltara.com", WITA),
        Site("papua", "TribunPapua.com", WIT),
        Site("ambon", "TribunAmbon.com", WIT),
        Site("lampung", "TribunLampung.co.id"),
        Site("padang", "TribunPadang.com"),
        Site("pekanbaru", "TribunPekanbaru.com"),
        Site("batam", "TribunBatam.id"),
        Site("jambi", "TribunJambi.com"),
        Site("bengkulu", "TribunBengkulu.com"),
        Site("banten", "TribunBanten.com"),
        Site("bogor", "TribunnewsBogor.com"),
        Site("cirebon", "TribunCirebon.com"),
        Site("solo", "TribunSolo.com"),
        Site("muria", "TribunMuria.com"),
        Site("pantura", "TribunPantura.com"),
        Site("suryamalang", "SuryaMalang.com", former_brands=("Surya Malang",)),
        Site("lombok", "TribunLombok.com", WITA),
        Site("flores", "TribunFlores.com", WITA),
        Site("sorong", "TribunSorong.com", WIT),
        Site("ternate", "TribunTernate.com", WIT),
        Site("gorontalo", "TribunGorontalo.com", WITA),
        Site("palu", "TribunPalu.com", WITA),
        Site("sultra", "TribunSultra.com", WITA),
        Site("toraja", "TribunToraja.com", WITA),
        Site("sulbar", "TribunSulbar.com", WITA),
        Site("kalteng", "TribunKalteng.com"),
        Site("banjarmasin", "BanjarmasinPost.co.id", WITA),
        Site("belitung", "PosBelitung.co"),
        Site("babel", "TribunBabel.com"),
        Site("prohaba", "Prohaba.co"),
        Site("gayo", "TribunGayo.com"),
        Site("depok", "TribunDepok.com"),
        Site("bekasi", "TribunBekasi.com"),
        Site("tangerang", "TribunTangerang.com"),
        Site("priangan", "TribunPriangan.com"),
        Site("mataraman", "TribunMataraman.com"),
        Site("mataram", "TribunMataram.com", WITA),
    ]
}

#: Hosts that mirror a site under another name: they are fetched and canonicalised as the site itself.
MIRRORS = {f"m.{DOMAIN}": "www", DOMAIN: "www"}

#: Section hubs of the flagship crawled when no ``sections`` argument is given.
DEFAULT_SECTIONS = (
    "nasional",
    "internasional",
    "regional",
    "metropolitan",
    "bisnis",
    "sport",
    "seleb",
    "lifestyle",
    "kesehatan",
    "techno",
    "otomotif",
    "pendidikan",
)


def site_key(host: str | None) -> str | None:
    """The site key for a host name, or None when the host is outside the network."""
    if not host:
        return None
    host = host.lower().rstrip(".").split(":", 1)[0]
    if host in MIRRORS:
        return MIRRORS[host]
    suffix = "." + DOMAIN
    if not host.endswith(suffix):
        return None
    key = host[: -len(suffix)]
    return key if key in SITES else None


def parse_site_keys(value: str | None) -> list[str]:
    """Site keys from a ``sites`` argument: comma-separated keys, or ``all``. Unknown keys raise ValueError."""
    if not value:
        return ["www"]
    keys = [k.strip().lower() for k in value.split(",") if k.strip()]
    if keys == ["all"]:
        return list(SITES)
    unknown = [k for k in keys if k not in SITES]
    if unknown:
        raise ValueError(f"unknown site key(s): {', '.join(unknown)}; known: {', '.join(SITES)}")
    return keys
