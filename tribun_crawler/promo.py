"""Promo, call-to-action and print-edition lines: the tail of a Tribun article that is not article text.

Tribun bodies end with invitations that name a brand and a channel in every combination, print-edition
notes and an end-of-article credit. They are recognised by *family*, never by one exact string. Every
family is anchored to the shape of the line, not to a keyword anywhere in it: an imperative addressed to
the reader at the start of a short line (after any emoji, arrows or bullets), followed by a channel or a
brand. A news paragraph that merely mentions WhatsApp, Google, TikTok, "aplikasi" or "klik" in its story
does not start that way and is left alone.

Examples, one per family (every family's own docstring lists more; the tests match all of them)::

    follow:        Ikuti saluran WhatsApp Tribun-Timur.com di sini
    read-more:     Simak berita TribunJatim.com lainnya di Google News
    watch:         Saksikan video lainnya di YouTube Tribun Timur
    join-channel:  Gabung grup Telegram Sripoku.com untuk update berita terbaru: https://t.me/sripokucom
    app:           Download aplikasi Tribunnews.com di Google Play Store
    click-here:    KLIK DI SINI untuk bergabung dengan saluran WhatsApp BangkaPos.com
    print-edition: Berita Ini Juga Dimuat di KORAN SUPER BALL, Senin (30/1/2017)
    end-credit:    (Tribunnews.com/Fahdi Fahlevi)

Not promo (the other families of the tail are recognised elsewhere): the syndication footer "Artikel ini
telah tayang di …" (tribun_crawler.text SYNDICATION_LINE), credit lines "Penulis: … | Editor: …" (CREDIT_LINE)
and "Baca juga:" links (RELATED_LINE). A lone "(*)" is an end mark, not a credit.

Input is one body line with whitespace collapsed (tribun_crawler.text.clean_text).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tribun_crawler.sites import SITES

#: A promo line is short. Body paragraphs run 200-600 characters; the longest real invitation (the
#: "Dapatkan update berita pilihan … Mari bergabung di Grup Telegram …, caranya klik link …" paragraph)
#: stays under 300.
MAX_PROMO_CHARS = 300
#: Print-edition notes and end credits are a single short statement.
_MAX_NOTE_CHARS = 200

_FLAGS = re.I

# Decoration before the first word: emoji, "👇" arrows, "▶", bullets, stars, dashes. Quote marks and
# brackets are excluded: a paragraph opening with a quote ("Ikuti saya," kata dia) is a quoted speaker,
# and "(" opens an end credit, which has its own family.
_QUOTES = r"\"'\u201c\u201d\u2018\u2019"  # straight and curly quote marks, as regex escapes
_LEAD = rf"[^\w{_QUOTES}(\[]*"
# Softeners in front of the imperative ("Yuk, ikuti …", "Jangan lupa follow …", "Mari bergabung …").
_SOFT = (
    r"(?:(?:yuk|ayo|mari|jangan\s+lupa(?:\s+untuk)?|segera|sekarang|kini|dan|juga"
    r"|jangan\s+(?:ketinggalan|lewatkan)(?:\s+(?:berita|info|informasi|update)(?:\s+(?:terbaru|terkini|menarik|penting))*)?"
    r")\W+)*"
)


def _brand_root(brand: str) -> str:
    """A site's brand as a pattern: "Tribun-Timur.com" also written "Tribun Timur", "TRIBUN-TIMUR.COM",
    "tribuntimur"; "SerambiNews.com" also "Serambi News"."""
    root = brand.split(".", 1)[0]
    parts = re.findall(r"[A-Z][a-z]*|[a-z]+", root.replace("-", " "))
    return r"[\s-]?".join(re.escape(part) for part in parts)


# The network's brands (from sites.py, so a new site is covered), any other Tribun name ("Tribun Timur",
# "TribunJeneponto.com", "Tribun TV"), older print brands, and any outlet written as a domain ("Kompas.com").
# A domain must not continue a longer host name: "sscasn.bkn.go.id" is an office's site, not a brand.
_BRAND = (
    r"(?:(?<![\w.@-])[\w-]+\.(?:co\.id|com|id|co|net)\b"
    r"|\btribun(?:[\w-]*|\s\w+)"
    r"|\b(?:" + "|".join(sorted({_brand_root(site.brand) for site in SITES.values()}, key=len, reverse=True)) + r")\b"
    r"|\b(?:surya(?:\s?malang)?|serambi(?:\s?indonesia)?|sripo|warta\s?kota|bangka\s?pos|pos\s?belitung"
    r"|banjarmasin\s?post|pos[\s-]?kupang|prohaba)\b)"
)
_GOOGLE_NEWS = r"google[\s-]?news\b"
# Channels that also appear in stories: only together with a brand, "kami", a handle, a link or "di sini"
# do they make an invitation.
_CHANNEL = (
    r"(?:whats\s?app|wa|telegram|instagram|ig|you\s?tube|tik\s?tok|twitter|x|facebook|fb|line|threads"
    r"|snack\s?video)\b"
)
_HANDLE = r"(?<![\w.])@[a-z0-9_.]{3,}"
_LINK = r"(?:https?://|\bwww\.|\bbit\.ly/|\bt\.me/|\bwa\.me/|\bs\.id/)"
_HERE = r"\b(?:di\s?sini|disini)\b"
_ARROW = r"[👇⬇⤵👉▶➡]"
# Words that make "berita" the outlet's stream rather than one story's details ("informasi selengkapnya").
_FRESH = (
    r"\b(?:lainnya|yang\s+lain|terbaru|terkini|terupdate|terhangat|pilihan|menarik|populer|viral"
    r"|breaking\s+news|setiap\s+hari|tiap\s+hari)\b"
)

_STRONG_RE = re.compile(rf"{_BRAND}|\b{_GOOGLE_NEWS}|\bkami\b", _FLAGS)
_CHANNEL_RE = re.compile(rf"\b{_CHANNEL}", _FLAGS)
# What turns a story channel into an invitation: a brand, a handle, a link, "di sini" or a pointing arrow.
_INVITE_RE = re.compile(rf"{_BRAND}|\b{_GOOGLE_NEWS}|\bkami\b|{_HANDLE}|{_LINK}|{_HERE}|\bklik\b|{_ARROW}", _FLAGS)
_FRESH_RE = re.compile(_FRESH, _FLAGS)
_HERE_OR_LINK_RE = re.compile(rf"{_HERE}|{_LINK}|{_ARROW}", _FLAGS)
# Pointers to where the reader should go, other than a brand: Google News, a handle, a link, "di sini", "klik".
_POINTER_RE = re.compile(rf"\b{_GOOGLE_NEWS}|{_HANDLE}|{_LINK}|{_HERE}|\bklik\b|{_ARROW}", _FLAGS)
# The outlet's news as the thing offered ("… untuk mendapatkan berita terbaru").
_NEWS_TOPIC = re.compile(r"\b(?:berita|artikel|update|info|informasi)\b", _FLAGS)

# The first word of a line (or the "(" of an end credit), after any decoration. Each family says which first
# words it can start with; an ordinary paragraph's first word is none of them and costs one short match and
# one set lookup.
_FIRST_WORD = re.compile(rf"{_LEAD}(\(|\w+)")
# Softeners can stand before any family's imperative ("Yuk, download …", "Jangan lupa follow …").
_SOFT_WORDS = frozenset({"yuk", "ayo", "mari", "jangan", "segera", "sekarang", "kini", "dan", "juga"})

Rule = Callable[[str], bool]
#: (family, first words it starts with or None for any line, rule), in the order they are tried.
_FAMILIES: list[tuple[str, frozenset[str] | None, Rule]] = []


def _family(name: str, starts: str | None) -> Callable[[Rule], Rule]:
    """Registers a family's rule for lines whose first word (lower case) is one of ``starts`` (space-separated),
    or for any line when None. Families are tried in registration order; the first match names the line."""

    def register(rule: Rule) -> Rule:
        _FAMILIES.append((name, frozenset(starts.split()) if starts is not None else None, rule))
        return rule

    return register


_CLICK_HERE = re.compile(
    _LEAD + _SOFT + r"(?:klik|click|klick|tap|ketuk)\W+(?:(?:link|tautan|tombol|banner|ini|berikut|saja)\W+)*"
    r"(?:di\s?sini|disini|here)\b",
    _FLAGS,
)
_CLICK_LINK = re.compile(_LEAD + _SOFT + r"(?:klik|click|klick|tap|ketuk)\W+(?:link|tautan|tombol|banner)\b", _FLAGS)
# "…, klik di sini" closing a short line; a quote mark after it means someone in the story said it.
_ENDS_CLICK_HERE = re.compile(rf"(?:^|[\s,.:;!(-])(?:klik|click)\s+(?:di\s?sini|disini)[^\w{_QUOTES}]*$", _FLAGS)
_MAX_ENDS_CLICK_CHARS = 150
_LINK_TEXT = re.compile(r"(?:https?://|www\.)\S*", _FLAGS)
_CLICK_PURPOSE = re.compile(
    rf"{_BRAND}|\b{_GOOGLE_NEWS}|\b{_CHANNEL}|\b(?:berita|artikel|info|informasi|update|kabar|video|berlangganan"
    r"|langganan|gabung|bergabung|join|follow|ikuti|mengikuti|subscribe|download|unduh|mengunduh|aplikasi)\b",
    _FLAGS,
)


@_family("click-here", "klik click klick tap ketuk")
def _click_here(line: str) -> bool:
    """ "Klik di sini" calls to action; a bare "Klik tombol …" tutorial step is article text.

    Matches:
        Klik di sini untuk baca berita terbaru Tribunnews.com lainnya
        KLIK DI SINI untuk bergabung dengan saluran WhatsApp BangkaPos.com
        👉 Klik disini untuk berlangganan berita Tribun-Bali.com
        Klik link berikut untuk bergabung dengan saluran WhatsApp Tribun Jatim: https://whatsapp.com/channel/0029Va
        KLIK DI SINI 👇 https://bit.ly/tribunjatim-wa

    Not:
        Klik tombol "Daftar" di pojok kanan atas, lalu isi nomor WhatsApp yang aktif.
        Klik tautan yang dikirim pelaku melalui WhatsApp, korban langsung kehilangan saldo Rp 14 juta.
        Klik di sini, lalu pilih menu Cek NIK dan masukkan nomor KTP.
    """
    m = _CLICK_HERE.match(line)
    if m:
        # "Klik di sini, lalu pilih menu …" is a tutorial step: the click must lead to news, a channel or the app.
        rest = line[m.end() :]
        return not re.search(r"\w", _LINK_TEXT.sub("", rest)) or bool(_CLICK_PURPOSE.search(rest))
    return bool(_CLICK_LINK.match(line) and _STRONG_RE.search(line))


_APP = re.compile(
    _LEAD + _SOFT + r"(?:download|unduh|install|instal|pasang|dapatkan)\W+(?:(?:juga|sekarang|segera|gratis)\W+)*"
    r"(?:aplikasi|applikasi|app|apps)\b(?P<rest>.*)",
    _FLAGS,
)
_NEWS_WORD = re.compile(r"\b(?:berita|news)\b", _FLAGS)


@_family("app", "download unduh install instal pasang dapatkan")
def _app(line: str) -> bool:
    """Invitations to install the outlet's app; a tutorial's "Unduh aplikasi Mobile JKN" names no outlet.

    Matches:
        Download aplikasi Tribunnews.com di Google Play Store
        Unduh aplikasi WartaKotalive.com sekarang juga, gratis!
        📲 Download aplikasi berita Pos-Kupang.com untuk Android dan iOS
        Yuk, download aplikasi Tribun Jateng untuk mendapatkan berita terkini

    Not:
        Unduh aplikasi Mobile JKN di Play Store atau App Store, lalu pilih menu Pendaftaran.
        Download aplikasi PeduliLindungi melalui Google Play Store sebelum memasuki mal.
        Dapatkan aplikasi Sirekap versi terbaru agar hasil penghitungan suara bisa diunggah.
    """
    m = _APP.match(line)
    if not m:
        return False
    rest = m.group("rest")
    return bool(_STRONG_RE.search(rest) or _NEWS_WORD.search(rest))


_PRINT_SUBJECT = re.compile(
    _LEAD + r"(?:berita|artikel|tulisan|opini|laporan|liputan)\s+ini\s+(?:(?:juga|telah|sudah|pernah|pula)\s+)*"
    r"(?:dimuat|terbit|diterbitkan|dipublikasikan|dicetak)\s+(?:di|dalam|pada)\s+(?P<rest>.+)",
    _FLAGS,
)
_PRINT_BARE = re.compile(
    _LEAD + r"(?:(?:juga|telah|sudah)\s+)*(?:dimuat|terbit|diterbitkan|dicetak)\s+(?:di|dalam|pada)\s+"
    rf"(?:(?:koran|harian|surat\s+kabar|tabloid|majalah|edisi\s+cetak)\b|{_BRAND}).*(?:\d{{4}}|\))\W*$",
    _FLAGS,
)
# A note names a paper and a date; a sentence about a publication goes on ("… setelah polisi merilis …").
_CLAUSE = re.compile(
    r"\b(?:setelah|sebelum|karena|untuk|rangka|sebagai|ketika|saat|sehingga|namun|tetapi|agar|supaya|oleh)\b",
    _FLAGS,
)
# Where the note points: a newspaper, an edition, a date, a brand or a paper's name in capitals ("Harian
# Surya", "KORAN SUPER BALL"); the capitals are matched case-sensitively, or any word would pass.
_PRINT_PLACE = re.compile(
    rf"\b(?:koran|harian|surat\s+kabar|tabloid|majalah|edisi|cetak|print)\b|\d{{4}}|{_BRAND}|(?-i:\b[A-Z]{{3,}}\b)",
    _FLAGS,
)


@_family(
    "print-edition", "berita artikel tulisan opini laporan liputan juga telah sudah dimuat terbit diterbitkan dicetak"
)
def _print_edition(line: str) -> bool:
    """Notes that the piece also ran in a print edition, any paper, any date shape.

    Matches:
        Berita Ini Juga Dimuat di KORAN SUPER BALL, Senin (30/1/2017)
        Artikel ini telah dimuat di Harian Tribun Timur edisi cetak Rabu, 12 Juli 2017
        Berita ini juga dimuat di Surya edisi cetak 4/5/2018
        Tulisan ini telah terbit di Harian Serambi Indonesia edisi Jumat (11/8/2017)
        Opini ini juga dimuat di Harian Tribun Jateng, 3 Maret 2020.
        Artikel ini juga dimuat di BOLA
        Dimuat di Harian Pos Kupang edisi Sabtu (6/1/2018)
        Dimuat di Tribun Jateng edisi cetak Sabtu (13/5/2017)

    Not:
        Tulisannya pernah dimuat di Harian Kompas dan Jawa Pos sejak ia masih kuliah.
        Diterbitkan di Harian Kompas edisi 5 Mei 2019, tulisan itu memicu polemik di kalangan akademisi.
        Berita tentang kejadian itu dimuat di sejumlah koran lokal keesokan harinya.
        Tulisan ini dimuat dalam rangka memperingati Hari Pers Nasional 2024.
        Laporan ini dimuat di laman resmi pemerintah provinsi.
    """
    if len(line) > _MAX_NOTE_CHARS:
        return False
    m = _PRINT_SUBJECT.match(line)
    if m:
        rest = m.group("rest")
        return bool(_PRINT_PLACE.search(rest)) and not _CLAUSE.search(rest)
    return bool(_PRINT_BARE.match(line))


# An outlet as credits write it before or after the slash: a domain, a Tribun or print brand, a wire, "*".
_SOURCE = (
    r"(?:\*|[\w-]+\.(?:co\.id|com|id|co|net)|tribun[\w-]*(?:\s[a-z]+)?|surya(?:\s?malang)?"
    r"|serambi(?:\s?news|\s?indonesia)?|sripo(?:ku)?|bangka\s?pos|pos[\s-]?kupang|pos\s?belitung|warta\s?kota(?:live)?"
    r"|banjarmasin\s?post|prohaba|kompas(?:\.com|\s?tv)?|antara(?:news)?|afp|reuters|ap|kontan|grid\.id)"
)
# Names and initials: letters, spaces, dots, commas, apostrophes, "&", hyphens, more "/initials"; no digits.
_NAMES = r"[^\W\d_](?:[^\W\d_]|[\s.,'\u2019&/-])*"
_END_CREDIT = re.compile(
    rf"\(\s*(?:{_SOURCE}\s*/\s*{_NAMES}|{_NAMES}\s*/\s*{_SOURCE}|[\w-]+\.(?:co\.id|com|id|co))\s*\)\W*",
    _FLAGS,
)


@_family("end-credit", "(")
def _end_credit(line: str) -> bool:
    """An end-of-article credit alone on its line: outlet and reporter (or initials) in parentheses.

    Matches:
        (Tribunnews.com/Fahdi Fahlevi)
        (Tribun-Timur.com/Ansar)
        (tribunjatim.com/ Luhur Pambudi)
        (TRIBUNNEWS.COM/ABC)
        (Surya/Sugiharto)
        (Tribunnews.com/Fahdi Fahlevi, Reza Deni)
        (TribunJatim.com/Luhur Pambudi/Ndy)
        (*/Tribun-Medan.com)
        (Serambinews.com/Masrizal)
        (Tribunnews.com).

    Not:
        (*)
        (1/2)
        (Baca juga: Harga Cabai Rawit di Pasar Terong Tembus Rp 80 Ribu per Kilogram)
    """
    return len(line) <= _MAX_NOTE_CHARS and _END_CREDIT.fullmatch(line) is not None


_JOIN = re.compile(
    _LEAD + _SOFT + r"(?:gabung|bergabung|bergabunglah|join)\W+(?:(?:juga|yuk|sekarang|segera|di|ke|dalam|dengan"
    rf"|bersama)\W+)*(?:(?:grup|group|komunitas|kanal|saluran|channel)\b|{_CHANNEL}|{_GOOGLE_NEWS})(?P<rest>.*)",
    _FLAGS,
)
_FRESH_NEWS = re.compile(r"\b(?:berita|update|info|informasi)\b.*" + _FRESH, _FLAGS)


@_family("join-channel", "gabung bergabung bergabunglah join")
def _join_channel(line: str) -> bool:
    """Invitations to join the outlet's group or channel on a messenger.

    Matches:
        Gabung grup Telegram Sripoku.com untuk update berita terbaru: https://t.me/sripokucom
        Mari bergabung di Grup Telegram "Tribunnews.com News Update", caranya klik link https://t.me/tribunnews
        Join channel WhatsApp kami 👇
        Gabung di grup WhatsApp untuk dapat update berita terkini setiap hari
        Bergabunglah dengan saluran WhatsApp TribunJabar.id di sini

    Not:
        Bergabung dengan grup WhatsApp investasi itu, korban diminta menyetor Rp 5 juta.
        Gabung grup Telegram, puluhan warga Makassar tertipu lowongan kerja palsu
        Bergabung dengan komunitas pecinta kucing sejak 2019, Rina kini merawat 40 ekor kucing.
    """
    m = _JOIN.match(line)
    if not m:
        return False
    rest = m.group("rest")
    return bool(_INVITE_RE.search(rest) or _FRESH_NEWS.search(rest))


_FOLLOW = re.compile(
    _LEAD + _SOFT + r"(?:ikuti|ikutin|follow|subscribe|subcribe|langganan|berlangganan|like|add|kepoin|pantengin)\W+"
    r"(?:(?:juga|terus|selalu|yuk|ya|sekarang|segera|dan|akun|resmi|official|kanal|saluran|channel|fanpage|halaman"
    r"|media\s+sosial|medsos|sosmed|berita|artikel|update|info|informasi|perkembangan|terbaru|terkini|terupdate"
    r"|pilihan|menarik|lainnya|hanya|dari|di|melalui|via|lewat|pada)\W+)*"
    rf"(?:(?P<gnews>{_GOOGLE_NEWS})|(?P<kami>kami\b)|(?P<brand>{_BRAND})|(?P<channel>{_CHANNEL}))(?P<rest>.*)",
    _FLAGS,
)

# "Ikuti terus perkembangan kasus ini hanya di Tribunnews.com": the story's follow-ups, on the outlet.
_FOLLOW_STORY = re.compile(
    _LEAD + _SOFT + r"(?:ikuti|pantau|simak)\W+(?:terus\W+)?(?:perkembangan|kelanjutan|update)\b.{0,100}"
    rf"\b(?:hanya\s+)?(?:di|melalui|lewat|via)\s+{_BRAND}\W*$",
    _FLAGS,
)


@_family(
    "follow", "ikuti ikutin follow subscribe subcribe langganan berlangganan like add kepoin pantengin pantau simak"
)
def _follow(line: str) -> bool:
    """Invitations to follow or subscribe to the outlet; "Ikuti langkah berikut …" is a tutorial.

    Matches:
        Ikuti kami di Google News
        Ikuti saluran WhatsApp Tribun-Timur.com di sini
        ▶ Ikuti kami di Facebook, Twitter dan Instagram
        Follow juga akun Instagram @tribunjatim
        Jangan lupa ikuti TribunJatim.com di Google News ya!
        Yuk follow akun TikTok @tribunjatim.official
        Subscribe kanal YouTube Tribun Timur
        Ikuti terus berita terbaru Surya.co.id di Google News
        👇👇👇 Ikuti saluran WhatsApp SerambiNews.com: https://whatsapp.com/channel/0029VaFhRBI5fM5fIvVb3D2x
        Langganan berita pilihan Tribun-Medan.com via WhatsApp
        Ikuti Sripoku.com di Instagram dan TikTok
        Follow Twitter @tribunnews
        Ikuti terus perkembangan kasus ini hanya di Tribunnews.com.
        Pantau terus perkembangan berita ini di Tribun-Timur.com

    Not:
        Ikuti langkah-langkah berikut untuk membuat Saluran WhatsApp di ponsel Android:
        Ikuti akun Instagram resmi Pemkot Makassar untuk informasi jadwal vaksinasi.
        Ikuti kompetisi Tribun Jatim Fun Run 2024, peserta wajib mendaftar paling lambat 10 Mei.
        Ikuti Tribun Run 2024, ribuan pelari padati Pantai Losari
    """
    m = _FOLLOW.match(line)
    if not m:
        return bool(_FOLLOW_STORY.match(line))
    rest = m.group("rest")
    if m.group("gnews"):
        return True
    if m.group("brand"):
        # "Ikuti Tribun Run 2024, …" is an event: the brand must be followed on a channel or behind a link.
        return bool(_CHANNEL_RE.search(rest) or _POINTER_RE.search(rest))
    if m.group("kami"):
        return bool(_INVITE_RE.search(rest) or _CHANNEL_RE.search(rest) or _NEWS_TOPIC.search(rest))
    return bool(_INVITE_RE.search(rest))


_WATCH = re.compile(
    _LEAD + _SOFT + r"(?:saksikan|tonton|nonton|simak|lihat)\W+(?:(?:juga|terus|yuk|sekarang|berita|lainnya|terbaru"
    r"|terkini|menarik|pilihan)\W+)*(?:video|videonya|tayangan|siaran|live|streaming)\b(?P<rest>.*)",
    _FLAGS,
)


@_family("watch", "saksikan tonton nonton simak lihat")
def _watch(line: str) -> bool:
    """Invitations to watch more videos on the outlet's channel; "Simak video berikut" points at an embed.

    Matches:
        Saksikan video lainnya di YouTube Tribun Timur
        Tonton video menarik lainnya di YouTube
        Simak video terbaru Tribunnews.com di kanal YouTube Tribunnews
        Saksikan live streaming Tribun Jogja di sini
        Nonton video lainnya di TikTok @serambinews

    Not:
        Simak video selengkapnya di YouTube Kementerian Kesehatan
        Simak video berikut ini:
        Lihat video yang beredar di TikTok, warga tampak panik saat air bah datang.
        Saksikan video pengakuan pelaku yang diunggah akun Instagram @polrestabesmakassar.
    """
    m = _WATCH.match(line)
    if not m:
        return False
    rest = m.group("rest")
    if _STRONG_RE.search(rest) or _HERE_OR_LINK_RE.search(rest):
        return True
    return bool(_CHANNEL_RE.search(rest) and _FRESH_RE.search(line))


_READ_OBJECT = (
    rf"(?:(?P<object>berita|artikel|kabar|breaking\s+news|news|konten|update|info|informasi)\b|(?P<brand>{_BRAND}))"
)
_READ = re.compile(
    _LEAD + _SOFT + r"(?:simak|baca|cek|check|dapatkan|dapatkanlah|temukan|akses|update|nikmati|kunjungi|pantau|lihat)"
    r"\W+(?:(?:juga|terus|selalu|yuk|ya|sekarang|segera|aneka|beragam|berbagai|kumpulan|deretan|rangkuman|seluruh"
    r"|semua|update|terbaru|terkini|terupdate|terhangat|pilihan|menarik|lainnya|populer|viral|lengkap"
    rf"|selengkapnya|lebih\s+banyak|hanya)\W+)*{_READ_OBJECT}(?P<rest>.*)",
    _FLAGS,
)
_NEWS_OBJECTS = frozenset({"berita", "artikel", "kabar", "konten", "news", "breaking news"})
_TOPIC = re.compile(r"\b(?:soal|tentang|terkait|mengenai|seputar)\b", _FLAGS)


@_family("read-more", "simak baca cek check dapatkan dapatkanlah temukan akses update nikmati kunjungi pantau lihat")
def _read_more(line: str) -> bool:
    """Invitations to read more of the outlet's news on a channel or on its site.

    Matches:
        Simak berita TribunJatim.com lainnya di Google News
        Simak berita lainnya di Google News
        Baca berita lainnya di Google News
        Simak berita lainnya di Google News Tribunnews.com
        Dapatkan update berita pilihan dan breaking news setiap hari dari Tribun-Timur.com
        Cek Berita dan Artikel yang lain di Google News
        Baca artikel menarik lainnya di Google News
        Update berita terkini Tribun Jateng di Google News
        Dapatkan informasi terkini dari Sripoku.com di Google News
        Baca berita terbaru BangkaPos.com lainnya di sini: https://bangka.tribunnews.com
        Simak berita terbaru lainnya melalui saluran WhatsApp, klik di sini
        Dapatkan berita viral via Telegram, klik di sini
        Update berita Pos-Kupang.com lewat WhatsApp, klik disini.
        Dapatkan berita viral hari ini via WhatsApp 👇
        Baca berita selengkapnya di Tribun-Bali.com.
        Akses TribunJakarta.com di Google News
        Kunjungi TribunJakarta.com untuk berita terkini lainnya

    Not:
        Simak cara mengecek penerima bansos melalui aplikasi Cek Bansos berikut ini.
        Cek informasi selengkapnya di akun Instagram @bmkgumum sebelum bepergian.
        Dapatkan informasi terbaru soal cuaca melalui akun Instagram @infobmkg.
        Simak daftar harga BBM terbaru di SPBU Pertamina berikut ini.
        Simak berita terbaru soal harga BBM di kanal YouTube Pertamina.
        Kunjungi Tribun Jatim Expo di Grand City Surabaya, ada diskon hingga 70 persen.
    """
    m = _READ.match(line)
    if not m:
        return False
    rest = m.group("rest")
    if m.group("brand"):
        # "Kunjungi Tribun Jatim Expo …" is an event: visiting the brand must be for its news or on a channel.
        return bool(_POINTER_RE.search(rest) or _CHANNEL_RE.search(rest) or _NEWS_TOPIC.search(rest))
    if _STRONG_RE.search(rest):
        return True
    # Without a brand, only the outlet's stream ("berita lainnya", not "berita terbaru soal harga BBM") offered
    # on a channel or behind a link.
    if " ".join(m.group("object").lower().split()) not in _NEWS_OBJECTS or _TOPIC.search(rest):
        return False
    return bool((_CHANNEL_RE.search(rest) or _HERE_OR_LINK_RE.search(rest)) and _FRESH_RE.search(line))


@_family("click-here", None)
def _click_here_tail(line: str) -> bool:
    """A short line that no other family claims, closing with "klik di sini".

    Matches:
        Untuk berita lainnya, klik di sini
        Berita selengkapnya klik disini 👇

    Not:
        Pesan itu berbunyi "Selamat, Anda memenangkan hadiah, klik di sini".
    """
    return len(line) <= _MAX_ENDS_CLICK_CHARS and "sini" in line.lower() and bool(_ENDS_CLICK_HERE.search(line))


def _families_by_first_word() -> tuple[dict[str, list[tuple[str, Rule]]], list[tuple[str, Rule]]]:
    """For each first word, the families to try in order; and the families tried for any other line."""
    any_line = [(name, rule) for name, starts, rule in _FAMILIES if starts is None]
    words = {word for _, starts, _ in _FAMILIES for word in starts or ()}
    by_word = {
        word: [(name, rule) for name, starts, rule in _FAMILIES if starts is None or word in starts] for word in words
    }
    every = [(name, rule) for name, _, rule in _FAMILIES]
    by_word.update(dict.fromkeys(_SOFT_WORDS, every))
    return by_word, any_line


_BY_FIRST_WORD, _ANY_LINE = _families_by_first_word()


def promo_family(line: str) -> str | None:
    """The family of a promo, call-to-action, print-edition or end-credit line, else None."""
    if len(line) > MAX_PROMO_CHARS:
        return None
    m = _FIRST_WORD.match(line)
    families = _BY_FIRST_WORD.get(m.group(1).lower(), _ANY_LINE) if m else _ANY_LINE
    for name, rule in families:
        if rule(line):
            return name
    return None


def is_promo_line(line: str) -> bool:
    """The line is a promo, call-to-action, print-edition or end-credit line, not article text."""
    return promo_family(line) is not None


#: Family names, in the order they are tried.
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(name for name, _, _ in _FAMILIES))
