"""Bytes to text: byte-order marks, UTF-8, legacy single-byte encodings, and binary refusal.

The decoded text is what researchers mark excerpts in, by character offsets, so decoding never
"cleans" anything: the only change made to the characters is newline normalisation.
"""

from __future__ import annotations

import codecs
import re

from evidence_tui.errors import DocumentError

# Signatures of common non-text files, checked before anything else so the message can say what
# the file is: a researcher who picks a PDF by mistake should be told "PDF", not "bad encoding".
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP archive, e.g. .docx, .odt or .epub"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office document, e.g. .doc"),
    (b"{\\rtf", "RTF document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x7fELF", "executable"),
    (b"MZ\x90\x00", "Windows executable"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"BZh", ""),  # checked more strictly below: "BZh" alone could start a text
    (b"OggS", "Ogg media file"),
    (b"fLaC", "FLAC audio file"),
)

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)

# Control characters that ordinary text files contain; anything else of category Cc counts
# towards the "this is binary" share.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")
_CONTROL_SHARE_LIMIT = 0.10
_SAMPLE_CHARS = 65536
_UNUSUAL_CONTROL = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in _TEXT_CONTROLS) + "]"
)
_GUESS_BYTES = 262144

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# Legacy encodings we choose between. Cyrillic first because it is what this project's users
# most often meet in old saved pages (cp1251), then Greek, Hebrew, Arabic and KOI8-R.
_NON_LATIN_CANDIDATES = ["cp1251", "koi8_r", "cp1253", "cp1255", "cp1256"]


def sniff_binary(data: bytes) -> str | None:
    """Return a short description ("PDF", "PNG image"...) if ``data`` starts like a known binary format."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if magic == b"BZh":
                # bzip2: "BZh" + block size digit + the block magic 0x314159265359.
                if len(data) >= 10 and data[3:4].isdigit() and data[4:10] == b"1AY&SY":
                    return "bzip2 archive"
                continue
            return kind
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return "MP4/MOV media file"
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio file", b"AVI ": "AVI video"}[data[8:12]]
    return None


def _looks_like_bomless_utf16(data: bytes) -> bool:
    """True when NUL bytes sit at every other position, the mark of UTF-16 text without a BOM."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    # Mostly-ASCII UTF-16 LE has NUL as every high (odd) byte; BE as every even byte.
    for zeros, other in ((odd, even), (even, odd)):
        if zeros.count(0) >= 0.6 * len(zeros) and other.count(0) <= 0.05 * len(other):
            return True
    return False


def html_declared_charset(data: bytes) -> str | None:
    """Return the Python codec name declared by ``<meta charset>`` in the first 4 KB of an HTML page.

    ISO-8859-1 and ASCII declarations are read as cp1252, as browsers do (WHATWG encoding rules).
    """
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    return name


# The same characters as bytes: in ASCII (C0 and DEL; C1 is not ASCII), and in UTF-8, where C0 and
# DEL are single bytes no multi-byte sequence contains and C1 is 0xC2 0x80-0x9F.
_UNUSUAL_ASCII = bytes(c for c in [*range(0x20), 0x7F] if chr(c) not in _TEXT_CONTROLS)
_UTF8_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _control_share(text: str, utf8: bytes | None = None) -> float:
    """Share of characters in the first 64 K that are control characters text files do not use.

    ``utf8`` is the bytes ``text`` was decoded from as UTF-8, when it was: counting in bytes is
    several times faster than the regex over the text, with the same result.
    """
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return 0.0
    if sample.isascii():
        data = sample.encode("ascii")
        bad = len(data) - len(data.translate(None, _UNUSUAL_ASCII))
    elif utf8 is not None and len(sample) == len(text):
        bad = len(utf8) - len(utf8.translate(None, _UNUSUAL_ASCII))
        if b"\xc2" in utf8:
            bad += len(_UTF8_C1.findall(utf8))
    else:
        # Category Cc is exactly C0, DEL and C1; one regex pass is ~50x faster than a per-character loop.
        bad = len(_UNUSUAL_CONTROL.findall(sample))
    return bad / len(sample)


def _word_votes(data: bytes) -> tuple[int, int]:
    """Count words that mix ASCII letters with high bytes (Latin-script) and all-high-byte words.

    In a Western legacy encoding, accented letters sit inside otherwise ASCII words ("pr\\xe9sident");
    in Cyrillic, Greek, Arabic or Hebrew ones, whole words are high bytes ("\\xcf\\xf0\\xe8..."). This
    tells the two families apart even in a three-word file, where statistical detectors guess.
    """
    latin = non_latin = 0
    for word in re.findall(rb"[A-Za-z\x80-\xff]+", data):
        high = sum(1 for b in word if b >= 0x80)
        if not high:
            continue
        if high == len(word):
            if high >= 2:
                non_latin += 1
        else:
            latin += 1
    return latin, non_latin


def _in_word_oddities(data: bytes, encoding: str) -> int | None:
    """Count non-ASCII characters touching a letter that are not letters themselves (None if undecodable).

    A wrong Western code page turns letters into symbols in the middle of words ("Za¿ó³æ").
    """
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    count = 0
    for match in re.finditer(r"[^\x00-\x7f]", text):
        ch = match.group()
        if ch.isalpha():
            continue
        i = match.start()
        if text[i - 1 : i].isalpha() or text[i + 1 : i + 2].isalpha():
            count += 1
    return count


