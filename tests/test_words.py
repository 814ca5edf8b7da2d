"""Counted nouns in messages."""

from evidence_tui.words import count


def test_count_puts_the_noun_in_the_right_number():
    assert [count(n, "source") for n in (0, 1, 2)] == ["0 sources", "1 source", "2 sources"]
    assert (count(1, "entity"), count(5, "entity"), count(2, "day")) == ("1 entity", "5 entities", "2 days")
    assert (count(2, "alias"), count(1, "alias")) == ("2 aliases", "1 alias")
    assert count(3, "analysis", "analyses") == "3 analyses"
