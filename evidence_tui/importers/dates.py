"""Publication dates: find them in text, parse them, and never invent a part that is not written.

A date is kept with its precision: "2024-06-15" (day), "2024-06" (month), "2024" (year), or only the
raw text when the year is missing ("on Thursday, June 27"): a researcher citing a source must not
be handed a year the page never stated.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterator

from dateutil import parser as dateutil_parser


@dataclass(frozen=True)
class PublicationDate:
    """A publication date as precise as the source states it."""

    iso: str | None  # "YYYY-MM-DD", "YYYY-MM", "YYYY" or None
    raw: str | None  # the date text as written on the page
    precision: str  # "day" | "month" | "year" | "none"


NO_DATE = PublicationDate(None, None, "none")

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_EN_WEEKDAYS = (
    "monday", "mon", "tuesday", "tues", "tue", "wednesday", "wed", "thursday", "thurs", "thur", "thu",
    "friday", "fri", "saturday", "sat", "sunday", "sun",
)
# Russian and Ukrainian month names in the genitive ("15 червня"), the form used after a day.
_CYR_GENITIVE = {
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    "січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6, "липня": 7,
    "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
}
# ...and in the nominative, the form used with a year alone ("червень 2024").
_CYR_NOMINATIVE = {
    "январь": 1, "февраль": 2, "март": 3, "апрель": 4, "май": 5, "июнь": 6, "июль": 7,
    "август": 8, "сентябрь": 9, "октябрь": 10, "ноябрь": 11, "декабрь": 12,
    "січень": 1, "лютий": 2, "березень": 3, "квітень": 4, "травень": 5, "червень": 6, "липень": 7,
    "серпень": 8, "вересень": 9, "жовтень": 10, "листопад": 11, "грудень": 12,
}
_CYR_WEEKDAYS = (
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
    "понеділок", "вівторок", "середа", "четвер", "п'ятниця", "пʼятниця", "п’ятниця", "субота", "неділя",
)


def _alternation(words, *, english: bool) -> str:
    # English month and day names are written capitalised (or in capitals); accepting lower case
    # would read "they may 12" as a date. Cyrillic names are matched in any case.
    names = sorted(words, key=len, reverse=True)
    if english:
        forms = [form for name in names for form in (name.capitalize(), name.upper())]
        return "(?:" + "|".join(forms) + ")"
    return "(?i:" + "|".join(re.escape(name) for name in names) + ")"


_MONTH = _alternation(_EN_MONTHS, english=True)
_WEEKDAY = _alternation(_EN_WEEKDAYS, english=True)
_CYR_GEN = _alternation(_CYR_GENITIVE, english=False)
_CYR_NOM = _alternation(_CYR_NOMINATIVE, english=False)
_CYR_WEEKDAY = _alternation(_CYR_WEEKDAYS, english=False)

# An optional time after a date: ", 03:15", " 19h42", " - 21:00", " at 3pm", " 18:20:00 UTC+3".
_TIME = (
    r"(?:(?:\s*,\s*|\s+at\s+|\s*[-–—@]\s*|\s+)"
    r"\d{1,2}(?:[:h]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\b\.?)?|\s*[ap]\.?m\b\.?)"
    r"(?:\s*(?:UTC|GMT|Z\b|[A-Z]{2,4}T\b)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?)?"
)
_EN_WEEKDAY_PREFIX = rf"(?:(?P<wd>{_WEEKDAY})\.?,?\s+)?"
_CYR_WEEKDAY_PREFIX = rf"(?:(?P<wd>{_CYR_WEEKDAY}),?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None
    weekday: bool


def _num(match: re.Match, group: str) -> int | None:
    try:
        value = match.group(group)
    except IndexError:  # the pattern has no such group (``groupindex`` would copy a dict per call)
        return None
    return int(value) if value else None


def _ymd(match: re.Match, dayfirst: bool | None) -> tuple:
    return _num(match, "y"), _num(match, "m"), _num(match, "d")


def _numeric_dmy(match: re.Match, dayfirst: bool | None) -> tuple:
    first, second, year = int(match.group("a")), int(match.group("b")), int(match.group("y"))
    # A number above 12 settles the order; otherwise follow dayfirst (None: day first, the
    # common reading outside the US).
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        month, day = first, second
    elif dayfirst is False:
        month, day = first, second
    else:
        day, month = first, second
    return year, month, day


def _english(match: re.Match, dayfirst: bool | None) -> tuple:
    return _num(match, "y"), _EN_MONTHS[match.group("mon").lower()], _num(match, "d")


def _cyrillic(table: dict[str, int]) -> Callable[[re.Match, bool | None], tuple]:
    def handler(match: re.Match, dayfirst: bool | None) -> tuple:
        name = match.group("mon")
        month = table.get(name.lower())
        if month is None:
            # Matched case-insensitively through a letter lower() leaves alone ("ᲀ", a variant of
            # "в"): the name it spells is the one that matches the same way.
            month = next(number for key, number in table.items() if re.fullmatch(re.escape(key), name, re.IGNORECASE))
        return _num(match, "y"), month, _num(match, "d")

    return handler


# (pattern, handler, what a line needs before the pattern is worth running: see _SCAN)
_PATTERNS: tuple[tuple[re.Pattern, Callable, str], ...] = (
    # 2024-06-27, 2024-10-01T18:20:00+03:00, 2024/06/27, 2024.06.27
    (re.compile(
        r"(?<![\d./-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
        r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*(?:Z|UTC|[+-]\d{2}:?\d{2}))?)?"
        r"(?![\d]|[./-]\d)"
    ), _ymd, "digit"),
    # 07/12/2023 19h42, 12.10.2022, 7-12-2023 (four-digit years only: "1.2.3" is not a date)
    (re.compile(
        r"(?<![\d./-])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\d]|[./-]\d)" + _TIME
    ), _numeric_dmy, "digit"),
    # Saturday, 15 June 2024, 03:15 / 27 June / 1st of May 2024 / 15-Jun-2024
    (re.compile(
        _EN_WEEKDAY_PREFIX + r"(?:the\s+)?(?<![\d.,:])(?P<d>\d{1,2})" + _ORDINAL
        + rf"(?:\s+of)?(?:\s+|-)(?P<mon>{_MONTH})\b\.?(?:(?:,?\s+|-)(?P<y>\d{{4}})\b(?!\d){_TIME})?"
    ), _english, "english"),
    # Oct 2, 2024 - 21:00 / Thursday, June 27 / June 27th 2024
    (re.compile(
        _EN_WEEKDAY_PREFIX + rf"(?P<mon>{_MONTH})\b\.?\s+(?P<d>\d{{1,2}}){_ORDINAL}\b(?![:.,]?\d)"
        + rf"(?:,?\s+(?P<y>\d{{4}})\b(?!\d){_TIME})?"
    ), _english, "english"),
    # June 2024 (not the tail of an impossible "32 June 2024")
    (re.compile(rf"(?<!\d\s)(?<!\d-)(?P<mon>{_MONTH})\b\.?,?\s+(?P<y>\d{{4}})\b(?!\d)"), _english, "english"),
    # 12 октября 2022 / 15 червня 2024 р. / 15 червня
    (re.compile(
        _CYR_WEEKDAY_PREFIX + rf"(?<![\d.,:])(?P<d>\d{{1,2}})\s+(?P<mon>{_CYR_GEN})(?!\w)"
        + rf"(?:\s+(?P<y>\d{{4}})(?!\d)(?:\s*(?i:року|года|г\.|р\.|г|р)(?!\w))?{_TIME})?"
    ), _cyrillic(_CYR_GENITIVE), "cyrillic"),
    # червень 2024
    (re.compile(rf"(?<!\w)(?P<mon>{_CYR_NOM})\s+(?P<y>\d{{4}})(?!\d)"), _cyrillic(_CYR_NOMINATIVE), "cyrillic"),
)

# Cheap tests that rule patterns out before they are run: every form holds a digit; the English
# ones a month name (its first three letters, as written: "Jun", "JUN"); the Cyrillic ones a
# non-ASCII letter. Running a pattern costs a try of every alternative at every position (~10 us
# a line), so a line that cannot hold a date, most of them, costs a digit search instead.
_DIGIT = re.compile(r"\d")
_EN_MONTH_HINT = re.compile("|".join(sorted(
    {form[:3] for name in _EN_MONTHS for form in (name.capitalize(), name.upper())}
)))
# (pattern, handler, what it needs, whether it has a weekday group), looked up once.
_SCAN = tuple((pattern, handler, needs, "wd" in pattern.groupindex) for pattern, handler, needs in _PATTERNS)

_ISO_DATE = _PATTERNS[0][0]
# Where an English day name can start: its first three letters as written ("Thu", "THU"). All
# literals, so the search skips ahead fast; the full pattern is then tried only there.
_EN_WEEKDAY_HINT = re.compile("|".join(sorted(
    {form[:3] for name in _EN_WEEKDAYS for form in (name.capitalize(), name.upper())}
)))
_WEEKDAY_NAME = re.compile(rf"(?<!\w)(?:{_WEEKDAY}|{_CYR_WEEKDAY})(?!\w)")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)



def _valid(year: int | None, month: int | None, day: int | None) -> bool:
    """True if the parts can be a calendar date (31/02 cannot; a day needs a month)."""
    if month is not None and not 1 <= month <= 12:
        return False
    if day is not None:
        if month is None:
            return False
        try:
            # 2000 is a leap year, so "29 February" without a year is accepted.
            date(year if year is not None else 2000, month, day)
        except ValueError:
            return False
    return year is None or 1 <= year <= 9999


def _scan(text: str, dayfirst: bool | None, *, weekday_only: bool = False) -> _Found | None:
    """Return the earliest valid date mention in ``text`` (longest on ties), or None."""
    best: _Found | None = None
    if _DIGIT.search(text) is None:
        return None
    english = _EN_MONTH_HINT.search(text) is not None
    cyrillic = not text.isascii()
    for pattern, handler, needs, weekday_group in _SCAN:
        if (needs == "english" and not english) or (needs == "cyrillic" and not cyrillic):
            continue
        if weekday_only and not weekday_group:
            continue  # its matches would all be passed over below
        for match in pattern.finditer(text):
            if best is not None and match.start() > best.start:
                break
            year, month, day = handler(match, dayfirst)
            has_weekday = weekday_group and match.group("wd") is not None
            if weekday_only and not has_weekday:
                continue
            if not _valid(year, month, day):
                continue
            end = match.end()
            # The time part may swallow trailing separators; keep the raw text tidy.
            while end > match.start() and text[end - 1] in " \t,;-–—|@":
                end -= 1
            found = _Found(match.start(), end, year, month, day, has_weekday)
            if best is None or (found.start, -found.end) < (best.start, -best.end):
                best = found
            break
    return best


def _to_publication(found: _Found, text: str) -> PublicationDate:
    raw = text[found.start:found.end].strip()
    return _publication(found.year, found.month, found.day, raw)


def _publication(year: int | None, month: int | None, day: int | None, raw: str) -> PublicationDate:
    """The PublicationDate for the parts present; its precision is set by the least precise part."""
    if year is not None and month is not None and day is not None:
        return PublicationDate(f"{year:04d}-{month:02d}-{day:02d}", raw, "day")
    if year is not None and month is not None:
        return PublicationDate(f"{year:04d}-{month:02d}", raw, "month")
    if year is not None and day is None:
        return PublicationDate(f"{year:04d}", raw, "year")
    # A day and month without a year: keep the words, claim no date.
    return PublicationDate(None, raw, "none")


def _url_hints(text: str) -> list[int]:
    """Offsets of what every URL match holds: "://", or "www." in any case (the "w." ending it;
    no character but W lower-cases to w), in order. Memory searches: a regex is ~20x slower."""
    offsets = []
    at = text.find("://")
    while at >= 0:
        offsets.append(at)
        at = text.find("://", at + 1)
    for dot in ("w.", "W."):
        at = text.find(dot, 2)
        while at >= 0:
            if text[at - 2:at].lower() == "ww":
                offsets.append(at)
            at = text.find(dot, at + 1)
    offsets.sort()
    return offsets


def _mask_urls(text: str) -> str:
    # "/news/2024/06/15/..." in a URL is not the page's date line; blank URLs out, keeping offsets.
    # Every URL the pattern matches contains "://" or "www." (any case) and no white space, so a
    # match never spans lines: only the lines holding one are run through the pattern (which tries
    # a scheme at every letter, slow over a whole article). The result is the same.
    hints = _url_hints(text)
    if not hints:
        return text
    parts = []
    done = 0
    for hint in hints:
        if hint < done:
            continue  # on a line already masked
        start = text.rfind("\n", 0, hint) + 1
        end = text.find("\n", hint)
        if end < 0:
            end = len(text)
        parts.append(text[done:start])
        parts.append(_URL.sub(_blank, text[start:end]))
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _blank(match: re.Match) -> str:
    return " " * len(match.group())


def _weekday_names(text: str) -> Iterator[re.Match]:
    """``_WEEKDAY_NAME.finditer(text)``; over ASCII text (no Cyrillic name can match) the pattern,
    which tries every name at every position (~1 ms an article), is tried only where a name starts."""
    if not text.isascii():
        yield from _WEEKDAY_NAME.finditer(text)
        return
    after = 0
    for hint in _EN_WEEKDAY_HINT.finditer(text):
        if hint.start() < after:
            continue
        match = _WEEKDAY_NAME.match(text, hint.start())
        if match is not None:
            yield match
            after = match.end()


def find_date(text: str, dayfirst: bool | None = None, *, weekday_only: bool = False) -> PublicationDate:
    """Return the first date mentioned in ``text`` (URLs ignored); precision "none", raw None if none.

    ``weekday_only`` accepts only dates written with a day name ("on Thursday, June 27"), the kind
    of reference news reports make to recent days, used when searching deep in a body text.
    """
    if not weekday_only:
        # Dates do not span lines: scan line by line and stop at the first line with one, so the
        # cost follows the date's position, not the text's length (dates stand near the top).
        # URLs are masked line by line too (no URL spans lines), and only on lines with a digit:
        # a line without one holds no date, masked or not.
        position = 0
        for line in text.split("\n"):
            if _DIGIT.search(line) is not None:
                found = _scan(_mask_urls(line), dayfirst)
                if found is not None:
                    shifted = _Found(position + found.start, position + found.end, found.year, found.month,
                                     found.day, found.weekday)
                    return _to_publication(shifted, text)
            position += len(line) + 1
        return NO_DATE
    # Over a whole article, running every pattern at every position is slow; day names are rare,
    # so look at the few places that have one.
    masked = _mask_urls(text)
    for match in _weekday_names(masked):
        window = masked[match.start(): match.start() + 120]
        found = _scan(window, dayfirst, weekday_only=True)
        if found is not None and found.start == 0:
            return _to_publication(
                _Found(match.start(), match.start() + found.end, found.year, found.month, found.day, True), text
            )
    return NO_DATE


def yearless_label(raw: str | None) -> str | None:
    """Return "????-MM-DD" (or "????-MM") for a date written without its year, such as
    "Thursday, June 27"; None if ``raw`` names no month, or has a year (then it parses).

    A short, sortable label for a narrow column that says plainly the year is unknown: the
    year is never guessed.
    """
    if not raw or len(raw) > 200:
        return None
    found = _scan(_mask_urls(raw), None)
    if found is None or found.year is not None or found.month is None:
        return None
    return f"????-{found.month:02d}" + (f"-{found.day:02d}" if found.day else "")


_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 2, 2))


def _dateutil_parts(raw: str, dayfirst: bool | None) -> tuple[int | None, int | None, int | None] | None:
    """Parse with dateutil twice, with two different defaults: a part is present if both agree."""
    yearfirst = bool(re.match(r"\s*\d{4}\b", raw))
    results = []
    for default in _DEFAULTS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unknown time zone names are irrelevant to the date
                results.append(dateutil_parser.parse(
                    raw, default=default, dayfirst=bool(dayfirst is not False) and not yearfirst,
                    yearfirst=yearfirst,
                ))
        except (ValueError, OverflowError, TypeError, LookupError):
            return None
    first, second = results
    year = first.year if first.year == second.year else None
    month = first.month if first.month == second.month else None
    day = first.day if first.day == second.day else None
    return year, month, day


def parse_date(raw: str, dayfirst: bool | None = None) -> PublicationDate | None:
    """Parse a date string (metadata value, ``--date`` option); None if it is not a date at all.

    Accepts everything ``find_date`` finds plus metadata-only forms: a bare year ("2024"), a year
    and month ("2024-06") and whatever else dateutil reads, keeping only the parts written.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    if not text or len(text) > 200:
        return None
    if re.fullmatch(r"\d{4}", text):
        return PublicationDate(text, text, "year") if int(text) >= 1 else None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        return PublicationDate(f"{year:04d}-{month:02d}", text, "month") if 1 <= month <= 12 else None
    iso = _ISO_DATE.match(text)
    if iso is not None and iso.end() == len(text):
        year, month, day = _ymd(iso, dayfirst)
        if _valid(year, month, day):
            # The whole value is one ISO date (metadata, <time datetime>): the earliest and longest
            # match the scan below would find, found without trying every other form.
            return _publication(year, month, day, text)
    found = _scan(_mask_urls(text), dayfirst)
    if found:
        return _to_publication(found, text)
    if not re.search(r"\d", text):
        return None  # "Thursday" or "June" alone is not a date
    parts = _dateutil_parts(text, dayfirst)
    if parts is None:
        return None
    year, month, day = parts
    if year is None:
        return None  # without a year only the patterns above are trusted ("27 June"), not "5 7"
    if year is not None and day is not None and month is None:
        return None
    if not _valid(year, month, day):
        return None
    return _publication(year, month, day, text)
