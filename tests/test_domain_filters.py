"""The excerpt filter's dates: each an ISO date, and --from not after --to (one check for every caller)."""

from __future__ import annotations

import pytest

from evidence_tui.domain import excerpts, search
from evidence_tui.domain.filters import ExcerptFilter, check_dates, filter_parts
from evidence_tui.errors import Invalid


@pytest.mark.parametrize(
    "start, end, reversed_",
    [
        ("2024", "2023", True),
        ("2024-07", "2024-06-30", True),
        ("2024-06-16", "2024-06-15", True),
        ("2024", "2024", False),
        ("2024-06", "2024", False),  # June 2024 is in 2024
        ("2024", "2024-06", False),
        ("2024-06-30", "2024-06", False),
        (None, "2023", False),
        ("2024", None, False),
    ],
)
def test_a_range_is_reversed_only_when_it_ends_before_it_starts(start, end, reversed_):
    f = ExcerptFilter(date_from=start, date_to=end)
    if reversed_:
        with pytest.raises(Invalid, match=f"^--from {start} is after --to {end}: no publication date can be in that range$"):
            check_dates(f)
        with pytest.raises(Invalid, match=f"^From {start} is after To {end}"):
            check_dates(f, "From", "To")
    else:
        check_dates(f)


def test_every_query_on_a_filter_refuses_a_reversed_range(demo_case):
    f = ExcerptFilter(date_from="2024", date_to="2023")
    for run in (lambda: filter_parts(demo_case, f), lambda: excerpts.list_excerpts(demo_case, f),
                lambda: excerpts.count_excerpts(demo_case, f),
                lambda: search.search(demo_case, "army", within=f, kinds=("excerpt",))):
        with pytest.raises(Invalid, match="^--from 2024 is after --to 2023"):
            run()


def test_the_search_screens_range_uses_the_same_rule():
    assert search.parse_dates("2024-06..2024") == ("2024-06", "2024")
    with pytest.raises(Invalid, match="^the date range '2024-07..2024-06-30' ends before it starts$"):
        search.parse_dates("2024-07..2024-06-30")


def test_dates_are_written_in_ascii_digits():
    # "２０２４" (full-width) passed the check and then matched nothing (or everything, as --to).
    from evidence_tui.domain.filters import ExcerptFilter, check_dates
    from evidence_tui.domain.search import parse_dates
    from evidence_tui.errors import Invalid

    with pytest.raises(Invalid, match="not a date"):
        check_dates(ExcerptFilter(date_from="２０２４"))
    with pytest.raises(Invalid, match="not a date"):
        parse_dates("２０２４")
