"""Metadata of plain-text and Markdown articles: title, outlet, author, URL, date, language.

Articles saved as text carry the page chrome around them (donation banners, menus, cookie
notices, share links). The rules here skip that chrome to find the headline and the date line;
the text itself is never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from evidence_tui.importers.dates import NO_DATE, PublicationDate, find_date, parse_date

TITLE_MAX = 200
_HEAD_LINES = 30  # metadata lines (URL, By..., Source:) sit near the top
_DATE_LINES = 25
_DATE_CHARS = 4000
_TITLE_LINES = 40

_URL_RE = r"(?:https?://|www\.)[^\s<>\"']+"
_BARE_URL = re.compile(rf"^<?({_URL_RE})>?$", re.IGNORECASE)
_LABELLED_URL = re.compile(
    rf"^(?:url|link|source|source url|original|original url|canonical|permalink|originally published at)"
    rf"\s*:?\s*<?({_URL_RE})>?\s*$",
    re.IGNORECASE,
)
_OUTLET_LABEL = re.compile(
    r"^(?:outlet|source|publisher|publication|site|media|newspaper|источник|джерело|издание|видання)\s*:\s*(.+)$"
    r"|^published\s+by\s+(.+)$",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(
    r"^(?:author|authors|written by|words by|text|reporter|byline|автор|авторка|авторы|автори|текст)\s*:\s*(.+)$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|written by|words by)\s+(\S.*)$", re.IGNORECASE)
_PUBLISHED_LABEL = re.compile(
    r"^(?:first\s+)?(?:published|posted|date|publication date|dated|issued|опубликовано|опубліковано|дата|"
    r"дата публикации|дата публікації)(?:\s+on)?\s*[:\-–—]?\s*(.+)$",
    re.IGNORECASE,
)
_UPDATED_LABEL = re.compile(
    r"^(?:last\s+)?(?:updated|modified|last modified|обновлено|оновлено)(?:\s+on)?\s*[:\-–—]?\s*(.+)$",
    re.IGNORECASE,
)
_ROLE_WORDS = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|journalist|contributor|staff|analyst|columnist|bureau|"
    r"desk|chief|senior|special|fellow|researcher|producer|in\s+[A-Z]\w+)\b",
    re.IGNORECASE,
)

# Lines of page chrome that are never the headline (English, Russian, Ukrainian).
# A pattern, or (pattern, what an ASCII line needs, lower-cased, for it to match): is_noise skips
# the search (~5 us a line) where the line holds none of those.
_NOISE_PATTERNS = [(re.compile(p, re.IGNORECASE), needs) for p, needs in (
    (p, None) if isinstance(p, str) else p for p in (
    r"^(?:skip|jump)\s+to\b",
    r"^(?:menu|search|home|log\s*in|sign\s*in|sign\s*up|register|close|advertisement|advert|ad|"
    r"sponsored|listen|print|email|more|back|next|previous|top|loading\.*|меню|поиск|пошук|реклама)$",
    # donation and subscription calls: an imperative plus a word of the trade ("Support for Ukraine
    # wanes" is a headline; "Support independent journalism" is not)
    r"^(?:please\s+)?(?:support|donate|subscribe|sign\s+up|become\s+a|join|help\s+us|your\s+support|"
    r"we\s+need\s+your|make\s+a\s+donation)\b.*\b(?:journalism|donat\w*|subscri\w*|members?(?:hip)?|"
    r"supporters?|newsletters?|inbox|briefing|updates|our\s+(?:work|reporting|journalism|mission)|us|today|now|"
    r"readers?|patrons?)\b",
    r"^(?:please\s+)?(?:donate|subscribe|support\s+us)\W*$",
    (r"(?:https?://|www\.)\S*/(?:donate|support|subscribe|membership)\b", ("://", "www.")),
    r"^(?:поддержите|підтримайте|подпишитесь|підпишіться|пожертвуйте|задонатьте|помогите|допоможіть)\b",
    # ...then a URL or a "site.tld/path"
    (r"\b(?:donate|donation|subscribe|пожертвовани\w*|пожертв\w*|донат\w*|подписк\w*|підписк\w*)\b.*"
     r"(?:" + _URL_RE + r"|\w+\.\w+/\w+)", ("/", "www.")),
    (r"\bcookies?\b.*\b(?:use|uses|using|accept|settings|consent|policy|preferences|site|website)\b"
     r"|\b(?:use|uses|accept|settings)\b.*\bcookies?\b|^cookies?\b", ("cookie",)),
    r"^(?:photo|image|picture|pic|credit|credits|caption|illustration|video|graphic|source\s+image|"
    r"фото|изображение|зображення|иллюстрация|ілюстрація|видео|відео)\s*:",
    r"^\[\s*(?:image|photo|picture|img|video|graphic|illustration|фото|видео|відео)\b",
    r"^!\[",  # markdown image
    r"^(?:\[[^\]]*\]\s*)+$",  # "[Accept all] [Refuse]"
    # share bars and "related" lists: the keyword, maybe "this article", then a colon, bracket or end
    # ("Share prices fall" and "Latest figures show" are headlines)
    r"^(?:share|tweet|print|e-?mail|comments?|follow\s+us|copy\s+link|поделиться|поділитися)"
    r"(?:\s+(?:this|the|on|via))?(?:\s+(?:article|story|post|dispatch|page|link))?\s*(?:[:|(\[]|$)",
    r"^(?:related|read\s+also|read\s+more|see\s+also|more\s+on\s+this|more\s+from|recommended|also\s+read|"
    r"most\s+read|trending|latest|further\s+reading|читайте\s+также|читайте\s+також|смотрите\s+также|"
    r"дивіться\s+також|по\s+теме|на\s+тему|ещё\s+по\s+теме|еще\s+по\s+теме)"
    r"(?:\s+(?:coverage|stories|articles|news|posts|reading|links|on\s+this\s+topic))?\s*(?:[:|»>\-–—]|$)",
    r"^(?:©|\(c\)|copyright\b|all\s+rights\s+reserved)",
    r"^(?:url|link|source|outlet|publisher|publication|published|posted|date|updated|last\s+updated|"
    r"author|authors|written\s+by|words\s+by|tags?|topics?|category|categories|filed\s+under|section|"
    r"автор|авторка|авторы|источник|джерело|издание|видання|опубликовано|опубліковано|дата|обновлено|"
    r"оновлено|теги|рубрика)\b\s*:",
    r"^by\s+\S",
    r"^published\s+by\b",
    r"^[-*_=~#]{3,}$",  # rules
))]


# Cyrillic to Latin, to compare a masthead ("Миграционный вестник") with its domain (migvestnik):
# Russian-style and Ukrainian-style (г -> h, и -> y) romanisations are both tried.
_TRANSLIT = dict(zip("абвгґдеёєжзиіїйклмнопрстуфхцчшщъыьэюя", (
    "a b v g g d e e ye zh z i i yi y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split()
)))
_TRANSLIT_UK = {**_TRANSLIT, "г": "h", "и": "y", "х": "kh"}


@dataclass(frozen=True)
class TextMetadata:
    """Metadata found in a text or Markdown article; None when the article does not state it."""

    title: str | None
    outlet: str | None
    author: str | None
    url: str | None
    published: PublicationDate
    language: str | None


def host_of(url: str | None) -> str | None:
    """The host of ``url`` without "www." (the outlet of last resort), or None."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Read a ``---`` ... ``---`` block of simple ``key: value`` lines at the top of ``text``.

    Returns the values (keys lower-cased, quotes stripped, first occurrence wins) and the number of
    lines the block takes (0 when there is none). Nested YAML is ignored: no YAML dependency.
    """
    if text.partition("\n")[0].strip() != "---":
        return {}, 0  # most texts: the first line says so without splitting 300
    lines = text.split("\n", 300)
    values: dict[str, str] = {}
    for index, line in enumerate(lines[1:300], start=1):
        if line.strip() in ("---", "..."):
            return values, index + 1
        match = re.match(r"^([A-Za-z_][\w.-]*)\s*:\s*(.*?)\s*$", line)
        if not match:
            continue  # indented (nested) lines, list items, comments
        key, value = match.group(1).lower(), match.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif value.startswith("[") and value.endswith("]"):
            value = ", ".join(part.strip().strip("\"'") for part in value[1:-1].split(",") if part.strip())
        if value and value not in ("|", ">", "~", "null") and key not in values:
            values[key] = value
    return {}, 0  # no closing line: not front matter


def _first(values: dict[str, str], *keys: str) -> str | None:
    for key in keys:
        value = values.get(key, "").strip()
        if value:
            return value
    return None


def _is_navigation(line: str) -> bool:
    """Several short items separated by | • · (a menu or a share bar)."""
    parts = [part.strip() for part in re.split(r"\s*[|•·]\s*", line)]
    items = [part for part in parts if part]
    return len(parts) >= 3 and len(items) >= 3 and all(len(item) <= 30 and len(item.split()) <= 4 for item in items)


def _is_date_only(line: str, dayfirst: bool | None) -> bool:
    """True for a dateline: a date with at most a label ("Published:", "Updated") around it."""
    found = find_date(line, dayfirst)
    if not found.raw:
        return False
    rest = line.replace(found.raw, " ", 1)
    rest = re.sub(r"(?i)\b(?:first|last|published|updated|posted|modified|date|on|at|am|pm)\b", " ", rest)
    return not re.sub(r"[\s:|,.\-–—()\[\]/]", "", rest)


def _letters(value: str) -> str:
    return re.sub(r"[\W_]", "", value.casefold())


def _spells(label: str, words: list[str]) -> bool:
    """True if ``label`` is the first word's prefix followed by prefixes of later words, in order,
    some words skipped: "kyivledger" from "kyiv ledger", "steppemonitor" from "steppe rights monitor"."""
    def walk(position: int, index: int, first: bool) -> bool:
        if position == len(label):
            return True
        if index == len(words):
            return False
        word = words[index]
        for size in range(min(len(word), len(label) - position), 0, -1):
            if size < 2 and size < len(word):
                break
            if label.startswith(word[:size], position) and walk(position + size, index + 1, False):
                return True
        return not first and walk(position, index + 1, False)

    return walk(0, 0, True)


def _names_host(line: str, host: str | None) -> bool:
    """True when a short line is the outlet's name as spelled in its domain ("Kyiv Ledger" and
    kyivledger.example, "Миграционный вестник" and migvestnik.example): the masthead."""
    if not host or len(line.split()) > 6 or len(line) > 60 or re.search(r"[.!?:]$", line):
        return False
    labels = [label.replace("-", "") for label in host.casefold().split(".")[:-1] if len(label) >= 4]
    for table in (_TRANSLIT, _TRANSLIT_UK):
        romanised = "".join(table.get(ch, ch) for ch in line.casefold()).replace("_", "")
        words = re.findall(r"[a-z0-9]+", romanised)
        if words and words[0] == "the":
            words = words[1:]
        if words and any(_spells(label, words) for label in labels):
            return True
    return False


def is_noise(line: str, dayfirst: bool | None = None) -> bool:
    """True for a line of page chrome (menu, banner, cookie notice, URL, date, credit, share...)."""
    stripped = line.strip().strip("*_").strip()
    if not stripped:
        return True
    # The unanchored patterns search the whole line (~5 us each); an ASCII line without the text
    # they need cannot match them. (Not for other lines: with IGNORECASE, "ı" matches "i".)
    lowered = stripped.lower() if stripped.isascii() else None
    for pattern, needs in _NOISE_PATTERNS:
        if needs and lowered is not None and not any(word in lowered for word in needs):
            continue
        if pattern.search(stripped):
            return True
    if _BARE_URL.match(stripped) or _LABELLED_URL.match(stripped):
        return True
    return _is_navigation(stripped) or _is_date_only(stripped, dayfirst)


def _clean_heading(line: str) -> str:
    """Strip Markdown decoration from a heading: #s, emphasis, links, code ticks."""
    line = re.sub(r"^\s{0,3}#{1,6}\s*", "", line)
    line = re.sub(r"\s+#+\s*$", "", line)
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"(\*\*|__|`)", "", line)
    return line.strip().strip("*_").strip()


