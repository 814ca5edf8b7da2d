"""Publication dates: the forms recognised, precision, raw text, and never an invented part."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence_tui.importers import PublicationDate, find_date, parse_date
from evidence_tui.importers.dates import yearless_label


@pytest.mark.parametrize(
    ("raw", "iso", "precision", "kept"),
    [
        ("Saturday, 15 June 2024, 03:15", "2024-06-15", "day", "Saturday, 15 June 2024, 03:15"),
        ("07/12/2023 19h42", "2023-12-07", "day", "07/12/2023 19h42"),
        ("Oct 2, 2024 - 21:00", "2024-10-02", "day", "Oct 2, 2024 - 21:00"),
        ("2024-06-27", "2024-06-27", "day", "2024-06-27"),
        ("2024-10-01T18:20:00+03:00", "2024-10-01", "day", "2024-10-01T18:20:00+03:00"),
        ("2024-10-01T23:30:00-05:00", "2024-10-01", "day", "2024-10-01T23:30:00-05:00"),  # not moved to UTC
        ("2024-03-05T10:00:00.000Z", "2024-03-05", "day", "2024-03-05T10:00:00.000Z"),
        ("June 2024", "2024-06", "month", "June 2024"),
        ("2024", "2024", "year", "2024"),
        ("2024-06", "2024-06", "month", "2024-06"),
        ("12.10.2022", "2022-10-12", "day", "12.10.2022"),
        ("12 октября 2022", "2022-10-12", "day", "12 октября 2022"),
        ("15 червня 2024", "2024-06-15", "day", "15 червня 2024"),
        ("15 червня 2024 р., 14:30", "2024-06-15", "day", "15 червня 2024 р., 14:30"),
        ("3 марта 2023 г.", "2023-03-03", "day", "3 марта 2023 г."),
        ("червень 2024", "2024-06", "month", "червень 2024"),
        ("Tue, 15 Jun 2024 03:15:00 GMT", "2024-06-15", "day", "Tue, 15 Jun 2024 03:15:00 GMT"),
        ("June 27th, 2024 at 3pm", "2024-06-27", "day", "June 27th, 2024 at 3pm"),
        ("1st of May 2024", "2024-05-01", "day", "1st of May 2024"),
        ("15-Jun-2024", "2024-06-15", "day", "15-Jun-2024"),
        ("Monday 3 June 2024 10:00 EEST", "2024-06-03", "day", "Monday 3 June 2024 10:00 EEST"),
        ("2024/06/27", "2024-06-27", "day", "2024/06/27"),
        ("20240615", "2024-06-15", "day", "20240615"),  # metadata form, read by dateutil
        ("29 February 2024", "2024-02-29", "day", "29 February 2024"),
        ("  15 June 2024  ", "2024-06-15", "day", "15 June 2024"),
    ],
)
def test_parse_date_forms(raw, iso, precision, kept):
    assert parse_date(raw, None) == PublicationDate(iso, kept, precision)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("on Thursday, June 27", "Thursday, June 27"),
        ("27 June", "27 June"),
        ("June 27", "June 27"),
        ("15 червня", "15 червня"),
        ("29 February", "29 February"),  # valid in some year: kept, but no year is guessed
    ],
)
def test_dates_without_a_year_keep_only_the_raw_text(raw, kept):
    assert parse_date(raw, None) == PublicationDate(None, kept, "none")


@pytest.mark.parametrize(
    "raw",
    ["31/02/2024", "2024-02-30", "32 June 2024", "2024-13-01", "hello", "Thursday", "June", "", "   ", "5 7", "10:30",
     "31 April"],
)
def test_not_a_date(raw):
    assert parse_date(raw, None) is None


def test_dayfirst_numeric_dates():
    assert parse_date("07/12/2023 19h42", None).iso == "2023-12-07"  # auto: day first
    assert parse_date("07/12/2023 19h42", True).iso == "2023-12-07"
    assert parse_date("07/12/2023 19h42", False).iso == "2023-07-12"


def test_a_number_above_12_settles_the_order_whatever_dayfirst_says():
    assert parse_date("12/25/2024", True).iso == "2024-12-25"
    assert parse_date("25/12/2024", False).iso == "2024-12-25"


def test_far_future_date_is_kept():
    assert parse_date("1 January 2199", None).iso == "2199-01-01"


def test_find_date_raw_is_the_date_not_the_line():
    found = find_date("Published: Saturday, 15 June 2024, 03:15 | Updated 16 June 2024, 10:00")
    assert found == PublicationDate("2024-06-15", "Saturday, 15 June 2024, 03:15", "day")


def test_find_date_ignores_dates_inside_urls():
    found = find_date("https://kyivledger.example/news/2024/06/15/story\nSaturday, 15 June 2024, 03:15")
    assert found.raw == "Saturday, 15 June 2024, 03:15"


def test_a_bare_year_in_running_text_is_not_a_date():
    assert find_date("In 2024 the army grew; © 2023 Kyiv Ledger; 1,340 km; 2,000 roubles.") == PublicationDate(
        None, None, "none"
    )


def test_find_date_in_a_sentence():
    text = "Alexander Bastrykin said on Thursday, June 27 that about 10,000 citizens had been sent."
    assert find_date(text) == PublicationDate(None, "Thursday, June 27", "none")


def test_find_date_weekday_only_skips_plain_dates():
    text = "The last crossing closed on 29 November 2023. He said on Thursday, June 27 that..."
    assert find_date(text).iso == "2023-11-29"
    assert find_date(text, weekday_only=True).raw == "Thursday, June 27"


def test_find_date_skips_invalid_candidates():
    assert find_date("Ref 31/02/2024, printed 12.10.2022").iso == "2022-10-12"


def test_find_date_returns_none_precision_when_nothing_is_found():
    assert find_date("No date here at all, only words and 42 numbers.") == PublicationDate(None, None, "none")


def test_lower_case_english_words_are_not_months():
    # "may" the verb is not May the month.
    assert find_date("They may 12 times refuse.") == PublicationDate(None, None, "none")


def test_version_numbers_are_not_dates():
    assert find_date("Version 1.2.3 released; see section 4.5.6.") == PublicationDate(None, None, "none")


@settings(deadline=None, max_examples=150)
@given(st.text(max_size=120))
def test_date_functions_never_raise(text):
    found = find_date(text)
    assert found.precision in ("day", "month", "year", "none")
    parsed = parse_date(text)
    assert parsed is None or parsed.precision in ("day", "month", "year", "none")
    if parsed is not None and parsed.iso is not None:
        assert len(parsed.iso) in (4, 7, 10)


def test_a_labelled_date_that_is_no_date_is_kept_as_written():
    # "Date: 31/02/2024" says when, in a form that is not a date: kept raw, never given a date.
    from evidence_tui.importers import parse_document

    for line, raw in ((b"Date: 31/02/2024", "31/02/2024"), (b"Published: 2024-13-45", "2024-13-45")):
        parsed = parse_document(b"Some headline\n\nOutlet: X\n" + line + b"\n\nBody text, 12 June 2023.\n", "a.txt")
        assert (parsed.published.iso, parsed.published.raw, parsed.published.precision) == (None, raw, "none")


def test_a_month_name_matched_through_a_case_variant_letter_is_read():
    # "ᲀ" (a variant of "в") matches "в" case-insensitively but lower() leaves it alone: the month
    # name it spells is read, not a KeyError that stopped a whole import.
    from evidence_tui.importers import parse_document

    assert parse_date("15 ᲀересня 2024") == PublicationDate("2024-09-15", "15 ᲀересня 2024", "day")
    parsed = parse_document("Заголовок\n\nОпубліковано 15 ᲀересня 2024\n\nТекст.\n".encode(), "a.txt")
    assert parsed.published.iso == "2024-09-15"


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        # A URL holding a date is masked, on its own line, whatever the case of its "www."
        ("See WwW.example.org/2023/01/02/story\n15 June 2024", "15 June 2024"),
        ("Read law. http://x.example/2023/01/02\nPublished 3 May 2022", "3 May 2022"),
        ("No URL, w. 12 June 2023", "12 June 2023"),
        ("2023-01-02T10:00:00Z", "2023-01-02T10:00:00Z"),
    ],
)
def test_dates_in_urls_are_skipped_on_any_line(text, raw):
    assert find_date(text).raw == raw


def test_iso_metadata_values_keep_their_time_as_raw_text():
    assert parse_date("2024-10-01T18:20:00+03:00") == PublicationDate("2024-10-01", "2024-10-01T18:20:00+03:00", "day")
    assert parse_date("2024-02-30T10:00:00Z") is None  # not a day of the calendar, whatever follows


@pytest.mark.parametrize(("raw", "label"), [
    ("Thursday, June 27", "????-06-27"),
    ("27 червня", "????-06-27"),
    ("Posted Jun 3 at 10:00", "????-06-03"),
    ("June 2024", None),  # has its year: it parses as 2024-06
    ("2024-06-27", None),
    ("last week", None),
    ("", None),
    (None, None),
])
def test_a_date_without_its_year_gets_a_label_that_says_so(raw, label):
    assert yearless_label(raw) == label
    if label is not None:
        parsed = parse_date(raw)  # and the date itself is never stored with a guessed year
        assert parsed is None or parsed.iso is None
