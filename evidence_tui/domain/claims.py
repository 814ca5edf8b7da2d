"""Claims: statements in the researcher's words, with the evidence for and against them.

Corroboration counts distinct sources and distinct outlets behind a claim: ten excerpts from one
outlet are one voice. Only named outlets count: sources without one may all be the same wire story,
so they are counted apart (``sources_without_outlet``) and never make a claim look independently
corroborated; naming their outlets (the source's metadata) is what makes them count. Only supporting
evidence corroborates: contradicting excerpts are counted apart (``contradicting``, with the distinct
sources and outlets behind them in ``sources_against`` / ``outlets_against``) and never make a claim
look better sourced.

The best reliability is the best Admiralty grade among the supporting sources (A best ... F; an
ungraded source counts for nothing). The evidence dates are the supporting sources' publication
dates, kept at their precision: a month ("2024-06") may be any day of that month, so it is the
earliest date when compared with "2024-06-15" and also the latest.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from evidence_tui.domain.models import Claim, EntityLink
from evidence_tui.domain.refs import resolve_id
from evidence_tui.errors import Invalid
from evidence_tui.store import CaseFile, new_id, operation, utc_now
from evidence_tui.store.schema import CLAIM_EXCERPT_STANCES, CLAIM_SOURCE_STANCES

# The Admiralty (NATO) scale for the reliability of a source.
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}

# A date of year or month precision ("2024", "2024-06") is padded with "-99" to compare as the end
# of its period when looking for the latest date ("2024-06" is later than "2024-06-15"); unpadded, it
# already sorts as the start of its period for the earliest. Real months and days are never 99.
_LATEST_KEY = "s.published || substr('-99-99', length(s.published) - 3)"

_SELECT = f"""
WITH evidence AS (
    SELECT x.claim_id, x.stance, e.source_id FROM claim_excerpts x JOIN excerpts e ON e.id = x.excerpt_id
    UNION ALL
    SELECT claim_id, stance, source_id FROM claim_sources WHERE stance IN ('supports', 'contradicts')
), behind AS (
    SELECT v.claim_id,
           count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'supports') AS sources,
           count(DISTINCT lower(nullif(trim(s.outlet), ''))) FILTER (WHERE v.stance = 'supports') AS outlets,
           count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'supports' AND nullif(trim(s.outlet), '') IS NULL)
               AS sources_without_outlet,
           count(DISTINCT v.source_id) FILTER (WHERE v.stance = 'contradicts') AS sources_against,
           count(DISTINCT lower(nullif(trim(s.outlet), ''))) FILTER (WHERE v.stance = 'contradicts') AS outlets_against,
           min(s.reliability) FILTER (WHERE v.stance = 'supports') AS best_reliability,
           min(s.published) FILTER (WHERE v.stance = 'supports') AS earliest,
           max({_LATEST_KEY}) FILTER (WHERE v.stance = 'supports') AS latest_key
    FROM evidence v JOIN sources s ON s.id = v.source_id
    GROUP BY v.claim_id
)
SELECT c.id, c.statement, t.name AS claim_type, c.credibility, c.notes,
       (SELECT count(*) FROM claim_excerpts x WHERE x.claim_id = c.id AND x.stance = 'supports') AS supporting,
       (SELECT count(*) FROM claim_excerpts x WHERE x.claim_id = c.id AND x.stance = 'contradicts') AS contradicting,
       coalesce(b.sources, 0) AS sources, coalesce(b.outlets, 0) AS outlets,
       coalesce(b.sources_without_outlet, 0) AS sources_without_outlet,
       coalesce(b.sources_against, 0) AS sources_against, coalesce(b.outlets_against, 0) AS outlets_against,
       b.best_reliability, b.earliest, replace(b.latest_key, '-99', '') AS latest
FROM claims c
LEFT JOIN claim_types t ON t.id = c.claim_type_id
LEFT JOIN behind b ON b.claim_id = c.id
"""

_BY_STATEMENT = "c.statement COLLATE NOCASE"

# Each order ends on the statement, so equal figures keep a stable, readable order.
CLAIM_ORDERS = {
    "created": "c.created_at, c.rowid",
    "sources": f"sources DESC, outlets DESC, {_BY_STATEMENT}",
    "outlets": f"outlets DESC, sources DESC, {_BY_STATEMENT}",
    "weakest": f"outlets, sources, {_BY_STATEMENT}",
    "supporting": f"supporting DESC, sources DESC, {_BY_STATEMENT}",
    "contradicting": f"contradicting DESC, sources_against DESC, {_BY_STATEMENT}",
    # A best; F and ungraded last.
    "reliability": f"b.best_reliability IS NULL, b.best_reliability, outlets DESC, {_BY_STATEMENT}",
    # Undated claims last in both.
    "earliest": f"b.earliest IS NULL, b.earliest, {_BY_STATEMENT}",
    "latest": f"b.latest_key IS NULL, b.latest_key DESC, {_BY_STATEMENT}",
    "statement": _BY_STATEMENT,
}


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for or against a claim: an excerpt, or a whole source."""

    stance: str
    source_id: str
    source_title: str
    outlet: str | None
    published: str | None
    reliability: str | None
    excerpt_id: str | None = None
    quote: str | None = None


