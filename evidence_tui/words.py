"""Small helpers for the words people read in messages."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with the noun in the right number: "1 source", "3 sources", "2 entities", "2 aliases"."""
    if n == 1:
        return f"{n} {noun}"
    if plural is None:
        if noun.endswith("y") and noun[-2:-1] not in "aeiou":
            plural = noun[:-1] + "ies"
        elif noun.endswith("s"):
            plural = noun + "es"
        else:
            plural = noun + "s"
    return f"{n} {plural}"
