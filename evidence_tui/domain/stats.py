"""Case file figures: counts per claim type, review status, outlet and month."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from evidence_tui.store import CaseFile


@dataclass(frozen=True)
class CaseStats:
    """The numbers `evidence-tui stats` prints and the overview shows."""

    sources: int
    excerpts: int
    claim_types: int
    claims: int
    entities: int
    by_claim_type: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    by_outlet: list[tuple[str, int]] = field(default_factory=list)
    sources_by_month: list[tuple[str, int]] = field(default_factory=list)
    excerpts_by_month: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the figures as a JSON-ready dict (pairs become objects)."""
        data = asdict(self)
        for key in ("by_claim_type", "by_status", "by_outlet", "sources_by_month", "excerpts_by_month"):
            data[key] = {name: count for name, count in getattr(self, key)}
        return data


def case_stats(case: CaseFile) -> CaseStats:
    """Count what the case file holds."""
    conn = case.db.conn

    def one(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    def pairs(sql: str) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in conn.execute(sql)]

    return CaseStats(
        sources=one("SELECT count(*) FROM sources"),
        excerpts=one("SELECT count(*) FROM excerpts"),
        claim_types=one("SELECT count(*) FROM claim_types"),
        claims=one("SELECT count(*) FROM claims"),
        entities=one("SELECT count(*) FROM entities"),
        by_claim_type=pairs(
            """SELECT t.name, count(x.excerpt_id) FROM claim_types t
               LEFT JOIN excerpt_claim_types x ON x.claim_type_id = t.id
               GROUP BY t.id ORDER BY t.position, t.name"""
        ),
        by_status=pairs(
            """SELECT v.status, (SELECT count(*) FROM excerpts e WHERE e.review_status = v.status)
               FROM (SELECT 'unreviewed' AS status UNION ALL SELECT 'accepted' UNION ALL SELECT 'rejected'
                     UNION ALL SELECT 'flagged') v"""
        ),
        by_outlet=pairs(
            """SELECT coalesce(outlet, '(unknown)'), count(*) FROM sources
               GROUP BY coalesce(outlet, '(unknown)') ORDER BY count(*) DESC, 1"""
        ),
        sources_by_month=pairs(
            """SELECT substr(published, 1, 7), count(*) FROM sources
               WHERE published_precision IN ('day', 'month') GROUP BY 1 ORDER BY 1"""
        ),
        excerpts_by_month=pairs(
            """SELECT substr(created_at, 1, 7), count(*) FROM excerpts GROUP BY 1 ORDER BY 1"""
        ),
    )


def case_counts(case: CaseFile) -> CaseStats:
    """Only the five record counts (the app's header): cheap at any size, unlike ``case_stats``,
    whose breakdowns read every excerpt and link (about a second at a million excerpts)."""
    conn = case.db.conn

    def one(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    return CaseStats(
        sources=one("SELECT count(*) FROM sources"),
        excerpts=one("SELECT count(*) FROM excerpts"),
        claim_types=one("SELECT count(*) FROM claim_types"),
        claims=one("SELECT count(*) FROM claims"),
        entities=one("SELECT count(*) FROM entities"),
    )