def _entities(conn: sqlite3.Connection, claim_ids: list[str]) -> dict[str, tuple[EntityLink, ...]]:
    """The entities linked to each of some claims (by name), in one query."""
    found: dict[str, list[EntityLink]] = {claim_id: [] for claim_id in claim_ids}
    if claim_ids:
        # Many claims (every one of them, as list_claims reads): all the links in one pass rather
        # than thousands of SQL parameters.
        few = len(claim_ids) <= 500
        where = f"WHERE x.claim_id IN ({', '.join('?' for _ in claim_ids)})" if few else ""
        for claim_id, *link in conn.execute(
            f"""SELECT x.claim_id, n.id, n.name, n.kind, x.role FROM claim_entities x
                JOIN entities n ON n.id = x.entity_id {where} ORDER BY n.name""",
            claim_ids if few else (),
        ):
            if claim_id in found:
                found[claim_id].append(EntityLink(*link))
    return {claim_id: tuple(links) for claim_id, links in found.items()}


def resolve_claim(case: CaseFile, ref: str) -> str:
    """Return the id of the claim named by id prefix or exact statement."""
    return resolve_id(case, "claims", ref, name_column="statement", what="claim")


def list_claims(case: CaseFile, *, order: str = "created", limit: int | None = None) -> list[Claim]:
    """Return every claim (or the first ``limit`` in ``order``) with its corroboration figures."""
    if order not in CLAIM_ORDERS:
        raise Invalid(f"unknown order '{order}' (one of {', '.join(CLAIM_ORDERS)})")
    conn = case.db.conn
    page = "" if limit is None else f" LIMIT {int(limit)}"
    rows = conn.execute(_SELECT + f" ORDER BY {CLAIM_ORDERS[order]}{page}").fetchall()
    entities = _entities(conn, [r["id"] for r in rows])
    return [Claim(**dict(r), entities=entities[r["id"]]) for r in rows]


def get_claim(case: CaseFile, ref: str) -> Claim:
    """Return one claim with its corroboration figures."""
    claim_id = resolve_claim(case, ref)
    conn = case.db.conn
    row = conn.execute(_SELECT + " WHERE c.id = ?", (claim_id,)).fetchone()
    return Claim(**dict(row), entities=_entities(conn, [claim_id])[claim_id])


def claim_evidence(case: CaseFile, ref: str) -> list[Evidence]:
    """Return the excerpts and sources linked to a claim, earliest evidence first."""
    claim_id = resolve_claim(case, ref)
    rows = case.db.conn.execute(
        # The ORDER BY of a compound SELECT may only name its columns: sort the union from outside.
        """SELECT * FROM (
               SELECT x.stance, s.id AS source_id, s.title AS source_title, s.outlet, s.published, s.reliability,
                      e.id AS excerpt_id, e.quote
               FROM claim_excerpts x JOIN excerpts e ON e.id = x.excerpt_id JOIN sources s ON s.id = e.source_id
               WHERE x.claim_id = ?
               UNION ALL
               SELECT x.stance, s.id, s.title, s.outlet, s.published, s.reliability, NULL, NULL
               FROM claim_sources x JOIN sources s ON s.id = x.source_id
               WHERE x.claim_id = ?
           )
           ORDER BY published IS NULL, published, source_title""",
        (claim_id, claim_id),
    ).fetchall()
    return [Evidence(**dict(r)) for r in rows]


def _check_credibility(credibility: int | None) -> int | None:
    if credibility is not None and not 1 <= int(credibility) <= 6:
        raise Invalid(f"credibility must be from 1 (confirmed) to 6 (cannot be judged), not {credibility}")
    return credibility


def _check_statement(conn: sqlite3.Connection, statement: str, *, except_id: str | None = None) -> None:
    # Two claims with one statement would split their evidence (and a statement names a claim).
    folded = statement.casefold()
    for claim_id, existing in conn.execute("SELECT id, statement FROM claims"):
        if existing.casefold() == folded and claim_id != except_id:
            raise Invalid(f"the claim '{existing}' already exists ({claim_id[:8]})")


def add_claim(case: CaseFile, statement: str, *, claim_type: str | None = None, credibility: int | None = None, notes: str | None = None) -> Claim:
    """Add a claim in the researcher's words, optionally with a claim type and credibility 1-6."""
    statement = " ".join(statement.split())
    if not statement:
        raise Invalid("a claim needs a statement")
    # None is "no type"; an empty name (--type '') is a mistake, refused as resolve_id refuses it.
    type_id = (resolve_id(case, "claim_types", claim_type, name_column="name", what="claim type")
               if claim_type is not None else None)
    credibility = _check_credibility(credibility)
    with operation(case, "claim.add", case.actor) as op:
        _check_statement(op.conn, statement)
        now = utc_now()
        claim_id = new_id()
        op.insert(
            "claims",
            {"id": claim_id, "statement": statement, "claim_type_id": type_id, "credibility": credibility,
             "notes": notes, "created_at": now, "updated_at": now},
        )
        op.summary = f"add claim '{statement[:60]}'"
    return get_claim(case, claim_id)


