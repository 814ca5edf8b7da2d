"""The excerpt filter shared by ``excerpt list``, search, review queues and export."""

from __future__ import annotations

from dataclasses import dataclass

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


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values)


def filter_sql(case: CaseFile, f: ExcerptFilter) -> tuple[str, list]:
    """Return a SQL condition on ``e`` (excerpts) and ``s`` (its source), and its parameters.

    Names are resolved here, so a name that matches nothing raises ``NotFound`` with a clear
    message rather than silently giving no rows.
    """
    clauses: list[str] = []
    params: list = []
    if f.statuses:
        bad = [s for s in f.statuses if s not in REVIEW_STATUSES]
        if bad:
            raise Invalid(f"unknown review status '{bad[0]}' (one of {', '.join(REVIEW_STATUSES)})")
        clauses.append(f"e.review_status IN ({_marks(list(f.statuses))})")
        params += list(f.statuses)
    if f.sources:
        ids = [resolve_id(case, "sources", r, name_column="title", what="source") for r in f.sources]
        clauses.append(f"e.source_id IN ({_marks(ids)})")
        params += ids
    if f.claim_types:
        ids = [resolve_id(case, "claim_types", r, name_column="name", what="claim type") for r in f.claim_types]
        clauses.append(
            f"EXISTS (SELECT 1 FROM excerpt_claim_types x WHERE x.excerpt_id = e.id AND x.claim_type_id IN ({_marks(ids)}))"
        )
        params += ids
    if f.entities:
        from evidence_tui.domain.entities import resolve_entity

        ids = [resolve_entity(case, r) for r in f.entities]
        clauses.append(
            f"EXISTS (SELECT 1 FROM excerpt_entities x WHERE x.excerpt_id = e.id AND x.entity_id IN ({_marks(ids)}))"
        )
        params += ids
    if f.claims:
        ids = [resolve_id(case, "claims", r, name_column="statement", what="claim") for r in f.claims]
        clauses.append(
            f"EXISTS (SELECT 1 FROM claim_excerpts x WHERE x.excerpt_id = e.id AND x.claim_id IN ({_marks(ids)}))"
        )
        params += ids
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
    return (" AND ".join(clauses) or "1"), params
