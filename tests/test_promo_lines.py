"""Promo, call-to-action, print-edition and end-credit lines (tribun_crawler/promo.py, issue 12)."""

from __future__ import annotations

import inspect
import json
import re
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from tribun_crawler import promo
from tribun_crawler.promo import FAMILIES, MAX_PROMO_CHARS, is_promo_line, promo_family
from tribun_crawler.text import clean_text, is_credit_line, is_related_line, is_syndication_line

FIXTURES = Path(__file__).parent / "fixtures" / "articles"

# Lines as Tribun bodies end with them: brands of many hosts, every channel, casing, emoji and link variants.
PROMO_LINES = [
    # follow
    ("Ikuti kami di Google News", "follow"),
    ("IKUTI KAMI DI GOOGLE NEWS", "follow"),
    ("Ikuti saluran WhatsApp Tribun-Timur.com di sini", "follow"),
    ("Ikuti Saluran WhatsApp TribunJatim.com: https://whatsapp.com/channel/0029VaFhQc05Ui2WdfsJ8h1e", "follow"),
    ("Follow juga akun Instagram @suryacoid", "follow"),
    ("👇 Ikuti kanal WhatsApp SerambiNews.com untuk berita terkini", "follow"),
    ("Jangan lupa follow Instagram Tribun Manado @tribunmanado", "follow"),
    ("Subscribe YouTube Channel BangkaPos.com", "follow"),
    ("Yuk, ikuti WartaKotalive.com di Google News", "follow"),
    ("Ikuti berita terkini Pos-Kupang.com di Google News", "follow"),
    ("▶ Follow akun TikTok Sripoku.com: @sripokucom", "follow"),
    ("Ikuti juga Tribun-Bali.com di Facebook, Instagram dan X", "follow"),
    ("Langganan saluran WhatsApp TribunSolo.com, klik di sini", "follow"),
    ("Follow LINE Today Tribunnews.com untuk update berita setiap hari", "follow"),
    ("Ikuti kami di Instagram, Twitter dan Facebook:", "follow"),
    # read-more
    ("Simak berita TribunJatim.com lainnya di Google News", "read-more"),
    ("Simak berita lainnya di Google News", "read-more"),
    ("Baca berita lainnya di Google News", "read-more"),
    ("Baca Berita Terbaru Tribun Jabar di Google News", "read-more"),
    ("Cek Berita dan Artikel lainnya di Google News", "read-more"),
    ("Dapatkan update berita pilihan dan breaking news setiap hari dari BanjarmasinPost.co.id", "read-more"),
    (
        "Simak berita terbaru Sripoku.com lainnya di Google News: https://news.google.com/publications/CAAqBwgK",
        "read-more",
    ),
    ("Dapatkan berita terbaru SerambiNews.com via saluran WhatsApp 👇", "read-more"),
    ("Baca berita menarik TribunKaltim.co lainnya di Google News", "read-more"),
    ("Update berita terkini dari BangkaPos.com di WhatsApp Channel", "read-more"),
    ("Simak Berita Lainnya di Google News Tribun-Timur.com!", "read-more"),
    ("Dapatkan informasi terkini dari TribunManado.co.id di Google News", "read-more"),
    ("Simak berita viral lainnya melalui Telegram: https://t.me/tribunjatimcom", "read-more"),
    # watch
    ("Saksikan video lainnya di YouTube Tribun-Timur.com", "watch"),
    ("Tonton video menarik lainnya di kanal YouTube Surya.co.id", "watch"),
    ("Simak video terbaru WartaKotalive.com di YouTube: https://www.youtube.com/@wartakotalive", "watch"),
    ("Nonton video lainnya di TikTok @serambinews", "watch"),
    # join-channel
    ("Gabung grup Telegram BangkaPos.com untuk update berita terbaru: https://t.me/bangkaposcom", "join-channel"),
    ("Yuk gabung saluran WhatsApp Pos-Kupang.com di sini 👇", "join-channel"),
    ("Join grup WhatsApp TribunJatim.com: https://chat.whatsapp.com/KjH8s2LmQ0b", "join-channel"),
    (
        'Mari bergabung di Grup Telegram "Sripoku.com News Update", caranya klik link https://t.me/sripokucom, '
        "kemudian join. Anda harus install aplikasi Telegram terlebih dulu di ponsel.",
        "join-channel",
    ),
    # app
    ("Download aplikasi Tribunnews.com di Google Play Store dan App Store", "app"),
    ("Unduh aplikasi TribunJatim.com untuk baca berita lebih cepat", "app"),
    ("📲 Download aplikasi berita Surya.co.id, gratis!", "app"),
    ("Install aplikasi SerambiNews.com di ponsel Anda", "app"),
    # click-here
    ("Klik di sini untuk berlangganan berita Tribun-Timur.com via WhatsApp", "click-here"),
    ("KLIK DISINI untuk gabung saluran WhatsApp WartaKotalive.com", "click-here"),
    ("Untuk berita lainnya, klik di sini", "click-here"),
    ("➡ Klik link ini untuk mengikuti saluran WhatsApp TribunJabar.id", "click-here"),
    # print-edition
    ("Berita Ini Juga Dimuat di KORAN SUPER BALL, Senin (30/1/2017)", "print-edition"),
    ("Berita ini telah dimuat di Harian Tribun Timur edisi cetak, Kamis (9/3/2017)", "print-edition"),
    ("Artikel ini juga dimuat di Surya edisi Senin, 5 Juni 2017", "print-edition"),
    ("Berita ini juga dimuat di Harian Serambi Indonesia", "print-edition"),
    ("BERITA INI JUGA DIMUAT DI HARIAN SRIWIJAYA POST EDISI 14/02/2018", "print-edition"),
    ("Dimuat di Tribun Jateng edisi cetak Sabtu (13/5/2017)", "print-edition"),
    # end-credit
    ("(Tribunnews.com/Fahdi Fahlevi)", "end-credit"),
    ("(Tribun-Timur.com/Ansar)", "end-credit"),
    ("(tribunjatim.com/ Nama)", "end-credit"),
    ("(TRIBUNNEWS.COM/ABC)", "end-credit"),
    ("(Surya/Habibur Rohman)", "end-credit"),
    ("(SerambiNews.com/Masrizal Bin Zairi)", "end-credit"),
    ("(Sripoku.com/Odi Aria Saputra)", "end-credit"),
    ("(BangkaPos.com/Riki Pratama).", "end-credit"),
    ("(Pos-Kupang.com/Gecio Viana)", "end-credit"),
    ("(TribunJatim.com/Luhur Pambudi/Ndy)", "end-credit"),
    ("(WartaKotalive.com/Budi Sam Law Malau)", "end-credit"),
    ("(Tribunnews.com/Fahdi Fahlevi, Reza Deni)", "end-credit"),
    ("(Kompas.com/Nirmala Maulana Achmad)", "end-credit"),
]