def edit_claim(case: CaseFile, ref: str, *, statement: str | None = None, claim_type: str | None = None,
               credibility: int | None = None, notes: str | None = None) -> Claim:
    """Change a claim's statement, type, credibility or notes."""
    claim_id = resolve_claim(case, ref)
    changes: dict = {}
    if statement is not None:
        statement = " ".join(statement.split())
        if not statement:
            raise Invalid("a claim needs a statement")
        changes["statement"] = statement
    if claim_type is not None:
        changes["claim_type_id"] = resolve_id(case, "claim_types", claim_type, name_column="name", what="claim type")
    if credibility is not None:
        changes["credibility"] = _check_credibility(credibility)
    if notes is not None:
        changes["notes"] = notes.strip() or None
    if changes:
        with operation(case, "claim.edit", case.actor) as op:
            if "statement" in changes:
                _check_statement(op.conn, changes["statement"], except_id=claim_id)
            changes["updated_at"] = utc_now()
            op.update("claims", claim_id, changes)
            op.summary = f"edit claim {claim_id[:8]}"
    return get_claim(case, claim_id)


def link_excerpt(case: CaseFile, claim_ref: str, excerpt_ref: str, stance: str = "supports") -> Claim:
    """Record that an excerpt supports or contradicts a claim (relinking changes the stance)."""
    from evidence_tui.domain.excerpts import resolve_excerpt

    if stance not in CLAIM_EXCERPT_STANCES:
        raise Invalid(f"an excerpt either supports or contradicts a claim, not '{stance}'")
    claim_id = resolve_claim(case, claim_ref)
    excerpt_id = resolve_excerpt(case, excerpt_ref)
    with operation(case, "claim.link", case.actor) as op:
        key = {"claim_id": claim_id, "excerpt_id": excerpt_id}
        if op.fetch("claim_excerpts", key) is None:
            op.insert("claim_excerpts", {**key, "stance": stance, "created_at": utc_now()})
        else:
            op.update("claim_excerpts", key, {"stance": stance})
        op.summary = f"excerpt {excerpt_id[:8]} {stance} claim {claim_id[:8]}"
    return get_claim(case, claim_id)


def unlink_excerpt(case: CaseFile, claim_ref: str, excerpt_ref: str) -> Claim:
    """Remove the link between an excerpt and a claim."""
    from evidence_tui.domain.excerpts import resolve_excerpt

    claim_id = resolve_claim(case, claim_ref)
    excerpt_id = resolve_excerpt(case, excerpt_ref)
    with operation(case, "claim.unlink", case.actor) as op:
        op.delete("claim_excerpts", {"claim_id": claim_id, "excerpt_id": excerpt_id})
        op.summary = f"unlink excerpt {excerpt_id[:8]} from claim {claim_id[:8]}"
    return get_claim(case, claim_id)


def link_source(case: CaseFile, claim_ref: str, source_ref: str, stance: str = "supports") -> Claim:
    """Link a whole source to a claim: supports, contradicts or mentions."""
    if stance not in CLAIM_SOURCE_STANCES:
        raise Invalid(f"a source supports, contradicts or mentions a claim, not '{stance}'")
    claim_id = resolve_claim(case, claim_ref)
    source_id = resolve_id(case, "sources", source_ref, name_column="title", what="source")
    with operation(case, "claim.link", case.actor) as op:
        key = {"claim_id": claim_id, "source_id": source_id}
        if op.fetch("claim_sources", key) is None:
            op.insert("claim_sources", {**key, "stance": stance, "created_at": utc_now()})
        else:
            op.update("claim_sources", key, {"stance": stance})
        op.summary = f"source {source_id[:8]} {stance} claim {claim_id[:8]}"
    return get_claim(case, claim_id)


def unlink_source(case: CaseFile, claim_ref: str, source_ref: str) -> Claim:
    """Remove the link between a whole source and a claim (the source and its excerpts' links stay)."""
    claim_id = resolve_claim(case, claim_ref)
    source_id = resolve_id(case, "sources", source_ref, name_column="title", what="source")
    with operation(case, "claim.unlink", case.actor) as op:
        op.delete("claim_sources", {"claim_id": claim_id, "source_id": source_id})
        op.summary = f"unlink source {source_id[:8]} from claim {claim_id[:8]}"
    return get_claim(case, claim_id)


def delete_claim(case: CaseFile, ref: str) -> Claim:
    """Delete a claim and its links (the excerpts and sources stay)."""
    claim = get_claim(case, ref)
    with operation(case, "claim.delete", case.actor) as op:
        for table, columns in (("claim_excerpts", "claim_id, excerpt_id"), ("claim_sources", "claim_id, source_id"),
                               ("claim_entities", "claim_id, entity_id, role")):
            for row in op.conn.execute(f"SELECT {columns} FROM {table} WHERE claim_id = ?", (claim.id,)).fetchall():
                op.delete(table, dict(row))
        op.delete("claims", claim.id)
        op.summary = f"delete claim '{claim.statement[:60]}'"
    return claim