def _guess_legacy(data: bytes) -> str:
    """Pick a single-byte encoding for bytes that are not UTF-8."""
    latin, non_latin = _word_votes(data)
    if non_latin > latin:
        return _guess_non_latin(data)
    # Western European: cp1252 unless cp1250 (Central European) decodes the words more cleanly,
    # e.g. Polish "Za\xbf\xf3\xb3\xe6" is "Zażółć" in cp1250 but "Za¿ó³æ" in cp1252.
    scores = {}
    for encoding in ("cp1252", "cp1250"):
        score = _in_word_oddities(data, encoding)
        if score is not None:
            scores[encoding] = score
    if not scores:
        return "latin-1"  # never fails; bytes undefined in cp1252 become C1 controls
    if "cp1252" in scores and scores["cp1252"] <= scores.get("cp1250", scores["cp1252"]):
        return "cp1252"
    return min(scores, key=scores.__getitem__)


def _cyrillic_case_votes(data: bytes) -> tuple[int, int]:
    """Votes for (cp1251, KOI8-R) from letter case.

    The two encodings swap the upper- and lower-case ranges (0xC0-0xDF, 0xE0-0xFF). Running text is
    mostly lower-case words and capitalised words, so whichever reading makes them so wins.
    """
    cp1251 = koi8 = 0
    for word in re.findall(rb"[\xc0-\xff]{2,}", data):
        low = [b >= 0xE0 for b in word]  # lower case if read as cp1251
        if all(low) or (not low[0] and all(low[1:])):
            cp1251 += 1
        elif not any(low) or (low[0] and not any(low[1:])):
            koi8 += 1
    return cp1251, koi8


def _guess_non_latin(data: bytes) -> str:
    """Choose among Cyrillic, Greek, Hebrew and Arabic legacy encodings; cp1251 when unsure."""
    cp1251_votes, koi8_votes = _cyrillic_case_votes(data)
    guess = "cp1251"
    if sum(1 for b in data if b >= 0xC0) >= 32:
        # Long enough for a statistical detector to tell Cyrillic from Greek, Hebrew or Arabic;
        # short texts fool it (it reads "Привет, мир!" as Hebrew), so they stay with the case vote.
        from charset_normalizer import from_bytes  # imported late: it is slow to import

        try:
            best = from_bytes(data[:200_000], cp_isolation=_NON_LATIN_CANDIDATES).best()
        except Exception:  # a detector failure must not stop an import
            best = None
        if best is not None:
            guess = codecs.lookup(best.encoding).name
    if guess in ("cp1251", "koi8-r"):
        guess = "koi8-r" if koi8_votes > cp1251_votes else "cp1251"
    if not _decodes(data, guess):
        guess = "cp1251" if _decodes(data, "cp1251") else "latin-1"
    return guess


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF; nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, name: str, *, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text with newlines normalised; return ``(text, encoding name)``.

    ``declared`` is an encoding the document itself names (HTML ``<meta charset>``); it is tried
    when the bytes are not UTF-8. Raises ``DocumentError(name, ...)`` for empty, binary or
    undecodable input.
    """
    if not data:
        raise DocumentError(name, "empty file")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise DocumentError(name, f"not valid {label.upper()} text despite its byte-order mark") from None
            return _checked(text, name), label
    kind = sniff_binary(data)
    if kind:
        raise DocumentError(name, f"binary file ({kind}), not text")
    if b"\x00" in data:
        if _looks_like_bomless_utf16(data):
            raise DocumentError(name, "looks like UTF-16 without a byte-order mark; re-save as UTF-8")
        raise DocumentError(name, "binary file (contains NUL bytes), not text")
    try:
        return _checked(data.decode("utf-8"), name, data), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = None
    if declared and declared not in ("utf-8", "utf-8-sig") and _decodes(data, declared):
        encoding = declared
    if encoding is None:
        # Guess from the first 256 KB (the statistics settle long before that); if a later byte
        # does not fit the guess, guess again from everything.
        encoding = _guess_legacy(data[:_GUESS_BYTES])
        if len(data) > _GUESS_BYTES and not _decodes(data, encoding):
            encoding = _guess_legacy(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise DocumentError(name, "cannot tell the text encoding; re-save the file as UTF-8") from None
    return _checked(text, name), encoding


def _checked(text: str, name: str, utf8: bytes | None = None) -> str:
    """Normalise newlines and refuse empty, NUL-containing or control-heavy text (``utf8``: the
    bytes ``text`` was decoded from as UTF-8, if it was)."""
    if "\x00" in text:
        raise DocumentError(name, "binary file (contains NUL characters), not text")
    if not text:
        raise DocumentError(name, "empty file")
    if not text.strip():
        raise DocumentError(name, "file contains only whitespace")
    if _control_share(text, utf8) > _CONTROL_SHARE_LIMIT:
        raise DocumentError(name, "binary file (mostly control characters), not text")
    return normalise_newlines(text)