# News prose that mentions the services, "klik", "aplikasi", "dimuat", "ikuti", "simak" as part of the story.
NEWS_LINES = [
    "Polisi menyebut pelaku menghubungi korban melalui WhatsApp dan meminta uang tebusan Rp 50 juta.",
    "Video detik-detik kecelakaan itu viral di TikTok dan telah ditonton lebih dari dua juta kali.",
    "Ia mengaku mengetahui informasi lowongan kerja tersebut dari sebuah grup Telegram.",
    "Unggahan akun Instagram @makassar_info memperlihatkan antrean panjang kendaraan di SPBU Jalan Perintis.",
    "Google News Initiative bersama AMSI menggelar pelatihan cek fakta bagi 200 jurnalis di Surabaya.",
    "Simak cara mengecek penerima bansos PKH melalui aplikasi Cek Bansos berikut ini.",
    "Ikuti langkah-langkah berikut untuk membuat Saluran WhatsApp di ponsel Android:",
    'Klik tombol "Daftar" di pojok kanan atas, lalu masukkan nomor WhatsApp yang aktif.',
    "Unduh aplikasi Mobile JKN di Play Store atau App Store, lalu pilih menu Pendaftaran Peserta.",
    "Download aplikasi PeduliLindungi melalui Google Play Store sebelum memasuki pusat perbelanjaan.",
    "Dapatkan informasi lebih lanjut melalui call center 112 yang beroperasi 24 jam.",
    '"Ikuti kami ke kantor," kata petugas kepada pengendara itu.',
    "Bupati mengimbau warga mengikuti akun Instagram resmi Pemkab Gowa untuk informasi terbaru soal banjir.",
    "Simak daftar harga emas Antam hari ini di Butik Emas LM Pulogadung berikut ini.",
    "Cek informasi selengkapnya di akun Instagram @bmkgumum sebelum bepergian.",
    "Klik tautan yang dikirim pelaku melalui WhatsApp, korban langsung kehilangan saldo Rp 14 juta.",
    "Aplikasi WhatsApp sempat tidak bisa diakses selama dua jam pada Selasa (25/10/2022) sore.",
    "Berita tentang kejadian itu dimuat di sejumlah koran lokal keesokan harinya.",
    "Tulisannya pernah dimuat di Harian Kompas dan Jawa Pos sejak ia masih kuliah.",
    "Diterbitkan di Harian Kompas edisi 5 Mei 2019, tulisan itu memicu polemik di kalangan akademisi.",
    "Baca puisi karya Chairil Anwar menjadi salah satu lomba dalam peringatan HUT RI di Desa Sukamaju.",
    "Dapatkan diskon 50 persen untuk pembelian tiket melalui aplikasi KAI Access hingga akhir bulan.",
    "Simak penjelasan lengkap Menkes Budi Gunadi Sadikin dalam video di bawah ini.",
    "Gabung grup Telegram, puluhan warga Makassar tertipu lowongan kerja palsu",
    "Bergabung dengan grup WhatsApp investasi itu, korban diminta menyetor Rp 5 juta.",
    "Follower akun TikTok miliknya kini mencapai 3,2 juta.",
    "Twitter kini berganti nama menjadi X setelah dibeli Elon Musk.",
    "Pelaku mengaku mendapat video itu dari grup Facebook jual beli kendaraan bekas.",
    "Akun YouTube milik Pemprov Jatim diretas dan menayangkan siaran kripto selama tiga jam.",
    "Dimuat di media sosial, video itu ditonton lebih dari 2 juta kali.",
    "Kepala Dinas Kominfo meminta warga tidak asal klik tautan yang beredar di grup WhatsApp.",
    "Laporan itu dimuat di situs resmi Kementerian Keuangan pada Senin (4/3/2024).",
    "Informasi itu ia dapatkan dari grup WhatsApp warga RT 05.",
    "Untuk mendaftar, peserta cukup mengisi formulir daring melalui tautan di Instagram panitia.",
    "Simak juga tips aman bertransaksi lewat WhatsApp agar tidak menjadi korban penipuan berikut ini.",
    "Cek kesehatan gratis bisa dilakukan di puskesmas dengan membawa KTP dan aplikasi Satu Sehat Mobile.",
    "Lihat video yang beredar di TikTok, warga tampak panik saat air bah datang.",
    "Saksikan siaran langsung debat capres di KompasTV dan TVRI mulai pukul 19.00 WIB.",
    "Nonton bareng final Piala Dunia digelar di Lapangan Karebosi, Minggu (18/12/2022) malam.",
    "Update terbaru, korban meninggal akibat gempa Cianjur bertambah menjadi 268 orang.",
    "Update informasi, jalur Puncak ditutup sementara mulai pukul 10.00 WIB.",
    "Berita bohong itu disebarkan melalui akun Facebook palsu yang mencatut nama Wali Kota.",
    "Artikel tersebut dimuat di jurnal internasional Nature pada 2021.",
    "Ia kemudian mengunggah video tersebut ke akun TikTok pribadinya dan menuai ribuan komentar.",
    "Follow up laporan warga, petugas Dinas PU langsung menambal jalan berlubang di Jalan Ahmad Yani.",
    "Like dan komentar warganet membanjiri unggahan Instagram @pemkotsurabaya tersebut.",
    "Ikuti Kata Hati, Pemuda Asal Bone Ini Sukses Jadi Petani Milenial",
    "Pantau kondisi arus mudik melalui CCTV Jasa Marga yang dapat diakses di situs resmi.",
    "Ikuti Tribun Run 2024, ribuan pelari padati Pantai Losari",
    "Simak pula imbauan BMKG terkait potensi cuaca ekstrem di Sulawesi Selatan berikut.",
    "Join venture kedua perusahaan itu akan membangun smelter nikel di Morowali senilai Rp 12 triliun.",
    "Masyarakat bisa mengunduh aplikasi Tribunnews.com untuk mengikuti perkembangan hasil Pemilu 2024.",
    'Pesan itu berbunyi "Selamat, Anda memenangkan hadiah, klik di sini".',
    "Berita ini berawal dari unggahan warga di Facebook yang menyebut jembatan itu nyaris ambruk.",
    "Dapatkan tiket konser di aplikasi Loket, penonton diminta datang dua jam sebelum acara.",
    "Berita ini dimuat di Tribun Timur setelah polisi merilis hasil penyelidikan pada Senin (3/4/2023).",
    "Bergabung dengan Tribunnews.com sejak 2012, ia pernah meliput di Istana Kepresidenan.",
    "Ikuti jejak TikTok, Instagram kini menghadirkan fitur video berdurasi hingga 10 menit.",
    "Gabung ke Gerindra, mantan Bupati Gowa itu siap maju di Pilgub Sulsel.",
    "Tonton video lengkapnya di akun YouTube resmi Sekretariat Presiden.",
    "Dapatkan update informasi bencana melalui aplikasi InaRISK milik BNPB.",
    "Cek Fakta: Beredar Pesan WhatsApp soal Bantuan Rp 3 Juta dari Kemensos, Ini Faktanya",
    "Klik di sini, lalu pilih menu Cek NIK dan masukkan nomor KTP.",
    "(Baca juga: Harga Cabai Rawit di Pasar Terong Tembus Rp 80 Ribu per Kilogram)",
    "(*)",
    "(1/2)",
]