def _markdown_heading(lines: list[str]) -> str | None:
    """The first level-1 or level-2 heading (ATX "# Title" or Setext "Title" over "===")."""
    for index, line in enumerate(lines[:60]):
        if re.match(r"^\s{0,3}#{1,2}(?:\s|$)", line):
            heading = _clean_heading(line)
            if heading:
                return heading
        if index and re.match(r"^\s{0,3}=+\s*$", line) and lines[index - 1].strip():
            return _clean_heading(lines[index - 1])
    return None


def title_from_line(line: str) -> str | None:
    """A headline from a line, or its first sentence when the line is a whole paragraph."""
    line = " ".join(line.split())
    if len(line) <= TITLE_MAX and not (len(line) > 120 and re.search(r"[.!?]\s+\S.*[.!?]$", line)):
        return line
    sentence = re.match(r"(.+?[.!?])(?:\s|$)", line)
    if sentence and len(sentence.group(1)) <= 150:
        return sentence.group(1)
    return None


def title_from_file_name(file_name: str | None) -> str:
    """A title from a file's stem ("kyiv-ledger_report" -> "kyiv ledger report"); never empty."""
    if file_name:
        stem = re.split(r"[\\/]", file_name)[-1]
        stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
        stem = re.sub(r"[-_]+", " ", stem).strip()
        if stem:
            return stem
    return "Untitled document"


