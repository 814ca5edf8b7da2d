"""Decoding: byte-order marks, UTF-8, legacy code pages, newlines, binary and empty input."""

from __future__ import annotations

import codecs
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_tui.errors import DocumentError
from evidence_tui.importers import ImportOptions, ParsedDocument, parse_document
from evidence_tui.importers.decoding import decode, html_declared_charset, normalise_newlines

RUSSIAN = "Следственный комитет России сообщил, что около десяти тысяч новых граждан уже отправлены на фронт."
UKRAINIAN = "Кислиця закликав держави світу відстежувати російських вербувальників, які шукають іноземців."
FRENCH = "Le président a déclaré que la réforme était nécessaire, malgré les critiques des syndicats."
GERMAN = "Die Bürger in München müssen sich über die Änderungen informieren. Grüße aus Köln!"


def problem(data: bytes, name: str | None = "a.txt", **options) -> str:
    with pytest.raises(DocumentError) as caught:
        parse_document(data, name, ImportOptions(**options))
    return caught.value.problem


# --- Unicode with and without byte-order marks -------------------------------------------------


def test_utf8_without_bom_is_utf8():
    doc = parse_document("Привіт — 👋 שלום\n".encode(), "a.txt")
    assert doc.encoding == "utf-8"
    assert doc.text == "Привіт — 👋 שלום\n"


def test_utf8_bom_is_stripped_from_text_but_kept_in_original():
    data = codecs.BOM_UTF8 + "Заголовок\nТекст".encode()
    doc = parse_document(data, "a.txt")
    assert doc.encoding == "utf-8-sig"
    assert doc.text == "Заголовок\nТекст"
    assert doc.original == data
    assert doc.title == "Заголовок"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_round_trips(codec):
    text = f"Título: Ukraine — Україна\n{UKRAINIAN}\n"
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    doc = parse_document(bom + text.encode(codec), "a.txt")
    assert doc.encoding == "utf-16"
    assert doc.text == text


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_bom_round_trips(codec):
    text = "Headline 🌍\nBody text.\n"
    bom = codecs.BOM_UTF32_LE if codec.endswith("le") else codecs.BOM_UTF32_BE
    doc = parse_document(bom + text.encode(codec), "a.txt")
    assert doc.encoding == "utf-32"
    assert doc.text == text


