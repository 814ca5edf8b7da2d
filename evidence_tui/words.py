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


def sources_in_outlets(sources: int, outlets: int, without_outlet: int = 0) -> str:
    """"3 sources in 2 outlets", "3 sources, outlet unknown", or "3 sources in 1 outlet + 2 of
    unknown outlet": sources without a named outlet are never counted as outlets of their own."""
    if not without_outlet:
        return f"{count(sources, 'source')} in {count(outlets, 'outlet')}"
    if without_outlet >= sources:
        return f"{count(sources, 'source')}, outlet unknown"
    return f"{count(sources, 'source')} in {count(outlets, 'outlet')} + {without_outlet} of unknown outlet"