def find_text_date(text: str, dayfirst: bool | None = None, *, top_lines: int = _DATE_LINES) -> PublicationDate:
    """The publication date of an article's text: a "Published:"/"Date:" line, then an "Updated:"
    line, then the first date in the top lines, then a "Thursday, June 27" mention anywhere."""
    # Dates stand near the top; a window of lines and characters keeps the scan cheap on long texts.
    top = text[:_DATE_CHARS].split("\n", top_lines)[:top_lines]
    stripped = [line.strip().strip("*_").strip() for line in top]
    for label in (_PUBLISHED_LABEL, _UPDATED_LABEL):
        for line in stripped:
            match = label.match(line)
            if match:
                found = find_date(match.group(1), dayfirst)
                if found.raw:
                    return found
                value = match.group(1).strip()
                if label is _PUBLISHED_LABEL and value and re.search(r"\d", value):
                    # "Date: 31/02/2024": the page says when, in a form that is no date. Keep it as
                    # written (precision none) rather than lose it or guess from another line.
                    return PublicationDate(None, value[:200], "none")
    found = find_date("\n".join(top), dayfirst)
    if found.raw:
        return found
    return find_date(text, dayfirst, weekday_only=True)


def _author_from(line: str, dayfirst: bool | None) -> str | None:
    """The name in a byline ("By Jane Roe, Europe correspondent" -> "Jane Roe"), or None."""
    match = _AUTHOR_LABEL.match(line) or _BYLINE.match(line)
    if not match:
        return None
    author = match.group(1)
    found = find_date(author, dayfirst)
    if found.raw:
        author = author.replace(found.raw, " ")
    author = re.split(r"\s+[|•·—–-]\s+|\s*\|\s*", author)[0]
    head, _, rest = author.partition(",")
    if rest and _ROLE_WORDS.search(rest):
        author = head  # "Daniel Whitcombe, Europe correspondent"
    author = author.strip(" ,;:.")
    if not author or len(author) > 120:
        return None
    if _BYLINE.match(line) and not author[:1].isupper():
        return None  # "by the way": a byline starts with a name
    return author