def test_utf16_bom_with_broken_body_is_refused():
    # A lone high surrogate cannot be decoded.
    assert "UTF-16" in problem(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8")


# --- Legacy single-byte encodings ----------------------------------------------------------------


@pytest.mark.parametrize("sentence", [RUSSIAN, UKRAINIAN, "Привет, мир!", "Їжак і ґава", "12 октября 2022"])
def test_cp1251_cyrillic_is_detected_as_cp1251(sentence):
    doc = parse_document(f"{sentence}\n".encode("cp1251"), "a.txt")
    assert doc.encoding == "cp1251"
    assert doc.text == f"{sentence}\n"


def test_cp1251_with_english_words_and_quotes():
    sentence = "Глава фонда «Русь сидящая» сообщила Reuters — 30 000 человек, №15."
    doc = parse_document(sentence.encode("cp1251"), "a.txt")
    assert (doc.encoding, doc.text) == ("cp1251", sentence)


def test_koi8r_is_told_apart_from_cp1251_by_letter_case():
    doc = parse_document(RUSSIAN.encode("koi8_r"), "a.txt")
    assert (doc.encoding, doc.text) == ("koi8-r", RUSSIAN)


@pytest.mark.parametrize("sentence", [FRENCH, GERMAN, "Café été", "Grüße", "Ça coûte 5 francs."])
def test_latin1_western_text_is_detected_as_cp1252(sentence):
    doc = parse_document(sentence.encode("latin-1"), "a.txt")
    assert doc.encoding in ("cp1252", "latin-1")
    assert doc.text == sentence


def test_cp1252_curly_quotes_and_euro():
    sentence = "« L’été dernier », a-t-il dit — c’était 5 € “au moins”."
    doc = parse_document(sentence.encode("cp1252"), "a.txt")
    assert (doc.encoding, doc.text) == ("cp1252", sentence)


def test_central_european_cp1250_is_preferred_when_cp1252_garbles_words():
    sentence = "Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig."
    doc = parse_document(sentence.encode("cp1250"), "a.txt")
    assert (doc.encoding, doc.text) == ("cp1250", sentence)


def test_greek_cp1253_is_not_read_as_cyrillic():
    sentence = "Η Ελλάδα είναι μια χώρα στη νοτιοανατολική Ευρώπη με πλούσια ιστορία."
    doc = parse_document(sentence.encode("cp1253"), "a.txt")
    assert (doc.encoding, doc.text) == ("cp1253", sentence)


def test_html_meta_charset_is_used_for_non_utf8_bytes():
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'
    doc = parse_document(page.encode("cp1251"), "a.html")
    assert doc.encoding == "cp1251"
    assert RUSSIAN in doc.text


def test_html_meta_charset_is_ignored_when_bytes_are_utf8():
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body><p>{UKRAINIAN}</p></body></html>'
    doc = parse_document(page.encode(), "a.html")
    assert doc.encoding == "utf-8"
    assert UKRAINIAN in doc.text


def test_declared_charset_labels():
    assert html_declared_charset(b'<meta charset="ISO-8859-1">') == "cp1252"  # as browsers read it
    assert html_declared_charset(b"<meta content='text/html; charset=KOI8-R'>") == "koi8-r"
    assert html_declared_charset(b'<meta charset="no-such-thing">') is None
    assert html_declared_charset(b"<p>no meta</p>") is None


# --- Newlines and characters kept as they are ------------------------------------------------


def test_crlf_and_lone_cr_become_lf():
    doc = parse_document(b"Title\r\nline one\rline two\r\n\r\nend", "a.txt")
    assert doc.text == "Title\nline one\nline two\n\nend"
    assert doc.original == b"Title\r\nline one\rline two\r\n\r\nend"


def test_nothing_else_changes():
    # Tabs, trailing spaces, form feed, a bell, decomposed accents, nbsp: all kept as written.
    text = "Title  \n\tindented\x0c\x07 e\u0301 a\u00a0b  \n\n\n"
    doc = parse_document(text.encode(), "a.txt")
    assert doc.text == text


def test_normalise_newlines_only_touches_cr():
    assert normalise_newlines("a\r\nb\rc\n\u2028d") == "a\nb\nc\n\u2028d"


def test_text_offsets_keep_cyrillic_emoji_and_rtl_intact():
    text = "Заголовок 🇺🇦\nقال الشاهد: «лист» 👩‍👩‍👧 שלום\n"
    doc = parse_document(text.encode(), "a.txt")
    start = doc.text.index("«лист»")
    assert doc.text[start:start + 6] == "«лист»"
    assert doc.text[doc.text.index("👩‍👩‍👧"):].startswith("👩‍👩‍👧 שלום")
    assert len(doc.text) == len(text)


def test_sha256_is_of_the_original_bytes():
    data = codecs.BOM_UTF8 + "Title\r\nBody".encode()
    doc = parse_document(data, "a.txt")
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.original is data or doc.original == data


# --- Refusals ------------------------------------------------------------------------------------


def test_empty_input_is_refused():
    assert problem(b"") == "empty file"


@pytest.mark.parametrize("data", [b"   \n\t\r\n  ", codecs.BOM_UTF8 + b" \n", codecs.BOM_UTF16_LE + " \n".encode("utf-16-le")])
def test_whitespace_only_input_is_refused(data):
    assert problem(data) == "file contains only whitespace"


def test_bom_only_is_empty():
    assert problem(codecs.BOM_UTF8) == "empty file"


def test_nul_bytes_are_binary():
    assert problem(b"Title\nsome \x00 text\x00\x01\x02 here") == "binary file (contains NUL bytes), not text"


def test_utf16_without_bom_gets_a_clear_message():
    data = "A headline\nand a paragraph of text.".encode("utf-16-le")
    assert problem(data) == "looks like UTF-16 without a byte-order mark; re-save as UTF-8"
    assert "UTF-16 without a byte-order mark" in problem("Big endian text here".encode("utf-16-be"))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
    ],
)
def test_known_binary_formats_are_named(data, kind):
    message = problem(data, "report.txt")
    assert message.startswith(f"binary file ({kind}")
    assert message.endswith(", not text")


def test_pdf_message_exactly():
    with pytest.raises(DocumentError) as caught:
        parse_document(b"%PDF-1.4 binary", "report.txt")
    assert str(caught.value) == "report.txt: binary file (PDF), not text"


def test_control_heavy_data_is_binary():
    assert problem(bytes(range(1, 32)) * 10 + b"some text") == "binary file (mostly control characters), not text"