# The other members of the article tail are recognised elsewhere (tribun_crawler.text) and are not promo.
NOT_PROMO_TAIL = [
    "Artikel ini telah tayang di TribunJateng.com dengan judul Banjir Rob Kepung Pantura, "
    "https://jateng.tribunnews.com/2023/05/02/banjir-rob-kepung-pantura",
    "Penulis: Fahdi Fahlevi | Editor: Adi Suhendi",
    "Editor: Hasanuddin Aco",
    "Sumber: Tribunnews.com",
    "Baca juga: Ikuti Saluran WhatsApp Resmi Pemkot, Warga Bisa Lapor Jalan Rusak",
]


@pytest.mark.parametrize(("line", "family"), PROMO_LINES)
def test_promo_lines_are_recognised_with_their_family(line: str, family: str) -> None:
    assert promo_family(clean_text(line)) == family
    assert is_promo_line(clean_text(line))


@pytest.mark.parametrize("line", NEWS_LINES)
def test_news_sentences_mentioning_the_services_are_not_promo(line: str) -> None:
    assert promo_family(line) is None
    assert not is_promo_line(line)


@pytest.mark.parametrize("line", NOT_PROMO_TAIL)
def test_syndication_credit_and_related_lines_are_left_to_their_own_rules(line: str) -> None:
    assert promo_family(line) is None
    assert is_syndication_line(line) or is_credit_line(line) or is_related_line(line)


