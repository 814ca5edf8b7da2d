"""The excerpt filter shared by ``excerpt list``, search, review queues and export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from evidence_tui.domain.refs import resolve_id
from evidence_tui.errors import Invalid
from evidence_tui.store import CaseFile
from evidence_tui.store.schema import REVIEW_STATUSES


@dataclass(frozen=True)
class ExcerptFilter:
    """Which excerpts to show. Each list means "any of"; the lists combine with "and".

    Claim types, entities, claims and sources are given as people name them (id prefix or name);
    dates compare with the source's publication date (ISO, so ``2024`` or ``2024-06`` work too).
    """

    claim_types: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    text: str | None = None

    def is_empty(self) -> bool:
        """True when the filter lets every excerpt through."""
        return self == ExcerptFilter()


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)  # "２０２４" is not an ISO date


def iso_date_problem(value: str) -> str | None:
    """None when ``value`` is an ISO date of year, month or day precision (2024, 2024-06,
    2024-06-15); else "form" (not written so) or "calendar" (no such month or day)."""
    match = _DATE.fullmatch(value)
    if match is None:
        return "form"
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return "calendar"
    return None


def check_date(label: str, value: str | None) -> None:
    """Raise ``Invalid`` unless ``value`` is empty or an ISO date (2024, 2024-06 or 2024-06-15)."""
    if value and iso_date_problem(value):
        raise Invalid(f"{label} '{value}': not a date (write 2024, 2024-06 or 2024-06-15)")


def ends_before_it_starts(date_from: str | None, date_to: str | None) -> bool:
    """True when a publication date range ``date_from``..``date_to`` (ISO, each end inclusive, either
    may be None) can hold no date: 2024..2023 or 2024-07..2024-06-30; 2024-06..2024 is not
    (June 2024 is in 2024: an end covers its whole year, month or day)."""
    return bool(date_from and date_to and date_from > date_to + "\uffff")


def check_dates(f: ExcerptFilter, from_label: str = "--from", to_label: str = "--to") -> None:
    """Raise ``Invalid`` unless the filter's dates are ISO dates (``check_date``) and the range does
    not end before it starts, naming both ends by ``from_label`` and ``to_label`` as the caller's
    form calls them (the CLI's ``--from``/``--to``, a dialog's "From"/"To")."""
    check_date(from_label, f.date_from)
    check_date(to_label, f.date_to)
    if ends_before_it_starts(f.date_from, f.date_to):
        raise Invalid(f"{from_label} {f.date_from} is after {to_label} {f.date_to}: "
                      "no publication date can be in that range")


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values)


@dataclass(frozen=True)
class FilterParts:
    """A resolved filter, split by where each condition can be checked.

    ``clauses``/``params``: conditions on ``e`` (excerpts) and ``s`` (its source);
    ``links``: ``(table, column, ids)`` for "linked to any of these" conditions on the link tables
    (claim types, entities, claims), which a query may either check per excerpt or start from;
    ``uses_source``: True when a clause needs the source (``s``) joined.
    """

    clauses: tuple[str, ...]
    params: tuple
    links: tuple[tuple[str, str, tuple[str, ...]], ...]
    uses_source: bool

    def where(self, *, with_links: bool = True) -> tuple[str, list]:
        """The condition as SQL on ``e`` and ``s``, with the link conditions as EXISTS (or without)."""
        clauses, params = list(self.clauses), list(self.params)
        if with_links:
            for table, column, ids in self.links:
                clauses.append(
                    f"EXISTS (SELECT 1 FROM {table} x WHERE x.excerpt_id = e.id AND x.{column} IN ({_marks(list(ids))}))"
                )
                params += list(ids)
        return (" AND ".join(clauses) or "1"), params

    def link_set(self) -> tuple[str, list]:
        """A query of the ``excerpt_id`` of every excerpt meeting all link conditions (each once).

        It starts from the first link (entities and claims come before claim types: they are
        usually the narrower) and checks the others per row.
        """
        (table, column, ids), *others = self.links
        conditions, params = [f"x0.{column} IN ({_marks(list(ids))})"], list(ids)
        for i, (other, other_column, other_ids) in enumerate(others, 1):
            conditions.append(
                f"EXISTS (SELECT 1 FROM {other} x{i} WHERE x{i}.excerpt_id = x0.excerpt_id "
                f"AND x{i}.{other_column} IN ({_marks(list(other_ids))}))"
            )
            params += list(other_ids)
        # One row per excerpt already when the condition names one record of a table keyed by
        # (excerpt, record); an entity may be linked twice (in two roles), so it needs DISTINCT.
        distinct = len(ids) > 1 or table == "excerpt_entities"
        sql = f"SELECT {'DISTINCT ' if distinct else ''}x0.excerpt_id FROM {table} x0 WHERE {' AND '.join(conditions)}"
        return sql, params


def filter_parts(case: CaseFile, f: ExcerptFilter) -> FilterParts:
    """Resolve a filter's names and split its conditions (see ``FilterParts``).

    Names are resolved here, so a name that matches nothing raises ``NotFound`` with a clear
    message rather than silently giving no rows.
    """
    check_dates(f)
    clauses: list[str] = []
    params: list = []
    links: list[tuple[str, str, tuple[str, ...]]] = []
    if f.statuses:
        bad = [s for s in f.statuses if s not in REVIEW_STATUSES]
        if bad:
            raise Invalid(f"unknown review status '{bad[0]}' (one of {', '.join(REVIEW_STATUSES)})")
        clauses.append(f"e.review_status IN ({_marks(list(f.statuses))})")
        params += list(f.statuses)
    ids = resolve_refs(case, f)
    if ids["sources"]:
        clauses.append(f"e.source_id IN ({_marks(ids['sources'])})")
        params += ids["sources"]
    if ids["claim_types"]:
        links.append(("excerpt_claim_types", "claim_type_id", tuple(ids["claim_types"])))
    if ids["entities"]:
        links.append(("excerpt_entities", "entity_id", tuple(ids["entities"])))
    if ids["claims"]:
        links.append(("claim_excerpts", "claim_id", tuple(ids["claims"])))
    if f.date_from:
        clauses.append("s.published >= ?")
        params.append(f.date_from)
    if f.date_to:
        # '2024-06' must include '2024-06-30': compare against the upper end of the period.
        clauses.append("s.published <= ?")
        params.append(f.date_to + "\uffff")
    if f.text and f.text.strip():
        from evidence_tui.domain.search import match_expression

        clauses.append("e.rowid IN (SELECT rowid FROM excerpts_fts WHERE excerpts_fts MATCH ?)")
        params.append(match_expression(f.text))
    order = {"excerpt_entities": 0, "claim_excerpts": 1, "excerpt_claim_types": 2}
    links.sort(key=lambda link: order[link[0]])
    return FilterParts(tuple(clauses), tuple(params), tuple(links), bool(f.date_from or f.date_to))


# Filter field -> (table, the column that names a record, what it is called in messages), in the
# order references are resolved (the first that matches nothing is the one reported).
_REFERENCES = {
    "sources": ("sources", "title", "source"),
    "claim_types": ("claim_types", "name", "claim type"),
    "entities": ("entities", "name", "entity"),
    "claims": ("claims", "statement", "claim"),
}


def resolve_refs(case: CaseFile, f: ExcerptFilter) -> dict[str, list[str]]:
    """The ids of the records a filter names, by field (``claim_types``, ``entities``, ``sources``,
    ``claims``). Raises ``NotFound`` (an ``EvidenceError``) for a reference that matches nothing."""
    from evidence_tui.domain.entities import resolve_entity  # entities may be named by an alias

    return {
        field: [resolve_entity(case, r) if field == "entities" else
                resolve_id(case, table, r, name_column=column, what=what) for r in getattr(f, field)]
        for field, (table, column, what) in _REFERENCES.items()
    }


def filter_names(case: CaseFile, f: ExcerptFilter) -> dict[str, list[str]]:
    """The names of the records a filter refers to (by id or name), for a status line.

    Only the names are read (``codebook.get_type`` and ``entities.get_entity`` also count the
    excerpts of each, tens of milliseconds on a million excerpts). Raises ``NotFound`` (an
    ``EvidenceError``) for a reference that matches nothing.
    """
    conn = case.db.conn
    return {
        field: [conn.execute(f"SELECT {_REFERENCES[field][1]} FROM {_REFERENCES[field][0]} WHERE id = ?",
                             (record_id,)).fetchone()[0] for record_id in ids]
        for field, ids in resolve_refs(case, f).items()
    }


def filter_sql(case: CaseFile, f: ExcerptFilter) -> tuple[str, list]:
    """Return a SQL condition on ``e`` (excerpts) and ``s`` (its source), and its parameters.

    Names are resolved here, so a name that matches nothing raises ``NotFound`` with a clear
    message rather than silently giving no rows.
    """
    return filter_parts(case, f).where()
