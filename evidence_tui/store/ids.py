"""Record ids and timestamps.

Ids are random (UUID4, 32 hex digits) so that case files built on different laptops can be merged
without clashes, and so that a short prefix (as git shows) is enough to name a record.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

SHORT_ID_LENGTH = 8


def new_id() -> str:
    """Return a new globally unique record id (32 lowercase hex digits)."""
    return uuid.uuid4().hex


def short_id(record_id: str) -> str:
    """Return the short form of an id shown to people (its first eight digits)."""
    return record_id[:SHORT_ID_LENGTH]


def utc_now() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds and a ``Z``."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