def test_tables_are_large_and_span_every_family() -> None:
    assert len(PROMO_LINES) >= 40
    assert len(NEWS_LINES) >= 40
    assert {family for _, family in PROMO_LINES} == set(FAMILIES)


# The promo alternatives of text.BOILERPLATE_LINE ("simak berita lainnya di", "ikuti kami|kanal|saluran|berita",
# "dapatkan update|informasi"), as real lines carry them: this module makes them redundant.
@pytest.mark.parametrize(
    "line",
    [
        "Simak berita lainnya di Google News Tribunnews.com",
        "Simak berita lainnya di Tribunnews.com",
        "Ikuti kami di Google News",
        "Ikuti kami di Instagram @tribunjatim",
        "Ikuti kanal WhatsApp Tribunnews.com",
        "Ikuti saluran WhatsApp TribunJatim.com",
        "Ikuti berita terkini Tribunnews.com di Google News",
        "Dapatkan update berita pilihan dan breaking news setiap hari dari Tribunnews.com",
        "Dapatkan informasi terkini dari Tribun-Timur.com di Google News",
    ],
)
def test_boilerplate_promo_alternatives_are_covered(line: str) -> None:
    assert is_promo_line(line)


def _docstring_examples(doc: str, heading: str) -> list[str]:
    """The lines indented under ``heading`` ("Matches:" or "Not:") in a family's docstring."""
    examples: list[str] = []
    section = None
    for raw in doc.splitlines():
        stripped = raw.strip()
        if stripped in ("Matches:", "Not:"):
            section = stripped
        elif not stripped:
            continue
        elif section == heading and raw.startswith("    "):
            examples.append(stripped)
        else:
            section = None
    return examples


@pytest.mark.parametrize(
    ("family", "rule"),
    [(n, r) for n, _, r in promo._FAMILIES],
    ids=[f"{n}-{r.__name__}" for n, _, r in promo._FAMILIES],
)
def test_docstring_examples_are_what_the_rules_decide(family: str, rule: object) -> None:
    doc = inspect.getdoc(rule)
    assert doc
    matches, nots = _docstring_examples(doc, "Matches:"), _docstring_examples(doc, "Not:")
    assert matches, f"{family}: docstring lists no examples"
    for line in matches:
        assert promo_family(line) == family, line
    for line in nots:
        assert promo_family(line) is None, line