def test_a_few_control_characters_are_kept():
    doc = parse_document(b"Title\nan \x1b[1mANSI\x1b[0m bell \x07 and \x7f here, plenty of normal text around them", "a.txt")
    assert "\x1b[1mANSI" in doc.text and "\x07" in doc.text and "\x7f" in doc.text


def test_error_names_stdin_when_there_is_no_file_name():
    with pytest.raises(DocumentError) as caught:
        parse_document(b"", None)
    assert str(caught.value) == "<stdin>: empty file"


def test_over_max_bytes_is_refused():
    message = problem(b"x" * 300, max_bytes=100)
    assert message == "file is 300 bytes, over the 100 bytes limit (--max-size)"


def test_size_message_in_megabytes():
    from evidence_tui.importers.document import too_large_problem

    assert too_large_problem(int(25.3 * 1024 * 1024), 20 * 1024 * 1024) == \
        "file is 25.3 MB, over the 20 MB limit (--max-size)"
    assert too_large_problem(20 * 1024 * 1024 + 5, 20 * 1024 * 1024) == \
        "file is 20,971,525 bytes, over the 20 MB limit (--max-size)"


def test_decode_returns_text_and_encoding():
    assert decode("a\r\nб".encode(), "x") == ("a\nб", "utf-8")


# --- Anything in, a document or a DocumentError out -------------------------------------------


_TOKENS = st.sampled_from([
    "<!doctype html>", "<html lang='uk'>", "<head>", "<title>", "</title>", "<body>", "<p>", "</p>", "<div>",
    "</div>", "<article>", "<br>", "<pre>", "<script>", "</script>", "<meta property='og:title' content='T'>",
    '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-06-',
    "<time datetime='2024-13-45'>", "&amp;", "&nbsp;", "&#0;", "&#xD800;", "---\n", "title: x\n", "# ",
    "Published: ", "15 June 2024", "07/12/2023 19h42", "31/02/2024", "By Jane Roe", "https://a.example/",
    "\r\n", "\n", "\r", " ", "Привет", "مرحبا", "👋", "\x07", "\ufeff", "|", "Donate",
])
_DOCUMENT_BYTES = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.lists(_TOKENS, max_size=40).map(lambda parts: "".join(parts).encode()),
    st.lists(_TOKENS, max_size=40).map(lambda parts: "".join(parts).encode("utf-16")),
    st.lists(_TOKENS, max_size=40).map(lambda parts: "".join(parts).encode("cp1251", "replace")),
)


@settings(deadline=None, max_examples=200)
@given(data=_DOCUMENT_BYTES, name=st.sampled_from([None, "a.txt", "a.md", "a.html", "-"]))
def test_arbitrary_bytes_give_a_document_or_a_document_error(data, name):
    try:
        doc = parse_document(data, name)
    except DocumentError as error:
        assert "\n" not in str(error)
        return
    assert isinstance(doc, ParsedDocument)
    assert doc.title and doc.text.strip()
    assert "\r" not in doc.text and "\x00" not in doc.text


@settings(deadline=None, max_examples=100)
@given(text=st.text(max_size=300), name=st.sampled_from(["a.txt", "a.md", "a.html", None]))
def test_arbitrary_utf8_text_gives_a_document_or_a_document_error(text, name):
    try:
        doc = parse_document(text.encode("utf-8", "surrogatepass"), name)
    except DocumentError:
        return
    if doc.format != "html":
        expected = text[1:] if text.startswith("\ufeff") else text
        assert doc.text == normalise_newlines(expected) or doc.encoding not in ("utf-8", "utf-8-sig")


@pytest.mark.parametrize(
    "text",
    [
        "Title\n" + "\x85" * 30 + "é" * 10 + " plain words",  # C1 controls, written as UTF-8
        "Заголовок\n" + "\x01\x02" * 20 + " слова",  # C0 controls among Cyrillic
        "Title\n" + "\x7f" * 30 + " words",
    ],
)
def test_control_heavy_utf8_text_is_binary_however_it_is_counted(text):
    # The share is counted on the UTF-8 bytes when the text is not ASCII; the verdict is the same.
    assert problem(text.encode("utf-8")) == "binary file (mostly control characters), not text"


def test_c1_controls_under_the_limit_are_kept():
    text = "Title\n" + "\x85" + "Café owners questioned about Київ, " * 5
    assert parse_document(text.encode("utf-8"), "a.txt").text == text
