"""The records of a case file as plain, immutable values (no database handles inside)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evidence_tui.store.ids import short_id


@dataclass(frozen=True)
class Source:
    """An imported document. ``text`` is loaded only when asked for (it can be megabytes)."""

    id: str
    title: str
    outlet: str | None
    author: str | None
    url: str | None
    published: str | None
    published_raw: str | None
    published_precision: str
    language: str | None
    file_name: str | None
    format: str
    encoding: str | None
    imported_at: str
    sha256: str
    notes: str | None
    reliability: str | None
    excerpt_count: int = 0
    text: str | None = None

    @property
    def short_id(self) -> str:
        """The id as shown to people."""
        return short_id(self.id)

    def as_dict(self, *, with_text: bool = False) -> dict[str, Any]:
        """Return the source as a JSON-ready dict (the text only when asked)."""
        data = {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "author": self.author,
            "url": self.url,
            "published": self.published,
            "published_raw": self.published_raw,
            "published_precision": self.published_precision,
            "language": self.language,
            "file_name": self.file_name,
            "format": self.format,
            "encoding": self.encoding,
            "imported_at": self.imported_at,
            "sha256": self.sha256,
            "notes": self.notes,
            "reliability": self.reliability,
            "excerpt_count": self.excerpt_count,
        }
        if with_text:
            data["text"] = self.text
        return data


@dataclass(frozen=True)
class ClaimType:
    """An entry of the codebook."""

    id: str
    name: str
    description: str
    colour: str | None
    hotkey: int | None
    position: int
    excerpt_count: int = 0

    @property
    def short_id(self) -> str:
        """The id as shown to people."""
        return short_id(self.id)

    def as_dict(self) -> dict[str, Any]:
        """Return the claim type as a JSON-ready dict."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "colour": self.colour,
            "hotkey": self.hotkey,
            "position": self.position,
            "excerpt_count": self.excerpt_count,
        }


@dataclass(frozen=True)
class EntityLink:
    """An entity linked to an excerpt or claim, with its role there."""

    entity_id: str
    name: str
    kind: str
    role: str


@dataclass(frozen=True)
class ClaimLink:
    """A claim an excerpt supports or contradicts."""

    claim_id: str
    statement: str
    stance: str


@dataclass(frozen=True)
class Excerpt:
    """An exact span of a source's text, with its tags and links."""

    id: str
    source_id: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    note: str | None
    review_status: str
    author: str | None
    created_at: str
    updated_at: str
    credibility: int | None = None
    claim_types: tuple[ClaimType, ...] = ()
    entities: tuple[EntityLink, ...] = ()
    claims: tuple[ClaimLink, ...] = ()
    source_title: str | None = None

    @property
    def short_id(self) -> str:
        """The id as shown to people."""
        return short_id(self.id)

    def as_dict(self) -> dict[str, Any]:
        """Return the excerpt as a JSON-ready dict."""
        return {
            "id": self.id,
            "source_id": self.source_id,
            "source_title": self.source_title,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "note": self.note,
            "review_status": self.review_status,
            "credibility": self.credibility,
            "author": self.author,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "claim_types": [t.name for t in self.claim_types],
            "entities": [{"id": e.entity_id, "name": e.name, "kind": e.kind, "role": e.role} for e in self.entities],
            "claims": [{"id": c.claim_id, "statement": c.statement, "stance": c.stance} for c in self.claims],
        }


@dataclass(frozen=True)
class Entity:
    """A person, organisation, place, unit or other, with its aliases."""

    id: str
    name: str
    kind: str
    notes: str | None
    aliases: tuple[str, ...] = ()
    excerpt_count: int = 0
    claim_count: int = 0

    @property
    def short_id(self) -> str:
        """The id as shown to people."""
        return short_id(self.id)

    def as_dict(self) -> dict[str, Any]:
        """Return the entity as a JSON-ready dict."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "notes": self.notes,
            "aliases": list(self.aliases),
            "excerpt_count": self.excerpt_count,
            "claim_count": self.claim_count,
        }


@dataclass(frozen=True)
class Claim:
    """A statement in the researcher's words, with its evidence counts (corroboration).

    ``supporting`` / ``contradicting`` count excerpts; ``sources`` / ``outlets`` are the distinct
    sources and named outlets behind the supporting evidence (excerpts and whole sources), and
    ``sources_against`` / ``outlets_against`` those behind the contradicting evidence.
    ``sources_without_outlet``: the supporting sources whose outlet is not known (not in ``outlets``).
    ``best_reliability`` (A best ... F), ``earliest`` and ``latest`` (publication dates at their
    precision: "2024", "2024-06" or "2024-06-15") describe the supporting sources only.
    """

    id: str
    statement: str
    claim_type: str | None
    credibility: int | None
    notes: str | None
    supporting: int = 0
    contradicting: int = 0
    sources: int = 0
    outlets: int = 0
    sources_without_outlet: int = 0
    sources_against: int = 0
    outlets_against: int = 0
    best_reliability: str | None = None
    earliest: str | None = None
    latest: str | None = None
    entities: tuple[EntityLink, ...] = field(default=())

    @property
    def short_id(self) -> str:
        """The id as shown to people."""
        return short_id(self.id)

    @property
    def single_outlet(self) -> bool:
        """True when the supporting sources name one outlet between them (not independently corroborated)."""
        return self.outlets == 1

    @property
    def outlet_unknown(self) -> bool:
        """True when sources support the claim but none of them names its outlet."""
        return self.sources > 0 and self.outlets == 0

    @property
    def corroboration_mark(self) -> str | None:
        """"unsupported", "no outlet" (none named) or "one outlet" when the claim is not
        independently corroborated (two named outlets or more); None when it is."""
        if self.unsupported:
            return "unsupported"
        if self.outlet_unknown:
            return "no outlet"
        return "one outlet" if self.single_outlet else None

    @property
    def unsupported(self) -> bool:
        """True when no source supports the claim yet."""
        return self.sources == 0

    def as_dict(self) -> dict[str, Any]:
        """Return the claim as a JSON-ready dict."""
        return {
            "id": self.id,
            "statement": self.statement,
            "claim_type": self.claim_type,
            "credibility": self.credibility,
            "notes": self.notes,
            "supporting": self.supporting,
            "contradicting": self.contradicting,
            "sources": self.sources,
            "outlets": self.outlets,
            "sources_without_outlet": self.sources_without_outlet,
            "sources_against": self.sources_against,
            "outlets_against": self.outlets_against,
            "best_reliability": self.best_reliability,
            "earliest": self.earliest,
            "latest": self.latest,
            "single_outlet": self.single_outlet,
            "outlet_unknown": self.outlet_unknown,
            "unsupported": self.unsupported,
            "entities": [{"id": e.entity_id, "name": e.name, "kind": e.kind, "role": e.role} for e in self.entities],
        }