def test_module_docstring_examples_name_their_family() -> None:
    assert promo.__doc__
    examples = re.findall(r"^ {4}([a-z-]+): +(.+)$", promo.__doc__, re.M)
    assert {family for family, _ in examples} == set(FAMILIES)
    for family, line in examples:
        assert promo_family(line) == family, line


def test_long_paragraph_is_never_promo_even_with_an_invitation_opening() -> None:
    line = (
        "Simak berita lainnya di Google News, kata Kepala Dinas Kominfo Jatim saat membuka pelatihan literasi "
        "digital bagi 300 guru di Surabaya, Senin (4/3/2024). Menurut dia, warga perlu membiasakan diri membaca "
        "berita dari media yang terverifikasi Dewan Pers, bukan dari pesan berantai di grup WhatsApp keluarga, "
        "karena hoaks menjelang pemilu meningkat tajam."
    )
    assert len(line) > MAX_PROMO_CHARS
    assert promo_family(line) is None


def _fixture_bodies() -> list[tuple[str, list[str], list[str]]]:
    """Per article fixture: the body container's paragraphs as the page has them, and the expected body blocks."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        page = path.with_suffix(".html")
        root = lxml_html.fromstring(page.read_bytes())
        body = root.xpath('//div[contains(@class, "txt-article")]//p')
        paragraphs = [clean_text(p.text_content()) for p in body]
        blocks = [b for b in (expected.get("articleBody") or "").split("\n\n") if b]
        found.append((path.stem, paragraphs, blocks))
    return found


def test_fixture_pages_promo_lines_are_exactly_those_left_out_of_the_body() -> None:
    # Every paragraph of the saved pages' body containers: article text, "Baca juga" links, reporter lines,
    # summary boxes, the syndication footer and credits stay unrecognised; the real invitations and end credits
    # (which the issue-12 conventions take out of the body) are recognised, and none of them is in an expected body.
    found: dict[str, str | None] = {}
    for name, paragraphs, blocks in _fixture_bodies():
        for paragraph in paragraphs:
            if paragraph and is_promo_line(paragraph):
                assert paragraph not in blocks, (name, paragraph)
                found[paragraph] = promo_family(paragraph)
        for block in blocks:
            assert not is_promo_line(block), (name, block)
    assert sum(len(ps) for _, ps, _ in _fixture_bodies()) > 60
    assert {
        "Ikuti kami di Google News untuk mendapatkan berita terbaru Tribun-Timur.com": "follow",
        "Simak berita lainnya di Google News": "read-more",
        "(Tribunnews.com/Andika Prasetyo)": "end-credit",
        "(Tribunnews.com/Gita Irawan)": "end-credit",
        "Berita Ini Juga Dimuat di KORAN SUPER BALL, Senin (30/1/2017)": "print-edition",
    }.items() <= found.items()
    # The pages hold lines of five of the module's families (the promo fixture's six channels, Google News,
    # WhatsApp, Telegram, Instagram/TikTok/YouTube, the app and the print note, fall in these).
    assert {"follow", "read-more", "app", "print-edition", "end-credit"} <= set(found.values()), found


def _realistic_paragraphs(count: int) -> list[str]:
    """Body paragraphs in the proportions of a real page: mostly article text, about one promo line in 20."""
    text = [b for _, _, bs in _fixture_bodies() for b in bs] + NEWS_LINES
    promos = [line for line, _ in PROMO_LINES]
    lines = []
    for i in range(count):
        lines.append(promos[i // 20 % len(promos)] if i % 20 == 19 else text[i % len(text)])
    return lines


def test_cost_per_line_is_microseconds() -> None:
    lines = _realistic_paragraphs(10_000)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for line in lines:
            promo_family(line)
        best = min(best, time.perf_counter() - start)
    # Measured about 1-2 µs a line; the bound only catches a rule gone quadratic or a lost fast path.
    assert best / len(lines) < 30e-6


@pytest.mark.parametrize(
    "line",
    [
        "Ikuti " * 49,
        "Simak berita " * 23,
        "(" + "Tribunnews.com/" * 12 + "a b" * 10,
        "👇" * 290 + " Ikuti",
        "Gabung grup Telegram " + "berita " * 39,
        "Berita ini juga dimuat di " + "Harian " * 24,
    ],
)
def test_adversarial_lines_stay_fast(line: str) -> None:
    start = time.perf_counter()
    for _ in range(100):
        promo_family(line)
    assert (time.perf_counter() - start) / 100 < 1e-3