def extract_text_metadata(text: str, markdown: bool, dayfirst: bool | None = None) -> TextMetadata:
    """Find the metadata of a text or Markdown article (``text`` as decoded, newlines normalised)."""
    front, skip_lines = parse_front_matter(text)
    parts = text.split("\n", skip_lines)
    body = parts[skip_lines] if len(parts) > skip_lines else ""
    lines = body.split("\n", 400)[:400]
    # Markdown emphasis around a metadata line ("*By Jane Roe*") does not change what it says.
    head = [line.strip().strip("*_").strip() for line in lines[:_HEAD_LINES]]

    url = _first(front, "url", "canonical", "canonical_url", "source_url", "link", "original_url")
    if url is None and re.match(_URL_RE, front.get("source", ""), re.IGNORECASE):
        url = front["source"]
    if url is None:
        for line in head:
            match = _LABELLED_URL.match(line) or _BARE_URL.match(line)
            if match:
                url = match.group(1)
                break

    outlet = _first(front, "outlet", "publication", "publisher", "site", "site_name", "source")
    if outlet is not None and re.match(_URL_RE, outlet, re.IGNORECASE):
        outlet = None
    if outlet is None:
        for line in head:
            match = _OUTLET_LABEL.match(line)
            if match:
                value = (match.group(1) or match.group(2) or "").strip()
                if value and not re.match(_URL_RE, value, re.IGNORECASE) and len(value) <= 100:
                    outlet = value
                    break
    host = host_of(url)
    if outlet is None:
        # A short line spelling the domain's name ("The Morning Register" for morningregister.example)
        # is the outlet's masthead; it reads better than the bare host.
        outlet = next((line for line in head[:10] if _names_host(line, host)), None)

    author = _first(front, "author", "authors", "byline", "creator")
    if author is None:
        for line in head:
            author = _author_from(line, dayfirst)
            if author:
                break

    published = NO_DATE
    front_date = _first(front, "date", "published", "published_at", "pubdate", "publish_date", "created")
    if front_date:
        published = parse_date(front_date, dayfirst) or NO_DATE
    if published.raw is None:
        published = find_text_date(body, dayfirst)

    title = _first(front, "title", "headline")
    if title is None and markdown:
        title = _markdown_heading(lines)
    if title is None:
        for line in lines[:_TITLE_LINES]:
            stripped = line.strip()
            if is_noise(stripped, dayfirst):
                continue
            if (outlet and _letters(outlet) and _letters(stripped) == _letters(outlet)) or _names_host(stripped, host):
                continue  # the masthead, not the headline
            if re.fullmatch(r"[^\W\d_]{2,20}", stripped) and stripped.isupper():
                continue  # a rubric ("EXCLUSIVE", "ANALYSIS"), not the headline
            if markdown:
                stripped = _clean_heading(stripped)
            title = title_from_line(stripped)
            break

    language = _first(front, "lang", "language")
    return TextMetadata(
        title=title[:TITLE_MAX].strip() if title else None,
        outlet=outlet,
        author=author,
        url=url,
        published=published,
        language=language,
    )
